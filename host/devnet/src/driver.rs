//! The background daemon: what the network's FlareDaemon does in every block.

use std::sync::Arc;
use std::time::Duration;

use alloy::primitives::Address;
use alloy::providers::Provider;
use ftso_chain::IFlareSystemsManager;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use crate::devnet::{DevnetProvider, send_call};

/// Calls `daemonize()` on each daemonized contract (FlareSystemsManager, then FastUpdater; both share the selector)
/// once per block. With interval mining its transaction lands in the
/// next block, so it fires whenever the chain head moved since it last looked; with automine (a block per
/// transaction) it ignores the blocks its own transactions mined, so it does not feed itself. Aborted on drop.
#[derive(Debug)]
pub struct DaemonDriver {
    handle: JoinHandle<()>,
}

impl DaemonDriver {
    pub(crate) fn spawn(
        provider: DevnetProvider,
        daemon: Address,
        daemonized: [Address; 2],
        lock: Arc<Mutex<()>>,
        poll: Duration,
        interval_mining: bool,
    ) -> Self {
        let handle = tokio::spawn(async move {
            // The newest block already accounted for: seen before sending (interval mining) or mined by our own
            // transaction (automine).
            let mut handled = 0u64;
            let mut interval = tokio::time::interval(poll);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                let latest = match provider.get_block_number().await {
                    Ok(latest) => latest,
                    Err(error) => {
                        tracing::warn!(%error, "daemon driver: eth_blockNumber failed");
                        continue;
                    }
                };
                if latest <= handled {
                    continue;
                }
                let _guard = lock.lock().await;
                let call = IFlareSystemsManager::daemonizeCall {};
                for contract in daemonized {
                    match send_call(&provider, daemon, contract, &call).await {
                        Ok(_) if interval_mining => handled = latest,
                        Ok(receipt) => handled = receipt.block_number.unwrap_or(latest),
                        Err(error) => tracing::warn!(
                            error = format!("{error:#}"),
                            %contract,
                            "daemon driver: daemonize failed"
                        ),
                    }
                }
            }
        });
        Self { handle }
    }

    /// Stops the driver.
    pub fn stop(self) {}

    /// Whether the driver task has ended (it only ends when aborted or on a panic).
    pub fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }
}

impl Drop for DaemonDriver {
    fn drop(&mut self) {
        self.handle.abort();
    }
}
