//! [`RoundResults`]: the round results service the HTTP routes ask, and the background task that
//! computes each round once its reveal window has closed.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio_util::sync::CancellationToken;

use crate::chain::{ChainError, ChainReader};
use crate::round::calculate::{self, Computed};
use crate::round::record::RoundRecord;
use crate::round::{RoundError, store};

/// How often the background task looks for rounds to compute.
const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// What the results of a voting round are, right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoundStatus {
    /// The results (stored, or computed from a complete or timed-out reveal window).
    Ready(Arc<RoundRecord>),
    /// The round's reveal deadline has not passed by the clock (the reference's `TOO_EARLY`).
    TooEarly,
    /// The deadline has passed but the indexer has not covered the round yet; asking again
    /// later may give the results (the reference answers `NOT_AVAILABLE`).
    Pending,
    /// The results can never be computed from this database (the round precedes the indexed
    /// floor or the first reward epoch); the reference answers `NOT_AVAILABLE`.
    Unavailable {
        /// Why, for logs.
        reason: String,
    },
}

/// Round results from the indexer database: stored once final, served from storage after that.
#[derive(Debug, Clone)]
pub struct RoundResults {
    reader: Arc<ChainReader>,
}

impl RoundResults {
    /// The service over `reader`.
    pub fn new(reader: Arc<ChainReader>) -> Self {
        Self { reader }
    }

    /// The chain reader (reward epochs for the commit and reveal routes).
    pub fn reader(&self) -> &Arc<ChainReader> {
        &self.reader
    }

    /// The results of `voting_round_id` now.
    pub async fn results(&self, voting_round_id: u32) -> Result<RoundStatus, RoundError> {
        self.results_at(voting_round_id, unix_now()).await
    }

    /// The results of `voting_round_id` at wall-clock time `now` (unix seconds).
    ///
    /// Errors are what the reference answers with HTTP 500: a round without any valid reveal,
    /// an inconsistent reward epoch, a database failure.
    pub async fn results_at(
        &self,
        voting_round_id: u32,
        now: u64,
    ) -> Result<RoundStatus, RoundError> {
        let epochs = &self.reader.params().epochs;
        if now < epochs.reveal_deadline(voting_round_id) {
            return Ok(RoundStatus::TooEarly);
        }
        let storage = self.reader.storage();
        if let Some(record) = store::load(storage, voting_round_id).await? {
            return Ok(RoundStatus::Ready(Arc::new(record)));
        }
        let computed = match calculate::compute(&self.reader, voting_round_id, now).await {
            Ok(computed) => computed,
            Err(RoundError::Chain(error)) => return chain_status(error),
            Err(error) => return Err(error),
        };
        match computed {
            Computed::Ready { record, complete } => {
                if complete {
                    store::save(storage, &record).await?;
                    tracing::debug!(voting_round_id, root = %record.merkle_root, "round results stored");
                }
                Ok(RoundStatus::Ready(Arc::new(record)))
            }
            Computed::Pending => Ok(RoundStatus::Pending),
            Computed::BeforeFloor { floor } => Ok(RoundStatus::Unavailable {
                reason: format!(
                    "voting round {voting_round_id} needs rows from before the indexed floor (timestamp {floor})"
                ),
            }),
        }
    }

    /// Computes and stores every round as soon as its reveal window is indexed, from the round
    /// that closed last when started, until `cancel` fires.
    pub async fn run(&self, cancel: CancellationToken) {
        let epochs = self.reader.params().epochs;
        let mut next = last_closed_round(&epochs, unix_now());
        let mut unavailable = UnavailableSpell::default();
        loop {
            let target = last_closed_round(&epochs, unix_now());
            while next.is_some_and(|n| target.is_some_and(|t| n <= t)) && !cancel.is_cancelled() {
                let Some(round) = next else { break };
                match self.results(round).await {
                    Ok(RoundStatus::Pending | RoundStatus::TooEarly) => break,
                    Ok(RoundStatus::Ready(record)) => {
                        unavailable.end(round);
                        crate::telemetry::round_settled(round, "ready");
                        tracing::info!(
                            voting_round_id = round,
                            root = %record.merkle_root,
                            secure_random = record.is_secure_random,
                            "round results ready"
                        );
                        next = round.checked_add(1);
                    }
                    Ok(RoundStatus::Unavailable { reason }) => {
                        unavailable.round(round, &reason);
                        crate::telemetry::round_settled(round, "unavailable");
                        next = round.checked_add(1);
                    }
                    Err(error) => {
                        unavailable.end(round);
                        crate::telemetry::round_settled(round, "failed");
                        tracing::warn!(voting_round_id = round, %error, "round results failed");
                        next = round.checked_add(1);
                    }
                }
            }
            if next.is_none() {
                next = target;
            }
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(POLL_INTERVAL) => {}
            }
        }
    }
}

/// A run of consecutive rounds whose results are unavailable, logged as a state: a WARN when it starts, an INFO
/// when a round is computable again (ready, or failed for a reason of its own), each round in between at DEBUG.
#[derive(Debug, Default)]
struct UnavailableSpell {
    /// The first round of the current run, if one is going on.
    first: Option<u32>,
}

impl UnavailableSpell {
    /// `round`'s results are unavailable for `reason`.
    fn round(&mut self, round: u32, reason: &str) {
        if self.first.is_none() {
            self.first = Some(round);
            tracing::warn!(
                voting_round_id = round,
                reason,
                "round results unavailable (until further notice: logged once)"
            );
        } else {
            tracing::debug!(voting_round_id = round, reason, "round results unavailable");
        }
    }

    /// `round`'s results were computed (or failed to be): ends the run, if one is going on.
    fn end(&mut self, round: u32) {
        if let Some(first) = self.first.take() {
            tracing::info!(
                voting_round_id = round,
                unavailable_from = first,
                unavailable_rounds = round.saturating_sub(first),
                "round results no longer unavailable"
            );
        }
    }
}

/// The newest round whose reveal deadline has passed at `now`.
fn last_closed_round(epochs: &ftso_core::epoch::EpochSettings, now: u64) -> Option<u32> {
    let current = epochs.voting_round_at(now)?;
    let previous = current.checked_sub(1)?;
    if now >= epochs.reveal_deadline(previous) {
        Some(previous)
    } else {
        previous.checked_sub(1)
    }
}

/// Chain errors that mean "never from this database" rather than a failure.
fn chain_status(error: ChainError) -> Result<RoundStatus, RoundError> {
    match error {
        ChainError::BeforeFirstRewardEpoch { .. }
        | ChainError::EpochBeforeFloor { .. }
        | ChainError::EpochTooOld { .. }
        | ChainError::NoSigningPolicy { .. } => Ok(RoundStatus::Unavailable {
            reason: error.to_string(),
        }),
        ChainError::NotIndexed => Ok(RoundStatus::Pending),
        other => Err(RoundError::Chain(other)),
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
