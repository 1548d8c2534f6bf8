//! Typed `eth_call`s: one view function of a contract, decoded, with a revert told apart from a failing RPC, and
//! a contract's address from `FlareContractRegistry`.

use alloy::eips::BlockId;
use alloy::primitives::{Address, Bytes};
use alloy::providers::{DynProvider, Provider};
use alloy::rpc::types::TransactionRequest;
use alloy::transports::TransportError;
use alloy_sol_types::{Revert, SolCall, SolError};

use crate::IFlareContractRegistry;

/// Why a read failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The contract registry does not know the name (or resolves it to zero).
    #[error("{name} is not registered in the contract registry {registry}")]
    Unregistered {
        /// The registry.
        registry: Address,
        /// The contract's registry name.
        name: &'static str,
    },
    /// The contract reverted.
    #[error("{call} reverted: {reason}")]
    Reverted {
        /// The function's signature.
        call: &'static str,
        /// The decoded `Error(string)` reason, or the node's message.
        reason: String,
    },
    /// The RPC failed.
    #[error("{call}: {source}")]
    Rpc {
        /// The function's signature (or the JSON-RPC method).
        call: &'static str,
        /// The transport error.
        source: TransportError,
    },
    /// The answer did not decode.
    #[error("{call}: undecodable answer: {reason}")]
    Decode {
        /// The function's signature.
        call: &'static str,
        /// The decoder's message.
        reason: String,
    },
}

/// `eth_call` of `call` on `to` at the latest block, decoded.
pub async fn view<C: SolCall>(
    provider: &DynProvider,
    to: Address,
    call: C,
) -> Result<C::Return, ReadError> {
    view_with(provider, TransactionRequest::default().to(to), &call).await
}

/// `eth_call` of `call` with the rest of `request` (its `to`, and a `from` or `value` when the view needs them) at
/// the latest block, decoded.
pub async fn view_with<C: SolCall>(
    provider: &DynProvider,
    request: TransactionRequest,
    call: &C,
) -> Result<C::Return, ReadError> {
    let request = request.input(Bytes::from(call.abi_encode()).into());
    let output = provider
        .call(request)
        .block(BlockId::latest())
        .await
        .map_err(|source| classify(C::SIGNATURE, source))?;
    C::abi_decode_returns(&output).map_err(|error| ReadError::Decode {
        call: C::SIGNATURE,
        reason: error.to_string(),
    })
}

/// `FlareContractRegistry.getContractAddressByName(name)` at `registry`; an error when the name is unknown.
pub async fn registry_address(
    provider: &DynProvider,
    registry: Address,
    name: &'static str,
) -> Result<Address, ReadError> {
    let call = IFlareContractRegistry::getContractAddressByNameCall {
        _name: name.to_owned(),
    };
    let address = view(provider, registry, call).await?;
    if address.is_zero() {
        return Err(ReadError::Unregistered { registry, name });
    }
    Ok(address)
}

/// A node's error answer with revert data, or whose message says "revert", is a revert (with its `Error(string)`
/// reason when it has one); anything else (a transport failure, "header not found", rate limits...) is an RPC
/// failure.
fn classify(call: &'static str, source: TransportError) -> ReadError {
    let Some(payload) = source.as_error_resp() else {
        return ReadError::Rpc { call, source };
    };
    let data = payload.as_revert_data();
    if data.is_none() && !payload.message.contains("revert") {
        return ReadError::Rpc { call, source };
    }
    let reason = data
        .and_then(|data| Revert::abi_decode(&data).ok().map(|revert| revert.reason))
        .unwrap_or_else(|| payload.message.to_string());
    ReadError::Reverted { call, reason }
}
