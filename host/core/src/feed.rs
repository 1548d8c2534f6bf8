//! Feed identifiers: `bytes21` = category byte ‖ UTF-8 name right-padded with zeros to 20 bytes.
//!
//! Two decodings exist and both are needed:
//!
//! * [`FeedId::category_and_name`], the strict one (as the contract's `getFeedCategoryAndName`):
//!   the category byte as is, the name with trailing zero bytes stripped, valid UTF-8 required.
//!   It inverts [`FeedId::new`] for every name that does not end in NUL.
//! * [`FeedId::data_provider_decode`], what the reference data provider sends to the feed value
//!   provider: the two hex digits of the category byte parsed as a *decimal* number with
//!   JavaScript `parseInt` semantics (`0x0a` → 0, `0x10` → 10, `0x1f` → 1, `0xff` → none), and
//!   the 20 name bytes decoded as lossy UTF-8 with every NUL removed, interior ones included.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use std::{fmt, str::FromStr};

use alloy_primitives::FixedBytes;

/// Length of a feed id.
pub const FEED_ID_LEN: usize = 21;
/// Maximum length of a feed name in bytes.
pub const MAX_NAME_LEN: usize = 20;

/// Why a feed id could not be built or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedIdError {
    /// The name's UTF-8 encoding is longer than 20 bytes.
    #[error("feed name {name:?} is {len} bytes long, at most {MAX_NAME_LEN} allowed")]
    NameTooLong {
        /// The rejected name.
        name: String,
        /// Its length in bytes.
        len: usize,
    },
    /// The category does not fit in one byte.
    #[error("feed category {category} does not fit in one byte")]
    CategoryTooLarge {
        /// The rejected category.
        category: u32,
    },
    /// A byte string of the wrong length was given as a feed id.
    #[error("feed id must be {FEED_ID_LEN} bytes, got {len}")]
    Length {
        /// Length of the given bytes.
        len: usize,
    },
    /// A feed id string is not `0x`-prefixed (or bare) hex of 21 bytes.
    #[error("feed id {text:?} is not 21 bytes of hex")]
    Hex {
        /// The rejected text.
        text: String,
    },
    /// The name bytes (trailing zeros stripped) are not valid UTF-8.
    #[error("feed name bytes of {id} are not valid UTF-8")]
    InvalidUtf8 {
        /// The id whose name failed to decode.
        id: FeedId,
    },
}

/// A 21-byte feed identifier.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FeedId(pub FixedBytes<FEED_ID_LEN>);

/// A feed as the reference data provider describes it to the feed value provider.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DataProviderFeed {
    /// The category, or `None` where JavaScript's `parseInt` gives `NaN` (e.g. byte `0xff`).
    pub category: Option<u8>,
    /// The name with every NUL removed; invalid UTF-8 becomes U+FFFD.
    pub name: String,
}

impl FeedId {
    /// Builds a feed id from a category (must fit in a byte) and a name of at most 20 bytes.
    pub fn new(category: u32, name: &str) -> Result<Self, FeedIdError> {
        let category =
            u8::try_from(category).map_err(|_| FeedIdError::CategoryTooLarge { category })?;
        let bytes = name.as_bytes();
        if bytes.len() > MAX_NAME_LEN {
            return Err(FeedIdError::NameTooLong {
                name: name.to_owned(),
                len: bytes.len(),
            });
        }
        let mut id = [0u8; FEED_ID_LEN];
        let (first, rest) = id.split_at_mut(1);
        first.copy_from_slice(&[category]);
        let (name_part, _padding) = rest.split_at_mut(bytes.len());
        name_part.copy_from_slice(bytes);
        Ok(Self(FixedBytes(id)))
    }

