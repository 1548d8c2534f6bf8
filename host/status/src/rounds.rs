//! The last voting rounds as this node took part in them, read from the indexer database through the data
//! provider's readers: our commits and reveals (Submission transactions from our submit address), the relayed
//! FTSO protocol messages (finalization), and the data provider's stored results.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use alloy_primitives::{Address, U256};
use ftso_chain::topics;
use ftso_core::commit::FTSO_PROTOCOL_ID;
use ftso_core::payload::{SUBMIT1_SELECTOR, SUBMIT2_SELECTOR};
use ftso_data_provider::chain::submissions::{self, SubmissionTx};
use ftso_data_provider::chain::{ChainError, ChainReader, ContractAddresses};
use ftso_data_provider::round::{RoundError, RoundRecord, RoundResults, RoundStatus};
use ftso_storage::{LogRow, TimeWindow};
use tokio::sync::Mutex;

use crate::model::{FeedOutcome, ResultState, RoundOutcome};

/// The latest timestamp a query can name.
pub(crate) const END_OF_TIME: u64 = i64::MAX as u64;

/// Reads round outcomes; remembers results that cannot change any more.
#[derive(Debug)]
pub(crate) struct Rounds {
    results: RoundResults,
    relay: Vec<Address>,
    settled: Mutex<BTreeMap<u32, Settled>>,
}

/// A round's results as they will stay.
#[derive(Debug, Clone)]
enum Settled {
    Ready(Arc<RoundRecord>),
    Unavailable(String),
    Failed(String),
}

impl Rounds {
    pub(crate) fn new(reader: Arc<ChainReader>, contracts: &ContractAddresses) -> Self {
        Self {
            results: RoundResults::new(reader),
            relay: contracts.relay.clone(),
            settled: Mutex::new(BTreeMap::new()),
        }
    }

    pub(crate) fn reader(&self) -> &Arc<ChainReader> {
        self.results.reader()
    }

    /// The `count` rounds up to `current`, newest first, for the voter sending from `submit`.
    pub(crate) async fn last(
        &self,
        current: u32,
        count: u32,
        submit: Option<Address>,
        now: u64,
    ) -> Result<Vec<RoundOutcome>, ChainError> {
        let first = current.saturating_sub(count.saturating_sub(1));
        let epochs = self.reader().params().epochs;
        let window = TimeWindow {
            from: epochs.voting_round_start(first),
            to: END_OF_TIME,
        };
        let (committed, revealed) = match submit {
            Some(submit) => (
                self.our_commits(submit, window).await?,
                self.our_reveals(submit, window).await?,
            ),
            None => Default::default(),
        };
        let finalized = self.relayed_rounds(window).await?;
        let mut outcomes = Vec::new();
        for round in (first..=current).rev() {
            let (result, result_note, feeds) = match self.settled(round, now).await {
                Some(Settled::Ready(record)) => {
                    (ResultState::Ready, None, feed_outcomes(&record, submit))
                }
                Some(Settled::Unavailable(why)) => (ResultState::Unavailable, Some(why), vec![]),
                Some(Settled::Failed(why)) => (ResultState::Failed, Some(why), vec![]),
                None => (ResultState::Pending, None, vec![]),
            };
            outcomes.push(RoundOutcome {
                voting_round: round,
                committed: committed.contains(&round),
                revealed: revealed.contains(&round),
                finalized: finalized.contains(&round),
                result,
                result_note,
                feeds,
            });
        }
        self.forget_before(first).await;
        Ok(outcomes)
    }

    /// Rounds with a valid commit from `submit`.
    async fn our_commits(
        &self,
        submit: Address,
        window: TimeWindow,
    ) -> Result<BTreeSet<u32>, ChainError> {
        let ours = self
            .our_submissions(SUBMIT1_SELECTOR, submit, window)
            .await?;
        Ok(submissions::last_commits(&ours).into_keys().collect())
    }

    /// Rounds revealed by `submit` before their reveal deadline.
    async fn our_reveals(
        &self,
        submit: Address,
        window: TimeWindow,
    ) -> Result<BTreeSet<u32>, ChainError> {
        let ours = self
            .our_submissions(SUBMIT2_SELECTOR, submit, window)
            .await?;
        let deadline = self.reader().params().epochs.reveal_deadline_seconds;
        Ok(submissions::timely_reveals(&ours, deadline)
            .into_keys()
            .collect())
    }

