//! Builds the [`Collection`] from the config: FSP defaults merged with user entries, names resolved once through
//! the contract registry.

use std::collections::HashMap;

use alloy_primitives::Address;
use alloy_sol_types::SolCall;
use ftso_chain::IFlareContractRegistry;

use crate::collect::{self, Collection, LogFilter, TxPolicy};
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
        let Some(address) =
            address_of(&c.contract, config.registry_address, rpc, &mut cache).await?
        else {
            continue;
        };
        let selector = collect::parse_selector(c.func_sig.as_deref())?;
        let policy = out
            .transactions
            .entry((address, selector))
            .or_insert_with(TxPolicy::default);
        policy.status |= c.status;
        policy.collect_events |= c.collect_events;
    }
    for c in &logs {
        let Some(address) =
            address_of(&c.contract, config.registry_address, rpc, &mut cache).await?
        else {
            continue;
        };
        out.logs.insert(LogFilter {
            address,
            topic0: collect::parse_topic(c.topic.as_deref())?,
        });
    }
    Ok(out)
}

/// `Ok(None)` = skip this collector; `Ok(Some(None))` = any address.
async fn address_of(
    contract: &ContractRef,
    registry: Address,
    rpc: &Rpc,
    cache: &mut HashMap<String, Address>,
) -> Result<Option<Option<Address>>> {
    if let Some(address) = contract.contract_address {
        return Ok(Some((address != Address::ZERO).then_some(address)));
    }
    let Some(name) = contract.contract_name.as_deref() else {
        return Ok(Some(None));
    };
    if let Some(address) = cache.get(name) {
        return Ok(Some(Some(*address)));
    }
    let call = IFlareContractRegistry::getContractAddressByNameCall {
        _name: name.to_owned(),
    };
    let answer = rpc.call_contract(registry, call.abi_encode().into()).await;
    let address = match answer {
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
    match address {
        Some(a) if a != Address::ZERO => {
            tracing::info!(name, address = %a, "resolved contract");
            cache.insert(name.to_owned(), a);
            Ok(Some(Some(a)))
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
