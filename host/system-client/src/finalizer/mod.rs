//! The finalizer (system-client §6): relays protocol messages whose signatures passed the threshold.
//!
//! ```text
//! indexer DB: SigningPolicyInitialized ─▶ policies ─┐
//! indexer DB: submitSignatures txs (cursor) ─▶ parse ─▶ collect by (round, protocol, message) ─▶ threshold passed
//! scheduler hand-off: own signed messages ──────────┘        │
//!        ─▶ selected finalizer? relay at once : relay after the grace period ─▶ finalizations table ─▶ relay
//! ```
//!
//! Restart and failure safety: the cursor never moves past a transaction whose (round, protocol) is still open
//! or whose finalization is not stored yet, so a restart reads such transactions again; a database error leaves
//! the cursor and the queue as they are, and the same blocks are read on the next poll. A finalization is relayed
//! only when the Relay has no root for its (protocol, round), and its outcome is stored, so it is never sent twice.
//!
//! Deviations from the reference: the clock is the indexed chain time (the block time of the last indexed block),
//! not the local clock; a payload or message with no signing policy is skipped with a WARN instead of stopping
//! the process; a type-0 message of another (round, protocol) than its payload's is ignored; a selected finalizer
//! does not send when the Relay already has the root.

pub mod collect;
pub mod parse;
pub mod policies;
pub mod relay;

use std::collections::BTreeMap;
use std::sync::Arc;

use alloy::primitives::{Address, B256};
use anyhow::Context as _;
use ftso_chain::keys::KeyRole;
use ftso_chain::tx::{SendOptions, Senders};
use ftso_core::finalizer::select_finalizer_addresses;
use ftso_core::payload::SUBMIT_SIGNATURES_SELECTOR;
use ftso_core::protocol_message::ProtocolMessageMerkleRoot;
use ftso_storage::{
    BlockWindow, Finalization, FinalizationStatus, FinalizerCursor, StateName, Storage,
    StorageError, TimeWindow, TransactionRow,
};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub use collect::{Accepted, Collector, Ignored, Ready, RoundPolicy};
pub use policies::{Policies, RelayRules};
pub use relay::{RelayOutcome, Relayer};

use crate::config::{FinalizerConfig, SystemClientConfig};
use crate::fsp::FspReader;
use crate::handoff::OwnMessageReceiver;
use crate::sanity::Contracts;

/// How many rounds of stored finalizations are kept (about three weeks of 90 s rounds).
pub const RETAINED_ROUNDS: u32 = 20_000;
/// Stored finalizations are pruned when this many more rounds can go.
const PRUNE_EVERY_ROUNDS: u32 = 1_000;

/// (round, protocol, message hash).
type Key = (u32, u8, B256);

/// A finalization the finalizer still has to relay or to record.
#[derive(Debug)]
struct Queued {
    finalization: Finalization,
    /// Whether its row is in the database.
    stored: bool,
    /// Sends that failed without a revert.
    tries: u32,
    /// Whether a relay of it is running.
    in_flight: bool,
}

/// The finalizer task.
#[derive(Debug)]
pub struct Finalizer {
    config: FinalizerConfig,
    storage: Storage,
    submission: Address,
    relayer: Arc<Relayer>,
    policies: Policies,
    collector: Collector,
    own_messages: Option<OwnMessageReceiver>,
    /// Own messages whose round has no known policy yet.
    own_waiting: Vec<ProtocolMessageMerkleRoot>,
    queue: BTreeMap<Key, Queued>,
    in_flight: JoinSet<(Key, RelayOutcome)>,
    /// The stored cursor.
    cursor: FinalizerCursor,
    /// Last block read into the collector (≥ the cursor).
    read_to: u64,
    /// Stored finalizations of rounds before this were deleted.
    pruned_below: u32,
}

