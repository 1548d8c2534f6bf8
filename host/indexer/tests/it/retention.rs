//! Retention through the indexer: an empty database starts at the first block inside the window, and the
//! history-drop task (started once the head is reached) deletes exactly what falls out of the window.

use std::time::Duration;

use alloy::providers::Provider;
use ftso_storage::testing::TestBackend;
use ftso_storage::{BlockWindow, StateName};

use crate::chain::{Chain, spawn_indexer, state, wait_indexed};

async fn warp(chain: &Chain, seconds: u64) {
    let _: serde_json::Value = chain
        .provider
        .raw_request("evm_increaseTime".into(), (seconds,))
        .await
        .unwrap();
    chain.mine(1).await;
}

async fn block_ts(chain: &Chain, n: u64) -> u64 {
    chain
        .provider
        .get_block_by_number(n.into())
        .await
        .unwrap()
        .unwrap()
        .header
        .timestamp
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starts_inside_the_window_and_drops_what_leaves_it() {
    let chain = Chain::start(50).await;
    warp(&chain, 10_000).await;
    let first_in_window = chain.tip().await;
    // 30 blocks, 2 s apart.
    let _: serde_json::Value = chain
        .provider
        .raw_request("anvil_mine".into(), ("0x1e", "0x2"))
        .await
        .unwrap();
    let tip = chain.tip().await;
    let db = TestBackend::Sqlite.fresh().await.unwrap();
    let config = ftso_indexer::IndexerConfig {
        history_drop: Some(Duration::from_secs(5_000)),
        history_drop_interval: Duration::from_millis(50),
        ..chain.config()
    };
    let indexer = spawn_indexer(config, &db.storage, &chain.rpc_url());
    wait_indexed(&db.storage, tip, Duration::from_secs(30)).await;
    let first = state(&db.storage, StateName::FirstDatabaseBlock).await;
    assert_eq!(
        first.index, first_in_window,
        "the start is the first block with ts >= tip ts - window"
    );
    let blocks = db
        .storage
        .blocks_in(BlockWindow { from: 0, to: tip })
        .await
        .unwrap();
    assert_eq!(blocks.first().unwrap().number, first_in_window);

    // Move time so that the blocks up to `cut` fall out of the window.
    let cut = first_in_window + 10;
    let cut_ts = block_ts(&chain, cut).await;
    let next_ts = block_ts(&chain, cut + 1).await;
    assert!(
        next_ts > cut_ts,
        "anvil gives consecutive blocks distinct timestamps"
    );
    // An exact timestamp: a relative warp would also add the wall-clock time the test has spent so far, and on a
    // slow machine that pushes the boundary past `cut + 1`.
    let _: serde_json::Value = chain
        .provider
        .raw_request("evm_setNextBlockTimestamp".into(), (next_ts + 5_000,))
        .await
        .unwrap();
    chain.mine(1).await;
    let new_tip = chain.tip().await;
    wait_indexed(&db.storage, new_tip, Duration::from_secs(30)).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let first = state(&db.storage, StateName::FirstDatabaseBlock).await;
        if first.index == cut + 1 {
            break;
        }
        assert!(
            first.index <= cut + 1,
            "dropped too much: floor {}",
            first.index
        );
        assert!(
            tokio::time::Instant::now() < deadline,
            "history drop did not run"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let blocks = db
        .storage
        .blocks_in(BlockWindow {
            from: 0,
            to: new_tip,
        })
        .await
        .unwrap();
    assert_eq!(
        blocks.first().unwrap().number,
        cut + 1,
        "exactly the blocks older than the boundary are gone"
    );
    assert_eq!(blocks.len() as u64, new_tip - cut);
    indexer.stop().await;
}
