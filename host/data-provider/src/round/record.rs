//! [`RoundRecord`]: everything the round's routes answer with, as computed once and stored.

use alloy_primitives::{Address, B256, U256};
use ftso_core::commit::FTSO_PROTOCOL_ID;
use ftso_core::feed::FeedId;
use ftso_core::merkle::MerkleTree;
use ftso_core::protocol_message::ProtocolMessageMerkleRoot;
use ftso_core::round::abi;

/// What a voter contributed to a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VoterOutcome {
    /// A valid, eligible reveal: it takes part in the medians and (unless benched) the random.
    Revealed,
    /// Committed but did not reveal validly in time: a reveal offender.
    Offender,
    /// Did not commit.
    Absent,
}

impl VoterOutcome {
    /// The stored code.
    pub(crate) fn code(self) -> i64 {
        match self {
            VoterOutcome::Absent => 0,
            VoterOutcome::Revealed => 1,
            VoterOutcome::Offender => 2,
        }
    }

    /// From the stored code.
    pub(crate) fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(VoterOutcome::Absent),
            1 => Some(VoterOutcome::Revealed),
            2 => Some(VoterOutcome::Offender),
            _ => None,
        }
    }
}

/// One voter of the round, in signing-policy order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoterRecord {
    /// Submit address.
    pub submit_address: Address,
    /// Median weight.
    pub weight: U256,
    /// What the voter contributed.
    pub outcome: VoterOutcome,
    /// Whether the voter was benched (a reveal offender in the benching window).
    pub benched: bool,
    /// Revealed values, one per feed (`None` = empty); all empty unless the reveal is valid.
    pub values: Vec<Option<i32>>,
}

/// One feed's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRecord {
    /// Feed id.
    pub id: FeedId,
    /// Decimals.
    pub decimals: i8,
    /// The leaf value: the median, or 0 when no voter gave a value.
    pub value: i32,
    /// Turnout in basis points of the total weight.
    pub turnout_bips: u16,
    /// The weighted median (`None`: no value).
    pub median: Option<i32>,
    /// First quartile.
    pub q1: Option<i32>,
    /// Third quartile.
    pub q3: Option<i32>,
    /// Weight of the voters that gave a value.
    pub participating_weight: U256,
    /// The feed leaf's hash.
    pub leaf: B256,
}

impl FeedRecord {
    /// The leaf's `IFtsoFeedPublisher.Feed` struct for round `voting_round_id`.
    pub fn leaf_struct(&self, voting_round_id: u32) -> abi::Feed {
        abi::Feed {
            votingRoundId: voting_round_id,
            id: self.id.0,
            value: self.value,
            turnoutBIPS: self.turnout_bips,
            decimals: self.decimals,
        }
    }
}

/// A voting round's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundRecord {
    /// The voting round.
    pub voting_round_id: u32,
    /// Its reward epoch.
    pub reward_epoch_id: u32,
    /// The round random (sum of the non-benched valid reveals' randoms mod 2²⁵⁶).
    pub random: U256,
    /// Whether the random is secure.
    pub is_secure_random: bool,
    /// The random leaf's hash.
    pub random_leaf: B256,
    /// The result tree's root.
    pub merkle_root: B256,
    /// Sum of every voter's median weight.
    pub total_voting_weight: U256,
    /// Feed results in canonical order.
    pub feeds: Vec<FeedRecord>,
    /// Voters in signing-policy order.
    pub voters: Vec<VoterRecord>,
}

impl RoundRecord {
    /// The 38-byte message signed for the round (the `submitSignatures` data).
    pub fn message(&self) -> ProtocolMessageMerkleRoot {
        ProtocolMessageMerkleRoot {
            protocol_id: FTSO_PROTOCOL_ID,
            voting_round_id: self.voting_round_id,
            is_secure_random: self.is_secure_random,
            merkle_root: self.merkle_root,
        }
    }

    /// The random leaf's `IFtsoFeedPublisher.Random` struct.
    pub fn random_struct(&self) -> abi::Random {
        abi::Random {
            votingRoundId: self.voting_round_id,
            value: self.random,
            isSecure: self.is_secure_random,
        }
    }

    /// The result tree, rebuilt from the stored leaves.
    pub fn tree(&self) -> MerkleTree {
        MerkleTree::new(std::iter::once(self.random_leaf).chain(self.feeds.iter().map(|f| f.leaf)))
    }

    /// A feed's result and its Merkle proof (siblings from leaf to root).
    pub fn feed_with_proof(&self, id: &FeedId) -> Option<(&FeedRecord, Vec<B256>)> {
        let feed = self.feeds.iter().find(|f| f.id == *id)?;
        let proof = self.tree().proof(&feed.leaf)?;
        Some((feed, proof))
    }

    /// Submit addresses of the valid, eligible revealers, in policy order.
    pub fn valid_eligible_reveals(&self) -> Vec<Address> {
        self.addresses(|v| v.outcome == VoterOutcome::Revealed)
    }

    /// Submit addresses of this round's reveal offenders, in policy order.
    pub fn reveal_offenders(&self) -> Vec<Address> {
        self.addresses(|v| v.outcome == VoterOutcome::Offender)
    }

    /// Submit addresses of the benched voters, in policy order.
    pub fn benched(&self) -> Vec<Address> {
        self.addresses(|v| v.benched)
    }

    fn addresses(&self, pick: impl Fn(&VoterRecord) -> bool) -> Vec<Address> {
        self.voters
            .iter()
            .filter(|v| pick(v))
            .map(|v| v.submit_address)
            .collect()
    }
}
