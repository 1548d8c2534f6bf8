//! Reading the FSP contracts' state through the RPC: the views the duties decide on (FlareSystemsManager,
//! VoterRegistry, Relay) and the signing-policy bytes from the Relay's `SigningPolicyInitialized` log.

use alloy::eips::BlockNumberOrTag;
use alloy::primitives::aliases::U24;
use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::providers::{DynProvider, Provider};
use alloy::rpc::types::Filter;
use alloy_sol_types::{SolCall, SolEvent};
use anyhow::Context as _;
use ftso_chain::{IFlareSystemsManager, IRelay, IVoterRegistry};

use crate::sanity::Contracts;

/// Blocks per `eth_getLogs` query (public Flare RPCs limit the range).
const LOG_CHUNK_BLOCKS: u64 = 1000;

/// Typed reads of the FSP contracts.
#[derive(Debug, Clone)]
pub struct FspReader {
    provider: DynProvider,
    contracts: Contracts,
}

/// A signing window's progress (`get…SignInfo`): started, and ended (threshold reached).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Start timestamp (0: not started).
    pub start_ts: u64,
    /// End timestamp (0: threshold not reached yet).
    pub end_ts: u64,
}

impl FspReader {
    /// A reader of `contracts` through `provider`.
    pub fn new(provider: DynProvider, contracts: Contracts) -> Self {
        Self {
            provider,
            contracts,
        }
    }

    /// The contracts read.
    pub fn contracts(&self) -> &Contracts {
        &self.contracts
    }

    /// `eth_call` at the latest block ([`ftso_chain::read::view`]). Not at alloy's default, the pending block: a
    /// node that serves pending state (anvil does) shows the effect of transactions not mined yet, such as the
    /// daemon's `daemonize()` enabling uptime signing, and a duty sent on it can be mined before that transaction
    /// and revert.
    pub(crate) async fn view<C: SolCall>(&self, to: Address, call: C) -> anyhow::Result<C::Return> {
        Ok(ftso_chain::read::view(&self.provider, to, call).await?)
    }

    async fn fsm<C: SolCall>(&self, call: C) -> anyhow::Result<C::Return> {
        self.view(self.contracts.flare_systems_manager, call).await
    }

    /// `FlareSystemsManager.getCurrentRewardEpochId()`.
    pub async fn current_reward_epoch(&self) -> anyhow::Result<u32> {
        let id = self
            .fsm(IFlareSystemsManager::getCurrentRewardEpochIdCall {})
            .await?;
        Ok(id.to())
    }

    /// Whether voter registration for `epoch` is open (`getVoterRegistrationData`: vote-power block selected and
    /// the window not closed).
    pub async fn registration_open(&self, epoch: u32) -> anyhow::Result<bool> {
        let data = self
            .fsm(IFlareSystemsManager::getVoterRegistrationDataCall {
                _rewardEpochId: U256::from(epoch),
            })
            .await?;
        Ok(data._enabled)
    }

    /// `VoterRegistry.isVoterRegistered(voter, epoch)`.
    pub async fn is_registered(&self, voter: Address, epoch: u32) -> anyhow::Result<bool> {
        self.view(
            self.contracts.voter_registry,
            IVoterRegistry::isVoterRegisteredCall {
                _voter: voter,
                _rewardEpochId: U256::from(epoch),
            },
        )
        .await
    }

    /// `Relay.toSigningPolicyHash(epoch)` (zero: not initialized).
    pub async fn signing_policy_hash(&self, epoch: u32) -> anyhow::Result<B256> {
        self.view(
            self.contracts.relay,
            IRelay::toSigningPolicyHashCall {
                _rewardEpochId: U256::from(epoch),
            },
        )
        .await
    }

    /// `Relay.merkleRoots(protocolId, votingRoundId)` (zero: not finalized yet).
    pub async fn relayed_merkle_root(
        &self,
        protocol_id: u8,
        voting_round_id: u32,
    ) -> anyhow::Result<B256> {
        self.view(
            self.contracts.relay,
            IRelay::merkleRootsCall {
                _protocolId: U256::from(protocol_id),
                _votingRoundId: U256::from(voting_round_id),
            },
        )
        .await
    }

    /// `Relay.stateData()`: the epoch timing and the threshold increase the Relay applies.
    pub async fn relay_state(&self) -> anyhow::Result<IRelay::stateDataReturn> {
        self.view(self.contracts.relay, IRelay::stateDataCall {})
            .await
    }

