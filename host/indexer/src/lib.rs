//! The C-chain indexer of the FTSO node.
//!
//! ```text
//!              ┌─ blocks (parallel, bounded) ─► matched txs ─► receipts (status / events)
//! chain RPC ───┤                                                         │
//!              └─ eth_getLogs per log_range chunk ─► routed to filters ──┴─► BlockBatch ─► ftso-storage
//! ```
//!
//! What is collected comes from [`IndexerConfig`]: the built-in FSP collectors (Submission submit1/2/
//! submitSignatures, Relay relay(), FlareSystemsManager, VoterRegistry and FlareSystemsCalculator in both event
//! layouts, Relay SigningPolicyInitialized, FtsoRewardOffersManager, and all events of FastUpdater,
//! FastUpdatesConfiguration, FastUpdateIncentiveManager and EntityManager) plus user entries; names are resolved
//! once through the contract registry. The loop resumes right after `last_database_block`, catches up in
//! batches of whole blocks (one database transaction each) and then follows `latest − confirmations`.
//! In `mode = "fsp"` the start and the retention follow the reference's FSP mode instead (see [`IndexerMode`]).
//! Transient RPC errors are retried with backoff inside each call; a failed phase restarts from the database
//! state, so there is never a hole or a duplicate. Reorgs are not handled (Flare has finality; on other chains
//! use enough confirmations).

mod collect;
mod config;
mod engine;
mod error;
mod fetch;
mod fsp;
mod progress;
mod resolve;
mod retention;
mod rpc;

use std::time::Duration;

use alloy::providers::DynProvider;
use ftso_storage::Storage;
use tokio_util::sync::CancellationToken;

pub use collect::{
    Collection, LogFilter, TxPolicy, fsp_log_collectors, fsp_transaction_collectors,
};
pub use config::{ContractRef, IndexerConfig, IndexerMode, LogCollector, TransactionCollector};
pub use error::{IndexerError, Result};

/// Pause before restarting a failed indexing phase.
const RESTART_DELAY: Duration = Duration::from_secs(1);

/// Runs the indexer until `cancel` fires (returns `Ok`) or `stop_block` is indexed (returns `Ok`).
///
/// Errors that retrying cannot fix (invalid config, an unregistered required contract) are returned; every other
/// failure restarts the indexing phase after a short pause, resuming from the database.
pub async fn run(
    config: IndexerConfig,
    storage: Storage,
    provider: DynProvider,
    cancel: CancellationToken,
) -> Result<()> {
    config.validate()?;
    let rpc = rpc::Rpc::new(
        provider,
        config.rpc_concurrency,
        config.rpc_timeout,
        config.rpc_retry_budget,
        cancel.clone(),
    );
    let collection = loop {
        match resolve::collection(&config, &rpc).await {
            Ok(c) => break c,
            Err(e) if e.is_transient() && !cancel.is_cancelled() => {
                tracing::warn!(error = %e, "resolving contracts failed; retrying");
                pause(&cancel).await;
            }
            Err(e) => return Err(e),
        }
    };
    tracing::info!(
        transaction_policies = collection.transactions.len(),
        log_filters = collection.logs.len(),
        "collection policy"
    );
    let (caught_up, caught_up_rx) = tokio::sync::watch::channel(false);
    let fsm = match config.mode {
        IndexerMode::Full => None,
        IndexerMode::Fsp => loop {
            match fsp::flare_systems_manager(&rpc, config.registry_address).await {
                Ok(a) => break Some(a),
                Err(e) if e.is_transient() && !cancel.is_cancelled() => {
                    tracing::warn!(error = %e, "resolving FlareSystemsManager failed; retrying");
                    pause(&cancel).await;
                }
                Err(e) => return Err(e),
            }
        },
    };
    let boundary = match (fsm, config.history_drop) {
        (Some(fsm), _) => Some(retention::Boundary::Fsp(fsm)),
        (None, Some(window)) => Some(retention::Boundary::Window(window)),
        (None, None) => None,
    };
    let retention_cancel = cancel.child_token();
    let retention = boundary.map(|boundary| {
        tokio::spawn(retention::run(
            storage.clone(),
            rpc.clone(),
            boundary,
            config.history_drop_interval,
            caught_up_rx,
            retention_cancel.clone(),
        ))
    });
    let engine = engine::Engine {
        config: &config,
        storage: &storage,
        rpc: &rpc,
        collection: &collection,
        cancel: &cancel,
        caught_up: &caught_up,
        fsm,
    };
    let result = loop {
        match engine.run().await {
            Ok(_) => break Ok(()),
            Err(_) if cancel.is_cancelled() => break Ok(()),
            Err(e) => {
                tracing::error!(error = %e, transient = e.is_transient(), "indexing failed; restarting from the database state");
                pause(&cancel).await;
            }
        }
    };
    // The retention task is stopped and awaited, not abandoned: a panic in it is reported.
    retention_cancel.cancel();
    if let Some(task) = retention
        && let Err(join) = task.await
    {
        tracing::error!(error = %join, "the retention task failed");
    }
    result
}

async fn pause(cancel: &CancellationToken) {
    tokio::select! {
        () = cancel.cancelled() => {}
        () = tokio::time::sleep(RESTART_DELAY) => {}
    }
}
