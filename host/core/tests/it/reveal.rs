//! Reveals: encode/decode round trips, commit matching, and the decoder never panics.

use alloy_primitives::{Address, B256};
use ftso_core::{
    commit::{self, Reveal, RevealError},
    value,
};
use proptest::prelude::*;

use crate::fuzz_config;

fn word_value() -> impl Strategy<Value = Option<i32>> {
    prop_oneof![Just(None), ((i32::MIN + 1)..=i32::MAX).prop_map(Some)]
}

proptest! {
    #[test]
    fn reveals_round_trip_and_open_their_commit(
        random in any::<[u8; 32]>(),
        values in proptest::collection::vec(word_value(), 0..64),
        extra_feeds in 0usize..4,
        address in any::<[u8; 20]>(),
        round in any::<u32>(),
    ) {
        let reveal = Reveal { random: B256::from(random), encoded_values: value::encode_scaled(&values) };
        let address = Address::from(address);
        let commit_hash = reveal.commit_hash(address, round);
        let message = reveal.submit2_message(round).unwrap();
        let decoded = Reveal::decode(&message.payload, values.len() + extra_feeds).unwrap();
        let mut padded = values.clone();
        padded.resize(values.len() + extra_feeds, None);
        prop_assert_eq!(&decoded.values, &padded);
        prop_assert_eq!(&decoded.reveal, &reveal);
        prop_assert!(decoded.reveal.matches(&commit_hash, address, round));
        prop_assert!(!decoded.reveal.matches(&commit_hash, address, round.wrapping_add(1)));
        let submit1 = commit::submit1_message(round, commit_hash);
        prop_assert_eq!(commit::decode_commit(&submit1.payload).unwrap(), commit_hash);
    }
}

proptest! {
    #![proptest_config(fuzz_config())]

    #[test]
    fn decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300), feeds in 0usize..70) {
        match Reveal::decode(&bytes, feeds) {
            Ok(decoded) => {
                prop_assert_eq!(decoded.values.len(), feeds);
                prop_assert_eq!(&decoded.reveal.payload(), &bytes);
            }
            Err(RevealError::MissingRandom { len }) => prop_assert!(len < 32),
            Err(RevealError::Values(_)) => prop_assert!(bytes.len() >= 32),
        }
        let _ = commit::decode_commit(&bytes);
    }
}
