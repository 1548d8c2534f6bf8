//! [`VotingScheduler`]: one chain of steps per voting round (system-client digest §1.3).
//!
//! ```text
//! start-up: epochs agree with FlareSystemsManager ─▶ registration gate (isVoterRegistered for the current reward
//!           epoch; not registered: INFO, wait for the next reward epoch, check again)
//! start-up recovery: the previous round and the running one get a chain of the steps whose window is still open
//!   (a node restarted after its submit1(N) still reveals N: the data provider stored the commit; the reference
//!   gives the running round nothing)
//! tick at the start of each round N:
//!   wait for the chain's first step (the only part a shutdown cancels), then concurrently:
//!   submit1(N) at N + submit1.start_offset
//!   submit2(N) at N+1 + submit2.start_offset
//!   submitSignatures(N) at N+1 + submit_signatures.start_offset
//! shutdown: no new chains; chains past their first step run to their end (a commit without its reveal is
//! penalised).
//! ```

use std::sync::Arc;
use std::time::Duration;

use alloy::primitives::Address;
use anyhow::Context as _;
use ftso_chain::IFlareSystemsManager;
use ftso_chain::keys::{KeyRole, PrivateKey};
use ftso_chain::tx::Senders;
use ftso_core::epoch::EpochSettings;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::clock::{Clock, RoundTimes};
use super::config::VotingConfig;
use super::payloads::submit_payloads;
use super::protocols::SubProtocol;
use super::signatures::SignatureStep;
use super::submitter::{Step, Submitter};
use crate::config::SystemClientConfig;
use crate::fsp::FspReader;
use crate::handoff::OwnMessageSender;
use crate::sanity::Contracts;

/// How long the registration check at start-up keeps retrying a failing RPC before the scheduler gives up (the
/// reference's 15 min exponential backoff).
const REGISTRATION_CHECK_PATIENCE: Duration = Duration::from_secs(15 * 60);
/// Timeout of one registration check.
const REGISTRATION_CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the scheduler is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchedulerState {
    /// Checking the chain and the registration.
    Starting,
    /// The identity is not a registered voter of `reward_epoch`: nothing is sent until the next reward epoch,
    /// when the registration is checked again.
    NotRegistered {
        /// The reward epoch checked.
        reward_epoch: u32,
    },
    /// Submitting every round, from `first_round` on.
    Voting {
        /// The first round with a chain of steps.
        first_round: u32,
    },
    /// Shut down: the last chains have ended.
    Stopped,
}

/// The voting-round scheduler of one entity.
#[derive(Debug)]
pub struct VotingScheduler {
    rounds: Arc<RoundRunner>,
    fsp: FspReader,
    identity: Address,
    state: watch::Sender<SchedulerState>,
}

/// Everything a round's chain of steps needs.
#[derive(Debug)]
struct RoundRunner {
    config: VotingConfig,
    epochs: EpochSettings,
    clock: Clock,
    protocols: Vec<SubProtocol>,
    submit1: Submitter,
    submit2: Submitter,
    submit_signatures: Submitter,
    signing_key: PrivateKey,
    own_messages: Option<OwnMessageSender>,
}

