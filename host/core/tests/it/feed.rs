//! Feed ids: encode/decode round trips, and decoders never panic.

use ftso_core::feed::{FEED_ID_LEN, FeedId, FeedIdError};
use proptest::prelude::*;

use crate::fuzz_config;

/// Names of at most 20 UTF-8 bytes that do not end in NUL (trailing NULs are padding).
fn name() -> impl Strategy<Value = String> {
    any::<String>().prop_map(|s| {
        let mut out = String::new();
        for c in s.chars() {
            if out.len() + c.len_utf8() > 20 {
                break;
            }
            out.push(c);
        }
        out.trim_end_matches('\0').to_owned()
    })
}

proptest! {
    #[test]
    fn strict_decoding_inverts_encoding(category in any::<u8>(), name in name()) {
        let id = FeedId::new(u32::from(category), &name).unwrap();
        prop_assert_eq!(id.category_and_name().unwrap(), (category, name.clone()));
        prop_assert_eq!(id.to_string().parse::<FeedId>().unwrap(), id);
        prop_assert_eq!(FeedId::from_slice(id.as_bytes()).unwrap(), id);
        prop_assert_eq!(id.data_provider_decode().name, name.replace('\0', ""));
    }

    #[test]
    fn long_names_and_large_categories_are_errors(category in 256u32.., extra in "[A-Z]{21,40}") {
        let too_long = FeedId::new(1, &extra);
        let is_name_too_long = matches!(too_long, Err(FeedIdError::NameTooLong { .. }));
        prop_assert!(is_name_too_long);
        prop_assert_eq!(
            FeedId::new(category, "BTC/USD"),
            Err(FeedIdError::CategoryTooLarge { category })
        );
    }
}

proptest! {
    #![proptest_config(fuzz_config())]

    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64), text in ".{0,50}") {
        if let Ok(id) = FeedId::from_slice(&bytes) {
            prop_assert_eq!(bytes.len(), FEED_ID_LEN);
            let _ = id.category_and_name();
            let decoded = id.data_provider_decode();
            prop_assert!(!decoded.name.contains('\0'));
        } else {
            prop_assert_ne!(bytes.len(), FEED_ID_LEN);
        }
        let _ = text.parse::<FeedId>();
    }
}
