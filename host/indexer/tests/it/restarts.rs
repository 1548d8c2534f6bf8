//! Kill the indexer (abort its task) at random points while it catches up over thousands of blocks, restart it,
//! and check that the database never has a gap or a duplicate.

use std::time::Duration;

use ftso_storage::StateName;
use ftso_storage::testing::{TestBackend, TestDb};

use crate::chain::{Chain, assert_blocks_contiguous, count, spawn_indexer, state, wait_indexed};

/// A small deterministic PRNG (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

/// Invariants that must hold at any moment: the stored blocks are exactly `0..=last_database_block`.
async fn assert_consistent(db: &TestDb) -> u64 {
    let Some(last) = db
        .storage
        .state(StateName::LastDatabaseBlock)
        .await
        .unwrap()
    else {
        let n = count(&db.storage, "SELECT COUNT(*) AS n FROM blocks").await;
        assert_eq!(n, 0, "blocks without a progress row");
        return 0;
    };
    assert_blocks_contiguous(&db.storage, last.index).await;
    let dup = count(
        &db.storage,
        "SELECT COUNT(*) AS n FROM (SELECT transaction_hash, log_index FROM logs GROUP BY transaction_hash, log_index \
         HAVING COUNT(*) > 1) d",
    )
    .await;
    assert_eq!(dup, 0);
    last.index
}

async fn kill_and_restart(chain: &Chain, db: TestDb, trials: usize, seed: u64) {
    let tip = chain.tip().await;
    let mut rng = Rng(seed);
    let config = ftso_indexer::IndexerConfig {
        batch_size: 50,
        ..chain.config()
    };
    let mut kills_mid_catch_up = 0;
    for _ in 0..trials {
        let indexer = spawn_indexer(config.clone(), &db.storage, &chain.rpc_url());
        // Kill at a random point: after a random number of further blocks were committed, plus a random delay
        // of 0-2 ms so the abort also lands inside fetches and inside commits.
        let current = db
            .storage
            .state(StateName::LastDatabaseBlock)
            .await
            .unwrap()
            .map_or(0, |s| s.index);
        let target = (current + 1 + rng.below(120)).min(tip - 1);
        wait_indexed(&db.storage, target, Duration::from_secs(60)).await;
        tokio::time::sleep(Duration::from_micros(rng.below(2000))).await;
        indexer.task.abort();
        let _ = indexer.task.await;
        let last = assert_consistent(&db).await;
        if last < tip {
            kills_mid_catch_up += 1;
        }
    }
    assert!(
        kills_mid_catch_up * 2 >= trials,
        "most kills must land during catch-up ({kills_mid_catch_up}/{trials})"
    );
    let indexer = spawn_indexer(config, &db.storage, &chain.rpc_url());
    wait_indexed(&db.storage, tip, Duration::from_secs(120)).await;
    indexer.stop().await;
    assert_eq!(assert_consistent(&db).await, tip);
    let txs = count(&db.storage, "SELECT COUNT(*) AS n FROM transactions").await;
    assert_eq!(
        txs as usize,
        chain.indexed.len(),
        "every transaction exactly once"
    );
    let logs = count(&db.storage, "SELECT COUNT(*) AS n FROM logs").await;
    assert_eq!(
        logs as usize,
        chain.indexed.iter().map(|s| s.logs.len()).sum::<usize>()
    );
    let first = state(&db.storage, StateName::FirstDatabaseBlock).await;
    assert_eq!(first.index, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_gap_or_duplicate_after_random_kills() {
    let chain = Chain::start(3000).await;
    kill_and_restart(
        &chain,
        TestBackend::Sqlite.fresh().await.unwrap(),
        20,
        0x9e37_79b9_7f4a_7c15,
    )
    .await;
    if let Some(db) = TestBackend::Postgres.fresh().await {
        kill_and_restart(&chain, db, 8, 0x1234_5678_9abc_def1).await;
    }
}
