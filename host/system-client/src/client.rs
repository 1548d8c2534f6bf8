//! [`SystemClient`]: the reward-epoch duties run in order on every poll, as the reference's epoch client does
//! serially: registration, new signing policy, uptime vote, rewards.

use alloy::providers::DynProvider;
use anyhow::Context as _;
use ftso_chain::keys::KeyRole;
use ftso_chain::tx::Senders;
use tokio_util::sync::CancellationToken;

use crate::config::SystemClientConfig;
use crate::duties::{self, DutyContext, Outcome, RewardAttempts};
use crate::fsp::FspReader;
use crate::sanity::{self, Contracts, ExpectedNetwork};

/// What one pass of the duties did, per duty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pass {
    /// The on-chain current reward epoch during the pass.
    pub current_reward_epoch: u32,
    /// `registerVoter` for `current + 1` (None: disabled).
    pub registration: Option<Outcome>,
    /// `signNewSigningPolicy` for `current + 1`.
    pub signing_policy: Option<Outcome>,
    /// `signUptimeVote` for `current - 1`.
    pub uptime_vote: Option<Outcome>,
    /// `signRewards` for `current - 1`.
    pub rewards: Option<Outcome>,
}

/// The system client's reward-epoch duties for one entity.
#[derive(Debug)]
pub struct SystemClient {
    ctx: DutyContext,
    reward_attempts: RewardAttempts,
}

impl SystemClient {
    /// Checks the chain ([`sanity::check`]) and builds the client with its own [`Senders`].
    pub async fn connect(
        config: &SystemClientConfig,
        provider: DynProvider,
        expected: Option<&ExpectedNetwork>,
    ) -> anyhow::Result<Self> {
        let (chain_id, contracts) = sanity::check(&provider, expected, config.registry).await?;
        let senders = Senders::new(provider, chain_id);
        Self::new(config, &senders, contracts)
    }

    /// Builds the client on `senders` (shared with the node's other roles, so one key has one nonce sequence)
    /// for `contracts` (from [`sanity::check`]). Loads the signing-policy and sender keys.
    pub fn new(
        config: &SystemClientConfig,
        senders: &Senders,
        contracts: Contracts,
    ) -> anyhow::Result<Self> {
        config.validate()?;
        let identity = config
            .identity
            .context("system_client.identity (the entity's identity address) is not set")?;
        let signing_key = config.keys.load(KeyRole::SigningPolicy)?;
        let sender_key = config.keys.load(KeyRole::SystemClientSender)?;
        tracing::info!(
            %identity,
            signing_policy = %signing_key.address(),
            sender = %sender_key.address(),
            chain_id = senders.chain_id(),
            "system client ready"
        );
        Ok(Self {
            ctx: DutyContext {
                fsp: FspReader::new(senders.provider().clone(), contracts),
                identity,
                signing_key,
                sender: senders.sender(&sender_key),
                chain_id: senders.chain_id(),
                config: config.clone(),
            },
            reward_attempts: RewardAttempts::default(),
        })
    }

    /// One pass: reads the current reward epoch, then runs each enabled duty in order. A failing duty is logged
    /// and the next one still runs; it is retried on the next pass.
    pub async fn run_duties(&mut self) -> anyhow::Result<Pass> {
        let current = self.ctx.fsp.current_reward_epoch().await?;
        duties::telemetry::current_reward_epoch(current);
        let enabled = self.ctx.config.duties;
        let ctx = &self.ctx;
        let registration = match enabled.registration {
            true => Some(logged(
                "registration",
                duties::register_voter(ctx, current).await,
            )),
            false => None,
        };
        let signing_policy = match enabled.signing_policy {
            true => Some(logged(
                "signing policy",
                duties::sign_new_signing_policy(ctx, current).await,
            )),
            false => None,
        };
        let uptime_vote = match enabled.uptime_voting {
            true => Some(logged(
                "uptime vote",
                duties::sign_uptime_vote(ctx, current).await,
            )),
            false => None,
        };
        let rewards = match enabled.reward_signing {
            true => Some(logged(
                "rewards",
                duties::sign_rewards(ctx, current, &mut self.reward_attempts).await,
            )),
            false => None,
        };
        Ok(Pass {
            current_reward_epoch: current,
            registration,
            signing_policy,
            uptime_vote,
            rewards,
        })
    }

    /// Runs the duties every `poll_interval` until `cancel`; a failed pass (RPC down) is logged and retried.
    pub async fn run(mut self, cancel: CancellationToken) -> anyhow::Result<()> {
        let poll = self.ctx.config.poll_interval;
        tracing::info!(identity = %self.ctx.identity, "Starting Flare System client");
        loop {
            if let Err(error) = self.run_duties().await {
                tracing::warn!("reading the reward-epoch state failed: {error:#}");
            }
            tokio::select! {
                () = cancel.cancelled() => break,
                () = tokio::time::sleep(poll) => {}
            }
        }
        tracing::info!("Stopped Flare System client");
        Ok(())
    }
}

/// A duty's result with failures logged (they count as "not done"; the next pass retries) and counted.
fn logged(duty: &'static str, result: anyhow::Result<Outcome>) -> Outcome {
    match result {
        Ok(outcome) => {
            duties::telemetry::duty_ran(duty, Some(&outcome));
            outcome
        }
        Err(error) => {
            duties::telemetry::duty_ran(duty, None);
            tracing::warn!(duty, "{error:#}");
            Outcome::NotDue
        }
    }
}
