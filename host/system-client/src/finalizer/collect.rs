//! Aggregation of other voters' signatures by (round, protocol, message), as the reference finalizer does
//! (system-client §6.4): each collection fixes the policy and threshold of its (round, protocol); type-1
//! signatures wait for this node's own message; each transaction sender counts once per (round, protocol); a
//! voter's signature counts once; the threshold (strictly passed) fires once.
//!
//! Unlike the reference, a (round, protocol) is settled by its first finalization: later payloads for it are
//! ignored (the Relay keeps one root per (protocol, round)). The lowest block holding a signature of an unsettled
//! (round, protocol) is kept, so that the finalizer's cursor never moves past a signature it still needs.

use std::collections::{BTreeMap, HashMap, HashSet};

use alloy::primitives::{Address, B256, keccak256};
use ftso_core::finalizer::{AddOutcome, SignatureCollection};
use ftso_core::protocol_message::{PROTOCOL_MESSAGE_LEN, ProtocolMessageMerkleRoot};
use ftso_core::signing::VRS_SIGNATURE_LEN;
use ftso_core::signing_policy::SigningPolicy;
use ftso_core::submit_signatures::{SignaturePayload, SignedMessage};

/// Rounds kept below the latest round that reached its threshold (the reference's `RemoveRoundsBefore(R − 10)`).
pub const ROUNDS_KEPT: u32 = 10;

/// A (round, protocol) pair.
pub type RoundProtocol = (u32, u8);

/// The signing policy of a round and the threshold to pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundPolicy {
    /// The policy that signs the round.
    pub policy: SigningPolicy,
    /// Its threshold, raised when the reward epoch is prolonged.
    pub threshold: u64,
}

/// A message whose signatures passed the threshold: ready to be relayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ready {
    /// The voting round.
    pub voting_round_id: u32,
    /// The sub-protocol.
    pub protocol_id: u8,
    /// `keccak256` of the message.
    pub message_hash: B256,
    /// The `relay()` calldata.
    pub calldata: Vec<u8>,
    /// The policy it was signed under (finalizer selection uses its seed and weights).
    pub policy: SigningPolicy,
}

/// What happened to one payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// Counted towards its message.
    Counted,
    /// Counted, and its message passed the threshold.
    Ready(Box<Ready>),
    /// A type-1 signature waiting for this node's own message.
    Buffered,
    /// Not counted, and why.
    Ignored(Ignored),
}

/// Why a payload or message did not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ignored {
    /// Its round is below the lowest round kept.
    TooOld,
    /// Its (round, protocol) is already finalized.
    Settled,
    /// The transaction's sender already submitted for this (round, protocol).
    SenderAlreadySubmitted,
    /// The signer is not in the round's policy (or the signature is over another message).
    NotAVoter,
    /// The voter's signature is already counted.
    Duplicate,
    /// The signature does not recover.
    InvalidSignature,
    /// The type-0 message is not a protocol message of the payload's (round, protocol).
    MessageMismatch,
    /// This node's own message for the (round, protocol) was already given.
    MessageAddedTwice,
}

#[derive(Debug)]
struct Group {
    round_policy: RoundPolicy,
    collections: HashMap<B256, SignatureCollection>,
    own_message: Option<B256>,
    detached: Vec<[u8; VRS_SIGNATURE_LEN]>,
    senders: HashSet<Address>,
    first_block: Option<u64>,
}

impl Group {
    fn new(round_policy: RoundPolicy) -> Self {
        Self {
            round_policy,
            collections: HashMap::new(),
            own_message: None,
            detached: Vec::new(),
            senders: HashSet::new(),
            first_block: None,
        }
    }

    /// Counts `signature` over `message` (its collection is created on first use).
    fn count_inline(
        &mut self,
        key: RoundProtocol,
        message: &[u8; PROTOCOL_MESSAGE_LEN],
        signature: &[u8; VRS_SIGNATURE_LEN],
    ) -> Accepted {
        let hash = keccak256(message);
        let round_policy = &self.round_policy;
        let collection = self.collections.entry(hash).or_insert_with(|| {
            SignatureCollection::new(
                round_policy.policy.clone(),
                round_policy.threshold,
                *message,
            )
        });
        count(key, hash, collection, signature, &round_policy.policy)
    }

    /// Counts `signature` over this node's own message, or buffers it until the message comes.
    fn count_detached(
        &mut self,
        key: RoundProtocol,
        signature: &[u8; VRS_SIGNATURE_LEN],
    ) -> Accepted {
        let Some(hash) = self.own_message else {
            self.detached.push(*signature);
            return Accepted::Buffered;
        };
        match self.collections.get_mut(&hash) {
            Some(collection) => count(key, hash, collection, signature, &self.round_policy.policy),
            None => Accepted::Ignored(Ignored::NotAVoter),
        }
    }
}

/// The open (round, protocol) collections of the finalizer.
#[derive(Debug, Default)]
pub struct Collector {
    groups: BTreeMap<RoundProtocol, Group>,
    settled: HashSet<RoundProtocol>,
    lowest_round: u32,
}

impl Collector {
    /// A collector that ignores rounds before `lowest_round`.
    pub fn new(lowest_round: u32) -> Self {
        Self {
            lowest_round,
            ..Self::default()
        }
    }

    /// Marks a (round, protocol) as finalized (e.g. from the database after a restart).
    pub fn settle(&mut self, key: RoundProtocol) {
        self.groups.remove(&key);
        self.settled.insert(key);
    }

    /// Whether `key` is settled.
    pub fn is_settled(&self, key: RoundProtocol) -> bool {
        self.settled.contains(&key)
    }

