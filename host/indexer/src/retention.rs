//! The history-drop task: every `history_drop_interval`, deletes data older than
//! `latest block time − history_drop`. Starts only once the indexer has reached the head, so that commits of the
//! catch-up never lower the floor under a region the drop already removed.

use std::time::Duration;

use ftso_storage::Storage;
use tokio_util::sync::CancellationToken;

use crate::rpc::Rpc;

pub(crate) async fn run(
    storage: Storage,
    rpc: Rpc,
    window: Duration,
    interval: Duration,
    mut caught_up: tokio::sync::watch::Receiver<bool>,
    cancel: CancellationToken,
) {
    tokio::select! {
        () = cancel.cancelled() => return,
        r = caught_up.wait_for(|c| *c) => if r.is_err() { return },
    }
    loop {
        let started = std::time::Instant::now();
        match rpc.header(None).await {
            Ok((_, latest_ts)) => {
                let boundary = latest_ts.saturating_sub(window.as_secs());
                match storage.drop_history(boundary).await {
                    Ok(report) => tracing::info!(
                        boundary,
                        logs = report.logs,
                        transactions = report.transactions,
                        blocks = report.blocks,
                        duration_ms = started.elapsed().as_millis() as u64,
                        "finished history drop"
                    ),
                    Err(e) => tracing::warn!(error = %e, "history drop failed"),
                }
            }
            Err(e) => tracing::warn!(error = %e, "history drop: cannot read the latest block"),
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(interval) => {}
        }
    }
}
