//! `signUptimeVote` for the previous reward epoch once its uptime-vote signing is enabled (digest §5.2). As the
//! reference, the vote is the hash of 32 zero bytes (no real uptime is computed).

use alloy::primitives::aliases::U24;
use alloy::primitives::{B256, keccak256};
use ftso_chain::IFlareSystemsManager;
use ftso_chain::tx::Call;
use ftso_core::registration;

use super::{DutyContext, Outcome, vrs};

/// The reference's non-fatal answers (`fsc/client/epoch/system_manager_utils.go`).
const ALREADY_DONE: &[&str] = &[
    "submit uptime vote already ended",
    "voter already signed",
    "uptime vote hash already signed",
];

/// The uptime vote the reference signs: `keccak256(bytes32(0))`.
pub fn uptime_vote_hash() -> B256 {
    keccak256(B256::ZERO)
}

/// Signs the uptime vote of the reward epoch before `current` if enabled, the identity was its voter, and
/// neither it nor the threshold has signed yet.
pub(crate) async fn sign_uptime_vote(ctx: &DutyContext, current: u32) -> anyhow::Result<Outcome> {
    let Some(epoch) = current.checked_sub(1) else {
        return Ok(Outcome::NotDue);
    };
    if ctx.fsp.uptime_sign_start(epoch).await? == 0 {
        return Ok(Outcome::NotDue);
    }
    if !ctx.fsp.uptime_vote_hash(epoch).await?.is_zero()
        || ctx.fsp.voter_signed_uptime_at(epoch, ctx.identity).await? != 0
    {
        return Ok(Outcome::AlreadyDone);
    }
    if !ctx.fsp.is_registered(ctx.identity, epoch).await? {
        return Ok(Outcome::NotDue);
    }
    let hash = uptime_vote_hash();
    let signed = registration::sign_uptime_vote(ctx.signing_key.signer(), epoch, &hash)?;
    let (v, r, s) = vrs(&signed.signature);
    let call = Call::sol(
        ctx.fsp.contracts().flare_systems_manager,
        &IFlareSystemsManager::signUptimeVoteCall {
            _rewardEpochId: U24::from(epoch),
            _uptimeVoteHash: hash,
            _signature: IFlareSystemsManager::Signature { v, r, s },
        },
    );
    let outcome = ctx
        .send_duty(
            "SignUptimeVote",
            epoch,
            call,
            &ctx.config.gas_systems_manager,
            ALREADY_DONE,
        )
        .await?;
    if let Outcome::Sent { tx_hash } = &outcome {
        tracing::info!(reward_epoch = epoch, %tx_hash, "Uptime vote sent for epoch {epoch}");
        tracing::info!(reward_epoch = epoch, "SignUptimeVote completed");
    }
    Ok(outcome)
}
