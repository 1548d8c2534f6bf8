//! `signNewSigningPolicy` once the next reward epoch's policy is initialized in the Relay (digest §5.1). The
//! hash is computed from the policy bytes of `SigningPolicyInitialized` and must equal the Relay's
//! `toSigningPolicyHash` under the legacy or the chain-bound scheme (§11.1); otherwise nothing is signed.

use alloy::primitives::aliases::U24;
use anyhow::Context as _;
use ftso_chain::IFlareSystemsManager;
use ftso_chain::tx::Call;
use ftso_core::{registration, signing_policy};

use super::{DutyContext, Outcome, vrs};

/// The reference's non-fatal answers, plus this voter's own earlier signature.
const ALREADY_DONE: &[&str] = &["new signing policy already signed", "voter already signed"];

/// Signs the policy of the reward epoch after `current` if it is initialized, the identity is a voter of
/// `current`, and neither it nor the threshold has signed yet.
pub(crate) async fn sign_new_signing_policy(
    ctx: &DutyContext,
    current: u32,
) -> anyhow::Result<Outcome> {
    let epoch = current + 1;
    let on_chain = ctx.fsp.signing_policy_hash(epoch).await?;
    if on_chain.is_zero() {
        return Ok(Outcome::NotDue);
    }
    if ctx.fsp.voter_signed_policy_at(epoch, ctx.identity).await? != 0
        || ctx.fsp.policy_sign_window(epoch).await?.end_ts != 0
    {
        return Ok(Outcome::AlreadyDone);
    }
    if !ctx.fsp.is_registered(ctx.identity, current).await? {
        return Ok(Outcome::NotDue);
    }
    let bytes = ctx
        .fsp
        .signing_policy_bytes(epoch)
        .await?
        .with_context(|| {
            format!("SigningPolicyInitialized log of reward epoch {epoch} not found")
        })?;
    let (scheme, hash) = signing_policy::matching_hash(&bytes, ctx.chain_id, &on_chain)
        .with_context(|| {
            format!(
                "refusing to sign: the policy of reward epoch {epoch} hashes to neither the Relay's {on_chain} \
                 (legacy nor chain-bound scheme)"
            )
        })?;
    let signed = registration::sign_new_signing_policy(ctx.signing_key.signer(), &hash)?;
    let (v, r, s) = vrs(&signed.signature);
    let call = Call::sol(
        ctx.fsp.contracts().flare_systems_manager,
        &IFlareSystemsManager::signNewSigningPolicyCall {
            _rewardEpochId: U24::from(epoch),
            _newSigningPolicyHash: hash,
            _signature: IFlareSystemsManager::Signature { v, r, s },
        },
    );
    let outcome = ctx
        .send_duty(
            "SignNewSigningPolicy",
            epoch,
            call,
            &ctx.config.gas_systems_manager,
            ALREADY_DONE,
        )
        .await?;
    if let Outcome::Sent { tx_hash } = &outcome {
        tracing::info!(reward_epoch = epoch, %tx_hash, ?scheme, "New signing policy sent for epoch {epoch}");
        tracing::info!(reward_epoch = epoch, "SignNewSigningPolicy success");
    }
    Ok(outcome)
}
