//! `value-encoding.json`: one feed value to its excess-2³¹ word and back, and the `10**d` table.

use anyhow::{Result, bail};
use ftso_core::value::{self, ProviderValue};
use serde_json::Value;

use crate::harness::{Run, VectorFile};
use crate::support::{self, expect_eq};

/// Checks the embedded `pow10` table against the file's, then every case.
pub fn check(file: &VectorFile, run: &mut Run) {
    run.each(file, "pow10", check_pow10);
    run.each(file, "cases", check_case);
}

fn check_pow10(entry: &Value) -> Result<()> {
    let decimals = i8::try_from(support::i64(entry, "decimals")?)?;
    let bits = u64::from_be_bytes(support::hex(entry, "bits")?.as_slice().try_into()?);
    expect_eq(
        &format!("pow10({decimals}) bits"),
        value::pow10(decimals).to_bits(),
        bits,
    )
}

fn check_case(case: &Value) -> Result<()> {
    let decimals = i8::try_from(support::i64(case, "decimals")?)?;
    let input = match support::str(case, "kind")? {
        "number" => ProviderValue::Number(support::f64_with_bits(
            support::field(case, "value")?,
            case.get("valueBits"),
        )?),
        "null" => ProviderValue::Null,
        "missing" => ProviderValue::Missing,
        other => bail!("unknown kind {other}"),
    };
    let encoded = value::encode_value(input, decimals);
    if support::is_error(case) {
        return match encoded {
            Err(value::ValueEncodingError::Overflow { .. }) => Ok(()),
            other => bail!("expected an overflow error, got {other:?}"),
        };
    }
    let word = encoded?;
    expect_eq(
        "encoded",
        support::to_hex(word),
        support::str(case, "encoded")?.to_owned(),
    )?;
    let decoded = support::field(case, "decoded")?;
    let got = value::decode_word(word);
    expect_eq(
        "decoded.isEmpty",
        got.is_none(),
        support::bool(decoded, "isEmpty")?,
    )?;
    expect_eq(
        "decoded.value",
        i64::from(got.unwrap_or(0)),
        support::i64(decoded, "value")?,
    )
}
