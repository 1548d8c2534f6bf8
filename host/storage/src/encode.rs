//! The reference column encodings (flare-system-c-chain-indexer): lowercase hex without `0x` everywhere,
//! `"NULL"` for absent topics, minimal hex for `value`, decimal for `gas_price`.

use alloy_primitives::{Address, B256, U256};

use crate::error::StorageError;

/// The string stored in `logs.topicN` when the log has fewer than N+1 topics.
pub const NULL_TOPIC: &str = "NULL";

/// Lowercase hex without `0x` (hashes, addresses, topics, input, data).
pub fn hex_lower(bytes: impl AsRef<[u8]>) -> String {
    hex::encode(bytes)
}

/// An address as stored: 40 lowercase hex chars, no `0x`.
pub fn address(address: &Address) -> String {
    hex::encode(address.as_slice())
}

/// A 32-byte hash or topic as stored: 64 lowercase hex chars, no `0x`.
pub fn b256(value: &B256) -> String {
    hex::encode(value.as_slice())
}

/// A 4-byte function selector as stored in `transactions.function_sig`.
pub fn selector(selector: [u8; 4]) -> String {
    hex::encode(selector)
}

/// `transactions.function_sig` for a calldata: its first 4 bytes, or the whole input when shorter.
pub fn function_sig(input: &[u8]) -> String {
    hex::encode(input.get(..4).unwrap_or(input))
}

/// `logs.topicN`: the topic, or `"NULL"` when absent.
pub fn topic(topic: Option<&B256>) -> String {
    topic.map_or_else(|| NULL_TOPIC.to_owned(), b256)
}

/// `transactions.value`: minimal lowercase hex without `0x`, `"0"` for zero.
pub fn value(value: &U256) -> String {
    format!("{value:x}")
}

/// Decodes a stored hex column (no `0x`).
pub fn decode_hex(column: &'static str, value: &str) -> Result<Vec<u8>, StorageError> {
    hex::decode(value).map_err(|_| StorageError::Malformed {
        column,
        value: value.to_owned(),
    })
}

/// Decodes a stored 32-byte hash/topic column.
pub fn decode_b256(column: &'static str, value: &str) -> Result<B256, StorageError> {
    let bytes = decode_hex(column, value)?;
    B256::try_from(bytes.as_slice()).map_err(|_| StorageError::Malformed {
        column,
        value: value.to_owned(),
    })
}

/// Decodes a stored address column.
pub fn decode_address(column: &'static str, value: &str) -> Result<Address, StorageError> {
    let bytes = decode_hex(column, value)?;
    Address::try_from(bytes.as_slice()).map_err(|_| StorageError::Malformed {
        column,
        value: value.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_minimal_lowercase_hex() {
        assert_eq!(value(&U256::ZERO), "0");
        assert_eq!(value(&U256::from(0xABCu64)), "abc");
        assert_eq!(
            value(&(U256::from(1u64) << 200usize)),
            format!("1{}", "0".repeat(50))
        );
    }

    #[test]
    fn function_sig_takes_four_bytes_or_the_whole_short_input() {
        assert_eq!(function_sig(&[0x6c, 0x53, 0x2f, 0xae, 0x01]), "6c532fae");
        assert_eq!(function_sig(&[0xAB, 0xCD]), "abcd");
        assert_eq!(function_sig(&[]), "");
    }

    #[test]
    fn absent_topics_are_the_null_string() {
        assert_eq!(topic(None), "NULL");
        let t = B256::repeat_byte(0xAB);
        assert_eq!(topic(Some(&t)), "ab".repeat(32));
    }

    #[test]
    fn addresses_are_lowercase_without_prefix() {
        let a: Address = "0x2cA6571Daa15ce734Bbd0Bf27D5C9D16787fc33f"
            .parse()
            .unwrap();
        assert_eq!(address(&a), "2ca6571daa15ce734bbd0bf27d5c9d16787fc33f");
        assert_eq!(decode_address("to_address", &address(&a)).unwrap(), a);
    }
}