    /// The id from exactly 21 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, FeedIdError> {
        let array: [u8; FEED_ID_LEN] = bytes
            .try_into()
            .map_err(|_| FeedIdError::Length { len: bytes.len() })?;
        Ok(Self(FixedBytes(array)))
    }

    /// The raw 21 bytes.
    pub fn as_bytes(&self) -> &[u8; FEED_ID_LEN] {
        &self.0.0
    }

    /// The category byte.
    pub fn category(&self) -> u8 {
        let [category, ..] = self.0.0;
        category
    }

    /// The 20 name bytes, padding included.
    pub fn name_bytes(&self) -> [u8; MAX_NAME_LEN] {
        let [_, name @ ..] = self.0.0;
        name
    }

    /// Strict decoding: the category byte and the name with trailing zero bytes stripped.
    pub fn category_and_name(&self) -> Result<(u8, String), FeedIdError> {
        let name = self.name_bytes();
        let end = name.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        let trimmed = name.get(..end).unwrap_or(&[]);
        let text =
            std::str::from_utf8(trimmed).map_err(|_| FeedIdError::InvalidUtf8 { id: *self })?;
        Ok((self.category(), text.to_owned()))
    }

    /// The data provider's decoding (see the module documentation).
    pub fn data_provider_decode(&self) -> DataProviderFeed {
        let name = String::from_utf8_lossy(&self.name_bytes()).replace('\0', "");
        DataProviderFeed {
            category: js_parse_int_decimal_of_hex_byte(self.category()),
            name,
        }
    }
}

/// JavaScript `parseInt(hh, 10)` of the two lowercase hex digits of `byte`.
fn js_parse_int_decimal_of_hex_byte(byte: u8) -> Option<u8> {
    let high = byte >> 4;
    let low = byte & 0x0f;
    match (high < 10, low < 10) {
        (false, _) => None,
        (true, false) => Some(high),
        (true, true) => Some(high * 10 + low),
    }
}

impl fmt::Display for FeedId {
    /// Lowercase `0x` hex, as ids are stored and sent by the reference.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for FeedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FeedId({})", self.0)
    }
}

impl FromStr for FeedId {
    type Err = FeedIdError;

    /// Parses 21 bytes of hex, with or without `0x`, in either letter case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        FixedBytes::<FEED_ID_LEN>::from_str(text)
            .map(Self)
            .map_err(|_| FeedIdError::Hex {
                text: text.to_owned(),
            })
    }
}

impl From<[u8; FEED_ID_LEN]> for FeedId {
    fn from(bytes: [u8; FEED_ID_LEN]) -> Self {
        Self(FixedBytes(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_btc_usd_as_in_the_digest() {
        let id = FeedId::new(1, "BTC/USD").unwrap();
        assert_eq!(
            id.to_string(),
            "0x014254432f55534400000000000000000000000000"
        );
        assert_eq!(id.category_and_name().unwrap(), (1, "BTC/USD".to_owned()));
        assert_eq!(id.to_string().parse::<FeedId>().unwrap(), id);
    }

    #[test]
    fn rejects_long_names_and_large_categories() {
        assert_eq!(
            FeedId::new(1, "ABCDEFGHIJKLMNOPQRSTU"),
            Err(FeedIdError::NameTooLong {
                name: "ABCDEFGHIJKLMNOPQRSTU".to_owned(),
                len: 21
            })
        );
        assert_eq!(
            FeedId::new(256, "X"),
            Err(FeedIdError::CategoryTooLarge { category: 256 })
        );
        assert!(FeedId::new(255, "ABCDEFGHIJKLMNOPQRST").is_ok());
    }

    #[test]
    fn data_provider_parses_category_hex_as_decimal() {
        let decode = |category| {
            FeedId::new(category, "A\0B")
                .unwrap()
                .data_provider_decode()
        };
        assert_eq!(decode(0x0a).category, Some(0));
        assert_eq!(decode(0x10).category, Some(10));
        assert_eq!(decode(0x1f).category, Some(1));
        assert_eq!(decode(0x99).category, Some(99));
        assert_eq!(decode(0xff).category, None);
        assert_eq!(decode(0xa1).category, None);
        assert_eq!(decode(1).name, "AB");
    }

    #[test]
    fn strict_decoding_rejects_invalid_utf8_and_bad_lengths() {
        let mut bytes = [0u8; FEED_ID_LEN];
        bytes[1] = 0xc3;
        let id = FeedId::from(bytes);
        assert_eq!(id.category_and_name(), Err(FeedIdError::InvalidUtf8 { id }));
        assert_eq!(id.data_provider_decode().name, "\u{fffd}");
        assert_eq!(
            FeedId::from_slice(&[0; 20]),
            Err(FeedIdError::Length { len: 20 })
        );
        assert!("0x01".parse::<FeedId>().is_err());
    }
}