impl Finalizer {
    /// Prepares the finalizer: the Relay's rules from the chain, the cursor and the unfinished finalizations from
    /// the database. On a first start without `starting_voting_round`, the finalizer starts at the current round of
    /// the indexed chain time.
    pub async fn start(
        config: FinalizerConfig,
        storage: Storage,
        submission: Address,
        relayer: Relayer,
        own_messages: Option<OwnMessageReceiver>,
    ) -> anyhow::Result<Self> {
        let state = relayer
            .fsp()
            .relay_state()
            .await
            .context("finalizer start-up: reading Relay.stateData()")?;
        let rules = RelayRules::from_state(&state);
        let now = chain_time(&storage)
            .await
            .context("finalizer start-up: reading the indexer's progress")?;
        let current = rules.epochs.voting_round_at(now).unwrap_or_default();
        let cursor = match storage
            .finalizer_cursor()
            .await
            .context("finalizer start-up: reading the cursor")?
        {
            Some(cursor) => cursor,
            None => {
                let cursor = FinalizerCursor {
                    block_number: 0,
                    starting_voting_round: config.starting_voting_round.unwrap_or(current),
                };
                storage
                    .set_finalizer_cursor(cursor)
                    .await
                    .context("finalizer start-up: saving the cursor")?;
                cursor
            }
        };
        let lookback = config.policy_lookback.as_secs();
        let relay = relayer.fsp().contracts().relay;
        let mut finalizer = Self {
            policies: Policies::new(relay, rules, now.saturating_sub(lookback)),
            collector: Collector::new(
                cursor
                    .starting_voting_round
                    .max(current.saturating_sub(collect::ROUNDS_KEPT)),
            ),
            config,
            storage,
            submission,
            relayer: Arc::new(relayer),
            own_messages,
            own_waiting: Vec::new(),
            queue: BTreeMap::new(),
            in_flight: JoinSet::new(),
            read_to: cursor.block_number,
            pruned_below: 0,
            cursor,
        };
        finalizer.load_finalizations().await?;
        tracing::info!(
            starting_voting_round = cursor.starting_voting_round,
            block = cursor.block_number,
            pending = finalizer.queue.len(),
            "finalizer started"
        );
        Ok(finalizer)
    }

    /// The finalizer of a node: relays are sent from the signing-policy key through the node's shared senders,
    /// with `[system_client]`'s attempts and `[system_client.finalizer]`'s fees.
    pub async fn connect(
        config: &SystemClientConfig,
        storage: Storage,
        senders: &Senders,
        contracts: Contracts,
        own_messages: Option<OwnMessageReceiver>,
    ) -> anyhow::Result<Self> {
        let key = config.keys.load(KeyRole::SigningPolicy)?;
        let options = SendOptions::new(config.finalizer.gas_relay.clone())
            .attempts(config.tx_attempts, config.tx_attempt_timeout);
        let fsp = FspReader::new(senders.provider().clone(), contracts);
        let relayer = Relayer::new(fsp, senders.sender(&key), options);
        Self::start(
            config.finalizer.clone(),
            storage,
            contracts.submission,
            relayer,
            own_messages,
        )
        .await
    }

    /// Settles every stored (round, protocol) and queues the unfinished ones again.
    async fn load_finalizations(&mut self) -> anyhow::Result<()> {
        let stored = self
            .storage
            .finalizations_since(self.collector.lowest_round())
            .await
            .context("finalizer start-up: reading stored finalizations")?;
        for finalization in stored {
            self.collector
                .settle((finalization.voting_round_id, finalization.protocol_id));
            if finalization.status == FinalizationStatus::Pending {
                let key = key_of(&finalization);
                self.queue.insert(
                    key,
                    Queued {
                        finalization,
                        stored: true,
                        tries: 0,
                        in_flight: false,
                    },
                );
            }
        }
        Ok(())
    }

