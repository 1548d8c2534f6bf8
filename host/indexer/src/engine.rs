//! The indexing loop: resume after the last committed block, catch up in batches of whole blocks, then follow the
//! confirmed head; progress rows, progress reports and metrics along the way (see [`crate::progress`]).

use std::time::Instant;

use ftso_storage::{StateName, Storage};
use tokio_util::sync::CancellationToken;

use crate::collect::Collection;
use crate::config::IndexerConfig;
use crate::error::Result;
use crate::fetch;
use crate::progress::{Committed, Head, Progress};
use crate::rpc::Rpc;

/// Why the loop returned without error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// The token was cancelled.
    Cancelled,
    /// `stop_block` was indexed.
    Stopped,
}

/// Shared state of one indexing run.
#[derive(Debug)]
pub(crate) struct Engine<'a> {
    pub(crate) config: &'a IndexerConfig,
    pub(crate) storage: &'a Storage,
    pub(crate) rpc: &'a Rpc,
    pub(crate) collection: &'a Collection,
    pub(crate) cancel: &'a CancellationToken,
    /// Set once the confirmed head has been reached (starts the retention task).
    pub(crate) caught_up: &'a tokio::sync::watch::Sender<bool>,
    /// FlareSystemsManager, in FSP mode.
    pub(crate) fsm: Option<alloy_primitives::Address>,
}

impl Engine<'_> {
    /// The confirmed tip `(number, timestamp)`: `latest − confirmations`; `None` while the chain is shorter.
    pub(crate) async fn confirmed_tip(&self) -> Result<Option<(u64, u64)>> {
        let (latest, latest_ts) = self.rpc.header(None).await?;
        let Some(tip) = latest.checked_sub(self.config.confirmations) else {
            return Ok(None);
        };
        if tip == latest {
            return Ok(Some((latest, latest_ts)));
        }
        Ok(Some(self.rpc.header(Some(tip)).await?))
    }

    /// The first block to index: after `last_database_block`, else the configured start (or, with a retention
    /// window and an empty database, the first block inside the window).
    async fn resume_point(&self) -> Result<u64> {
        if let Some(fsm) = self.fsm {
            return self.fsp_plan(fsm).await;
        }
        if let Some(last) = self.storage.state(StateName::LastDatabaseBlock).await? {
            return Ok(last.index + 1);
        }
        let Some(window) = self.config.history_drop else {
            return Ok(self.config.start_block);
        };
        let Some((tip, tip_ts)) = self.confirmed_tip().await? else {
            return Ok(self.config.start_block);
        };
        let target = tip_ts.saturating_sub(window.as_secs());
        self.first_block_at_or_after(target, self.config.start_block, tip)
            .await
    }

    /// Binary search for the first block in `lo..=hi` with timestamp ≥ `target` (timestamps are monotone).
    pub(crate) async fn first_block_at_or_after(
        &self,
        target: u64,
        mut lo: u64,
        mut hi: u64,
    ) -> Result<u64> {
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let (_, ts) = self.rpc.header(Some(mid)).await?;
            if ts >= target { hi = mid } else { lo = mid + 1 }
        }
        Ok(lo)
    }

    /// Indexes until cancelled or past `stop_block`.
    pub(crate) async fn run(&self) -> Result<Exit> {
        let mut next = self.resume_point().await?;
        let mut progress = Progress::new(next, self.config.progress_log_interval);
        let mut last_tip_written = None;
        tracing::info!(from = next, "indexing");
        loop {
            if self.cancel.is_cancelled() {
                return Ok(Exit::Cancelled);
            }
            if self.config.stop_block.is_some_and(|stop| next > stop) {
                tracing::info!(last = next - 1, "reached stop_block");
                return Ok(Exit::Stopped);
            }
            let tip = self.confirmed_tip().await?;
            if let Some((n, ts)) = tip
                && last_tip_written != Some(n)
            {
                self.storage
                    .set_state(StateName::LastChainBlock, n, ts)
                    .await?;
                last_tip_written = Some(n);
                progress.head(Head {
                    number: n,
                    timestamp: ts,
                });
            }
            let end_limit = match (tip, self.config.stop_block) {
                (Some((n, _)), Some(stop)) => Some(n.min(stop)),
                (Some((n, _)), None) => Some(n),
                (None, _) => None,
            };
            let Some(end_limit) = end_limit.filter(|&e| e >= next) else {
                self.caught_up.send_replace(true);
                tokio::select! {
                    () = self.cancel.cancelled() => return Ok(Exit::Cancelled),
                    () = tokio::time::sleep(self.config.new_block_poll_interval) => continue,
                }
            };
            let end = next
                .saturating_add(self.config.batch_size - 1)
                .min(end_limit);
            let started = Instant::now();
            let batch = fetch::range(
                self.rpc,
                self.collection,
                next,
                end,
                self.config.rpc_concurrency,
                self.config.log_range,
            )
            .await?;
            let summary = self.storage.commit_batch(&batch).await?;
            tracing::debug!(
                from = next,
                to = end,
                transactions = summary.transactions,
                logs = summary.logs,
                duration_ms = started.elapsed().as_millis() as u64,
                "committed batch"
            );
            if let (Some(last), Some((head, head_ts))) = (batch.blocks.last(), tip) {
                let committed = Committed {
                    last_block: last.number,
                    last_timestamp: last.timestamp,
                    blocks: batch.blocks.len() as u64,
                };
                let head = Head {
                    number: head,
                    timestamp: head_ts,
                };
                progress.record(committed, head);
            }
            next = end + 1;
        }
    }
}
