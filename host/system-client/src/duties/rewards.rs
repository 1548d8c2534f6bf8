//! `signRewards` for the previous reward epoch once its uptime vote reached the threshold and the current
//! epoch's policy is signed (digest §5.3): the reward data are fetched, verified (epoch, weight-based count, the
//! claims tree from `ftso_core`, the identity's own claim and proof, the configured bounds) and their root
//! signed with `rewardManagerId` = chain id. Each epoch gets `rewards.retries` attempts,
//! `rewards.retry_interval` apart.

use std::collections::HashMap;

use alloy::primitives::U256;
use alloy::primitives::aliases::U24;
use anyhow::Context as _;
use ftso_chain::IFlareSystemsManager;
use ftso_chain::tx::Call;
use ftso_core::registration;
use tokio::time::Instant;

use super::{DutyContext, Outcome, vrs};
use crate::reward_data;

/// The reference's non-fatal answers.
const ALREADY_DONE: &[&str] = &["rewards hash already signed", "voter already signed"];

/// Attempts made per reward epoch, and when the next one may start.
#[derive(Debug, Default)]
pub(crate) struct RewardAttempts {
    by_epoch: HashMap<u32, (u32, Instant)>,
}

/// Signs the rewards of the reward epoch before `current` when due (see the module docs).
pub(crate) async fn sign_rewards(
    ctx: &DutyContext,
    current: u32,
    attempts: &mut RewardAttempts,
) -> anyhow::Result<Outcome> {
    let Some(epoch) = current.checked_sub(1) else {
        return Ok(Outcome::NotDue);
    };
    let Some(prefix) = ctx.config.rewards.url_prefix.as_deref() else {
        return Ok(Outcome::NotDue);
    };
    if ctx.fsp.uptime_vote_hash(epoch).await?.is_zero()
        || ctx.fsp.policy_sign_window(current).await?.end_ts == 0
    {
        return Ok(Outcome::NotDue);
    }
    if !ctx.fsp.rewards_hash(epoch).await?.is_zero()
        || ctx.fsp.voter_signed_rewards_at(epoch, ctx.identity).await? != 0
    {
        return Ok(Outcome::AlreadyDone);
    }
    if !ctx.fsp.is_registered(ctx.identity, epoch).await? {
        return Ok(Outcome::NotDue);
    }
    let (made, next_at) = attempts
        .by_epoch
        .get(&epoch)
        .copied()
        .unwrap_or((0, Instant::now()));
    if made >= ctx.config.rewards.retries || Instant::now() < next_at {
        return Ok(Outcome::NotDue);
    }
    attempts.by_epoch.insert(
        epoch,
        (made + 1, Instant::now() + ctx.config.rewards.retry_interval),
    );
    attempts.by_epoch.retain(|e, _| *e + 10 >= epoch);
    tracing::info!(
        reward_epoch = epoch,
        "Signing rewards for epoch {epoch}, attempt {}",
        made + 1
    );
    let result = sign(ctx, prefix, epoch).await;
    match &result {
        Ok(Outcome::Sent { tx_hash }) => {
            tracing::info!(reward_epoch = epoch, %tx_hash, "Rewards signed for epoch {epoch}");
            tracing::info!(
                reward_epoch = epoch,
                "Signing rewards for epoch {epoch} completed"
            );
        }
        Ok(_) => {}
        Err(error) => {
            tracing::warn!(
                reward_epoch = epoch,
                "Signing rewards for epoch {epoch} failed: {error:#}"
            );
        }
    }
    result
}

async fn sign(ctx: &DutyContext, prefix: &str, epoch: u32) -> anyhow::Result<Outcome> {
    let data = reward_data::load(prefix, epoch)
        .await?
        .with_context(|| format!("no reward data for epoch {epoch} yet"))?;
    let (root, weight_based) = registration::verify_reward_distribution(
        epoch,
        ctx.identity,
        &data,
        ctx.config.rewards.min_reward()?,
        ctx.config.rewards.max_reward()?,
    )?;
    let weight_based = u64::try_from(weight_based).context("weight-based claim count")?;
    let signed = registration::sign_rewards(
        ctx.signing_key.signer(),
        epoch,
        ctx.chain_id,
        weight_based,
        &root,
    )?;
    let (v, r, s) = vrs(&signed.signature);
    let call = Call::sol(
        ctx.fsp.contracts().flare_systems_manager,
        &IFlareSystemsManager::signRewardsCall {
            _rewardEpochId: U24::from(epoch),
            _noOfWeightBasedClaims: vec![IFlareSystemsManager::NumberOfWeightBasedClaims {
                rewardManagerId: U256::from(ctx.chain_id),
                noOfWeightBasedClaims: U256::from(weight_based),
            }],
            _rewardsHash: root,
            _signature: IFlareSystemsManager::Signature { v, r, s },
        },
    );
    ctx.send_duty(
        "SignRewards",
        epoch,
        call,
        &ctx.config.gas_systems_manager,
        ALREADY_DONE,
    )
    .await
}
