//! PayloadMessages: round trips and the decoder never panics.

use ftso_core::payload::{self, HEADER_LEN, PayloadError, PayloadMessage};
use proptest::prelude::*;

use crate::fuzz_config;

fn message() -> impl Strategy<Value = PayloadMessage> {
    (
        any::<u8>(),
        any::<u32>(),
        proptest::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(|(protocol_id, voting_round_id, payload)| PayloadMessage {
            protocol_id,
            voting_round_id,
            payload,
        })
}

proptest! {
    #[test]
    fn concatenations_round_trip(messages in proptest::collection::vec(message(), 0..6)) {
        let bytes = payload::encode_concatenated(&messages).unwrap();
        prop_assert_eq!(payload::decode_concatenated(&bytes).unwrap(), messages);
    }

    #[test]
    fn any_truncation_is_an_error(messages in proptest::collection::vec(message(), 1..4), cut in any::<prop::sample::Index>()) {
        let bytes = payload::encode_concatenated(&messages).unwrap();
        let cut = cut.index(bytes.len());
        let truncated = &bytes[..cut];
        // A cut exactly at a message boundary is a valid shorter concatenation.
        let mut boundaries = vec![0];
        for m in &messages {
            boundaries.push(boundaries.last().unwrap() + m.encoded_len());
        }
        let result = payload::decode_concatenated(truncated);
        if boundaries.contains(&cut) {
            prop_assert!(result.is_ok());
        } else {
            let is_truncation = matches!(
                result,
                Err(PayloadError::TruncatedHeader { .. } | PayloadError::PayloadOverrun { .. })
            );
            prop_assert!(is_truncation);
        }
    }
}

proptest! {
    #![proptest_config(fuzz_config())]

    #[test]
    fn decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(messages) = payload::decode_concatenated(&bytes) {
            let total: usize = messages.iter().map(|m| HEADER_LEN + m.payload.len()).sum();
            prop_assert_eq!(total, bytes.len());
            prop_assert_eq!(payload::encode_concatenated(&messages).unwrap(), bytes);
        }
    }
}
