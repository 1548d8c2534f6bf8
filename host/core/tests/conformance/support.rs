//! Field accessors for vector cases: hex strings, decimal big integers, floats with bit patterns.

use alloy_primitives::U256;
use anyhow::{Context, Result, anyhow};
use serde_json::Value;

/// The field `key` of `case`, or an error naming it.
pub fn field<'a>(case: &'a Value, key: &str) -> Result<&'a Value> {
    case.get(key)
        .ok_or_else(|| anyhow!("missing field `{key}`"))
}

/// A string field.
pub fn str<'a>(case: &'a Value, key: &str) -> Result<&'a str> {
    field(case, key)?
        .as_str()
        .ok_or_else(|| anyhow!("field `{key}` is not a string"))
}

/// A `0x`-prefixed hex field, as bytes.
pub fn hex(case: &Value, key: &str) -> Result<Vec<u8>> {
    hex_str(str(case, key)?).with_context(|| format!("field `{key}`"))
}

/// Decodes a `0x`-prefixed (or bare) hex string.
pub fn hex_str(text: &str) -> Result<Vec<u8>> {
    Ok(hex::decode(text.strip_prefix("0x").unwrap_or(text))?)
}

/// Formats bytes as lowercase `0x` hex, the vectors' convention.
pub fn to_hex(bytes: impl AsRef<[u8]>) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// An integer field that is a JSON number.
pub fn i64(case: &Value, key: &str) -> Result<i64> {
    field(case, key)?
        .as_i64()
        .ok_or_else(|| anyhow!("field `{key}` is not an integer"))
}

/// A non-negative integer field that is a JSON number.
pub fn u64(case: &Value, key: &str) -> Result<u64> {
    field(case, key)?
        .as_u64()
        .ok_or_else(|| anyhow!("field `{key}` is not an unsigned integer"))
}

/// A big integer written as a decimal string (or a JSON number).
pub fn u256(case: &Value, key: &str) -> Result<U256> {
    u256_value(field(case, key)?).with_context(|| format!("field `{key}`"))
}

/// Parses a decimal-string or number JSON value into a `U256`.
pub fn u256_value(value: &Value) -> Result<U256> {
    match value {
        Value::String(text) => Ok(text.parse::<U256>()?),
        Value::Number(n) => n
            .as_u64()
            .map(U256::from)
            .ok_or_else(|| anyhow!("{n} is not an unsigned integer")),
        other => Err(anyhow!("{other} is not an integer")),
    }
}

/// A boolean field.
pub fn bool(case: &Value, key: &str) -> Result<bool> {
    field(case, key)?
        .as_bool()
        .ok_or_else(|| anyhow!("field `{key}` is not a boolean"))
}

/// Whether the reference rejects this case (`"error": true`).
pub fn is_error(case: &Value) -> bool {
    case.get("error").and_then(Value::as_bool).unwrap_or(false)
}

/// A float input, taking the exact IEEE-754 bits from `bits` (big-endian hex) when present:
/// the vectors make the bits authoritative.
pub fn f64_with_bits(value: &Value, bits: Option<&Value>) -> Result<f64> {
    if let Some(bits) = bits.and_then(Value::as_str) {
        let raw = hex_str(bits)?;
        let raw: [u8; 8] = raw
            .as_slice()
            .try_into()
            .map_err(|_| anyhow!("bits `{bits}` are not 8 bytes"))?;
        return Ok(f64::from_be_bytes(raw));
    }
    value
        .as_f64()
        .ok_or_else(|| anyhow!("{value} is not a number"))
}

/// Fails with both values when they differ.
pub fn expect_eq<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> Result<()> {
    if got == want {
        Ok(())
    } else {
        Err(anyhow!("{what}: got {got:?}, want {want:?}"))
    }
}
