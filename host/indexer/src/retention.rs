//! The history-drop task: every `history_drop_interval`, deletes data older than
//! `latest block time − history_drop`. Starts only once the indexer has reached the head, so that commits of the
//! catch-up never lower the floor under a region the drop already removed.

use std::time::Duration;

use ftso_storage::Storage;
use tokio_util::sync::CancellationToken;

use crate::rpc::Rpc;

/// How the boundary is computed on each iteration.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Boundary {
    /// `latest block time − window`.
    Window(Duration),
    /// FSP: the anchor of the current reward epoch − 1 h.
    Fsp(alloy_primitives::Address),
}

impl Boundary {
    async fn compute(self, rpc: &Rpc) -> crate::Result<u64> {
        match self {
            Boundary::Window(window) => {
                let (_, latest_ts) = rpc.header(None).await?;
                Ok(latest_ts.saturating_sub(window.as_secs()))
            }
            Boundary::Fsp(fsm) => crate::fsp::retention_boundary(rpc, fsm).await,
        }
    }
}

pub(crate) async fn run(
    storage: Storage,
    rpc: Rpc,
    boundary: Boundary,
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
        match boundary.compute(&rpc).await {
            Ok(boundary) => match storage.drop_history(boundary).await {
                Ok(report) => tracing::info!(
                    boundary,
                    logs = report.logs,
                    transactions = report.transactions,
                    blocks = report.blocks,
                    duration_ms = started.elapsed().as_millis() as u64,
                    "finished history drop"
                ),
                Err(e) => tracing::warn!(error = %e, "history drop failed"),
            },
            Err(e) => tracing::warn!(error = %e, "history drop: cannot compute the boundary"),
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(interval) => {}
        }
    }
}
