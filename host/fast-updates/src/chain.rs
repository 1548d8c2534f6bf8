//! What the client reads from the chain (fast-updates digest §2.2, §2.4): epoch, seed, weight, feed ids,
//! score cutoffs, current feed values, fee-rule inputs, balances. One `eth_call` each; nothing is cached here.

use alloy::eips::BlockId;
use alloy::primitives::{Address, Bytes, U256};
use alloy::providers::{DynProvider, Provider};
use alloy::rpc::types::TransactionRequest;
use alloy::sol_types::{Revert, SolCall, SolError};
use alloy::transports::TransportError;
use anyhow::Context as _;
use ftso_chain::{
    IFastUpdateIncentiveManager, IFastUpdater, IFastUpdatesConfiguration, IFlareContractRegistry,
    IFlareSystemsManager, ISubmission, names,
};
use ftso_feeds::registry::FeedKey;

use crate::config::{ContractsConfig, FastUpdatesConfig};

/// Why a read failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The contract reverted (e.g. "Public key not registered", "seed not initialized yet").
    #[error("{call} reverted: {reason}")]
    Reverted {
        /// The function.
        call: &'static str,
        /// The decoded reason, or the node's message.
        reason: String,
    },
    /// The RPC failed.
    #[error("{call}: {source}")]
    Rpc {
        /// The function.
        call: &'static str,
        /// The transport error.
        source: TransportError,
    },
    /// The answer did not decode.
    #[error("{call}: undecodable answer: {reason}")]
    Decode {
        /// The function.
        call: &'static str,
        /// The decoder's message.
        reason: String,
    },
}

/// The addresses the client talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contracts {
    /// `FastUpdater`.
    pub fast_updater: Address,
    /// `FastUpdatesConfiguration`.
    pub configuration: Address,
    /// `FastUpdateIncentiveManager`.
    pub incentive_manager: Address,
    /// `FlareSystemsManager`.
    pub flare_systems_manager: Address,
    /// `Submission`.
    pub submission: Address,
}

impl Contracts {
    /// The configured addresses, the rest resolved through `FlareContractRegistry`.
    pub async fn resolve(provider: &DynProvider, config: &ContractsConfig) -> anyhow::Result<Self> {
        let resolve = |configured: Option<Address>, name: &'static str| async move {
            match configured {
                Some(address) => Ok(address),
                None => registry_address(provider, config.registry, name).await,
            }
        };
        Ok(Self {
            fast_updater: resolve(config.fast_updater, names::FAST_UPDATER).await?,
            configuration: resolve(
                config.fast_updates_configuration,
                names::FAST_UPDATES_CONFIGURATION,
            )
            .await?,
            incentive_manager: resolve(
                config.fast_update_incentive_manager,
                names::FAST_UPDATE_INCENTIVE_MANAGER,
            )
            .await?,
            flare_systems_manager: resolve(
                config.flare_systems_manager,
                names::FLARE_SYSTEMS_MANAGER,
            )
            .await?,
            submission: resolve(config.submission, names::SUBMISSION).await?,
        })
    }
}

/// `getContractAddressByName(name)`; an error when the name is not registered.
pub(crate) async fn registry_address(
    provider: &DynProvider,
    registry: Address,
    name: &'static str,
) -> anyhow::Result<Address> {
    let call = IFlareContractRegistry::getContractAddressByNameCall {
        _name: name.to_owned(),
    };
    let address = eth_call(provider, registry, &call, "getContractAddressByName")
        .await
        .with_context(|| format!("cannot resolve {name} in the contract registry {registry}"))?;
    anyhow::ensure!(
        address != Address::ZERO,
        "{name} is not registered in the contract registry {registry}"
    );
    Ok(address)
}

/// A feed of `FastUpdatesConfiguration.getFeedIds()`: its index is its position; delisted slots have no key.
#[derive(Debug, Clone)]
pub struct ChainFeed {
    /// Category and name, or `None` for an unused (all-zero) slot.
    pub key: Option<FeedKey>,
}

