//! The conformance suite's `relayCalldata` check builds its Relay model from each vector's own
//! signing policy: a vector re-targeted to a policy far from round 0 (reward epoch 1618 starting
//! at round 1932031, as on a live network) passes when its calldata is right and fails when the
//! calldata is wrong or the Relay would refuse it.

#[path = "conformance/relay_model.rs"]
mod relay_model;
#[path = "conformance/support.rs"]
#[allow(
    dead_code,
    reason = "shared with the conformance suite, which uses all of it"
)]
mod support;

use alloy_primitives::keccak256;
use alloy_signer_local::PrivateKeySigner;
use anyhow::{Context, Result, anyhow};
use ftso_core::protocol_message::ProtocolMessageMerkleRoot;
use ftso_core::relay::{RelayError, RelayState};
use ftso_core::signing;
use ftso_core::signing_policy::SigningPolicy;
use serde_json::{Value, json};

use support::to_hex;

/// The re-targeted policy's reward epoch and start round.
const EPOCH: u32 = 1618;
const START_ROUND: u32 = 1_932_031;

/// The `relayCalldata` vector whose policy is well formed.
fn source_case() -> Result<Value> {
    let dir = match std::env::var_os("FTSO_VECTORS_DIR") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => ftso_testkit::workspace_root().join("../shared/vectors"),
    };
    let path = dir.join("fsp-signing.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let file: Value = serde_json::from_str(&text)?;
    file["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|case| {
            case["kind"] == "relayCalldata"
                && support::hex(case, "signingPolicy")
                    .is_ok_and(|policy| SigningPolicy::decode(&policy).is_ok())
        })
        .cloned()
        .ok_or_else(|| anyhow!("no relayCalldata vector with a well-formed policy"))
}

/// The source case with its policy moved to `epoch`/`start` (threshold replaced when given) and
/// `message` signed again by the vector's keys; the calldata is laid out by hand, independently
/// of `relay::relay_calldata`.
fn retarget(
    source: &Value,
    epoch: u32,
    start: u32,
    threshold: Option<u16>,
    message: [u8; 38],
) -> Result<Value> {
    let mut policy = SigningPolicy::decode(&support::hex(source, "signingPolicy")?)?;
    policy.reward_epoch_id = epoch;
    policy.start_voting_round_id = start;
    policy.threshold = threshold.unwrap_or(policy.threshold);
    let policy_bytes = policy.encode()?;
    let message_hash = keccak256(message);
    let mut signatures = Vec::new();
    let mut signature_bytes = Vec::new();
    for entry in source["signatures"].as_array().into_iter().flatten() {
        let key = support::str(entry, "privateKey")?;
        let signer: PrivateKeySigner = key.parse()?;
        let vrs = signing::to_vrs_bytes(&signing::sign_eip191(&signer, &message_hash)?);
        let index = u16::try_from(support::u64(entry, "index")?)?;
        signature_bytes.extend_from_slice(&vrs);
        signature_bytes.extend_from_slice(&index.to_be_bytes());
        signatures.push(json!({ "index": index, "privateKey": key, "signatureVRS": to_hex(vrs) }));
    }
    let count = u16::try_from(signatures.len())?;
    let calldata = [
        &[0xb5, 0x95, 0x89, 0xd1][..],
        &policy_bytes,
        &message,
        &count.to_be_bytes(),
        &signature_bytes,
    ]
    .concat();
    Ok(json!({
        "kind": "relayCalldata",
        "name": format!("{} re-targeted to epoch {epoch} at round {start}", source["name"]),
        "signingPolicy": to_hex(&policy_bytes),
        "message": to_hex(message),
        "messageHash": to_hex(message_hash),
        "signatures": signatures,
        "calldata": to_hex(calldata),
    }))
}

/// A finalization-mode message (protocol 100) of `round`, with the source vector's Merkle root.
fn finalization_message(source: &Value, round: u32) -> Result<[u8; 38]> {
    let original = ProtocolMessageMerkleRoot::decode(&support::hex(source, "message")?)?;
    Ok(ProtocolMessageMerkleRoot {
        protocol_id: 100,
        voting_round_id: round,
        is_secure_random: true,
        merkle_root: original.merkle_root,
    }
    .encode())
}

