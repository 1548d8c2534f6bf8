//! What the client reads from the chain (fast-updates digest §2.2, §2.4): epoch, seed, weight, feed ids,
//! score cutoffs, the epoch switch's state, current feed values, fee-rule inputs, balances. One `eth_call`
//! each; nothing is cached here.

use alloy::eips::BlockNumberOrTag;
use alloy::primitives::{Address, U256};
use alloy::providers::{DynProvider, Provider};
use alloy::rpc::types::TransactionRequest;
use alloy::sol_types::SolCall;
use anyhow::Context as _;
use ftso_chain::{
    IFastUpdateIncentiveManager, IFastUpdater, IFastUpdatesConfiguration, IFlareSystemsManager,
    ISubmission, names,
};
use ftso_feeds::registry::FeedKey;

use crate::config::{ContractsConfig, FastUpdatesConfig};
use crate::epoch_guard::EpochView;

pub use ftso_chain::read::ReadError;

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
    ftso_chain::read::registry_address(provider, registry, name)
        .await
        .with_context(|| format!("cannot resolve {name} in the contract registry {registry}"))
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
        let epoch = self.call(self.contracts.fast_updater, &call).await?;
        Ok(epoch.to::<u32>())
    }

    /// FastUpdater's and FlareSystemsManager's epochs, the running epoch's expected end and the latest block's
    /// timestamp: what [`crate::epoch_guard::may_send`] decides on. The header is read last, so the timestamp is
    /// never older than the state read.
    pub async fn epoch_view(&self) -> Result<EpochView, ReadError> {
        let manager = self.contracts.flare_systems_manager;
        let fast_updater_epoch = self.reward_epoch().await?;
        let manager_epoch = self
            .call(
                manager,
                &IFlareSystemsManager::getCurrentRewardEpochIdCall {},
            )
            .await?;
        let expected_end_ts = self
            .call(
                manager,
                &IFlareSystemsManager::currentRewardEpochExpectedEndTsCall {},
            )
            .await?;
        let latest = self
            .provider
            .get_block_by_number(BlockNumberOrTag::Latest)
            .await
            .map_err(|source| ReadError::Rpc {
                call: "eth_getBlockByNumber",
                source,
            })?
            .ok_or(ReadError::Decode {
                call: "eth_getBlockByNumber",
                reason: "no latest block".into(),
            })?;
        Ok(EpochView {
            fast_updater_epoch,
            manager_epoch: manager_epoch.to::<u32>(),
            expected_end_ts,
            latest_timestamp: latest.header.timestamp,
        })
    }

    /// `FlareSystemsManager.getSeed(epoch)`.
    pub async fn seed(&self, epoch: u32) -> Result<U256, ReadError> {
        let call = IFlareSystemsManager::getSeedCall {
            _rewardEpochId: U256::from(epoch),
        };
        self.call(self.contracts.flare_systems_manager, &call).await
    }

    /// `FastUpdater.currentSortitionWeight(signingPolicyAddress)`; a revert ("Public key not registered",
    /// "voter not registered", ...) is [`ReadError::Reverted`].
    pub async fn sortition_weight(&self, signing_policy: Address) -> Result<u64, ReadError> {
        let call = IFastUpdater::currentSortitionWeightCall {
            _signingPolicyAddress: signing_policy,
        };
        let weight = self.call(self.contracts.fast_updater, &call).await?;
        Ok(u64::try_from(weight).unwrap_or(u64::MAX))
    }

    /// `FastUpdater.submissionWindow()`.
    pub async fn submission_window(&self) -> Result<u64, ReadError> {
        let call = IFastUpdater::submissionWindowCall {};
        let window = self.call(self.contracts.fast_updater, &call).await?;
        Ok(u64::from(window))
    }

    /// `FastUpdater.blockScoreCutoff(block)` (reverts unless `block ≤ latest + 1 < block + window + 1`).
    pub async fn score_cutoff(&self, block: u64) -> Result<U256, ReadError> {
        let call = IFastUpdater::blockScoreCutoffCall {
            _blockNum: U256::from(block),
        };
        self.call(self.contracts.fast_updater, &call).await
    }

    /// `FastUpdatesConfiguration.getFeedIds()`.
    pub async fn feeds(&self) -> Result<Vec<ChainFeed>, ReadError> {
        let call = IFastUpdatesConfiguration::getFeedIdsCall {};
        let ids = self.call(self.contracts.configuration, &call).await?;
        Ok(ids.iter().map(|id| ChainFeed::from_id(&id.0)).collect())
    }

    /// `IncentiveManager.getScale()` and `getExpectedSampleSize()`.
    pub async fn scale_parameters(&self) -> Result<ScaleParameters, ReadError> {
        let manager = self.contracts.incentive_manager;
        let scale = self
            .call(manager, &IFastUpdateIncentiveManager::getScaleCall {})
            .await?;
        let sample = self
            .call(
                manager,
                &IFastUpdateIncentiveManager::getExpectedSampleSizeCall {},
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
            .value(self.fetch_value);
        let decoded = ftso_chain::read::view_with(&self.provider, request, &call).await?;
        Ok(CurrentFeeds {
            values: decoded._feeds,
            decimals: decoded._decimals,
        })
    }

    /// `Submission.submitAndPassContract()`: where `submitAndPass` forwards.
    pub async fn submit_and_pass_target(&self) -> Result<Address, ReadError> {
        let call = ISubmission::submitAndPassContractCall {};
        self.call(self.contracts.submission, &call).await
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

    async fn call<C: SolCall>(&self, to: Address, call: &C) -> Result<C::Return, ReadError> {
        ftso_chain::read::view_with(&self.provider, TransactionRequest::default().to(to), call)
            .await
    }
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