    /// Polls until `cancel`; every error of a poll is logged and the poll repeated later.
    pub async fn run(mut self, cancel: CancellationToken) -> anyhow::Result<()> {
        let mut interval = tokio::time::interval(self.config.poll_interval);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = cancel.cancelled() => break,
                _ = interval.tick() => {}
            }
            if let Err(error) = self.poll().await {
                metrics::counter!("ftso_node_finalizer_poll_errors_total").increment(1);
                tracing::warn!(error = %format!("{error:#}"), "finalizer: poll failed; retrying");
            }
        }
        self.in_flight.abort_all();
        Ok(())
    }

    /// One poll: read, collect, store, relay what is due.
    pub async fn poll(&mut self) -> anyhow::Result<()> {
        self.harvest().await;
        let progress = self
            .storage
            .state(StateName::LastDatabaseBlock)
            .await
            .context("reading the indexer's progress")?;
        let Some(progress) = progress.filter(|p| p.is_set()) else {
            return Ok(());
        };
        let now = progress.block_timestamp;
        self.policies
            .refresh(&self.storage)
            .await
            .context("reading signing policies")?;
        let current = self
            .policies
            .rules()
            .epochs
            .voting_round_at(now)
            .unwrap_or_default();
        if current > collect::ROUNDS_KEPT {
            self.collector.drop_before(current - collect::ROUNDS_KEPT);
            self.policies.prune(self.collector.lowest_round());
        }
        if progress.index > self.read_to {
            let rows = self.read_transactions(progress.index).await?;
            for row in &rows {
                self.collect_transaction(row, current, now);
            }
            self.read_to = progress.index;
        }
        self.collect_own_messages(now);
        self.store_new().await;
        self.save_cursor().await;
        self.launch_due(now);
        self.prune_stored(current).await;
        metrics::gauge!("ftso_node_finalizer_pending").set(self.queue.len() as f64);
        Ok(())
    }

    /// The submitSignatures transactions after the last read block, up to `last` (a first start reads from the
    /// start of the starting round).
    async fn read_transactions(&self, last: u64) -> Result<Vec<TransactionRow>, StorageError> {
        if self.read_to == 0 {
            let epochs = &self.policies.rules().epochs;
            let from = epochs.voting_round_start(self.cursor.starting_voting_round);
            let mut rows = self
                .storage
                .transactions_in_time(
                    self.submission,
                    SUBMIT_SIGNATURES_SELECTOR,
                    TimeWindow { from, to: u64::MAX },
                )
                .await?;
            rows.retain(|row| row.block_number <= last);
            return Ok(rows);
        }
        self.storage
            .transactions_in_blocks(
                self.submission,
                SUBMIT_SIGNATURES_SELECTOR,
                BlockWindow {
                    from: self.read_to + 1,
                    to: last,
                },
            )
            .await
    }

    fn collect_transaction(&mut self, row: &TransactionRow, current: u32, now: u64) {
        let submitted = match parse::parse_submit_signatures(row) {
            Ok(submitted) => submitted,
            Err(error) => {
                tracing::info!(tx = %row.hash, %error, "finalizer: submitSignatures transaction skipped");
                return;
            }
        };
        for payload in &submitted.payloads {
            if payload.voting_round_id > current {
                tracing::debug!(
                    round = payload.voting_round_id,
                    "finalizer: payload for a future round skipped"
                );
                continue;
            }
            let policies = &self.policies;
            let accepted =
                self.collector
                    .add_payload(submitted.from, submitted.block_number, payload, || {
                        policies.for_round(payload.voting_round_id)
                    });
            match accepted {
                Some(Accepted::Ready(ready)) => self.decide(*ready, now),
                Some(Accepted::Ignored(reason)) => {
                    tracing::debug!(round = payload.voting_round_id, protocol = payload.protocol_id, ?reason,
                        from = %submitted.from, "finalizer: signature not counted");
                }
                Some(_) => {}
                None => tracing::warn!(
                    round = payload.voting_round_id,
                    protocol = payload.protocol_id,
                    "finalizer: no signing policy for the round; payload skipped"
                ),
            }
        }
    }

    fn collect_own_messages(&mut self, now: u64) {
        if let Some(receiver) = &mut self.own_messages {
            while let Ok(message) = receiver.try_recv() {
                self.own_waiting.push(message);
            }
        }
        for message in std::mem::take(&mut self.own_waiting) {
            let policies = &self.policies;
            match self
                .collector
                .add_own_message(&message, || policies.for_round(message.voting_round_id))
            {
                Some(outcomes) => {
                    for outcome in outcomes {
                        if let Accepted::Ready(ready) = outcome {
                            self.decide(*ready, now);
                        }
                    }
                }
                None if message.voting_round_id >= self.collector.lowest_round() => {
                    self.own_waiting.push(message)
                }
                None => {}
            }
        }
    }

    /// A message passed its threshold: a selected finalizer relays at once, others after the grace period.
    fn decide(&mut self, ready: Ready, now: u64) {
        let (round, protocol) = (ready.voting_round_id, ready.protocol_id);
        tracing::info!("Threshold reached for protocol {protocol} in voting round {round}");
        let address = self.relayer.address();
        let policy = &ready.policy;
        let selected = select_finalizer_addresses(
            &policy.voters,
            &policy.weights,
            &policy.seed,
            protocol,
            round,
            self.config.voter_threshold_bips,
        )
        .is_ok_and(|selected| selected.contains(&address));
        let not_before = if selected {
            tracing::info!(
                "Finalizer with address {address} was selected for voting round {round} for protocol {protocol}"
            );
            now
        } else {
            let epochs = &self.policies.rules().epochs;
            let at = epochs.voting_round_start(round + 1)
                + self.config.grace_period_end_offset.as_secs();
            tracing::info!(
                "Finalizer with address {address} will send outside grace period for voting round {round} for protocol {protocol}"
            );
            at
        };
        let finalization = Finalization {
            voting_round_id: round,
            protocol_id: protocol,
            message_hash: ready.message_hash,
            calldata: ready.calldata,
            selected,
            not_before,
            status: FinalizationStatus::Pending,
        };
        self.queue.insert(
            key_of(&finalization),
            Queued {
                finalization,
                stored: false,
                tries: 0,
                in_flight: false,
            },
        );
    }

    /// Stores the finalizations decided since the last poll; a failure leaves them for the next poll.
    async fn store_new(&mut self) {
        for queued in self.queue.values_mut().filter(|q| !q.stored) {
            match self.storage.insert_finalization(&queued.finalization).await {
                Ok(_) => queued.stored = true,
                Err(error) => {
                    tracing::warn!(%error, round = queued.finalization.voting_round_id, "finalizer: storing a finalization failed; retrying");
                    return;
                }
            }
        }
    }

    /// Moves the stored cursor up to the last block read, but not past an open collection's first block, and not
    /// while a decided finalization is not stored.
    async fn save_cursor(&mut self) {
        if self.queue.values().any(|q| !q.stored) {
            return;
        }
        let safe = match self.collector.first_open_block() {
            Some(block) => self.read_to.min(block.saturating_sub(1)),
            None => self.read_to,
        };
        if safe <= self.cursor.block_number {
            return;
        }
        let cursor = FinalizerCursor {
            block_number: safe,
            ..self.cursor
        };
        match self.storage.set_finalizer_cursor(cursor).await {
            Ok(()) => self.cursor = cursor,
            Err(error) => tracing::warn!(%error, "finalizer: saving the cursor failed; retrying"),
        }
    }

    /// Deletes stored finalizations more than [`RETAINED_ROUNDS`] rounds old (every [`PRUNE_EVERY_ROUNDS`]).
    async fn prune_stored(&mut self, current: u32) {
        let below = current.saturating_sub(RETAINED_ROUNDS);
        if below < self.pruned_below.saturating_add(PRUNE_EVERY_ROUNDS) {
            return;
        }
        match self.storage.drop_finalizations_before(below).await {
            Ok(dropped) => {
                self.pruned_below = below;
                tracing::debug!(dropped, below, "finalizer: old finalizations deleted");
            }
            Err(error) => tracing::warn!(%error, "finalizer: deleting old finalizations failed"),
        }
    }

    /// Starts a relay for every stored, due finalization not already being relayed.
    fn launch_due(&mut self, now: u64) {
        for (key, queued) in &mut self.queue {
            if !queued.stored
                || queued.in_flight
                || queued.finalization.status != FinalizationStatus::Pending
                || queued.finalization.not_before > now
            {
                continue;
            }
            queued.in_flight = true;
            let finalization = queued.finalization.clone();
            let relayer = Arc::clone(&self.relayer);
            let key = *key;
            self.in_flight
                .spawn(async move { (key, relayer.relay(&finalization).await) });
        }
    }

    /// Records the relays that ended; an outcome that cannot be stored is kept and stored on a later poll.
    async fn harvest(&mut self) {
        while let Some(joined) = self.in_flight.try_join_next() {
            let Ok((key, outcome)) = joined else {
                continue;
            };
            self.finish(key, outcome);
        }
        let finished: Vec<Key> = self
            .queue
            .iter()
            .filter(|(_, q)| q.finalization.status != FinalizationStatus::Pending)
            .map(|(k, _)| *k)
            .collect();
        for key in finished {
            let Some(queued) = self.queue.get(&key) else {
                continue;
            };
            let (round, protocol, hash) = key;
            match self
                .storage
                .set_finalization_status(round, protocol, &hash, queued.finalization.status)
                .await
            {
                Ok(()) => {
                    self.queue.remove(&key);
                }
                Err(error) => {
                    tracing::warn!(%error, round, "finalizer: storing a relay outcome failed; retrying");
                    return;
                }
            }
        }
    }

    fn finish(&mut self, key: Key, outcome: RelayOutcome) {
        let Some(queued) = self.queue.get_mut(&key) else {
            return;
        };
        let (round, protocol, _) = key;
        match &outcome {
            RelayOutcome::Relayed { tx_hash } => {
                tracing::info!(%tx_hash, round, "Relaying finished for protocol {protocol} with success");
            }
            RelayOutcome::AlreadyRelayed | RelayOutcome::Skipped => {
                tracing::info!(
                    round,
                    "Relaying finished for protocol {protocol} with non fatal error: already relayed"
                );
            }
            RelayOutcome::Failed(error) | RelayOutcome::Retry(error) => {
                tracing::warn!(round, protocol, "Relaying failed with: {error}");
            }
        }
        queued.in_flight = false;
        let status = match outcome.status() {
            Some(status) => status,
            None => {
                queued.tries += 1;
                if queued.tries < self.config.relay_attempts {
                    return;
                }
                FinalizationStatus::Failed
            }
        };
        queued.finalization.status = status;
        metrics::counter!(
            "ftso_node_finalizations_total",
            "protocol" => protocol.to_string(),
            "outcome" => outcome.label()
        )
        .increment(1);
        if status != FinalizationStatus::Failed {
            metrics::gauge!("ftso_node_finalizer_last_round").set(f64::from(round));
        }
    }
}

fn key_of(finalization: &Finalization) -> Key {
    (
        finalization.voting_round_id,
        finalization.protocol_id,
        finalization.message_hash,
    )
}

/// The chain time as indexed: the block time of the last indexed block, else the local clock.
async fn chain_time(storage: &Storage) -> Result<u64, StorageError> {
    let indexed = storage.state(StateName::LastDatabaseBlock).await?;
    Ok(match indexed.filter(|p| p.is_set()) {
        Some(progress) => progress.block_timestamp,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    })
}