    async fn our_submissions(
        &self,
        selector: [u8; 4],
        submit: Address,
        window: TimeWindow,
    ) -> Result<Vec<SubmissionTx>, ChainError> {
        let epochs = self.reader().params().epochs;
        Ok(self
            .reader()
            .submissions(selector, window)
            .await?
            .iter()
            .filter_map(|row| submissions::parse_transaction(row, &epochs))
            .filter(|tx| tx.from == submit)
            .collect())
    }

    /// Rounds whose FTSO protocol message was relayed.
    async fn relayed_rounds(&self, window: TimeWindow) -> Result<BTreeSet<u32>, ChainError> {
        let storage = self.reader().storage();
        let mut rounds = BTreeSet::new();
        for relay in &self.relay {
            let rows = storage
                .logs_in_time(*relay, topics::PROTOCOL_MESSAGE_RELAYED, window)
                .await?;
            rounds.extend(rows.iter().filter_map(relayed_ftso_round));
        }
        Ok(rounds)
    }

    /// The round's results if they are settled now (computing them if due), `None` while pending.
    async fn settled(&self, round: u32, now: u64) -> Option<Settled> {
        if let Some(settled) = self.settled.lock().await.get(&round) {
            return Some(settled.clone());
        }
        let settled = match self.results.results_at(round, now).await {
            Ok(RoundStatus::Ready(record)) => Settled::Ready(record),
            Ok(RoundStatus::Unavailable { reason }) => Settled::Unavailable(reason),
            Ok(RoundStatus::TooEarly | RoundStatus::Pending) => return None,
            Err(error @ RoundError::Calculation { .. }) => Settled::Failed(error.to_string()),
            Err(error) => {
                // A database or chain read that may succeed on the next poll: shown, not remembered.
                tracing::debug!(voting_round_id = round, %error, "round results not read");
                return Some(Settled::Failed(error.to_string()));
            }
        };
        self.settled.lock().await.insert(round, settled.clone());
        Some(settled)
    }

    async fn forget_before(&self, first: u32) {
        let mut settled = self.settled.lock().await;
        *settled = settled.split_off(&first);
    }
}

/// The voting round of a `ProtocolMessageRelayed(uint8 indexed protocolId, uint32 indexed votingRoundId, …)` row
/// of the FTSO protocol.
fn relayed_ftso_round(row: &LogRow) -> Option<u32> {
    let topics = row.topics().ok()?;
    let protocol = U256::from_be_bytes(topics.get(1)?.0);
    let round = U256::from_be_bytes(topics.get(2)?.0);
    (protocol == U256::from(FTSO_PROTOCOL_ID))
        .then(|| u32::try_from(round).ok())
        .flatten()
}

/// Each feed's median and quartiles, and the value `submit` revealed.
fn feed_outcomes(record: &RoundRecord, submit: Option<Address>) -> Vec<FeedOutcome> {
    let ours = submit.and_then(|submit| {
        record
            .voters
            .iter()
            .find(|voter| voter.submit_address == submit)
    });
    record
        .feeds
        .iter()
        .enumerate()
        .map(|(index, feed)| {
            let scale = |value: Option<i32>| value.map(|v| scaled(v, feed.decimals));
            FeedOutcome {
                feed: crate::feed_label(&feed.id),
                median: scale(feed.median),
                q1: scale(feed.q1),
                q3: scale(feed.q3),
                ours: scale(ours.and_then(|voter| voter.values.get(index).copied().flatten())),
                turnout_bips: feed.turnout_bips,
            }
        })
        .collect()
}

/// An on-chain integer value with `decimals` as a display number.
fn scaled(value: i32, decimals: i8) -> f64 {
    f64::from(value) / 10f64.powi(i32::from(decimals))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relayed(protocol: u8, round: u32) -> LogRow {
        let word = |v: u64| format!("{:064x}", v);
        LogRow {
            id: 1,
            transaction_id: None,
            address: String::new(),
            data: String::new(),
            topic0: format!("{:x}", topics::PROTOCOL_MESSAGE_RELAYED),
            topic1: word(u64::from(protocol)),
            topic2: word(u64::from(round)),
            topic3: "NULL".into(),
            transaction_hash: String::new(),
            log_index: 0,
            timestamp: 0,
            block_number: 0,
        }
    }

    #[test]
    fn only_ftso_messages_count_as_finalized() {
        assert_eq!(relayed_ftso_round(&relayed(100, 4321)), Some(4321));
        assert_eq!(relayed_ftso_round(&relayed(200, 4321)), None);
    }

    #[test]
    fn values_are_scaled_by_their_decimals() {
        assert!((scaled(12_345, 2) - 123.45).abs() < 1e-9);
        assert!((scaled(7, -1) - 70.0).abs() < 1e-9);
    }
}
