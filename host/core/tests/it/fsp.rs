//! Flare Systems Protocol encodings: round trips, decoders that never panic, the Relay model
//! against a direct weight count, finalizer selection and epoch arithmetic invariants.

use alloy_primitives::{Address, B256, keccak256};
use alloy_signer_local::PrivateKeySigner;
use ftso_core::epoch::{self, EpochSettings};
use ftso_core::finalizer;
use ftso_core::protocol_message::ProtocolMessageMerkleRoot;
use ftso_core::relay::{self, RelayError, RelaySignature, RelayState};
use ftso_core::signing;
use ftso_core::signing_policy::{self, SigningPolicy};
use ftso_core::submit_signatures::{self, SignaturePayload, SignedMessage};
use proptest::prelude::*;

use crate::fuzz_config;

fn policy() -> impl Strategy<Value = SigningPolicy> {
    (
        0u32..(1 << 24),
        any::<u32>(),
        any::<u16>(),
        any::<[u8; 32]>(),
        proptest::collection::vec((any::<[u8; 20]>(), any::<u16>()), 0..40),
    )
        .prop_map(|(epoch, start, threshold, seed, voters)| SigningPolicy {
            reward_epoch_id: epoch,
            start_voting_round_id: start,
            threshold,
            seed: B256::from(seed),
            voters: voters.iter().map(|(a, _)| Address::from(*a)).collect(),
            weights: voters.iter().map(|(_, w)| *w).collect(),
        })
}

fn signature_payload() -> impl Strategy<Value = SignaturePayload> {
    (
        any::<u8>(),
        any::<u32>(),
        proptest::option::of(any::<[u8; 38]>()),
        proptest::collection::vec(any::<u8>(), 65),
        proptest::collection::vec(any::<u8>(), 0..200),
    )
        .prop_map(
            |(protocol_id, voting_round_id, message, signature, additional_data)| {
                SignaturePayload {
                    protocol_id,
                    voting_round_id,
                    message: message.map_or(SignedMessage::Detached, SignedMessage::Inline),
                    signature: signature.try_into().unwrap_or([0; 65]),
                    additional_data,
                }
            },
        )
}

proptest! {
    #[test]
    fn signing_policies_round_trip(policy in policy()) {
        let bytes = policy.encode().unwrap();
        prop_assert_eq!(bytes.len(), SigningPolicy::encoded_len_for(policy.voters.len()));
        prop_assert_eq!(SigningPolicy::decode(&bytes).unwrap(), policy.clone());
        prop_assert_eq!(policy.legacy_hash().unwrap(), signing_policy::legacy_hash(&bytes));
    }

    #[test]
    fn signature_payloads_round_trip(payloads in proptest::collection::vec(signature_payload(), 0..5)) {
        let calldata = submit_signatures::submit_signatures_calldata(&payloads).unwrap();
        let decoded = submit_signatures::decode_submit_signatures_calldata(&calldata).unwrap();
        let decoded: Vec<SignaturePayload> = decoded.into_iter().map(Result::unwrap).collect();
        prop_assert_eq!(decoded, payloads);
    }

    #[test]
    fn protocol_messages_round_trip(protocol_id in any::<u8>(), round in any::<u32>(), secure in any::<bool>(), root in any::<[u8; 32]>()) {
        let message = ProtocolMessageMerkleRoot {
            protocol_id,
            voting_round_id: round,
            is_secure_random: secure,
            merkle_root: B256::from(root),
        };
        prop_assert_eq!(ProtocolMessageMerkleRoot::decode(&message.encode()).unwrap(), message);
    }

    #[test]
    fn epoch_arithmetic_is_consistent(round in 0u32..50_000_000, offset in 0u64..90, epoch in 0u32..100_000) {
        for profile in epoch::PROFILES {
            let e: EpochSettings = profile.epochs;
            let start = e.voting_round_start(round);
            prop_assert_eq!(e.voting_round_at(start + offset), Some(round));
            prop_assert_eq!(e.relative_time(start + offset), Some(offset));
            prop_assert_eq!(e.voting_round_end(round), e.voting_round_start(round + 1));
            let first = u32::try_from(e.reward_epoch_start_round(epoch)).unwrap();
            prop_assert_eq!(e.reward_epoch_of_round(first), Some(epoch));
            let last = u32::try_from(e.reward_epoch_end_round(epoch) - 1).unwrap();
            prop_assert_eq!(e.reward_epoch_of_round(last), Some(epoch));
        }
    }

    #[test]
    fn binary_search_finds_the_range_holding_the_value(weights in proptest::collection::vec(1u64..1000, 1..50), pick in any::<prop::sample::Index>()) {
        let thresholds = finalizer::thresholds(&weights);
        let total: u64 = weights.iter().sum();
        let value = pick.index(usize::try_from(total).unwrap()) as u64;
        let index = finalizer::binary_search(&thresholds, value).unwrap();
        prop_assert!(thresholds[index] <= value);
        prop_assert!(value < thresholds[index] + weights[index]);
    }

    #[test]
    fn finalizer_selection_reaches_its_target_with_distinct_voters(
        weights in proptest::collection::vec(0u64..2000, 1..60),
        seed in any::<[u8; 32]>(),
        protocol_id in any::<u8>(),
        round in any::<u32>(),
        bips in 0u16..=5000,
    ) {
        let total: u64 = weights.iter().sum();
        let result = finalizer::select_finalizers(&weights, &B256::from(seed), protocol_id, round, bips);
        let target = u128::from(total) * u128::from(bips) / 10_000;
        if target == 0 {
            prop_assert_eq!(result.unwrap(), Vec::<usize>::new());
        } else {
            let selected = result.unwrap();
            let mut sorted = selected.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(sorted.len(), selected.len());
            let weight: u128 = selected.iter().map(|&i| u128::from(weights[i])).sum();
            prop_assert!(weight >= target);
            // Dropping the last pick falls below the target: selection stops as soon as it can.
            let last = u128::from(weights[*selected.last().unwrap()]);
            prop_assert!(weight - last < target);
        }
    }
}

