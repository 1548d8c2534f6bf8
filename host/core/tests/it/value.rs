//! Value words: round trips and decoders never panic.

use ftso_core::value::{self, ProviderValue, ValueEncodingError};
use proptest::prelude::*;

use crate::fuzz_config;

/// Every integer a word can carry, or empty.
fn word_value() -> impl Strategy<Value = Option<i32>> {
    prop_oneof![Just(None), ((i32::MIN + 1)..=i32::MAX).prop_map(Some)]
}

proptest! {
    #[test]
    fn words_round_trip(value in word_value()) {
        prop_assert_eq!(value::decode_word(value::encode_word(value)), value);
    }

    #[test]
    fn every_word_decodes_and_re_encodes(word in any::<[u8; 4]>()) {
        prop_assert_eq!(value::encode_word(value::decode_word(word)), word);
    }

    #[test]
    fn integers_with_zero_decimals_encode_exactly(value in (i32::MIN + 1)..=i32::MAX) {
        prop_assert_eq!(value::scale(f64::from(value), 0), Ok(value));
        prop_assert_eq!(
            value::scale(f64::from(i32::MIN), 0),
            Err(ValueEncodingError::Overflow { value: f64::from(i32::MIN), decimals: 0 })
        );
    }

    #[test]
    fn value_lists_round_trip_with_stripping(values in proptest::collection::vec(word_value(), 0..70)) {
        let bytes = value::encode_scaled(&values);
        let decoded = value::decode_values(&bytes, values.len()).unwrap();
        prop_assert_eq!(&decoded, &values);
        // Stripped: no trailing empty word unless it is the only one.
        if bytes.len() > 4 {
            prop_assert_ne!(&bytes[bytes.len() - 4..], &[0u8; 4]);
        }
        prop_assert_eq!(bytes.is_empty(), values.is_empty());
    }

    #[test]
    fn provider_values_encode_like_their_scaled_integers(
        values in proptest::collection::vec(proptest::option::of(-1.0e6..1.0e6f64), 0..20),
        decimals in proptest::collection::vec(-3i8..8, 20),
    ) {
        let decimals = &decimals[..values.len()];
        let provider: Vec<ProviderValue> = values.iter().copied().map(ProviderValue::from).collect();
        let encoded = value::encode_values(&provider, decimals);
        let scaled: Result<Vec<Option<i32>>, _> = values
            .iter()
            .zip(decimals)
            .map(|(v, d)| v.map(|x| value::scale(x, *d)).transpose())
            .collect();
        match (encoded, scaled) {
            (Ok(bytes), Ok(scaled)) => prop_assert_eq!(bytes, value::encode_scaled(&scaled)),
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "encode {a:?} vs scale {b:?}"),
        }
    }
}

proptest! {
    #![proptest_config(fuzz_config())]

    #[test]
    fn decode_values_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200), feeds in 0usize..60) {
        match value::decode_values(&bytes, feeds) {
            Ok(values) => prop_assert_eq!(values.len(), feeds),
            Err(_) => prop_assert!(bytes.len() % 4 != 0 || bytes.len() / 4 > feeds),
        }
    }

    #[test]
    fn scale_never_panics(bits in any::<u64>(), decimals in any::<i8>()) {
        let _ = value::scale(f64::from_bits(bits), decimals);
    }
}