    /// Where a payload or message of `key` stands before it is looked at: `Some` when it is ignored.
    fn gate(&self, key: RoundProtocol) -> Option<Ignored> {
        if key.0 < self.lowest_round {
            Some(Ignored::TooOld)
        } else if self.settled.contains(&key) {
            Some(Ignored::Settled)
        } else {
            None
        }
    }

    /// Offers one payload of a transaction from `from` in `block`; `policy` is the round's policy (looked up by
    /// the caller only when the payload is not ignored beforehand).
    pub fn add_payload(
        &mut self,
        from: Address,
        block: u64,
        payload: &SignaturePayload,
        policy: impl FnOnce() -> Option<RoundPolicy>,
    ) -> Option<Accepted> {
        let key = (payload.voting_round_id, payload.protocol_id);
        if let Some(ignored) = self.gate(key) {
            return Some(Accepted::Ignored(ignored));
        }
        if let SignedMessage::Inline(message) = &payload.message
            && !message_matches(message, key)
        {
            return Some(Accepted::Ignored(Ignored::MessageMismatch));
        }
        let group = match self.groups.entry(key) {
            std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::btree_map::Entry::Vacant(entry) => {
                entry.insert(Group::new(policy()?))
            }
        };
        if !group.senders.insert(from) {
            return Some(Accepted::Ignored(Ignored::SenderAlreadySubmitted));
        }
        group.first_block = Some(group.first_block.map_or(block, |b| b.min(block)));
        let outcome = match &payload.message {
            SignedMessage::Inline(message) => group.count_inline(key, message, &payload.signature),
            SignedMessage::Detached => group.count_detached(key, &payload.signature),
        };
        Some(self.after(key, outcome))
    }

    /// This node's own signed message for its (round, protocol) (the hand-off from the scheduler): buffered type-1
    /// signatures are counted against it. `None` when the round's policy is unknown.
    pub fn add_own_message(
        &mut self,
        message: &ProtocolMessageMerkleRoot,
        policy: impl FnOnce() -> Option<RoundPolicy>,
    ) -> Option<Vec<Accepted>> {
        let key = (message.voting_round_id, message.protocol_id);
        if let Some(ignored) = self.gate(key) {
            return Some(vec![Accepted::Ignored(ignored)]);
        }
        let group = match self.groups.entry(key) {
            std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::btree_map::Entry::Vacant(entry) => {
                entry.insert(Group::new(policy()?))
            }
        };
        if group.own_message.is_some() {
            return Some(vec![Accepted::Ignored(Ignored::MessageAddedTwice)]);
        }
        let encoded = message.encode();
        group.own_message = Some(keccak256(encoded));
        let round_policy = &group.round_policy;
        let collection = group
            .collections
            .entry(keccak256(encoded))
            .or_insert_with(|| {
                SignatureCollection::new(
                    round_policy.policy.clone(),
                    round_policy.threshold,
                    encoded,
                )
            });
        let hash = keccak256(encoded);
        let mut outcomes: Vec<Accepted> = std::mem::take(&mut group.detached)
            .iter()
            .map(|signature| count(key, hash, collection, signature, &round_policy.policy))
            .collect();
        if let Some(ready) = outcomes
            .iter()
            .position(|o| matches!(o, Accepted::Ready(_)))
        {
            let outcome = outcomes.remove(ready);
            outcomes.push(self.after(key, outcome));
        }
        Some(outcomes)
    }

    /// Settles `key` when `outcome` is a finalization, and drops rounds too old to matter then.
    fn after(&mut self, key: RoundProtocol, outcome: Accepted) -> Accepted {
        if matches!(outcome, Accepted::Ready(_)) {
            self.settle(key);
            if key.0 > ROUNDS_KEPT {
                self.drop_before(key.0 - ROUNDS_KEPT);
            }
        }
        outcome
    }

    /// Forgets every round before `round` (they are ignored from now on).
    pub fn drop_before(&mut self, round: u32) {
        if round <= self.lowest_round {
            return;
        }
        self.lowest_round = round;
        self.groups.retain(|(r, _), _| *r >= round);
        self.settled.retain(|(r, _)| *r >= round);
    }

    /// The lowest round still considered.
    pub fn lowest_round(&self) -> u32 {
        self.lowest_round
    }

    /// The lowest block holding a signature of an unsettled (round, protocol): the cursor must stay below it.
    pub fn first_open_block(&self) -> Option<u64> {
        self.groups.values().filter_map(|g| g.first_block).min()
    }

    /// Number of open (round, protocol) collections.
    pub fn open(&self) -> usize {
        self.groups.len()
    }
}

fn message_matches(message: &[u8; PROTOCOL_MESSAGE_LEN], (round, protocol): RoundProtocol) -> bool {
    ProtocolMessageMerkleRoot::decode(message)
        .is_ok_and(|m| m.voting_round_id == round && m.protocol_id == protocol)
}

fn count(
    (voting_round_id, protocol_id): RoundProtocol,
    message_hash: B256,
    collection: &mut SignatureCollection,
    signature: &[u8; VRS_SIGNATURE_LEN],
    policy: &SigningPolicy,
) -> Accepted {
    match collection.add(signature) {
        AddOutcome::Added {
            threshold_reached: true,
            ..
        } => match collection.relay_calldata() {
            Some(calldata) => Accepted::Ready(Box::new(Ready {
                voting_round_id,
                protocol_id,
                message_hash,
                calldata,
                policy: policy.clone(),
            })),
            None => Accepted::Counted,
        },
        AddOutcome::Added { .. } => Accepted::Counted,
        AddOutcome::Duplicate { .. } => Accepted::Ignored(Ignored::Duplicate),
        AddOutcome::NotAVoter(_) => Accepted::Ignored(Ignored::NotAVoter),
        AddOutcome::Invalid => Accepted::Ignored(Ignored::InvalidSignature),
    }
}
