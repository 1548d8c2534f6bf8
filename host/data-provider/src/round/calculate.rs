//! One round's results from the indexer database (reference `DataManager.getDataForCalculations`
//! then `calculateResultsForVotingRound`, data-provider §7 and §8.8). The arithmetic is
//! `ftso_core::round`; this module chooses its inputs.
//!
//! For round `v` with benching window `W`:
//! * commits from `[start(v−W), end(v)]` (the top block is required), reveals from
//!   `[start(v−W+1), revealDeadline(v+1)]` (a missing top is tolerated after the top timeout);
//! * round `v`'s commits and reveals count only from eligible submit addresses of its reward
//!   epoch; a reveal is valid when it opens the same address's commit;
//! * benched: every committer of rounds `[v−W, v−1]` (clipped to the epoch start for the
//!   network's first epoch) without a valid reveal, eligible or not. Window rounds of the
//!   network's initial reward epoch (no readable epoch: only on a chain younger than the window,
//!   such as a devnet) are skipped where the reference would fail.

use std::collections::{HashMap, HashSet};

use alloy_primitives::{Address, B256};
use ftso_core::commit::DecodedReveal;
use ftso_core::payload::{SUBMIT1_SELECTOR, SUBMIT2_SELECTOR};
use ftso_core::round::{self, Voter, VoterSubmission};
use ftso_storage::TimeWindow;

use crate::chain::submissions::{self, SubmissionTx};
use crate::chain::{ChainError, ChainReader, Coverage, EpochView, Floor};
use crate::round::RoundError;
use crate::round::record::{FeedRecord, RoundRecord, VoterOutcome, VoterRecord};

/// The outcome of trying to compute a round now.
#[derive(Debug)]
pub(crate) enum Computed {
    /// Computed; `complete` when every input row was indexed (then the result is final).
    Ready { record: RoundRecord, complete: bool },
    /// The indexer has not covered the round's windows yet.
    Pending,
    /// The round's windows start before the indexed floor: it can never be computed.
    BeforeFloor { floor: u64 },
}

/// Computes round `v` at wall-clock time `now` (unix seconds).
pub(crate) async fn compute(
    reader: &ChainReader,
    v: u32,
    now: u64,
) -> Result<Computed, RoundError> {
    let params = reader.params();
    let epochs = &params.epochs;
    let window = params.benching_window;
    let span = reader.span().await?;
    let commit_window = TimeWindow {
        from: epochs.voting_round_start(v.saturating_sub(window)),
        to: epochs.voting_round_end(v) - 1,
    };
    let reveal_window = TimeWindow {
        from: epochs.voting_round_start((v + 1).saturating_sub(window)),
        to: epochs.reveal_deadline(v) - 1,
    };
    let commit_coverage = span.coverage(commit_window, Floor::Blocks, None, now);
    let reveal_coverage = span.coverage(
        reveal_window,
        Floor::Blocks,
        Some(params.indexer_top_timeout),
        now,
    );
    for coverage in [commit_coverage, reveal_coverage] {
        match coverage {
            Coverage::BeforeFloor { floor } => return Ok(Computed::BeforeFloor { floor }),
            Coverage::Pending => return Ok(Computed::Pending),
            Coverage::Complete | Coverage::TimedOut => {}
        }
    }
    let complete = commit_coverage == Coverage::Complete && reveal_coverage == Coverage::Complete;

    let epoch = reader.epoch_of_round(v, now).await?;
    let commit_txs = parse(reader, SUBMIT1_SELECTOR, commit_window).await?;
    let reveal_txs = parse(reader, SUBMIT2_SELECTOR, reveal_window).await?;
    let commits = submissions::last_commits(&commit_txs);
    let reveal_messages = submissions::timely_reveals(&reveal_txs, epochs.reveal_deadline_seconds);

    let mut first_benching_round = v.saturating_sub(window);
    if epoch.reward_epoch_id == params.initial_reward_epoch_id + 1
        && first_benching_round < epoch.start_voting_round_id
    {
        first_benching_round = epoch.start_voting_round_id;
    }
    let mut benched: HashSet<Address> = HashSet::new();
    for round in first_benching_round..v {
        let Some(round_commits) = commits.get(&round) else {
            continue;
        };
        let feed_count = match reader.epoch_of_round(round, now).await {
            Ok(epoch) => epoch.feeds.len(),
            // Rounds of the network's initial reward epoch have no readable epoch (the reference
            // fails here; only a chain younger than the window, such as a devnet, gets here).
            Err(ChainError::EpochTooOld { .. } | ChainError::NoSigningPolicy { .. }) => continue,
            Err(error) => return Err(error.into()),
        };
        let reveals = submissions::last_reveals(
            reveal_messages.get(&round).map_or(&[][..], Vec::as_slice),
            feed_count,
        );
        benched.extend(
            round_commits
                .iter()
                .filter(|(from, commit)| !opens(reveals.get(*from), commit, **from, round))
                .map(|(from, _)| *from),
        );
    }

    let no_commits = HashMap::new();
    let round_commits = commits.get(&v).unwrap_or(&no_commits);
    let reveals = submissions::last_reveals(
        reveal_messages.get(&v).map_or(&[][..], Vec::as_slice),
        epoch.feeds.len(),
    );
    let voters = round_voters(&epoch, v, round_commits, &reveals, &benched);
    let result = round::calculate_round(v, &epoch.feeds, &voters).map_err(|source| {
        RoundError::Calculation {
            voting_round_id: v,
            source,
        }
    })?;
    Ok(Computed::Ready {
        record: record(&epoch, result, voters),
        complete,
    })
}

