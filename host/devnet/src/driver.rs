//! The background daemon: what the network's FlareDaemon does in every block.

use std::sync::Arc;
use std::time::Duration;

use alloy::primitives::{Address, Bytes, TxHash};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionRequest;
use alloy::sol_types::SolCall;
use ftso_chain::IFlareSystemsManager;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use crate::devnet::{DevnetProvider, wait_for_receipt};

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
                // Both transactions are sent before either is awaited, so that with interval mining they land in
                // the same block, as the FlareDaemon's calls do.
                let mut sent = Vec::with_capacity(daemonized.len());
                for contract in daemonized {
                    match send_daemonize(&provider, daemon, contract).await {
                        Ok(hash) => sent.push((contract, hash)),
                        Err(error) => warn_failed(contract, &error),
                    }
                }
                for (contract, hash) in sent {
                    match wait_for_receipt(&provider, hash).await {
                        Ok(_) if interval_mining => handled = latest,
                        Ok(receipt) => {
                            handled = handled.max(receipt.block_number.unwrap_or(latest))
                        }
                        Err(error) => warn_failed(contract, &error),
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

/// Gas limit of the driver's daemonize transactions: set, not estimated, because FastUpdater's estimate would be
/// made before FlareSystemsManager's transaction in the same block (which may start a reward epoch, making
/// FastUpdater rescale every feed).
const DAEMONIZE_GAS: u64 = 10_000_000;

async fn send_daemonize(
    provider: &DevnetProvider,
    daemon: Address,
    contract: Address,
) -> anyhow::Result<TxHash> {
    let tx = TransactionRequest::default()
        .from(daemon)
        .to(contract)
        .gas_limit(DAEMONIZE_GAS)
        .input(Bytes::from(IFlareSystemsManager::daemonizeCall {}.abi_encode()).into());
    Ok(*provider.send_transaction(tx).await?.tx_hash())
}

fn warn_failed(contract: Address, error: &anyhow::Error) {
    tracing::warn!(
        error = format!("{error:#}"),
        %contract,
        "daemon driver: daemonize failed"
    );
}

impl Drop for DaemonDriver {
    fn drop(&mut self) {
        self.handle.abort();
    }
}
