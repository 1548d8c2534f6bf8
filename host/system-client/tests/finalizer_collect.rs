//! The finalizer's parsing and aggregation without a chain: truncated transactions, unknown signers, duplicate
//! signatures and repeated senders, the one-time threshold, and type-1 signatures finalized with this node's own
//! message; the calldata of a finalization is accepted by `ftso_core`'s Relay model.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail on any unexpected error"
)]

use alloy::primitives::{Address, B256, keccak256};
use alloy::signers::local::PrivateKeySigner;
use ftso_core::protocol_message::ProtocolMessageMerkleRoot;
use ftso_core::relay::{RelayInitialConfig, RelayState};
use ftso_core::signing_policy::SigningPolicy;
use ftso_core::submit_signatures::{
    SignaturePayload, SignaturePayloadType, submit_signatures_calldata,
};
use ftso_storage::TransactionRow;
use ftso_system_client::finalizer::collect::{Accepted, Collector, Ignored, RoundPolicy};
use ftso_system_client::finalizer::parse::parse_submit_signatures;

const PROTOCOL: u8 = 100;
const ROUND: u32 = 2000;

fn keys() -> Vec<PrivateKeySigner> {
    (1..=4u8)
        .map(|i| PrivateKeySigner::from_bytes(&B256::repeat_byte(i)).unwrap())
        .collect()
}

/// Voters 0..3 with weights 30, 30, 40, 0; threshold 50.
fn round_policy() -> RoundPolicy {
    let keys = keys();
    RoundPolicy {
        policy: SigningPolicy {
            reward_epoch_id: 3,
            start_voting_round_id: 1990,
            threshold: 50,
            seed: B256::repeat_byte(7),
            voters: keys[..3].iter().map(PrivateKeySigner::address).collect(),
            weights: vec![30, 30, 40],
        },
        threshold: 50,
    }
}

fn message(round: u32) -> ProtocolMessageMerkleRoot {
    ProtocolMessageMerkleRoot {
        protocol_id: PROTOCOL,
        voting_round_id: round,
        is_secure_random: true,
        merkle_root: keccak256(round.to_be_bytes()),
    }
}

fn payload(
    key: &PrivateKeySigner,
    payload_type: SignaturePayloadType,
    round: u32,
) -> SignaturePayload {
    SignaturePayload::sign(
        key,
        PROTOCOL,
        round,
        payload_type,
        &message(round).encode(),
        &[],
    )
    .unwrap()
}

fn row(input: &[u8], from: Address, block: u64) -> TransactionRow {
    TransactionRow {
        id: block,
        hash: format!("{:064x}", block),
        function_sig: alloy::hex::encode(&input[..4]),
        input: alloy::hex::encode(input),
        block_number: block,
        block_hash: format!("{:064x}", block + 1),
        transaction_index: 0,
        from_address: alloy::hex::encode(from),
        to_address: "00".repeat(20),
        status: 1,
        value: "0".into(),
        gas_price: "0".into(),
        gas: 0,
        timestamp: 0,
    }
}

fn sender(i: u8) -> Address {
    Address::repeat_byte(0xa0 + i)
}

fn add(
    collector: &mut Collector,
    from: Address,
    block: u64,
    payload: &SignaturePayload,
) -> Accepted {
    collector
        .add_payload(from, block, payload, || Some(round_policy()))
        .unwrap()
}

#[test]
fn a_truncated_transaction_is_skipped_whole_and_a_malformed_payload_alone() {
    let keys = keys();
    let good = payload(&keys[0], SignaturePayloadType::Type0, ROUND);
    let calldata = submit_signatures_calldata(std::slice::from_ref(&good)).unwrap();
    let parsed = parse_submit_signatures(&row(&calldata, sender(0), 5)).unwrap();
    assert_eq!(parsed.payloads, vec![good.clone()]);
    assert_eq!((parsed.from, parsed.block_number), (sender(0), 5));

    // One byte short: the length field promises more than the calldata holds.
    let truncated = &calldata[..calldata.len() - 1];
    assert!(parse_submit_signatures(&row(truncated, sender(0), 5)).is_err());

    // A well-framed payload of an unknown type is dropped; the other payload of the transaction stays.
    let mut mixed = calldata.clone();
    mixed.extend_from_slice(&[PROTOCOL + 1, 0, 0, 0x07, 0xd0, 0x00, 0x02, 0x09, 0x00]);
    let parsed = parse_submit_signatures(&row(&mixed, sender(0), 5)).unwrap();
    assert_eq!(parsed.payloads, vec![good]);
}

