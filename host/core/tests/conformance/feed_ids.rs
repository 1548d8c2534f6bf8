//! `feed-ids.json`: feed id encoding, strict decoding and the data provider's decoding.

use anyhow::{Result, anyhow, bail};
use ftso_core::feed::FeedId;
use serde_json::Value;

use crate::harness::{Run, VectorFile};
use crate::support::{self, expect_eq};

/// Checks every case.
pub fn check(file: &VectorFile, run: &mut Run) {
    run.each(file, "cases", check_case);
}

fn check_case(case: &Value) -> Result<()> {
    let category = u32::try_from(support::u64(case, "category")?)?;
    let name = support::str(case, "name")?;
    expect_eq(
        "nameUtf8Hex",
        support::to_hex(name.as_bytes()),
        support::str(case, "nameUtf8Hex")?.to_owned(),
    )?;
    let encoded = FeedId::new(category, name);
    if support::is_error(case) {
        return match encoded {
            Err(_) => Ok(()),
            Ok(id) => bail!("expected an error, got {id}"),
        };
    }
    let id = encoded?;
    let want = support::str(case, "id")?;
    expect_eq("id", id.to_string(), want.to_owned())?;
    expect_eq("parsed id", want.parse::<FeedId>()?, id)?;

    let (strict_category, strict_name) = id.category_and_name()?;
    expect_eq("strict category", u32::from(strict_category), category)?;
    expect_eq("strict name", strict_name.as_str(), name)?;

    let decoded = support::field(case, "dataProviderDecoded")?;
    let want_category = match support::field(decoded, "category")? {
        Value::Null => None,
        value => Some(
            value
                .as_u64()
                .ok_or_else(|| anyhow!("dataProviderDecoded.category is not an integer"))?,
        ),
    };
    let got = id.data_provider_decode();
    expect_eq(
        "dataProviderDecoded.category",
        got.category.map(u64::from),
        want_category,
    )?;
    expect_eq(
        "dataProviderDecoded.name",
        got.name.as_str(),
        support::str(decoded, "name")?,
    )
}