proptest! {
    #![proptest_config(fuzz_config())]

    #[test]
    fn signing_policy_decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(policy) = SigningPolicy::decode(&bytes) {
            prop_assert_eq!(&policy.encode().unwrap(), &bytes);
        }
        let _ = SigningPolicy::decode_prefix(&bytes);
        let _ = signing_policy::legacy_hash(&bytes);
    }

    #[test]
    fn submit_signatures_decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut calldata = submit_signatures::submit_signatures_calldata(&[]).unwrap();
        calldata.extend_from_slice(&bytes);
        if let Ok(payloads) = submit_signatures::decode_submit_signatures_calldata(&calldata) {
            for payload in payloads.into_iter().flatten() {
                let _ = payload.recover_signer(&B256::ZERO);
            }
        }
        let _ = submit_signatures::decode_submit_signatures_calldata(&bytes);
        let _ = ProtocolMessageMerkleRoot::decode(&bytes);
    }

    #[test]
    fn relay_verifier_never_panics(tail in proptest::collection::vec(any::<u8>(), 0..600), depth in 0u8..4, count in 0u16..6) {
        // depth 0: random bytes after the selector; 1: a stored policy, then random bytes;
        // 2: policy and a valid message; 3: policy, message and a small signature count.
        let policy = model_policy(&[1, 1, 1]);
        let mut state = model_state();
        state.initialize_policy(&policy).unwrap();
        let mut calldata = relay::RELAY_SELECTOR.to_vec();
        if depth >= 1 {
            calldata.extend_from_slice(&policy.encode().unwrap());
        }
        if depth >= 2 {
            calldata.extend_from_slice(&model_message(15));
        }
        if depth >= 3 {
            calldata.extend_from_slice(&count.to_be_bytes());
        }
        calldata.extend_from_slice(&tail);
        let verdict = state.verify(&calldata);
        // Random signatures never carry enough weight from the right voters.
        prop_assert!(verdict.is_err());
    }
}

fn model_message(round: u32) -> [u8; 38] {
    ProtocolMessageMerkleRoot {
        protocol_id: 100,
        voting_round_id: round,
        is_secure_random: false,
        merkle_root: B256::repeat_byte(1),
    }
    .encode()
}

/// Keys of the Relay model tests.
fn keys() -> Vec<PrivateKeySigner> {
    (1..=5u8)
        .filter_map(|i| PrivateKeySigner::from_bytes(&B256::repeat_byte(i)).ok())
        .collect()
}

fn model_policy(weights: &[u16]) -> SigningPolicy {
    let keys = keys();
    SigningPolicy {
        reward_epoch_id: 1,
        start_voting_round_id: 10,
        threshold: 0,
        seed: B256::ZERO,
        voters: keys
            .iter()
            .take(weights.len())
            .map(PrivateKeySigner::address)
            .collect(),
        weights: weights.to_vec(),
    }
}

fn model_state() -> RelayState {
    RelayState {
        reward_epoch_duration_in_voting_epochs: 10,
        threshold_increase_bips: 12_000,
        message_finalization_window_in_reward_epochs: 10,
        ..RelayState::default()
    }
}

proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(64))]

    /// The Relay accepts exactly when the signers' total weight is strictly above the threshold.
    #[test]
    fn relay_accepts_iff_signed_weight_exceeds_threshold(
        weights in proptest::collection::vec(0u16..100, 5),
        signers in proptest::collection::vec(any::<bool>(), 5),
        threshold in 0u16..400,
        root in any::<[u8; 32]>(),
    ) {
        let keys = keys();
        let policy = SigningPolicy { threshold, ..model_policy(&weights) };
        let mut state = model_state();
        state.initialize_policy(&policy).unwrap();
        let message = ProtocolMessageMerkleRoot {
            protocol_id: 100,
            voting_round_id: 15,
            is_secure_random: false,
            merkle_root: B256::from(root),
        }
        .encode();
        let hash = keccak256(message);
        let signatures: Vec<RelaySignature> = (0..5)
            .filter(|&i| signers[i])
            .map(|i| RelaySignature {
                index: i as u16,
                signature: signing::to_vrs_bytes(&signing::sign_eip191(&keys[i], &hash).unwrap()),
            })
            .collect();
        let signed: u64 = (0..5).filter(|&i| signers[i]).map(|i| u64::from(weights[i])).sum();
        let calldata = relay::relay_calldata(&policy.encode().unwrap(), &message, &signatures).unwrap();
        let verdict = state.verify(&calldata);
        if signed > u64::from(threshold) {
            prop_assert!(verdict.is_ok(), "{:?}", verdict);
        } else {
            prop_assert_eq!(verdict, Err(RelayError::NotEnoughWeight));
        }
        // The finalizer's own selection never produces calldata the Relay rejects.
        if let Some(chosen) = relay::select_signatures(&policy, &signatures, u64::from(threshold)) {
            let calldata = relay::relay_calldata(&policy.encode().unwrap(), &message, &chosen).unwrap();
            prop_assert!(state.verify(&calldata).is_ok());
        } else {
            prop_assert!(signed <= u64::from(threshold));
        }
    }
}
