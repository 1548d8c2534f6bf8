//! The per-block loop (fast-updates digest §2.1–2.2): follow the chain block by block, re-read weight and seed
//! when the reward epoch changes (dropping the jobs of the old epoch), scan every replicate below the weight
//! against the block's score cutoff, and hand each winning ticket, tagged with the epoch it was proved for, to a
//! submission job (which checks that epoch again right before sending, [`crate::epoch_guard`]).

use std::sync::Arc;
use std::time::Duration;

use alloy::primitives::U256;
use alloy::providers::DynProvider;
use anyhow::Context as _;
use ftso_chain::tx::Senders;
use ftso_core::fast_updates::{Credential, PointWords, SortitionKey, eligibility};
use ftso_feeds::FeedValueSource;
use tokio_util::sync::CancellationToken;

use crate::chain::{ChainFeed, ChainReader, Contracts, ReadError};
use crate::config::FastUpdatesConfig;
use crate::epoch_guard::SwitchMargins;
use crate::keys::ClientKeys;
use crate::schedule::{Rotation, first_useful_block};
use crate::submission::{Submitter, Ticket};

/// How often the feed list is re-read, in blocks (the reference's constant).
const FEED_REFRESH_BLOCKS: u64 = 100;
/// How long a submission waits for its receipt (the reference's bind.WaitMined timeout); the window's deadline
/// usually ends the wait sooner.
const RECEIPT_TIMEOUT: Duration = Duration::from_secs(120);

/// The client's view of the current reward epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EpochState {
    /// We may submit: our weight and the epoch's seed.
    Active {
        /// `FastUpdater.currentRewardEpochId()`.
        epoch: u32,
        /// `currentSortitionWeight`, capped by `max_weight`.
        weight: u64,
        /// `getSeed(epoch)`.
        seed: U256,
    },
    /// Not registered in this epoch (no sortition key or no weight at its snapshot), or its seed is not set:
    /// wait for the next epoch.
    Inactive {
        /// The epoch.
        epoch: u32,
        /// Why.
        reason: String,
    },
}

impl EpochState {
    fn epoch(&self) -> u32 {
        match self {
            EpochState::Active { epoch, .. } | EpochState::Inactive { epoch, .. } => *epoch,
        }
    }
}

/// The sortition parameters of an active epoch, as a block scan uses them.
#[derive(Debug, Clone, Copy)]
struct Sortition {
    epoch: u32,
    weight: u64,
    seed: U256,
}

/// The fast-updates client of one entity.
#[derive(Debug)]
pub struct FastUpdatesClient {
    key: SortitionKey,
    public_key: PointWords,
    signing_policy: alloy::primitives::Address,
    max_weight: u64,
    min_balance: U256,
    poll_interval: Duration,
    feed_values_log: u64,
    submitter: Arc<Submitter>,
}

impl FastUpdatesClient {
    /// [`Self::start`] with senders of its own (on the chain the provider serves).
    pub async fn connect(
        config: &FastUpdatesConfig,
        provider: DynProvider,
        values: Arc<dyn FeedValueSource>,
    ) -> anyhow::Result<Self> {
        let chain_id = alloy::providers::Provider::get_chain_id(&provider)
            .await
            .context("cannot read the chain id")?;
        let senders = Senders::new(provider.clone(), chain_id);
        Self::start(config, provider, &senders, values).await
    }

    /// Loads the keys, resolves the contracts and reads the submission window: everything that must work
    /// before the loop starts. Each submission account gets its sender from `senders`, so a key shared with
    /// another role shares its nonce sequence.
    pub async fn start(
        config: &FastUpdatesConfig,
        provider: DynProvider,
        senders: &Senders,
        values: Arc<dyn FeedValueSource>,
    ) -> anyhow::Result<Self> {
        config.validate()?;
        let keys = ClientKeys::load(config)?;
        let contracts = Contracts::resolve(&provider, &config.contracts).await?;
        let reader = ChainReader::new(provider, contracts, config)?;
        let window = reader
            .submission_window()
            .await
            .context("cannot read FastUpdater.submissionWindow()")?;
        let public_key = keys.sortition.public_words();
        tracing::info!(
            signing_policy = %keys.signing_policy.address(),
            sortition_public_key_x = format!("{:#066x}", public_key.x),
            accounts = ?keys.accounts.iter().map(|k| k.address()).collect::<Vec<_>>(),
            fast_updater = %contracts.fast_updater,
            via = ?config.submit_via,
            submission_window = window,
            "fast-updates client starting"
        );
        let submitter = Submitter {
            reader,
            values,
            signing_policy: keys.signing_policy.clone(),
            senders: keys
                .accounts
                .iter()
                .map(|key| senders.sender(key))
                .collect(),
            rotation: Rotation::default(),
            via: config.submit_via,
            send_options: Submitter::send_options(
                config.fees.clone(),
                config.gas_limit,
                RECEIPT_TIMEOUT,
            ),
            window,
            poll_interval: config.poll_interval,
            switch_margins: SwitchMargins::default(),
        };
        Ok(Self {
            key: keys.sortition,
            public_key,
            signing_policy: keys.signing_policy.address(),
            max_weight: config.max_weight,
            min_balance: config.min_balance()?,
            poll_interval: config.poll_interval,
            feed_values_log: config.feed_values_log,
            submitter: Arc::new(submitter),
        })
    }