fn source_message(source: &Value) -> Result<[u8; 38]> {
    support::hex(source, "message")?
        .try_into()
        .map_err(|_| anyhow!("message is not 38 bytes"))
}

#[test]
fn the_source_vector_passes_the_relay_check() -> Result<()> {
    relay_model::relay_calldata(&source_case()?)
}

#[test]
fn a_vector_for_epoch_1618_at_round_1932031_passes_the_relay_check() -> Result<()> {
    let source = source_case()?;
    for round in [START_ROUND, START_ROUND + 7] {
        let case = retarget(
            &source,
            EPOCH,
            START_ROUND,
            None,
            finalization_message(&source, round)?,
        )?;
        relay_model::relay_calldata(&case).with_context(|| format!("round {round}"))?;
    }
    // The custom-signature message of the vector itself (protocol 1, round 1) still gets the
    // Relay's "Wrong message format" under the re-targeted policy.
    let case = retarget(&source, EPOCH, START_ROUND, None, source_message(&source)?)?;
    relay_model::relay_calldata(&case)
}

#[test]
fn a_schedule_from_round_0_would_have_rejected_the_retargeted_vector() -> Result<()> {
    let source = source_case()?;
    let case = retarget(
        &source,
        EPOCH,
        START_ROUND,
        None,
        finalization_message(&source, START_ROUND)?,
    )?;
    let policy = SigningPolicy::decode(&support::hex(&case, "signingPolicy")?)?;
    let mut fixed = RelayState {
        reward_epoch_duration_in_voting_epochs: 3360,
        threshold_increase_bips: 12_000,
        message_finalization_window_in_reward_epochs: 10,
        ..RelayState::default()
    };
    fixed.initialize_policy(&policy)?;
    let calldata = support::hex(&case, "calldata")?;
    assert_eq!(
        fixed.verify(&calldata).map(|_| ()),
        Err(RelayError::WrongSignPolicyRewardEpoch)
    );
    let fitted = relay_model::relay_for(&policy)?;
    assert!(fitted.verify(&calldata).is_ok());
    Ok(())
}

#[test]
fn wrong_calldata_fails_the_relay_check() -> Result<()> {
    let source = source_case()?;
    let message = finalization_message(&source, START_ROUND + 7)?;
    let good = retarget(&source, EPOCH, START_ROUND, None, message)?;
    let calldata = support::str(&good, "calldata")?;
    // One signature byte changed.
    let mut bad = good.clone();
    let flipped_at = calldata.len() - 10;
    let digit = if &calldata[flipped_at..=flipped_at] == "0" {
        "1"
    } else {
        "0"
    };
    bad["calldata"] = json!(format!(
        "{}{digit}{}",
        &calldata[..flipped_at],
        &calldata[flipped_at + 1..]
    ));
    let error = relay_model::relay_calldata(&bad).expect_err("a changed byte must fail");
    assert!(error.to_string().starts_with("calldata:"), "{error:#}");
    // Bytes right, but a message of the round before the policy's epoch starts.
    let early = retarget(
        &source,
        EPOCH,
        START_ROUND,
        None,
        finalization_message(&source, START_ROUND - 1)?,
    )?;
    let error = relay_model::relay_calldata(&early).expect_err("the Relay refuses it");
    assert!(
        format!("{error:#}").contains("Wrong sign policy reward epoch"),
        "{error:#}"
    );
    // Bytes right, but the signed weight only equals the threshold: "Not enough weight".
    let policy = SigningPolicy::decode(&support::hex(&source, "signingPolicy")?)?;
    let total = u16::try_from(policy.total_weight())?;
    let heavy = retarget(&source, EPOCH, START_ROUND, Some(total), message)?;
    let error = relay_model::relay_calldata(&heavy).expect_err("the Relay refuses it");
    assert!(
        format!("{error:#}").contains("Not enough weight"),
        "{error:#}"
    );
    Ok(())
}