impl VotingScheduler {
    /// The scheduler of `config.identity` with the submit, submit-signatures and signing-policy keys of
    /// `config.keys`, sending through `senders` to `contracts.submission`, on rounds `epochs` (the network's), for
    /// `protocols` (see [`super::build_protocols`]); each signed message goes to `own_messages` when given.
    pub fn new(
        config: &SystemClientConfig,
        senders: &Senders,
        contracts: Contracts,
        epochs: EpochSettings,
        protocols: Vec<SubProtocol>,
        own_messages: Option<OwnMessageSender>,
    ) -> anyhow::Result<Self> {
        let voting = &config.voting;
        voting.validate(&epochs)?;
        let identity = config
            .identity
            .context("system_client.identity (the entity's identity address) is not set")?;
        let submit_key = config.keys.load(KeyRole::Submit)?;
        let signatures_key = config.keys.load(KeyRole::SubmitSignatures)?;
        let signing_key = config.keys.load(KeyRole::SigningPolicy)?;
        let clock = Clock::local();
        let submitter = |step, key: &PrivateKey, attempts, timeout| Submitter {
            step,
            sender: senders.sender(key),
            submission: contracts.submission,
            fees: voting.gas_submit.clone(),
            tx_attempts: attempts,
            tx_attempt_timeout: timeout,
            clock,
        };
        let sig = &voting.submit_signatures;
        let rounds = RoundRunner {
            submit1: submitter(
                Step::Submit1,
                &submit_key,
                voting.submit1.tx_attempts,
                voting.submit1.tx_attempt_timeout,
            ),
            submit2: submitter(
                Step::Submit2,
                &submit_key,
                voting.submit2.tx_attempts,
                voting.submit2.tx_attempt_timeout,
            ),
            submit_signatures: submitter(
                Step::SubmitSignatures,
                &signatures_key,
                sig.tx_attempts,
                sig.tx_attempt_timeout,
            ),
            config: voting.clone(),
            epochs,
            clock,
            protocols,
            signing_key,
            own_messages,
        };
        tracing::info!(
            %identity,
            submit = %submit_key.address(),
            submit_signatures = %signatures_key.address(),
            signing_policy = %rounds.signing_key.address(),
            protocols = ?rounds.protocols.iter().map(|p| p.id).collect::<Vec<_>>(),
            "voting scheduler ready"
        );
        Ok(Self {
            rounds: Arc::new(rounds),
            fsp: FspReader::new(senders.provider().clone(), contracts),
            identity,
            state: watch::channel(SchedulerState::Starting).0,
        })
    }

