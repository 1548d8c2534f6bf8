//! Builds the [`Collection`] from the config: FSP defaults merged with user entries, names resolved once through
//! the contract registry.

use std::collections::HashMap;

use alloy_primitives::{Address, address};
use alloy_sol_types::SolCall;
use ftso_chain::{IFlareContractRegistry, names};

use crate::collect::{self, Collection, LogFilter};
use crate::config::{ContractRef, IndexerConfig};
use crate::error::{IndexerError, Result};
use crate::rpc::Rpc;

/// Resolves the configured collectors. Unregistered names fail the start unless the collector is `optional`.
pub(crate) async fn collection(config: &IndexerConfig, rpc: &Rpc) -> Result<Collection> {
    let mut txs = Vec::new();
    let mut logs = Vec::new();
    if config.fsp_defaults {
        txs.extend(collect::fsp_transaction_collectors());
        logs.extend(collect::fsp_log_collectors());
    }
    txs.extend(config.collect_transactions.iter().cloned());
    logs.extend(config.collect_logs.iter().cloned());

    let mut cache: HashMap<String, Address> = HashMap::new();
    let mut out = Collection::default();
    for c in &txs {
        let registry = config.registry_address;
        let Some(addresses) = address_of(&c.contract, registry, rpc, &mut cache).await? else {
            continue;
        };
        let selector = collect::parse_selector(c.func_sig.as_deref())?;
        for address in addresses {
            let policy = out.transactions.entry((address, selector)).or_default();
            policy.status |= c.status;
            policy.collect_events |= c.collect_events;
        }
    }
    for c in &logs {
        let registry = config.registry_address;
        let Some(addresses) = address_of(&c.contract, registry, rpc, &mut cache).await? else {
            continue;
        };
        let topic0 = collect::parse_topic(c.topic.as_deref())?;
        for address in addresses {
            out.logs.insert(LogFilter { address, topic0 });
        }
    }
    Ok(out)
}

/// Voter contracts that were redeployed on live networks: (registry name, old address, new
/// address). When the registry returns either address, both are indexed, so events of the old
/// deployment keep being collected.
const UPGRADED_CONTRACTS: [(&str, Address, Address); 6] = [
    // Songbird
    (
        names::VOTER_PRE_REGISTRY,
        address!("0x9Ba9A142FD5B2953667B03dB40D1d77c83F225a2"),
        address!("0xD8957603dE539118898BA2C321a1001d062Be7Ae"),
    ),
    (
        names::FLARE_SYSTEMS_CALCULATOR,
        address!("0x126FAeEc75601dA3354c0b5Cc0b60C85fCbC3A5e"),
        address!("0x31a5B8E7ca6dFC7B963f5D029F0884ef19E53A24"),
    ),
    (
        names::VOTER_REGISTRY,
        address!("0x31B9EC65C731c7D973a33Ef3FC83B653f540dC8D"),
        address!("0xd23FAE88c09e6A77dD9eFcc29D6bBC55D2e74310"),
    ),
    // Flare
    (
        names::VOTER_PRE_REGISTRY,
        address!("0xeFDBf6F31Aa46c62414Aee82aF43036d16885b48"),
        address!("0x76D49E62B07e52A13b7FBB4602eD942f812c87e2"),
    ),
    (
        names::FLARE_SYSTEMS_CALCULATOR,
        address!("0x67c4B11c710D35a279A41cff5eb089Fe72748CF8"),
        address!("0xf9cCe0Bd286bb38A9A0cD15fDDC5431F03568Db0"),
    ),
    (
        names::VOTER_REGISTRY,
        address!("0x2580101692366e2f331e891180d9ffdF861Fce83"),
        address!("0xA480457953Af3583E54DCd630b219353B8FC9Af7"),
    ),
];

/// Every address to index for a contract the registry resolved to `current`.
pub(crate) fn with_upgrades(name: &str, current: Address) -> Vec<Address> {
    UPGRADED_CONTRACTS
        .iter()
        .find(|(n, old, new)| *n == name && (current == *old || current == *new))
        .map_or_else(|| vec![current], |(_, old, new)| vec![*old, *new])
}

/// `Ok(None)` = skip this collector; an address `None` = any address.
async fn address_of(
    contract: &ContractRef,
    registry: Address,
    rpc: &Rpc,
    cache: &mut HashMap<String, Address>,
) -> Result<Option<Vec<Option<Address>>>> {
    if let Some(address) = contract.contract_address {
        return Ok(Some(vec![(address != Address::ZERO).then_some(address)]));
    }
    let Some(name) = contract.contract_name.as_deref() else {
        return Ok(Some(vec![None]));
    };
    let expand = |a: Address| {
        with_upgrades(name, a)
            .into_iter()
            .map(Some)
            .collect::<Vec<_>>()
    };
    if let Some(address) = cache.get(name) {
        return Ok(Some(expand(*address)));
    }
    let address = lookup(rpc, registry, name).await?;
    match address {
        Some(a) => {
            tracing::info!(name, address = %a, "resolved contract");
            cache.insert(name.to_owned(), a);
            Ok(Some(expand(a)))
        }
        _ if contract.optional => {
            tracing::warn!(name, "contract not registered; its collector is skipped");
            Ok(None)
        }
        _ => Err(IndexerError::UnresolvedName {
            name: name.to_owned(),
        }),
    }
}

/// `getContractAddressByName(name)` on the registry; `None` when unregistered (zero address or revert).
pub(crate) async fn lookup(rpc: &Rpc, registry: Address, name: &str) -> Result<Option<Address>> {
    let call = IFlareContractRegistry::getContractAddressByNameCall {
        _name: name.to_owned(),
    };
    let address = match rpc.call_contract(registry, call.abi_encode().into()).await {
        Ok(bytes) => {
            IFlareContractRegistry::getContractAddressByNameCall::abi_decode_returns(&bytes).ok()
        }
        // A reverting registry (unknown name on some deployments) counts as "not registered".
        Err(IndexerError::Rpc {
            source: alloy::transports::RpcError::ErrorResp(_),
            ..
        }) => None,
        Err(e) => return Err(e),
    };
    Ok(address.filter(|a| *a != Address::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upgraded_voter_contracts_index_both_deployments() {
        let new = address!("0xA480457953Af3583E54DCd630b219353B8FC9Af7");
        let old = address!("0x2580101692366e2f331e891180d9ffdF861Fce83");
        assert_eq!(with_upgrades(names::VOTER_REGISTRY, new), vec![old, new]);
        assert_eq!(with_upgrades(names::VOTER_REGISTRY, old), vec![old, new]);
        assert_eq!(
            with_upgrades(names::FLARE_SYSTEMS_CALCULATOR, new),
            vec![new],
            "pairs are per name"
        );
        let other = Address::repeat_byte(9);
        assert_eq!(with_upgrades(names::VOTER_REGISTRY, other), vec![other]);
    }
}
