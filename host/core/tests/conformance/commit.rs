//! `commit.json`: commit preimage and hash, reveal payload, submit1/submit2 PayloadMessages, and
//! decoding the reveal back (as the data provider does for other voters).

use std::str::FromStr;

use alloy_primitives::{Address, B256};
use anyhow::{Result, anyhow, bail};
use ftso_core::{
    commit::{self, CommitReveal, Reveal},
    feed::FeedId,
    value::{self, ProviderValue},
};
use serde_json::Value;

use crate::harness::{Run, VectorFile};
use crate::support::{self, expect_eq, to_hex};

/// Checks every case.
pub fn check(file: &VectorFile, run: &mut Run) {
    run.each(file, "cases", check_case);
}

/// The `feeds` array: ids and decimals.
pub fn feeds(case: &Value) -> Result<Vec<(FeedId, i8)>> {
    support::field(case, "feeds")?
        .as_array()
        .ok_or_else(|| anyhow!("`feeds` is not an array"))?
        .iter()
        .map(|feed| {
            Ok((
                support::str(feed, "id")?.parse::<FeedId>()?,
                i8::try_from(support::i64(feed, "decimals")?)?,
            ))
        })
        .collect()
}

fn provider_values(case: &Value) -> Result<Vec<ProviderValue>> {
    let values = support::field(case, "values")?
        .as_array()
        .ok_or_else(|| anyhow!("`values` is not an array"))?;
    let bits = support::field(case, "valueBits")?
        .as_array()
        .ok_or_else(|| anyhow!("`valueBits` is not an array"))?;
    if values.len() != bits.len() {
        bail!("{} values but {} valueBits", values.len(), bits.len());
    }
    values
        .iter()
        .zip(bits)
        .map(|(value, bits)| {
            Ok(match value {
                Value::Null => ProviderValue::Missing,
                _ => ProviderValue::Number(support::f64_with_bits(value, Some(bits))?),
            })
        })
        .collect()
}

fn check_case(case: &Value) -> Result<()> {
    let address = Address::from_str(support::str(case, "submitAddress")?)?;
    let round = u32::try_from(support::u64(case, "votingRoundId")?)?;
    let random = B256::try_from(support::hex(case, "random")?.as_slice())?;
    let feeds = feeds(case)?;
    let decimals: Vec<i8> = feeds.iter().map(|(_, d)| *d).collect();
    let values = provider_values(case)?;

    let built = CommitReveal::new(address, round, random, &values, &decimals);
    if support::is_error(case) {
        return match built {
            Err(commit::CommitError::Values(value::ValueEncodingError::Overflow { .. })) => Ok(()),
            other => bail!("expected an overflow error, got {other:?}"),
        };
    }
    let built = built?;
    let hex = |key| support::str(case, key).map(str::to_owned);
    expect_eq(
        "encodedValues",
        to_hex(&built.reveal.encoded_values),
        hex("encodedValues")?,
    )?;
    expect_eq(
        "commitPreimage",
        to_hex(commit::commit_preimage(
            address,
            round,
            random,
            &built.reveal.encoded_values,
        )),
        hex("commitPreimage")?,
    )?;
    expect_eq("commitHash", to_hex(built.commit_hash), hex("commitHash")?)?;
    expect_eq(
        "revealPayload",
        to_hex(built.reveal.payload()),
        hex("revealPayload")?,
    )?;
    let submit1 = built.submit1_message().encode()?;
    expect_eq("submit1Data", to_hex(&submit1), hex("submit1Data")?)?;
    let submit2 = built.submit2_message()?.encode()?;
    expect_eq("submit2Data", to_hex(&submit2), hex("submit2Data")?)?;

    // The receiving side: decode both messages and check the reveal opens the commit.
    let [commit_message, reveal_message] = [submit1, submit2]
        .map(|bytes| ftso_core::payload::decode_concatenated(&bytes).map(|mut m| m.pop()));
    let commit_message = commit_message?.ok_or_else(|| anyhow!("no submit1 message"))?;
    let reveal_message = reveal_message?.ok_or_else(|| anyhow!("no submit2 message"))?;
    let commit_hash = commit::decode_commit(&commit_message.payload)?;
    let decoded = Reveal::decode(&reveal_message.payload, feeds.len())?;
    if !decoded.reveal.matches(&commit_hash, address, round) {
        bail!("decoded reveal does not match the commit");
    }
    let expected: Vec<Option<i32>> = values
        .iter()
        .zip(&decimals)
        .map(|(v, d)| v.as_number().map(|x| value::scale(x, *d)).transpose())
        .collect::<Result<_, _>>()?;
    expect_eq("decoded values", decoded.values, expected)
}