    /// With another clock (e.g. one following a devnet whose time was moved forward).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        if let Some(rounds) = Arc::get_mut(&mut self.rounds) {
            rounds.clock = clock;
            for submitter in [
                &mut rounds.submit1,
                &mut rounds.submit2,
                &mut rounds.submit_signatures,
            ] {
                submitter.clock = clock;
            }
        }
        self
    }

    /// The scheduler's state as it changes.
    pub fn state(&self) -> watch::Receiver<SchedulerState> {
        self.state.subscribe()
    }

    /// Runs until `cancel`: the start-up checks, the registration gate, then a chain of steps per round. Returns
    /// after the chains that had started have ended. Fails when the epochs disagree with the chain, or when the
    /// registration cannot be read for 15 minutes.
    pub async fn run(self, cancel: CancellationToken) -> anyhow::Result<()> {
        self.check_epochs().await?;
        if !self.wait_until_registered(&cancel).await? {
            self.state.send_replace(SchedulerState::Stopped);
            return Ok(());
        }
        let rounds = &self.rounds;
        let clock = rounds.clock;
        let epochs = rounds.epochs;
        let round_now = || epochs.voting_round_at(clock.now_secs()).unwrap_or(0);
        let running = round_now();
        let mut next = running.saturating_add(1);
        self.state
            .send_replace(SchedulerState::Voting { first_round: next });
        tracing::info!(first_round = next, "voting scheduler started");
        let mut chains = JoinSet::new();
        for round in [running.saturating_sub(1), running] {
            chains.spawn(Arc::clone(rounds).run_chain(round, ChainStart::Recovery, cancel.clone()));
        }
        loop {
            let tick = epochs.voting_round_start(next).saturating_mul(1000);
            tokio::select! {
                () = cancel.cancelled() => break,
                () = clock.sleep_until_ms(tick) => {}
            }
            let round = next.max(round_now());
            chains.spawn(Arc::clone(rounds).run_chain(round, ChainStart::Tick, cancel.clone()));
            next = round.saturating_add(1);
            while let Some(done) = chains.try_join_next() {
                log_chain_end(done);
            }
        }
        tracing::info!(
            in_flight = chains.len(),
            "voting scheduler stopping: finishing the rounds already started"
        );
        while let Some(done) = chains.join_next().await {
            log_chain_end(done);
        }
        self.state.send_replace(SchedulerState::Stopped);
        tracing::info!("voting scheduler stopped");
        Ok(())
    }

    /// The configured round timing must be FlareSystemsManager's.
    async fn check_epochs(&self) -> anyhow::Result<()> {
        let fsm = self.fsp.contracts().flare_systems_manager;
        let first = self
            .fsp
            .view(fsm, IFlareSystemsManager::firstVotingRoundStartTsCall {})
            .await?;
        let period = self
            .fsp
            .view(fsm, IFlareSystemsManager::votingEpochDurationSecondsCall {})
            .await?;
        let epochs = &self.rounds.epochs;
        anyhow::ensure!(
            first == epochs.first_voting_round_start_ts
                && period == epochs.voting_epoch_duration_seconds,
            "FlareSystemsManager's voting rounds start at {first} and last {period} s, but the node's network \
             settings say {} and {} s: wrong network",
            epochs.first_voting_round_start_ts,
            epochs.voting_epoch_duration_seconds
        );
        Ok(())
    }

    /// The registration gate: `Ok(true)` once the identity is a registered voter of the current (time-based)
    /// reward epoch, `Ok(false)` when cancelled before.
    async fn wait_until_registered(&self, cancel: &CancellationToken) -> anyhow::Result<bool> {
        let epochs = self.rounds.epochs;
        let clock = self.rounds.clock;
        loop {
            let epoch = epochs.reward_epoch_at(clock.now_secs()).unwrap_or(0);
            let Some(registered) = self.is_registered(epoch, cancel).await? else {
                return Ok(false);
            };
            if registered {
                tracing::info!(identity = %self.identity, reward_epoch = epoch, "registered voter: voting");
                return Ok(true);
            }
            let next = epoch.saturating_add(1);
            self.state.send_replace(SchedulerState::NotRegistered {
                reward_epoch: epoch,
            });
            tracing::info!(
                identity = %self.identity,
                reward_epoch = epoch,
                "not a registered voter of reward epoch {epoch}: not voting; checking again when reward epoch {next} \
                 starts"
            );
            let at = epochs.reward_epoch_start_time(next).saturating_mul(1000);
            tokio::select! {
                () = cancel.cancelled() => return Ok(false),
                () = clock.sleep_until_ms(at) => {}
            }
        }
    }

    /// `isVoterRegistered` with exponential backoff (500 ms, ×1.5) for at most 15 minutes; `None` when cancelled.
    async fn is_registered(
        &self,
        epoch: u32,
        cancel: &CancellationToken,
    ) -> anyhow::Result<Option<bool>> {
        let give_up = tokio::time::Instant::now() + REGISTRATION_CHECK_PATIENCE;
        let mut delay = Duration::from_millis(500);
        loop {
            let check = tokio::time::timeout(
                REGISTRATION_CHECK_TIMEOUT,
                self.fsp.is_registered(self.identity, epoch),
            );
            let error = match check.await {
                Ok(Ok(registered)) => return Ok(Some(registered)),
                Ok(Err(error)) => error,
                Err(_) => anyhow::anyhow!("no answer within {REGISTRATION_CHECK_TIMEOUT:?}"),
            };
            anyhow::ensure!(
                tokio::time::Instant::now() + delay < give_up,
                "isVoterRegistered for reward epoch {epoch} kept failing: {error:#}"
            );
            tracing::warn!(
                reward_epoch = epoch,
                "isVoterRegistered failed, retrying: {error:#}"
            );
            tokio::select! {
                () = cancel.cancelled() => return Ok(None),
                () = tokio::time::sleep(delay) => {}
            }
            delay = delay.mul_f64(1.5);
        }
    }
}

fn log_chain_end(done: Result<(), tokio::task::JoinError>) {
    if let Err(error) = done {
        tracing::error!("a voting round's chain of steps panicked: {error}");
    }
}

/// Why a round's chain of steps was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ChainStart {
    /// At the start of its round: every enabled step.
    Tick,
    /// At start-up, for the previous or the running round: only the steps whose window is still open, and a reveal
    /// with nothing stored (no commit before the restart) is not a warning.
    Recovery,
}

/// When one step of a round runs and until when (unix milliseconds) it can still be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot {
    enabled: bool,
    at_ms: u64,
    open_until_ms: u64,
}

impl Slot {
    /// Whether the step runs in a chain started at `now_ms`: enabled and, for a recovery chain, not yet closed.
    fn runs(&self, start: ChainStart, now_ms: u64) -> bool {
        self.enabled && (start == ChainStart::Tick || now_ms < self.open_until_ms)
    }
}

