//! The end-to-end test's own computation of FTSO round results from what is on chain, independent of the nodes:
//! each reward epoch's voters (signing policy, `VoterRegistered`, `VoterRegistrationInfo`) and feeds (reward
//! offers), the commits and reveals decoded from the `Submission` transactions, the reveal offenders benched, and
//! `ftso_core::round::calculate_round` over them.

use std::collections::{BTreeMap, HashMap, HashSet};

use alloy::primitives::{Address, B256, U256};
use ftso_chain::{
    IFlareSystemsCalculator, IFtsoRewardOffersManager, IRelay, IVoterRegistry, names,
};
use ftso_core::commit::{FTSO_PROTOCOL_ID, Reveal, decode_commit};
use ftso_core::feed::{FEED_ID_LEN, FeedId};
use ftso_core::payload::{self, SUBMIT1_SELECTOR, SUBMIT2_SELECTOR};
use ftso_core::round::{self, FeedDefinition, RoundResult, Voter, VoterSubmission};

use super::chain::{ChainSnapshot, DevnetFile};

/// The reference's `RANDOM_GENERATION_BENCHING_WINDOW`.
const BENCHING_WINDOW: u32 = 20;

/// A voter of a reward epoch, in signing-policy order.
#[derive(Debug, Clone)]
pub struct EpochVoter {
    pub identity: Address,
    pub submit_address: Address,
    /// Its weight in the medians (`wNatCappedWeight`).
    pub median_weight: U256,
}

/// What a reward epoch's rounds are computed with.
#[derive(Debug, Clone)]
pub struct Epoch {
    pub id: u32,
    /// Its first voting round (the signing policy's).
    pub start_round: u32,
    pub voters: Vec<EpochVoter>,
    /// The canonical feed order.
    pub feeds: Vec<FeedDefinition>,
}

/// The reward epochs that have a signing policy and registered voters, by id.
pub fn epochs(chain: &ChainSnapshot, file: &DevnetFile) -> BTreeMap<u32, Epoch> {
    let relay = file.contract(names::RELAY);
    let registry = file.contract(names::VOTER_REGISTRY);
    let calculator = file.contract(names::FLARE_SYSTEMS_CALCULATOR);
    let registered = chain.events::<IVoterRegistry::VoterRegistered>(registry);
    let infos = chain.events::<IFlareSystemsCalculator::VoterRegistrationInfo>(calculator);
    let mut epochs = BTreeMap::new();
    for policy in chain.events::<IRelay::SigningPolicyInitialized>(relay) {
        let id: u32 = policy.rewardEpochId.to();
        let voters: Option<Vec<EpochVoter>> = policy
            .voters
            .iter()
            .map(|signing_policy_address| {
                let registration = registered.iter().find(|r| {
                    r.rewardEpochId == id && r.signingPolicyAddress == *signing_policy_address
                })?;
                let info = infos
                    .iter()
                    .find(|i| i.rewardEpochId == id && i.voter == registration.voter)
                    .unwrap_or_else(|| {
                        panic!(
                            "no VoterRegistrationInfo of {} for epoch {id}",
                            registration.voter
                        )
                    });
                Some(EpochVoter {
                    identity: registration.voter,
                    submit_address: registration.submitAddress,
                    median_weight: info.wNatCappedWeight,
                })
            })
            .collect();
        // The initial epoch's voters were set by the deployment, without registration events (an epoch without
        // them is absent, and the test fails naming it).
        let Some(voters) = voters else { continue };
        epochs.insert(
            id,
            Epoch {
                id,
                start_round: policy.startVotingRoundId,
                voters,
                feeds: feed_order(chain, file, id),
            },
        );
    }
    epochs
}

/// The reward epoch's canonical feed order: inflation feeds by id, then community feeds by their summed offered
/// amount (largest first), ties by id.
fn feed_order(chain: &ChainSnapshot, file: &DevnetFile, epoch: u32) -> Vec<FeedDefinition> {
    let offers = file.contract(names::FTSO_REWARD_OFFERS_MANAGER);
    let mut inflation: BTreeMap<FeedId, i8> = BTreeMap::new();
    for offer in chain.events::<IFtsoRewardOffersManager::InflationRewardsOffered>(offers) {
        if offer.rewardEpochId.to::<u32>() != epoch {
            continue;
        }
        let (ids, rest) = offer.feedIds.as_chunks::<FEED_ID_LEN>();
        assert!(
            rest.is_empty(),
            "a partial feed id in InflationRewardsOffered"
        );
        for (id, decimals) in ids.iter().zip(offer.decimals.iter()) {
            inflation.insert(FeedId((*id).into()), i8::try_from(*decimals).unwrap());
        }
    }
    let mut community: BTreeMap<FeedId, (i8, U256)> = BTreeMap::new();
    for offer in chain.events::<IFtsoRewardOffersManager::RewardsOffered>(offers) {
        let id = FeedId(offer.feedId);
        if offer.rewardEpochId.to::<u32>() != epoch || inflation.contains_key(&id) {
            continue;
        }
        let entry = community.entry(id).or_insert((offer.decimals, U256::ZERO));
        assert_eq!(
            entry.0, offer.decimals,
            "feed {id} offered with two decimals"
        );
        entry.1 += offer.amount;
    }
    let mut community: Vec<_> = community.into_iter().collect();
    community.sort_by(|(a_id, (_, a)), (b_id, (_, b))| b.cmp(a).then(a_id.cmp(b_id)));
    inflation
        .into_iter()
        .chain(
            community
                .into_iter()
                .map(|(id, (decimals, _))| (id, decimals)),
        )
        .map(|(id, decimals)| FeedDefinition { id, decimals })
        .collect()
}