    /// Runs until `cancel`. Read errors are logged and retried at the next poll; they never end the loop.
    pub async fn run(self, cancel: CancellationToken) -> anyhow::Result<()> {
        let reader = &self.submitter.reader;
        let mut next = loop {
            match reader.latest_block().await {
                Ok(latest) => break latest + 1,
                Err(error) => tracing::warn!("fast updates: {error}; retrying"),
            }
            if self.sleep(&cancel).await {
                return Ok(());
            }
        };
        let mut state: Option<EpochState> = None;
        let mut jobs = cancel.child_token();
        let mut feeds: Arc<Vec<ChainFeed>> = Arc::new(Vec::new());
        let mut feeds_read_at: Option<u64> = None;
        while !cancel.is_cancelled() {
            // Proofs for block `next` need its cutoff, written by daemonize in block `next − 1`.
            let latest = match reader.latest_block().await {
                Ok(latest) if latest + 1 >= next => latest,
                Ok(_) => {
                    if self.sleep(&cancel).await {
                        break;
                    }
                    continue;
                }
                Err(error) => {
                    tracing::warn!("fast updates: {error}; retrying");
                    if self.sleep(&cancel).await {
                        break;
                    }
                    continue;
                }
            };
            let useful = first_useful_block(next, latest, self.submitter.window);
            if useful > next {
                tracing::warn!(
                    from = next,
                    to = useful - 1,
                    latest,
                    "lagging behind the chain: skipping blocks"
                );
                next = useful;
            }
            match self.refresh_epoch(state.as_ref()).await {
                Ok(Some(new_state)) => {
                    if state.is_some() {
                        // Tickets of the old epoch's seed fail once FastUpdater switched: drop them.
                        jobs.cancel();
                        jobs = cancel.child_token();
                    }
                    log_epoch(&new_state, latest);
                    state = Some(new_state);
                }
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!("fast updates: {error:#}; retrying");
                    if self.sleep(&cancel).await {
                        break;
                    }
                    continue;
                }
            }
            if feeds_read_at.is_none_or(|at| next >= at + FEED_REFRESH_BLOCKS) {
                match reader.feeds().await {
                    Ok(list) => {
                        tracing::info!(
                            "Fetched feed ids: {:?}",
                            list.iter()
                                .filter_map(|f| f.key.as_ref())
                                .map(|k| format!("{{{} {}}}", k.category, k.name))
                                .collect::<Vec<_>>()
                        );
                        feeds = Arc::new(list);
                        feeds_read_at = Some(next);
                    }
                    Err(error) => tracing::warn!("fast updates: {error}"),
                }
            }
            if let Some(EpochState::Active {
                epoch,
                weight,
                seed,
            }) = &state
                && !feeds.is_empty()
            {
                let sortition = Sortition {
                    epoch: *epoch,
                    weight: *weight,
                    seed: *seed,
                };
                self.process_block(next, sortition, &feeds, &jobs).await;
            }
            if self.feed_values_log > 0 && next % self.feed_values_log == 0 {
                self.log_feed_values(&feeds).await;
            }
            next += 1;
        }
        jobs.cancel();
        Ok(())
    }

    /// Re-reads the epoch; `Some` with the new state when it changed (or on the first call).
    async fn refresh_epoch(
        &self,
        state: Option<&EpochState>,
    ) -> anyhow::Result<Option<EpochState>> {
        let reader = &self.submitter.reader;
        let epoch = reader.reward_epoch().await?;
        if state.is_some_and(|s| s.epoch() == epoch) {
            return Ok(None);
        }
        let weight = match reader.sortition_weight(self.signing_policy).await {
            Ok(weight) => eligibility::replicate_limit(weight, self.max_weight),
            Err(ReadError::Reverted { reason, .. }) => {
                return Ok(Some(EpochState::Inactive { epoch, reason }));
            }
            Err(error) => return Err(error.into()),
        };
        if weight == 0 {
            return Ok(Some(EpochState::Inactive {
                epoch,
                reason: "sortition weight 0".into(),
            }));
        }
        let seed = match reader.seed(epoch).await {
            Ok(seed) => seed,
            Err(ReadError::Reverted { reason, .. }) => {
                return Ok(Some(EpochState::Inactive { epoch, reason }));
            }
            Err(error) => return Err(error.into()),
        };
        Ok(Some(EpochState::Active {
            epoch,
            weight,
            seed,
        }))
    }

    /// Scans block `block` with the epoch's parameters, schedules a job per winning ticket.
    async fn process_block(
        &self,
        block: u64,
        sortition: Sortition,
        feeds: &Arc<Vec<ChainFeed>>,
        jobs: &CancellationToken,
    ) {
        let Sortition {
            epoch,
            weight,
            seed,
        } = sortition;
        let cutoff = match self.submitter.reader.score_cutoff(block).await {
            Ok(cutoff) => cutoff,
            Err(error) => {
                tracing::warn!(block, "no score cutoff: {error}");
                return;
            }
        };
        let key = self.key.clone();
        let scan =
            tokio::task::spawn_blocking(move || prove_winners(&key, seed, block, weight, cutoff))
                .await;
        let credentials = match scan {
            Ok(Ok(credentials)) => credentials,
            Ok(Err(error)) => {
                tracing::error!(block, "sortition failed: {error:#}");
                return;
            }
            Err(error) => {
                tracing::error!(block, "sortition task failed: {error}");
                return;
            }
        };
        crate::telemetry::block_scanned(credentials.len());
        if credentials.is_empty() {
            return;
        }
        for credential in credentials {
            // Defence in depth: only a ticket the contract's own rules accept is ever scheduled.
            if let Err(error) = eligibility::check_ticket(
                &self.public_key,
                seed,
                U256::from(block),
                &credential,
                weight,
                cutoff,
            ) {
                tracing::error!(block, replicate = %credential.replicate, "not scheduling an ineligible ticket: {error}");
                continue;
            }
            tracing::info!(
                "scheduling update for block {block} replicate {}",
                credential.replicate
            );
            let submitter = Arc::clone(&self.submitter);
            let ticket = Ticket {
                block,
                epoch,
                credential,
            };
            let feeds = Arc::clone(feeds);
            let cancel = jobs.clone();
            tokio::spawn(async move { submitter.run_job(ticket, feeds, cancel).await });
        }
        self.submitter.warn_low_balances(self.min_balance).await;
    }

    async fn log_feed_values(&self, feeds: &[ChainFeed]) {
        let (listed, keys) = crate::deltas::listed_feeds(feeds);
        let chain = self.submitter.reader.current_feeds(&listed).await;
        let ours = self.submitter.values.values(None, &keys).await;
        match (chain, ours) {
            (Ok(chain), Ok(ours)) => {
                tracing::info!(chain = ?chain.values, decimals = ?chain.decimals, provider = ?ours, "feed values")
            }
            (Err(error), _) => tracing::warn!("cannot read the chain's feed values: {error}"),
            (_, Err(error)) => tracing::warn!("cannot read our feed values: {error:#}"),
        }
    }

    /// Sleeps one poll interval; `true` when cancelled.
    async fn sleep(&self, cancel: &CancellationToken) -> bool {
        tokio::select! {
            () = cancel.cancelled() => true,
            () = tokio::time::sleep(self.poll_interval) => false,
        }
    }
}

/// The credentials of every winning replicate below `weight` for `block`, each with a fresh nonce.
pub fn prove_winners(
    key: &SortitionKey,
    seed: U256,
    block: u64,
    weight: u64,
    cutoff: U256,
) -> anyhow::Result<Vec<Credential>> {
    let mut randomness = Ok(());
    let credentials = eligibility::prove_winning_tickets(
        key,
        seed,
        U256::from(block),
        0..weight,
        cutoff,
        |bytes| {
            if let Err(error) = getrandom::fill(bytes) {
                randomness = Err(error);
            }
        },
    );
    randomness.map_err(|error| anyhow::anyhow!("no randomness for the proof nonces: {error}"))?;
    Ok(credentials)
}

fn log_epoch(state: &EpochState, latest: u64) {
    match state {
        EpochState::Active { epoch, weight, .. } => {
            tracing::info!("new epoch {epoch}, my weight {weight}, current block {latest}");
            crate::telemetry::weight(*weight);
        }
        EpochState::Inactive { epoch, reason } => {
            tracing::warn!(
                "not submitting in reward epoch {epoch} ({reason}); waiting for the next epoch"
            );
            crate::telemetry::weight(0);
        }
    }
}