impl RoundRunner {
    /// The submit1, submit2 and submitSignatures slots of `round`.
    fn slots(&self, times: &RoundTimes) -> [Slot; 3] {
        let config = &self.config;
        [
            Slot {
                enabled: config.submit1.enabled,
                at_ms: times.in_round(config.submit1.start_offset),
                open_until_ms: times.submit1_window_end().saturating_mul(1000),
            },
            Slot {
                enabled: config.submit2.enabled,
                at_ms: times.in_next_round(config.submit2.start_offset),
                open_until_ms: times.reveal_deadline_secs.saturating_mul(1000),
            },
            Slot {
                enabled: config.submit_signatures.enabled,
                at_ms: times.in_next_round(config.submit_signatures.start_offset),
                open_until_ms: times.in_next_round(config.submit_signatures.deadline),
            },
        ]
    }

    /// The chain of steps of `round`: cancellable until its first step, then run to its end.
    async fn run_chain(self: Arc<Self>, round: u32, start: ChainStart, cancel: CancellationToken) {
        let times = RoundTimes::of(&self.epochs, round);
        let config = &self.config;
        let now = self.clock.now_ms();
        let [run1, run2, run_sig] = self
            .slots(&times)
            .map(|slot| (slot.runs(start, now), slot.at_ms));
        let Some(first) = [run1, run2, run_sig]
            .iter()
            .filter(|(runs, _)| *runs)
            .map(|(_, at)| *at)
            .min()
        else {
            return;
        };
        if start == ChainStart::Recovery {
            tracing::info!(
                round,
                submit1 = run1.0,
                submit2 = run2.0,
                submit_signatures = run_sig.0,
                "start-up: finishing the steps of round {round} whose window is still open"
            );
        }
        tokio::select! {
            () = cancel.cancelled() => {
                tracing::debug!(round, "shutting down: round not started");
                return;
            }
            () = self.clock.sleep_until_ms(first) => {}
        }
        let [(run1, at1), (run2, at2), (run_sig, at_sig)] = [run1, run2, run_sig];
        let submit1 = async {
            if run1 {
                self.clock.sleep_until_ms(at1).await;
                submit_payloads(
                    &self.submit1,
                    &self.protocols,
                    &config.submit1,
                    round,
                    times.submit1_window_end(),
                    start,
                )
                .await;
                round_handled(Step::Submit1, round);
            }
        };
        let submit2 = async {
            if run2 {
                self.clock.sleep_until_ms(at2).await;
                submit_payloads(
                    &self.submit2,
                    &self.protocols,
                    &config.submit2,
                    round,
                    times.reveal_deadline_secs,
                    start,
                )
                .await;
                round_handled(Step::Submit2, round);
            }
        };
        let signatures = async {
            if run_sig {
                self.clock.sleep_until_ms(at_sig).await;
                SignatureStep {
                    submitter: &self.submit_signatures,
                    protocols: &self.protocols,
                    signer: self.signing_key.signer(),
                    own_messages: self.own_messages.as_ref(),
                    config: &config.submit_signatures,
                    clock: self.clock,
                }
                .run(
                    round,
                    times.in_next_round(config.submit_signatures.deadline),
                    times.after_next_start_secs,
                )
                .await;
                round_handled(Step::SubmitSignatures, round);
            }
        };
        tokio::join!(submit1, submit2, signatures);
    }
}

/// `ftso_node_voting_round_last{step}`: the last round `step` handled.
fn round_handled(step: Step, round: u32) {
    metrics::gauge!("ftso_node_voting_round_last", "step" => step.label()).set(f64::from(round));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recovery_chain_runs_only_the_steps_still_open() {
        let slot = Slot {
            enabled: true,
            at_ms: 1_000,
            open_until_ms: 5_000,
        };
        for now in [0, 1_000, 4_999] {
            assert!(slot.runs(ChainStart::Recovery, now), "open at {now}");
        }
        assert!(!slot.runs(ChainStart::Recovery, 5_000), "closed");
        assert!(slot.runs(ChainStart::Tick, 0));
        let disabled = Slot {
            enabled: false,
            ..slot
        };
        assert!(!disabled.runs(ChainStart::Tick, 0));
        assert!(!disabled.runs(ChainStart::Recovery, 0));
    }
}
