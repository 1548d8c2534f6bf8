//! Property tests of the fast-updates cryptography and encodings.

use alloy_primitives::{Address, Bytes, U256};
use alloy_signer_local::PrivateKeySigner;
use ftso_core::fast_updates::{
    Credential, CredentialError, Delta, FastUpdate, PointWords, SignedUpdate, SortitionKey,
    credential::{self, nonce_from_random_bytes},
    delta, eligibility, key_registration,
    scaling::chain_value_to_f64,
    update,
};
use proptest::prelude::*;

fn any_delta() -> impl Strategy<Value = Delta> {
    prop_oneof![Just(Delta::Zero), Just(Delta::Up), Just(Delta::Down)]
}

fn any_word() -> impl Strategy<Value = U256> {
    any::<[u8; 32]>().prop_map(U256::from_be_bytes)
}

fn any_key() -> impl Strategy<Value = SortitionKey> {
    any::<[u8; 32]>().prop_filter_map("zero key", |bytes| SortitionKey::from_be_bytes(&bytes).ok())
}

fn any_nonce() -> impl Strategy<Value = ark_bn254::Fr> {
    (any::<[u8; 32]>(), any::<[u8; 32]>()).prop_map(|(a, b)| {
        let mut bytes = [0u8; 64];
        bytes[..32].copy_from_slice(&a);
        bytes[32..].copy_from_slice(&b);
        nonce_from_random_bytes(&bytes)
    })
}

/// A ticket with its proof: key, seed, block, credential.
fn any_proved_ticket() -> impl Strategy<Value = (SortitionKey, U256, U256, Credential)> {
    (any_key(), any_word(), any::<u64>(), 0u64..4096, any_nonce()).prop_map(
        |(key, seed, block, replicate, k)| {
            let block = U256::from(block);
            let proof = credential::prove_with_nonce(&key, seed, block, U256::from(replicate), &k);
            (key, seed, block, proof.credential)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn deltas_round_trip_through_bytes_and_strings(deltas in prop::collection::vec(any_delta(), 0..300)) {
        let bytes = delta::encode(&deltas);
        prop_assert_eq!(bytes.len(), deltas.len().div_ceil(4));
        let decoded = delta::decode(&bytes);
        prop_assert_eq!(decoded.len(), 4 * bytes.len());
        prop_assert_eq!(&decoded[..deltas.len()], &deltas[..]);
        prop_assert!(decoded[deltas.len()..].iter().all(|d| *d == Delta::Zero));
        let text = delta::to_go_string(&deltas);
        prop_assert_eq!(delta::from_go_string(&text), deltas);
    }

    #[test]
    fn decoding_any_bytes_clears_only_the_ignored_code(bytes in prop::collection::vec(any::<u8>(), 0..80)) {
        let reencoded = delta::encode(&delta::decode(&bytes));
        let expected: Vec<u8> = bytes
            .iter()
            .map(|b| (0..4).fold(0u8, |acc, t| {
                let pair = (b >> (6 - 2 * t)) & 0b11;
                acc | (if pair == 0b10 { 0 } else { pair } << (6 - 2 * t))
            }))
            .collect();
        prop_assert_eq!(reencoded, expected);
    }

    #[test]
    fn decoders_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..700)) {
        let _ = Credential::abi_decode(&bytes);
        let _ = SignedUpdate::decode_submit_updates(&bytes);
        let _ = update::decode_submit_and_pass(&bytes);
        let mut with_selector = vec![0x47, 0x0e, 0x91, 0xdf];
        with_selector.extend_from_slice(&bytes);
        let _ = SignedUpdate::decode_submit_updates(&with_selector);
        let mut with_selector = vec![0x83, 0x3b, 0xf6, 0xc0];
        with_selector.extend_from_slice(&bytes);
        let _ = update::decode_submit_and_pass(&with_selector);
    }

    #[test]
    fn verifiers_never_panic_on_arbitrary_words(
        words in prop::collection::vec(any_word(), 8),
        data in prop::collection::vec(any::<u8>(), 0..130),
        identity in any::<[u8; 20]>(),
    ) {
        let pk = PointWords { x: words[0], y: words[1] };
        let credential = Credential {
            replicate: words[2],
            gamma: PointWords { x: words[3], y: words[4] },
            c: words[5],
            s: words[6],
        };
        let _ = pk.to_affine();
        prop_assert!(credential::verify(&pk, words[7], words[2], &credential).is_err());
        prop_assert!(key_registration::verify(&pk, &Address::from(identity), &data).is_err());
    }

    #[test]
    fn u64_chain_values_with_zero_decimals_convert_like_a_cast(value in any::<u64>()) {
        #[allow(clippy::cast_precision_loss, reason = "the cast is the reference rounding")]
        let want = value as f64;
        prop_assert_eq!(chain_value_to_f64(U256::from(value), 0), want);
    }
}

