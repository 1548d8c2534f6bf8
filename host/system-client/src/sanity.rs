//! Start-up sanity: before anything is sent, the RPC must serve the configured network's chain, and the
//! contract registry must resolve every contract the system client uses to deployed code. (The reference mines
//! transactions against a wrong registry and registers nothing.)

use alloy::primitives::Address;
use alloy::providers::{DynProvider, Provider};
use ftso_chain::names;
use ftso_chain::read::ReadError;

/// The FSP contracts the system client talks to, as the registry resolved them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contracts {
    /// FlareSystemsManager.
    pub flare_systems_manager: Address,
    /// VoterRegistry.
    pub voter_registry: Address,
    /// Relay.
    pub relay: Address,
    /// Submission.
    pub submission: Address,
}

/// Why the node must not start sending.
#[derive(Debug, thiserror::Error)]
pub enum SanityError {
    /// The RPC serves another chain than the configured network's.
    #[error(
        "the RPC reports chain id {reported}, but network {network} has chain id {expected}: wrong rpc_url or network"
    )]
    WrongChain {
        /// The configured network.
        network: String,
        /// Its chain id.
        expected: u64,
        /// What `eth_chainId` returned.
        reported: u64,
    },
    /// There is no contract at the registry address.
    #[error("no contract registry at {0}: wrong network or registry address")]
    NoRegistry(Address),
    /// The registry does not resolve a contract, or resolves it to an address without code.
    #[error(
        "the contract registry at {registry} resolves no deployed {name} (got {address}): wrong network or registry"
    )]
    MissingContract {
        /// The registry.
        registry: Address,
        /// The contract's registry name.
        name: &'static str,
        /// What the registry returned.
        address: Address,
    },
    /// A JSON-RPC call failed.
    #[error("{operation}: {source}")]
    Rpc {
        /// What was asked.
        operation: String,
        /// The transport or node error.
        source: alloy::transports::TransportError,
    },
}

/// The network the node is configured for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedNetwork {
    /// Its name (`flare`, …, `local`).
    pub name: String,
    /// Its chain id.
    pub chain_id: u64,
}

/// Checks the chain id (when a network is configured) and resolves the contracts through `registry`; returns the
/// chain id the RPC reports and the contracts.
pub async fn check(
    provider: &DynProvider,
    expected: Option<&ExpectedNetwork>,
    registry: Address,
) -> Result<(u64, Contracts), SanityError> {
    let reported = provider
        .get_chain_id()
        .await
        .map_err(|source| SanityError::Rpc {
            operation: "eth_chainId".into(),
            source,
        })?;
    if let Some(network) = expected
        && network.chain_id != reported
    {
        return Err(SanityError::WrongChain {
            network: network.name.clone(),
            expected: network.chain_id,
            reported,
        });
    }
    if !has_code(provider, registry).await? {
        return Err(SanityError::NoRegistry(registry));
    }
    let contracts = Contracts {
        flare_systems_manager: resolve(provider, registry, names::FLARE_SYSTEMS_MANAGER).await?,
        voter_registry: resolve(provider, registry, names::VOTER_REGISTRY).await?,
        relay: resolve(provider, registry, names::RELAY).await?,
        submission: resolve(provider, registry, names::SUBMISSION).await?,
    };
    Ok((reported, contracts))
}

async fn resolve(
    provider: &DynProvider,
    registry: Address,
    name: &'static str,
) -> Result<Address, SanityError> {
    // An unknown name, a revert or an undecodable answer means the contract there is not a registry knowing `name`.
    let address = match ftso_chain::read::registry_address(provider, registry, name).await {
        Ok(address) => address,
        Err(ReadError::Rpc { source, .. }) => {
            return Err(SanityError::Rpc {
                operation: format!("getContractAddressByName({name})"),
                source,
            });
        }
        Err(_) => Address::ZERO,
    };
    if address.is_zero() || !has_code(provider, address).await? {
        return Err(SanityError::MissingContract {
            registry,
            name,
            address,
        });
    }
    Ok(address)
}

async fn has_code(provider: &DynProvider, address: Address) -> Result<bool, SanityError> {
    let code = provider
        .get_code_at(address)
        .await
        .map_err(|source| SanityError::Rpc {
            operation: format!("eth_getCode({address})"),
            source,
        })?;
    Ok(!code.is_empty())
}
