//! The sending accounts' balances, polled for `ftso_node_account_balance_wei{address}`.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// Records every sender's balance now and then every `interval`, until `cancel`. A failed read is a WARN (the
/// gauge keeps its last value; a missing or stale balance shows in the alert on it), never a node failure.
pub async fn poll_account_balances(
    senders: ftso_chain::tx::Senders,
    interval: Duration,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = cancel.cancelled() => return Ok(()),
            _ = ticks.tick() => {
                if let Err(error) = senders.record_balances().await {
                    tracing::warn!("cannot read an account balance: {error}");
                }
            }
        }
    }
}