async fn parse(
    reader: &ChainReader,
    selector: [u8; 4],
    window: TimeWindow,
) -> Result<Vec<SubmissionTx>, RoundError> {
    let epochs = reader.params().epochs;
    Ok(reader
        .submissions(selector, window)
        .await?
        .iter()
        .filter_map(|row| submissions::parse_transaction(row, &epochs))
        .collect())
}

/// Whether `reveal` opens `commit` for `from` in `round`.
fn opens(reveal: Option<&DecodedReveal>, commit: &B256, from: Address, round: u32) -> bool {
    reveal.is_some_and(|r| r.reveal.matches(commit, from, round))
}

/// The epoch's voters with their part in round `v` (only their own, eligible submissions count).
fn round_voters(
    epoch: &EpochView,
    v: u32,
    commits: &HashMap<Address, B256>,
    reveals: &HashMap<Address, DecodedReveal>,
    benched: &HashSet<Address>,
) -> Vec<Voter> {
    epoch
        .voters
        .iter()
        .map(|voter| {
            let address = voter.submit_address;
            let reveal = reveals.get(&address);
            let submission = match commits.get(&address) {
                Some(commit) if opens(reveal, commit, address, v) => match reveal {
                    Some(r) => VoterSubmission::Valid {
                        random: r.reveal.random,
                        values: r.values.clone(),
                    },
                    None => VoterSubmission::Offender,
                },
                Some(_) => VoterSubmission::Offender,
                None => VoterSubmission::None,
            };
            Voter {
                submit_address: address,
                weight: voter.median_weight,
                submission,
                benched: benched.contains(&address),
            }
        })
        .collect()
}

fn record(epoch: &EpochView, result: round::RoundResult, voters: Vec<Voter>) -> RoundRecord {
    let feed_count = epoch.feeds.len();
    RoundRecord {
        voting_round_id: result.voting_round_id,
        reward_epoch_id: epoch.reward_epoch_id,
        random: result.random.value,
        is_secure_random: result.random.is_secure,
        random_leaf: result.random_leaf_hash,
        merkle_root: result.merkle_root,
        total_voting_weight: result.total_voting_weight,
        feeds: result
            .feeds
            .iter()
            .map(|f| FeedRecord {
                id: f.feed.id,
                decimals: f.feed.decimals,
                value: f.leaf.value,
                turnout_bips: f.turnout_bips,
                median: f.median.median,
                q1: f.median.q1,
                q3: f.median.q3,
                participating_weight: f.median.participating_weight,
                leaf: f.leaf_hash,
            })
            .collect(),
        voters: voters
            .into_iter()
            .map(|voter| {
                let (outcome, values) = match voter.submission {
                    VoterSubmission::Valid { values, .. } => (VoterOutcome::Revealed, values),
                    VoterSubmission::Offender => (VoterOutcome::Offender, vec![None; feed_count]),
                    VoterSubmission::None => (VoterOutcome::Absent, vec![None; feed_count]),
                };
                VoterRecord {
                    submit_address: voter.submit_address,
                    weight: voter.weight,
                    outcome,
                    benched: voter.benched,
                    values,
                }
            })
            .collect(),
    }
}