/// The FTSO commits and timely reveals of the successful `Submission` transactions, by round and sender (the last
/// one of a sender wins, as in the reference).
#[derive(Debug, Default)]
pub struct Submissions {
    commits: HashMap<u32, HashMap<Address, B256>>,
    reveals: HashMap<u32, HashMap<Address, Vec<u8>>>,
}

impl Submissions {
    /// Decodes the submit1 and submit2 calldata mined on `Submission`.
    pub fn read(chain: &ChainSnapshot, file: &DevnetFile) -> Self {
        let submission = file.contract(names::SUBMISSION);
        let epochs = file.epochs();
        let mut out = Self::default();
        for tx in chain
            .txs
            .iter()
            .filter(|tx| tx.success && tx.to == Some(submission))
        {
            let Some((selector, body)) = payload::split_selector(&tx.input)
                .filter(|(selector, _)| [SUBMIT1_SELECTOR, SUBMIT2_SELECTOR].contains(selector))
            else {
                continue;
            };
            let Ok(messages) = payload::decode_concatenated(body) else {
                continue;
            };
            let (Some(round), Some(relative)) = (
                epochs.voting_round_at(tx.timestamp),
                epochs.relative_time(tx.timestamp),
            ) else {
                continue;
            };
            for message in messages
                .iter()
                .filter(|m| m.protocol_id == FTSO_PROTOCOL_ID)
            {
                if selector == SUBMIT1_SELECTOR && message.voting_round_id == round {
                    if let Ok(commit) = decode_commit(&message.payload) {
                        out.commits
                            .entry(round)
                            .or_default()
                            .insert(tx.from, commit);
                    }
                } else if selector == SUBMIT2_SELECTOR
                    && message.voting_round_id + 1 == round
                    && relative < epochs.reveal_deadline_seconds
                {
                    out.reveals
                        .entry(message.voting_round_id)
                        .or_default()
                        .insert(tx.from, message.payload.clone());
                }
            }
        }
        out
    }

    /// The last commit of `from` for `round`.
    pub fn commit(&self, round: u32, from: Address) -> Option<B256> {
        self.commits.get(&round)?.get(&from).copied()
    }

    /// Whether `from` revealed what it committed to in `round`.
    pub fn opened(&self, round: u32, from: Address) -> bool {
        let (Some(commit), Some(payload)) = (
            self.commit(round, from),
            self.reveals.get(&round).and_then(|r| r.get(&from)),
        ) else {
            return false;
        };
        Reveal::split(payload).is_ok_and(|reveal| reveal.matches(&commit, from, round))
    }

    /// The committers of `round` that did not open their commit.
    fn offenders(&self, round: u32) -> impl Iterator<Item = Address> + '_ {
        self.commits
            .get(&round)
            .into_iter()
            .flat_map(|commits| commits.keys())
            .copied()
            .filter(move |from| !self.opened(round, *from))
    }

    /// What `voter` contributed to `round` with `feed_count` feeds.
    fn submission(&self, round: u32, voter: Address, feed_count: usize) -> VoterSubmission {
        let Some(commit) = self.commit(round, voter) else {
            return VoterSubmission::None;
        };
        let reveal = self
            .reveals
            .get(&round)
            .and_then(|r| r.get(&voter))
            .and_then(|payload| Reveal::decode(payload, feed_count).ok());
        match reveal {
            Some(r) if r.reveal.matches(&commit, voter, round) => VoterSubmission::Valid {
                random: r.reveal.random,
                values: r.values,
            },
            _ => VoterSubmission::Offender,
        }
    }
}

/// Round `v`'s result and voters, computed from the chain: `epoch` is the round's reward epoch and
/// `first_benching_round` the earliest round whose offenders are benched (the first voted reward epoch's start).
pub fn compute(
    v: u32,
    epoch: &Epoch,
    submissions: &Submissions,
    first_benching_round: u32,
) -> (RoundResult, Vec<Voter>) {
    let benched: HashSet<Address> = (v.saturating_sub(BENCHING_WINDOW).max(first_benching_round)
        ..v)
        .flat_map(|round| submissions.offenders(round).collect::<Vec<_>>())
        .collect();
    let voters: Vec<Voter> = epoch
        .voters
        .iter()
        .map(|voter| Voter {
            submit_address: voter.submit_address,
            weight: voter.median_weight,
            submission: submissions.submission(v, voter.submit_address, epoch.feeds.len()),
            benched: benched.contains(&voter.submit_address),
        })
        .collect();
    let result = round::calculate_round(v, &epoch.feeds, &voters)
        .unwrap_or_else(|error| panic!("round {v} cannot be computed: {error}"));
    (result, voters)
}

/// The reward epoch of round `v`: the last epoch starting at or before it.
pub fn epoch_of(epochs: &BTreeMap<u32, Epoch>, v: u32) -> Option<&Epoch> {
    epochs.values().rev().find(|e| e.start_round <= v)
}
