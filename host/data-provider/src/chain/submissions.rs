//! Submission calldata in the indexed transactions → each round's last commit and last reveal per
//! submit address (reference `IndexerClient.getSubmissionDataInRange` and
//! `DataManager.getVoterToLast*Map`, data-provider §8.8, trap 19):
//!
//! * calldata that does not split into whole PayloadMessages drops the whole transaction;
//! * commits are grouped by the transaction's round, reveals by the round before it, and a reveal
//!   counts only when sent before the reveal deadline (`relativeTimestamp < R`);
//! * only FTSO messages (protocol 100) for the right round count, and only those that decode;
//! * per address, the last valid message wins (transactions in chain order, messages in order).

use std::collections::{BTreeMap, HashMap};

use alloy_primitives::{Address, B256};
use ftso_core::commit::{self, DecodedReveal, FTSO_PROTOCOL_ID, Reveal};
use ftso_core::epoch::EpochSettings;
use ftso_core::payload::{self, PayloadMessage};
use ftso_storage::TransactionRow;

/// One parsed Submission transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionTx {
    /// The sender: the submit address.
    pub from: Address,
    /// The voting round the transaction was included in.
    pub round: u32,
    /// Seconds into that round.
    pub relative_time: u64,
    /// The FTSO messages of the transaction, in calldata order.
    pub messages: Vec<PayloadMessage>,
}

/// Parses a transaction row; `None` when the reference drops it (calldata or sender that do not
/// decode, a block time before the first round).
pub fn parse_transaction(row: &TransactionRow, epochs: &EpochSettings) -> Option<SubmissionTx> {
    let from = row.from().ok()?;
    let payload = row.payload().ok()?;
    let messages = match payload::decode_concatenated(&payload) {
        Ok(messages) => messages,
        Err(error) => {
            tracing::debug!(tx = %row.hash, %error, "malformed submission calldata; transaction dropped");
            return None;
        }
    };
    Some(SubmissionTx {
        from,
        round: epochs.voting_round_at(row.timestamp)?,
        relative_time: epochs.relative_time(row.timestamp)?,
        messages: messages
            .into_iter()
            .filter(|m| m.protocol_id == FTSO_PROTOCOL_ID)
            .collect(),
    })
}

/// Each round's last valid commit per submit address (no eligibility filter).
pub fn last_commits(txs: &[SubmissionTx]) -> BTreeMap<u32, HashMap<Address, B256>> {
    let mut rounds: BTreeMap<u32, HashMap<Address, B256>> = BTreeMap::new();
    for tx in txs {
        for message in tx.messages.iter().filter(|m| m.voting_round_id == tx.round) {
            if let Ok(hash) = commit::decode_commit(&message.payload) {
                rounds.entry(tx.round).or_default().insert(tx.from, hash);
            }
        }
    }
    rounds
}

/// The reveal messages sent in time, grouped by the round they reveal, in chain order: the input
/// of [`last_reveals`] once the round's feed count is known.
pub fn timely_reveals(
    txs: &[SubmissionTx],
    reveal_deadline_seconds: u64,
) -> BTreeMap<u32, Vec<(Address, Vec<u8>)>> {
    let mut rounds: BTreeMap<u32, Vec<(Address, Vec<u8>)>> = BTreeMap::new();
    for tx in txs
        .iter()
        .filter(|tx| tx.relative_time < reveal_deadline_seconds)
    {
        let Some(revealed_round) = tx.round.checked_sub(1) else {
            continue;
        };
        for message in tx
            .messages
            .iter()
            .filter(|m| m.voting_round_id == revealed_round)
        {
            rounds
                .entry(revealed_round)
                .or_default()
                .push((tx.from, message.payload.clone()));
        }
    }
    rounds
}

/// The last reveal per submit address that decodes for a round with `feed_count` feeds.
pub fn last_reveals(
    messages: &[(Address, Vec<u8>)],
    feed_count: usize,
) -> HashMap<Address, DecodedReveal> {
    let mut last = HashMap::new();
    for (from, payload) in messages {
        if let Ok(reveal) = Reveal::decode(payload, feed_count) {
            last.insert(*from, reveal);
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(from: u8, round: u32, relative_time: u64, messages: Vec<PayloadMessage>) -> SubmissionTx {
        SubmissionTx {
            from: Address::repeat_byte(from),
            round,
            relative_time,
            messages,
        }
    }

    fn message(round: u32, payload: Vec<u8>) -> PayloadMessage {
        PayloadMessage {
            protocol_id: FTSO_PROTOCOL_ID,
            voting_round_id: round,
            payload,
        }
    }

    #[test]
    fn last_valid_commit_wins_and_the_round_must_match() {
        let txs = [
            tx(1, 10, 5, vec![message(10, vec![1; 32])]),
            tx(
                1,
                10,
                6,
                vec![message(10, vec![2; 32]), message(10, vec![3; 31])],
            ),
            tx(1, 10, 7, vec![message(9, vec![4; 32])]),
        ];
        let commits = last_commits(&txs);
        assert_eq!(commits.len(), 1);
        assert_eq!(
            commits[&10][&Address::repeat_byte(1)],
            B256::repeat_byte(2),
            "a short commit does not erase the valid one before it; a wrong round is ignored"
        );
    }

    #[test]
    fn reveals_count_only_before_the_deadline_and_for_the_previous_round() {
        let reveal = [7u8; 36].to_vec();
        let txs = [
            tx(1, 11, 9, vec![message(10, reveal.clone())]),
            tx(2, 11, 10, vec![message(10, reveal.clone())]),
            tx(3, 11, 3, vec![message(11, reveal.clone())]),
        ];
        let reveals = timely_reveals(&txs, 10);
        let senders: Vec<_> = reveals[&10].iter().map(|(a, _)| *a).collect();
        assert_eq!(senders, vec![Address::repeat_byte(1)]);
        assert_eq!(reveals.len(), 1);
        let decoded = last_reveals(&reveals[&10], 1);
        assert_eq!(
            decoded[&Address::repeat_byte(1)].values,
            vec![decode_word()]
        );
    }

    fn decode_word() -> Option<i32> {
        ftso_core::value::decode_word([7; 4])
    }
}