proptest! {
    // Proofs cost a few scalar multiplications each; fewer cases keep the suite fast.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn proved_credentials_verify_and_win_with_the_widest_cutoff((key, seed, block, credential) in any_proved_ticket()) {
        let pk = key.public_words();
        prop_assert_eq!(credential::verify(&pk, seed, block, &credential), Ok(()));
        prop_assert_eq!(
            eligibility::check_ticket(&pk, seed, block, &credential, 4096, U256::MAX),
            Ok(())
        );
        let encoded = credential.abi_encode();
        prop_assert_eq!(Credential::abi_decode(&encoded), Ok(credential));
    }

    #[test]
    fn tampered_credentials_are_rejected(
        (key, seed, block, credential) in any_proved_ticket(),
        tweak in 1u64..1000,
        which in 0usize..6,
    ) {
        let pk = key.public_words();
        let tweak = U256::from(tweak);
        let (seed, block, credential) = match which {
            0 => (seed, block, Credential { c: credential.c + tweak, ..credential }),
            1 => (seed, block, Credential { s: credential.s + tweak, ..credential }),
            2 => (seed, block, Credential { replicate: credential.replicate + tweak, ..credential }),
            3 => (seed ^ tweak, block, credential),
            4 => (seed, block + tweak, credential),
            _ => (seed, block, Credential {
                gamma: PointWords { x: credential.gamma.x, y: credential.gamma.y + tweak },
                ..credential
            }),
        };
        let result = credential::verify(&pk, seed, block, &credential);
        match which {
            5 => prop_assert!(matches!(result, Err(CredentialError::Gamma(_)))),
            _ => prop_assert_eq!(result, Err(CredentialError::ProofInvalid)),
        }
    }

    #[test]
    fn registration_signatures_verify_only_for_their_identity(
        key in any_key(),
        k in any_nonce(),
        identity in any::<[u8; 20]>(),
        other in any::<[u8; 20]>(),
    ) {
        let identity = Address::from(identity);
        let registration = key_registration::sign_with_nonce(&key, &identity, &k);
        let data = registration.verification_data();
        prop_assert_eq!(key_registration::verify(&key.public_words(), &identity, &data), Ok(()));
        let other = Address::from(other);
        prop_assume!(other != identity);
        prop_assert!(key_registration::verify(&key.public_words(), &other, &data).is_err());
    }

    #[test]
    fn signed_updates_recover_the_signer_and_round_trip_calldata(
        (_key, _seed, block, credential) in any_proved_ticket(),
        deltas in prop::collection::vec(any_delta(), 0..100),
        secret in any::<[u8; 32]>(),
    ) {
        let signer = PrivateKeySigner::from_slice(&secret);
        prop_assume!(signer.is_ok());
        let signer = signer.unwrap();
        let update = FastUpdate {
            sortition_block: block,
            credential,
            deltas: Bytes::from(delta::encode(&deltas)),
        };
        let signed = update.sign(&signer).unwrap();
        prop_assert!(signed.signature.v == 27 || signed.signature.v == 28);
        prop_assert_eq!(update.recover_signer(&signed.signature), Ok(signer.address()));
        let calldata = signed.submit_updates_calldata();
        prop_assert_eq!(SignedUpdate::decode_submit_updates(&calldata), Ok(signed.clone()));
        for (index, byte) in calldata.iter().enumerate().step_by(7) {
            let mut mutated = calldata.clone();
            mutated[index] = byte.wrapping_add(0x81);
            let _ = SignedUpdate::decode_submit_updates(&mutated);
            let _ = SignedUpdate::decode_submit_updates(&mutated[..index]);
        }
        let outer = signed.submit_and_pass_calldata();
        prop_assert_eq!(update::decode_submit_and_pass(&outer).map(|b| b.to_vec()), Ok(calldata[4..].to_vec()));
    }
}
