//! The `relayCalldata` check: the calldata bytes, and the Relay model's verdict on them.
//!
//! The vectors define the calldata; the model is only a consumer of it. So the Relay state is
//! built to fit each vector's own signing policy (the initializer's rule
//! `firstRewardEpochStartVotingRoundId + initialRewardEpochId × duration ≤
//! startingVotingRoundIdForInitialRewardEpochId`), never a fixed network schedule: a policy of
//! reward epoch 1618 starting at round 1932031 is as valid as one of epoch 1 at round 1.

use alloy_primitives::keccak256;
use alloy_signer_local::PrivateKeySigner;
use anyhow::{Context, Result, anyhow};
use ftso_core::relay::{self, RelayInitialConfig, RelaySignature, RelayState};
use ftso_core::signing_policy::SigningPolicy;
use serde_json::Value;

use crate::support::{self, expect_eq, to_hex};

/// The reward epoch length preferred for the model (Flare's 3360 voting rounds); shorter when the
/// policy's epoch could not start at its start round with it.
const PREFERRED_REWARD_EPOCH_DURATION: u32 = 3360;
/// `thresholdIncreaseBIPS` on all networks.
const THRESHOLD_INCREASE_BIPS: u16 = 12_000;
/// `messageFinalizationWindowInRewardEpochs`.
const MESSAGE_FINALIZATION_WINDOW: u32 = 10;

/// Checks one `relayCalldata` case: message hash, signatures, calldata bytes, and, for a
/// well-formed policy, the Relay model's verdict.
pub fn relay_calldata(case: &Value) -> Result<()> {
    let policy = support::hex(case, "signingPolicy")?;
    let message: [u8; 38] = support::hex(case, "message")?
        .as_slice()
        .try_into()
        .map_err(|_| anyhow!("message is not 38 bytes"))?;
    let message_hash = keccak256(message);
    expect_eq(
        "messageHash",
        to_hex(message_hash),
        support::str(case, "messageHash")?.to_owned(),
    )?;
    let entries = support::field(case, "signatures")?
        .as_array()
        .ok_or_else(|| anyhow!("field `signatures` is not an array"))?;
    let mut signatures = Vec::new();
    for entry in entries {
        let signer = support::str(entry, "privateKey")?
            .parse::<PrivateKeySigner>()
            .map_err(|e| anyhow!("privateKey: {e}"))?;
        let signature = ftso_core::signing::sign_eip191(&signer, &message_hash)?;
        let vrs = ftso_core::signing::to_vrs_bytes(&signature);
        expect_eq(
            "signatureVRS",
            to_hex(vrs),
            support::str(entry, "signatureVRS")?.to_owned(),
        )?;
        signatures.push(RelaySignature {
            index: u16::try_from(support::u64(entry, "index")?)?,
            signature: vrs,
        });
    }
    let calldata = relay::relay_calldata(&policy, &message, &signatures)?;
    expect_eq(
        "calldata",
        to_hex(&calldata),
        support::str(case, "calldata")?.to_owned(),
    )?;
    match SigningPolicy::decode(&policy) {
        Ok(decoded) => model_accepts(&decoded, &message, &calldata),
        // A deliberately malformed policy (bytes copied verbatim) has no Relay state to check.
        Err(_) => Ok(()),
    }
}

/// The Relay model deployed with `policy` as its initial policy, on a schedule that fits it.
pub fn relay_for(policy: &SigningPolicy) -> Result<RelayState> {
    let config = RelayInitialConfig::aligned_with(
        policy,
        PREFERRED_REWARD_EPOCH_DURATION,
        THRESHOLD_INCREASE_BIPS,
        MESSAGE_FINALIZATION_WINDOW,
    )
    .ok_or_else(|| {
        anyhow!(
            "no Relay schedule lets reward epoch {} start at round {}",
            policy.reward_epoch_id,
            policy.start_voting_round_id
        )
    })?;
    RelayState::deployed(config, policy).context("deploying the Relay model")
}

/// The model relays `calldata` of a well-formed policy: the message comes back, or, in custom
/// signature mode (protocol 1) with a non-zero round, the Relay's "Wrong message format".
fn model_accepts(policy: &SigningPolicy, message: &[u8; 38], calldata: &[u8]) -> Result<()> {
    let verdict = relay_for(policy)?.verify(calldata);
    let [protocol_id, r0, r1, r2, r3, ..] = *message;
    if protocol_id == 1 && [r0, r1, r2, r3] != [0; 4] {
        expect_eq(
            "relay verdict",
            verdict.map(|_| ()),
            Err(relay::RelayError::WrongMessageFormat),
        )
    } else {
        let outcome = verdict.context("the Relay model rejects the calldata")?;
        expect_eq("relayed message", outcome.message.encode(), *message)
    }
}
