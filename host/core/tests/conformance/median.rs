//! `median.json`: weighted median, quartiles and participating weight of one feed.

use alloy_primitives::U256;
use anyhow::{Result, anyhow, bail};
use ftso_core::median::{self, MedianError, MedianResult};
use serde_json::Value;

use crate::harness::{Run, VectorFile};
use crate::support::{self, expect_eq};

/// Checks every case.
pub fn check(file: &VectorFile, run: &mut Run) {
    run.each(file, "cases", check_case);
}

/// A JSON array of integers or nulls as `Option<i32>`s.
pub fn optional_values(case: &Value, key: &str) -> Result<Vec<Option<i32>>> {
    support::field(case, key)?
        .as_array()
        .ok_or_else(|| anyhow!("`{key}` is not an array"))?
        .iter()
        .map(|v| match v {
            Value::Null => Ok(None),
            v => {
                let n = v.as_i64().ok_or_else(|| anyhow!("{v} is not an integer"))?;
                Ok(Some(i32::try_from(n)?))
            }
        })
        .collect()
}

/// An optional result field: the value, or `None` when its `…Empty` flag is set.
pub fn optional(case: &Value, key: &str) -> Result<Option<i32>> {
    if support::bool(case, &format!("{key}Empty"))? {
        expect_eq(
            &format!("{key} of an empty result"),
            support::i64(case, key)?,
            0,
        )?;
        return Ok(None);
    }
    Ok(Some(i32::try_from(support::i64(case, key)?)?))
}

fn check_case(case: &Value) -> Result<()> {
    let values = optional_values(case, "values")?;
    let weights: Vec<U256> = support::field(case, "weights")?
        .as_array()
        .ok_or_else(|| anyhow!("`weights` is not an array"))?
        .iter()
        .map(support::u256_value)
        .collect::<Result<_>>()?;
    let got = median::weighted_median(&values, &weights);
    if support::is_error(case) {
        return match got {
            Err(MedianError::SingleZeroWeightValue) => Ok(()),
            other => bail!("expected the single zero-weight error, got {other:?}"),
        };
    }
    let want = MedianResult {
        median: optional(case, "median")?,
        q1: optional(case, "q1")?,
        q3: optional(case, "q3")?,
        participating_weight: support::u256(case, "participatingWeight")?,
    };
    expect_eq("median result", got?, want)
}
