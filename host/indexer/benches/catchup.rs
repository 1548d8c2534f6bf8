//! Catch-up throughput: indexes K blocks from anvil into SQLite (and PostgreSQL when configured) and prints
//! blocks/s next to the raw rate of fetching the same blocks (full, with transactions) over RPC without storing
//! them, with the same concurrency.
//!
//! `cargo bench -p ftso-indexer --bench catchup` (K from `FTSO_BENCH_BLOCKS`, default 5000).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark binary"
)]

#[path = "../tests/it/chain.rs"]
#[allow(
    dead_code,
    reason = "shared with the integration tests; the bench uses part of it"
)]
mod chain;

use std::time::{Duration, Instant};

use alloy::eips::BlockNumberOrTag;
use alloy::providers::Provider;
use chain::Chain;
use ftso_storage::testing::TestBackend;
use futures::{StreamExt, TryStreamExt};
use tokio_util::sync::CancellationToken;

const CONCURRENCY: usize = 32;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let k: u64 = std::env::var("FTSO_BENCH_BLOCKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let chain = Chain::start(k).await;
    let tip = chain.tip().await;
    let url = chain.rpc_url();

    // Raw: fetch every block with its transactions, store nothing.
    let provider = Chain::indexer_provider(&url);
    let started = Instant::now();
    let fetched: Vec<_> = futures::stream::iter(0..=tip)
        .map(|n| {
            let p = provider.clone();
            async move {
                p.get_block_by_number(BlockNumberOrTag::Number(n))
                    .full()
                    .await
            }
        })
        .buffered(CONCURRENCY)
        .try_collect()
        .await
        .unwrap();
    assert!(fetched.iter().all(Option::is_some));
    let raw = (tip + 1) as f64 / started.elapsed().as_secs_f64();
    println!(
        "raw eth_getBlockByNumber(full) x{}: {raw:.0} blocks/s (concurrency {CONCURRENCY})",
        tip + 1
    );

    for backend in [TestBackend::Sqlite, TestBackend::Postgres] {
        let Some(db) = backend.fresh().await else {
            continue;
        };
        let config = ftso_indexer::IndexerConfig {
            batch_size: 1000,
            rpc_concurrency: CONCURRENCY,
            log_range: 1000,
            stop_block: Some(tip),
            progress_log_interval: Duration::from_secs(3600),
            ..chain.config()
        };
        let started = Instant::now();
        ftso_indexer::run(
            config,
            db.storage.clone(),
            Chain::indexer_provider(&url),
            CancellationToken::new(),
        )
        .await
        .unwrap();
        let rate = (tip + 1) as f64 / started.elapsed().as_secs_f64();
        println!(
            "indexer catch-up into {backend:?} x{}: {rate:.0} blocks/s = {:.2} x raw",
            tip + 1,
            rate / raw
        );
    }
}
