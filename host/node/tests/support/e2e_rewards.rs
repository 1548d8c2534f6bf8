//! Reward-distribution data for the end-to-end test: the devnet calculates no rewards, so the test publishes a
//! `reward-distribution-data.json` per reward epoch in a directory the nodes read (`[system_client.rewards]
//! url_prefix`). One direct claim per identity, the claims tree from `ftso_core`, each claim with its proof: every
//! node verifies its own claim and signs the same root.

use std::path::Path;

use alloy::primitives::{Address, B256, U256};
use ftso_core::registration::{ClaimType, RewardClaim, reward_claims_tree};
use serde_json::json;

/// Writes `<dir>/<epoch>/reward-distribution-data.json` paying each of `identities`; returns the root the nodes
/// must sign.
pub fn publish(dir: &Path, epoch: u32, identities: &[Address]) -> B256 {
    let claims: Vec<RewardClaim> = identities
        .iter()
        .enumerate()
        .map(|(i, identity)| RewardClaim {
            reward_epoch_id: epoch,
            beneficiary: identity.0,
            amount: U256::from(1_000_000_u64 * (i as u64 + 1)),
            claim_type: ClaimType::Direct,
        })
        .collect();
    let tree = reward_claims_tree(&claims).unwrap();
    let root = tree.root().unwrap();
    let reward_claims: Vec<_> = claims
        .iter()
        .map(|claim| {
            json!({
                "merkleProof": tree.proof(&claim.leaf().unwrap()).unwrap(),
                "body": {
                    "beneficiary": claim.beneficiary,
                    "amount": claim.amount.to_string(),
                    "claimType": claim.claim_type.as_u8(),
                },
            })
        })
        .collect();
    let data = json!({
        "rewardEpochId": epoch,
        "rewardClaims": reward_claims,
        "merkleRoot": root.to_string(),
        "noOfWeightBasedClaims": 0,
    });
    let epoch_dir = dir.join(epoch.to_string());
    std::fs::create_dir_all(&epoch_dir).unwrap();
    std::fs::write(
        epoch_dir.join("reward-distribution-data.json"),
        serde_json::to_string_pretty(&data).unwrap(),
    )
    .unwrap();
    root
}
