//! `registerVoter` for the next reward epoch while its registration is open (digest §4.2–4.3): triggered, as in
//! the reference, by the vote-power block of epoch E = current + 1 being selected; done when the identity is
//! registered for E.

use ftso_chain::IVoterRegistry;
use ftso_chain::tx::Call;
use ftso_core::registration;

use super::{DutyContext, Outcome, vrs};

/// The reference's non-fatal answers (`fsc/client/epoch/registry_utils.go:103-107`).
const ALREADY_DONE: &[&str] = &["already registered", "voter registration not enabled"];

/// Registers the identity for the reward epoch after `current` if registration is open and it is not yet.
pub(crate) async fn register_voter(ctx: &DutyContext, current: u32) -> anyhow::Result<Outcome> {
    let epoch = current + 1;
    if ctx.fsp.is_registered(ctx.identity, epoch).await? {
        super::telemetry::registered_for(epoch);
        return Ok(Outcome::AlreadyDone);
    }
    if !ctx.fsp.registration_open(epoch).await? {
        return Ok(Outcome::NotDue);
    }
    let scheme = ctx.config.registration_message.scheme(ctx.chain_id, epoch);
    let signed = registration::sign_voter_registration(
        ctx.signing_key.signer(),
        scheme,
        ctx.chain_id,
        epoch,
        ctx.identity,
    )?;
    let (v, r, s) = vrs(&signed.signature);
    let call = Call::sol(
        ctx.fsp.contracts().voter_registry,
        &IVoterRegistry::registerVoterCall {
            _voter: ctx.identity,
            _signature: IVoterRegistry::Signature { v, r, s },
        },
    );
    let outcome = ctx
        .send_duty(
            "RegisterVoter",
            epoch,
            call,
            &ctx.config.gas_register,
            ALREADY_DONE,
        )
        .await?;
    if matches!(outcome, Outcome::Sent { .. } | Outcome::AlreadyDone) {
        super::telemetry::registered_for(epoch);
    }
    if let Outcome::Sent { tx_hash } = &outcome {
        tracing::info!(voter = %ctx.identity, reward_epoch = epoch, %tx_hash, ?scheme,
            "Voter {} registered for epoch {epoch}", ctx.identity);
        tracing::info!(reward_epoch = epoch, "RegisterVoter success");
    }
    Ok(outcome)
}