impl ChainFeed {
    /// Decodes a `bytes21` feed id: category byte, then the NUL-padded name.
    pub fn from_id(id: &[u8; 21]) -> Self {
        let name_bytes = &id[1..];
        let end = name_bytes
            .iter()
            .rposition(|b| *b != 0)
            .map_or(0, |i| i + 1);
        let name = String::from_utf8_lossy(&name_bytes[..end]).into_owned();
        Self {
            key: (!name.is_empty()).then(|| FeedKey {
                category: id[0],
                name,
            }),
        }
    }
}

/// On-chain values of some feeds, in the order asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentFeeds {
    /// Values.
    pub values: Vec<U256>,
    /// Decimals (value · 10^−decimals).
    pub decimals: Vec<i8>,
}

/// The fee-rule inputs of the delta decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleParameters {
    /// `getScale()`: 1x127 fixed point.
    pub scale: u128,
    /// `getExpectedSampleSize()`: 8x120 fixed point.
    pub expected_sample_size: u128,
}

/// Reads the fast-updates contracts.
#[derive(Debug, Clone)]
pub struct ChainReader {
    provider: DynProvider,
    contracts: Contracts,
    fetch_from: Address,
    fetch_value: U256,
}

impl ChainReader {
    /// A reader of `contracts`, reading feed values as `config` says.
    pub fn new(
        provider: DynProvider,
        contracts: Contracts,
        config: &FastUpdatesConfig,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            provider,
            contracts,
            fetch_from: config.fetch_current_feeds_address,
            fetch_value: config.fetch_value()?,
        })
    }

    /// The addresses.
    pub fn contracts(&self) -> &Contracts {
        &self.contracts
    }

    /// The provider.
    pub fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// The latest block number.
    pub async fn latest_block(&self) -> Result<u64, ReadError> {
        self.provider
            .get_block_number()
            .await
            .map_err(|source| ReadError::Rpc {
                call: "eth_blockNumber",
                source,
            })
    }

    /// `FastUpdater.currentRewardEpochId()`: the epoch whose seed and weights the contract checks against.
    pub async fn reward_epoch(&self) -> Result<u32, ReadError> {
        let call = IFastUpdater::currentRewardEpochIdCall {};
        let epoch = self
            .call(self.contracts.fast_updater, &call, "currentRewardEpochId")
            .await?;
        Ok(epoch.to::<u32>())
    }

    /// `FlareSystemsManager.getSeed(epoch)`.
    pub async fn seed(&self, epoch: u32) -> Result<U256, ReadError> {
        let call = IFlareSystemsManager::getSeedCall {
            _rewardEpochId: U256::from(epoch),
        };
        self.call(self.contracts.flare_systems_manager, &call, "getSeed")
            .await
    }

    /// `FastUpdater.currentSortitionWeight(signingPolicyAddress)`; a revert ("Public key not registered",
    /// "voter not registered", ...) is [`ReadError::Reverted`].
    pub async fn sortition_weight(&self, signing_policy: Address) -> Result<u64, ReadError> {
        let call = IFastUpdater::currentSortitionWeightCall {
            _signingPolicyAddress: signing_policy,
        };
        let weight = self
            .call(self.contracts.fast_updater, &call, "currentSortitionWeight")
            .await?;
        Ok(u64::try_from(weight).unwrap_or(u64::MAX))
    }

    /// `FastUpdater.submissionWindow()`.
    pub async fn submission_window(&self) -> Result<u64, ReadError> {
        let call = IFastUpdater::submissionWindowCall {};
        let window = self
            .call(self.contracts.fast_updater, &call, "submissionWindow")
            .await?;
        Ok(u64::from(window))
    }

    /// `FastUpdater.blockScoreCutoff(block)` (reverts unless `block ≤ latest + 1 < block + window + 1`).
    pub async fn score_cutoff(&self, block: u64) -> Result<U256, ReadError> {
        let call = IFastUpdater::blockScoreCutoffCall {
            _blockNum: U256::from(block),
        };
        self.call(self.contracts.fast_updater, &call, "blockScoreCutoff")
            .await
    }

    /// `FastUpdatesConfiguration.getFeedIds()`.
    pub async fn feeds(&self) -> Result<Vec<ChainFeed>, ReadError> {
        let call = IFastUpdatesConfiguration::getFeedIdsCall {};
        let ids = self
            .call(self.contracts.configuration, &call, "getFeedIds")
            .await?;
        Ok(ids.iter().map(|id| ChainFeed::from_id(&id.0)).collect())
    }

    /// `IncentiveManager.getScale()` and `getExpectedSampleSize()`.
    pub async fn scale_parameters(&self) -> Result<ScaleParameters, ReadError> {
        let manager = self.contracts.incentive_manager;
        let scale = self
            .call(
                manager,
                &IFastUpdateIncentiveManager::getScaleCall {},
                "getScale",
            )
            .await?;
        let sample = self
            .call(
                manager,
                &IFastUpdateIncentiveManager::getExpectedSampleSizeCall {},
                "getExpectedSampleSize",
            )
            .await?;
        Ok(ScaleParameters {
            scale: u128::try_from(scale).unwrap_or(u128::MAX),
            expected_sample_size: u128::try_from(sample).unwrap_or(u128::MAX),
        })
    }

    /// `FastUpdater.fetchCurrentFeeds(indices)` as an eth_call from the configured address with the configured
    /// value (it charges a fee), without gas-price fields, so pending updates are already applied.
    pub async fn current_feeds(&self, indices: &[usize]) -> Result<CurrentFeeds, ReadError> {
        let call = IFastUpdater::fetchCurrentFeedsCall {
            _indices: indices.iter().map(|i| U256::from(*i)).collect(),
        };
        let request = TransactionRequest::default()
            .from(self.fetch_from)
            .to(self.contracts.fast_updater)
            .value(self.fetch_value)
            .input(Bytes::from(call.abi_encode()).into());
        let output = self
            .provider
            .call(request)
            .block(BlockId::latest())
            .await
            .map_err(|source| rpc_error("fetchCurrentFeeds", source))?;
        let decoded =
            IFastUpdater::fetchCurrentFeedsCall::abi_decode_returns(&output).map_err(|e| {
                ReadError::Decode {
                    call: "fetchCurrentFeeds",
                    reason: e.to_string(),
                }
            })?;
        Ok(CurrentFeeds {
            values: decoded._feeds,
            decimals: decoded._decimals,
        })
    }

    /// `Submission.submitAndPassContract()`: where `submitAndPass` forwards.
    pub async fn submit_and_pass_target(&self) -> Result<Address, ReadError> {
        let call = ISubmission::submitAndPassContractCall {};
        self.call(self.contracts.submission, &call, "submitAndPassContract")
            .await
    }

    /// The native balance of `address`.
    pub async fn balance(&self, address: Address) -> Result<U256, ReadError> {
        self.provider
            .get_balance(address)
            .await
            .map_err(|source| ReadError::Rpc {
                call: "eth_getBalance",
                source,
            })
    }

    async fn call<C: SolCall>(
        &self,
        to: Address,
        call: &C,
        name: &'static str,
    ) -> Result<C::Return, ReadError> {
        eth_call(&self.provider, to, call, name).await
    }
}

async fn eth_call<C: SolCall>(
    provider: &DynProvider,
    to: Address,
    call: &C,
    name: &'static str,
) -> Result<C::Return, ReadError> {
    let request = TransactionRequest::default()
        .to(to)
        .input(Bytes::from(call.abi_encode()).into());
    let output = provider
        .call(request)
        .await
        .map_err(|source| rpc_error(name, source))?;
    C::abi_decode_returns(&output).map_err(|e| ReadError::Decode {
        call: name,
        reason: e.to_string(),
    })
}

/// A node error answer carrying a revert is [`ReadError::Reverted`] with its `Error(string)` reason.
fn rpc_error(call: &'static str, source: TransportError) -> ReadError {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_ids_decode_and_unused_slots_have_no_key() {
        let mut id = [0u8; 21];
        id[0] = 1;
        id[1..8].copy_from_slice(b"BTC/USD");
        let key = ChainFeed::from_id(&id).key;
        assert_eq!(
            key.map(|k| (k.category, k.name)),
            Some((1, "BTC/USD".to_owned()))
        );
        assert!(ChainFeed::from_id(&[0u8; 21]).key.is_none());
    }
}
