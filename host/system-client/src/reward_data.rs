//! `reward-distribution-data.json` of a reward epoch, fetched from `<url_prefix>/<epoch>/…` over HTTP(S) or
//! read from a local directory, and parsed into `ftso_core`'s [`RewardDistribution`] (digest §5.3). Unknown
//! fields are allowed, as in the reference.

use std::path::PathBuf;
use std::time::Duration;

use alloy::primitives::{B256, FixedBytes, U256};
use anyhow::{Context as _, bail};
use ftso_core::registration::{ClaimType, DistributedClaim, RewardDistribution};
use serde::Deserialize;

/// The file name under `<prefix>/<epoch>/`.
pub const FILE_NAME: &str = "reward-distribution-data.json";
/// Per-request timeout (the reference's 5 s).
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the reward data of `epoch` is: a URL or a path.
pub fn location(prefix: &str, epoch: u32) -> String {
    format!("{}/{epoch}/{FILE_NAME}", prefix.trim_end_matches('/'))
}

/// Fetches (`http://`, `https://`) or reads (anything else: a directory) the reward data of `epoch`.
/// `Ok(None)` when it does not exist yet (HTTP 404, no such file).
pub async fn load(prefix: &str, epoch: u32) -> anyhow::Result<Option<RewardDistribution>> {
    let location = location(prefix, epoch);
    tracing::info!(reward_epoch = epoch, "Fetching reward data at: {location}");
    let text = if location.starts_with("http://") || location.starts_with("https://") {
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .build()
            .context("building the HTTP client")?;
        let response = client
            .get(&location)
            .send()
            .await
            .with_context(|| format!("GET {location}"))?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let response = response
            .error_for_status()
            .with_context(|| format!("GET {location}"))?;
        response
            .text()
            .await
            .with_context(|| format!("reading {location}"))?
    } else {
        let path = PathBuf::from(location.strip_prefix("file://").unwrap_or(&location));
        match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error).with_context(|| format!("reading {}", path.display())),
        }
    };
    parse(&text)
        .with_context(|| format!("parsing {location}"))
        .map(Some)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Json {
    reward_epoch_id: u32,
    reward_claims: Vec<JsonClaim>,
    merkle_root: String,
    no_of_weight_based_claims: usize,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonClaim {
    merkle_proof: Vec<B256>,
    body: JsonBody,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonBody {
    beneficiary: FixedBytes<20>,
    amount: serde_json::Value,
    claim_type: u8,
}

/// Parses the JSON document (`amount` as a decimal string or a JSON integer).
pub fn parse(text: &str) -> anyhow::Result<RewardDistribution> {
    let json: Json = serde_json::from_str(text)?;
    let claims = json
        .reward_claims
        .into_iter()
        .map(|claim| {
            let amount = match &claim.body.amount {
                serde_json::Value::String(text) => U256::from_str_radix(text, 10).ok(),
                serde_json::Value::Number(number) => {
                    U256::from_str_radix(&number.to_string(), 10).ok()
                }
                _ => None,
            };
            let Some(amount) = amount else {
                bail!(
                    "claim amount {} is not a decimal integer",
                    claim.body.amount
                );
            };
            Ok(DistributedClaim {
                merkle_proof: claim.merkle_proof,
                beneficiary: claim.body.beneficiary,
                amount,
                claim_type: ClaimType::from_u8(claim.body.claim_type)?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(RewardDistribution {
        reward_epoch_id: json.reward_epoch_id,
        claims,
        merkle_root: json.merkle_root,
        no_of_weight_based_claims: json.no_of_weight_based_claims,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_reference_layout_with_unknown_fields() {
        let text = r#"{"rewardEpochId":3,"network":"flare","extra":1,
            "rewardClaims":[{"merkleProof":["0x4817c8012f9a80ba36ca047cb648bbfa01924b236994ab98b4ae91ee60fd8058"],
              "body":{"rewardEpochId":3,"beneficiary":"0x000000000000000000000000000000000000000a","amount":"100","claimType":0}},
              {"merkleProof":[],"body":{"beneficiary":"0x000000000000000000000000000000000000000b","amount":1000,"claimType":2}}],
            "merkleRoot":"0x00","noOfWeightBasedClaims":1}"#;
        let data = parse(text).unwrap();
        assert_eq!(data.reward_epoch_id, 3);
        assert_eq!(data.claims.len(), 2);
        assert_eq!(data.claims[1].amount, U256::from(1000));
        assert_eq!(data.claims[1].claim_type, ClaimType::from_u8(2).unwrap());
        assert_eq!(data.no_of_weight_based_claims, 1);
        assert!(parse(&text.replace("\"100\"", "\"1e2\"")).is_err());
    }

    #[test]
    fn location_joins_with_or_without_a_trailing_slash() {
        assert_eq!(
            location("https://x/y/", 7),
            "https://x/y/7/reward-distribution-data.json"
        );
        assert_eq!(
            location("/data/rewards", 7),
            "/data/rewards/7/reward-distribution-data.json"
        );
    }
}