    /// The new signing policy's signing window of `epoch`.
    pub async fn policy_sign_window(&self, epoch: u32) -> anyhow::Result<Window> {
        let info = self
            .fsm(IFlareSystemsManager::getSigningPolicySignInfoCall {
                _rewardEpochId: U24::from(epoch),
            })
            .await?;
        Ok(Window {
            start_ts: info._signingPolicySignStartTs,
            end_ts: info._signingPolicySignEndTs,
        })
    }

    /// When `voter` signed `epoch`'s new signing policy (0: not yet).
    pub async fn voter_signed_policy_at(&self, epoch: u32, voter: Address) -> anyhow::Result<u64> {
        let info = self
            .fsm(IFlareSystemsManager::getVoterSigningPolicySignInfoCall {
                _rewardEpochId: U24::from(epoch),
                _voter: voter,
            })
            .await?;
        Ok(info._signingPolicySignTs)
    }

    /// When uptime-vote signing for `epoch` was enabled (0: not yet).
    pub async fn uptime_sign_start(&self, epoch: u32) -> anyhow::Result<u64> {
        let info = self
            .fsm(IFlareSystemsManager::getUptimeVoteSignStartInfoCall {
                _rewardEpochId: U24::from(epoch),
            })
            .await?;
        Ok(info._uptimeVoteSignStartTs)
    }

    /// `uptimeVoteHash(epoch)` (zero: the threshold is not reached yet).
    pub async fn uptime_vote_hash(&self, epoch: u32) -> anyhow::Result<B256> {
        self.fsm(IFlareSystemsManager::uptimeVoteHashCall {
            _rewardEpochId: U256::from(epoch),
        })
        .await
    }

    /// When `voter` signed `epoch`'s uptime vote (0: not yet).
    pub async fn voter_signed_uptime_at(&self, epoch: u32, voter: Address) -> anyhow::Result<u64> {
        let info = self
            .fsm(IFlareSystemsManager::getVoterUptimeVoteSignInfoCall {
                _rewardEpochId: U24::from(epoch),
                _voter: voter,
            })
            .await?;
        Ok(info._uptimeVoteSignTs)
    }

    /// `rewardsHash(epoch)` (zero: not signed to the threshold yet).
    pub async fn rewards_hash(&self, epoch: u32) -> anyhow::Result<B256> {
        self.fsm(IFlareSystemsManager::rewardsHashCall {
            _rewardEpochId: U256::from(epoch),
        })
        .await
    }

    /// When `voter` signed `epoch`'s rewards (0: not yet).
    pub async fn voter_signed_rewards_at(&self, epoch: u32, voter: Address) -> anyhow::Result<u64> {
        let info = self
            .fsm(IFlareSystemsManager::getVoterRewardsSignInfoCall {
                _rewardEpochId: U24::from(epoch),
                _voter: voter,
            })
            .await?;
        Ok(info._rewardsSignTs)
    }

    /// The signing-policy bytes of `epoch` from the Relay's `SigningPolicyInitialized` log, searched from the
    /// epoch's signing-policy initialization start block (VoterRegistry) to the latest block.
    pub async fn signing_policy_bytes(&self, epoch: u32) -> anyhow::Result<Option<Bytes>> {
        let start: U256 = self
            .view(
                self.contracts.voter_registry,
                IVoterRegistry::newSigningPolicyInitializationStartBlockNumberCall {
                    _rewardEpochId: U256::from(epoch),
                },
            )
            .await?;
        let mut from = u64::try_from(start).unwrap_or(0);
        let latest = self
            .provider
            .get_block_number()
            .await
            .context("eth_blockNumber")?;
        while from <= latest {
            let to = (from + LOG_CHUNK_BLOCKS - 1).min(latest);
            let filter = Filter::new()
                .address(self.contracts.relay)
                .event_signature(IRelay::SigningPolicyInitialized::SIGNATURE_HASH)
                .topic1(U256::from(epoch))
                .from_block(BlockNumberOrTag::Number(from))
                .to_block(BlockNumberOrTag::Number(to));
            let logs = self
                .provider
                .get_logs(&filter)
                .await
                .context("eth_getLogs SigningPolicyInitialized")?;
            if let Some(log) = logs.last() {
                let event = IRelay::SigningPolicyInitialized::decode_log_data(log.data())
                    .context("decoding SigningPolicyInitialized")?;
                return Ok(Some(event.signingPolicyBytes));
            }
            from = to + 1;
        }
        Ok(None)
    }
}
