//! The reward-epoch duties' metrics: `ftso_node_duty_runs_total{duty,outcome}` per pass,
//! `ftso_node_reward_epoch_current`, and `ftso_node_registered_reward_epoch` (the latest reward epoch the identity
//! is seen registered for: below current + 1 once registration has closed means the node will not vote next epoch).

use super::Outcome;

/// A duty's pass ended (`outcome`: `not_due`, `already_done`, `sent` or `failed`).
pub(crate) fn duty_ran(duty: &'static str, outcome: Option<&Outcome>) {
    let outcome = match outcome {
        Some(Outcome::NotDue) => "not_due",
        Some(Outcome::AlreadyDone) => "already_done",
        Some(Outcome::Sent { .. }) => "sent",
        None => "failed",
    };
    metrics::counter!("ftso_node_duty_runs_total", "duty" => duty, "outcome" => outcome)
        .increment(1);
}

/// The chain's current reward epoch.
pub(crate) fn current_reward_epoch(epoch: u32) {
    metrics::gauge!("ftso_node_reward_epoch_current").set(f64::from(epoch));
}

/// The identity is registered for `epoch`.
pub(crate) fn registered_for(epoch: u32) {
    metrics::gauge!("ftso_node_registered_reward_epoch").set(f64::from(epoch));
}