#[test]
fn unknown_signers_duplicates_and_repeated_senders_do_not_count_and_the_threshold_fires_once() {
    let keys = keys();
    let mut collector = Collector::new(1990);
    // keys[3] is not in the policy.
    assert_eq!(
        add(
            &mut collector,
            sender(3),
            10,
            &payload(&keys[3], SignaturePayloadType::Type0, ROUND)
        ),
        Accepted::Ignored(Ignored::NotAVoter)
    );
    assert_eq!(
        add(
            &mut collector,
            sender(0),
            11,
            &payload(&keys[0], SignaturePayloadType::Type0, ROUND)
        ),
        Accepted::Counted
    );
    // The same sender again, then the same voter from another sender: neither counts.
    assert_eq!(
        add(
            &mut collector,
            sender(0),
            12,
            &payload(&keys[1], SignaturePayloadType::Type0, ROUND)
        ),
        Accepted::Ignored(Ignored::SenderAlreadySubmitted)
    );
    assert_eq!(
        add(
            &mut collector,
            sender(4),
            12,
            &payload(&keys[0], SignaturePayloadType::Type0, ROUND)
        ),
        Accepted::Ignored(Ignored::Duplicate)
    );
    // 30 + 30 = 60 > 50.
    let Accepted::Ready(ready) = add(
        &mut collector,
        sender(1),
        13,
        &payload(&keys[1], SignaturePayloadType::Type0, ROUND),
    ) else {
        panic!("threshold not reached");
    };
    assert_eq!(
        (ready.voting_round_id, ready.protocol_id),
        (ROUND, PROTOCOL)
    );
    assert_eq!(ready.message_hash, keccak256(message(ROUND).encode()));
    assert_relay_accepts(&ready.calldata, &round_policy().policy);
    // Settled: the third voter's signature no longer matters, and nothing holds the cursor.
    assert_eq!(
        add(
            &mut collector,
            sender(2),
            14,
            &payload(&keys[2], SignaturePayloadType::Type0, ROUND)
        ),
        Accepted::Ignored(Ignored::Settled)
    );
    assert_eq!(collector.first_open_block(), None);
    // A round before the starting round is ignored.
    assert_eq!(
        add(
            &mut collector,
            sender(0),
            15,
            &payload(&keys[0], SignaturePayloadType::Type0, 1989)
        ),
        Accepted::Ignored(Ignored::TooOld)
    );
}

#[test]
fn a_type_0_message_of_another_round_is_ignored() {
    let keys = keys();
    let mut collector = Collector::new(1990);
    let mut mismatched = payload(&keys[0], SignaturePayloadType::Type0, ROUND);
    mismatched.voting_round_id = ROUND + 1;
    assert_eq!(
        add(&mut collector, sender(0), 10, &mismatched),
        Accepted::Ignored(Ignored::MessageMismatch)
    );
}

#[test]
fn type_1_signatures_wait_for_the_own_message_and_hold_the_cursor_meanwhile() {
    let keys = keys();
    let mut collector = Collector::new(1990);
    for (i, key) in keys[..2].iter().enumerate() {
        let block = 20 + i as u64;
        let accepted = add(
            &mut collector,
            sender(i as u8),
            block,
            &payload(key, SignaturePayloadType::Type1, ROUND),
        );
        assert_eq!(accepted, Accepted::Buffered);
    }
    assert_eq!(collector.first_open_block(), Some(20));
    // A type-1 signature over another root recovers to a stranger once the message is known.
    let mut other = message(ROUND);
    other.merkle_root = B256::repeat_byte(1);
    let wrong = SignaturePayload::sign(
        &keys[2],
        PROTOCOL,
        ROUND,
        SignaturePayloadType::Type1,
        &other.encode(),
        &[],
    )
    .unwrap();
    assert_eq!(
        add(&mut collector, sender(2), 22, &wrong),
        Accepted::Buffered
    );

    let outcomes = collector
        .add_own_message(&message(ROUND), || Some(round_policy()))
        .unwrap();
    let ready: Vec<_> = outcomes
        .iter()
        .filter_map(|o| match o {
            Accepted::Ready(ready) => Some(ready),
            _ => None,
        })
        .collect();
    assert_eq!(ready.len(), 1, "{outcomes:?}");
    assert!(outcomes.contains(&Accepted::Ignored(Ignored::NotAVoter)));
    assert_relay_accepts(&ready[0].calldata, &round_policy().policy);
    assert_eq!(collector.first_open_block(), None);
    assert_eq!(
        collector.add_own_message(&message(ROUND), || Some(round_policy())),
        Some(vec![Accepted::Ignored(Ignored::Settled)])
    );
}

#[test]
fn a_second_own_message_for_an_open_round_is_refused() {
    let mut collector = Collector::new(1990);
    assert_eq!(
        collector.add_own_message(&message(ROUND), || Some(round_policy())),
        Some(vec![])
    );
    assert_eq!(
        collector.add_own_message(&message(ROUND), || Some(round_policy())),
        Some(vec![Accepted::Ignored(Ignored::MessageAddedTwice)])
    );
    // Without a policy the message cannot be placed.
    assert_eq!(
        collector.add_own_message(&message(ROUND + 1), || None),
        None
    );
}

/// The Relay model (deployed on a schedule fitting the policy) accepts `calldata`.
fn assert_relay_accepts(calldata: &[u8], policy: &SigningPolicy) {
    let config = RelayInitialConfig::aligned_with(policy, 90, 12_000, 10).unwrap();
    let mut relay = RelayState::deployed(config, policy).unwrap();
    let outcome = relay.relay(calldata).unwrap();
    assert_eq!(outcome.message, message(ROUND));
}
