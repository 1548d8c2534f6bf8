//! Index the known workload and compare every stored column with what was sent, on both backends; follow the
//! head with confirmations.

use std::time::Duration;

use ftso_storage::testing::{TestBackend, TestDb};
use ftso_storage::{BlockWindow, StateName, TimeWindow};
use sqlx::Row;
use tokio_util::sync::CancellationToken;

use crate::chain::{
    Chain, SUBMISSION, SUBMIT_SIGNATURES, SUBMIT1, TOPIC, assert_blocks_contiguous, spawn_indexer,
    state, wait_indexed,
};

async fn index_and_compare(chain: &Chain, db: TestDb) {
    let storage = db.storage.clone();
    let tip = chain.tip().await;
    let indexer = spawn_indexer(chain.config(), &storage, &chain.rpc_url());
    wait_indexed(&storage, tip, Duration::from_secs(60)).await;
    assert_blocks_contiguous(&storage, tip).await;

    // Every collected transaction, column by column.
    let rows = sqlx::query(
        "SELECT id, hash, function_sig, input, block_number, block_hash, transaction_index, from_address, \
         to_address, status, value, gas_price, gas, timestamp FROM transactions ORDER BY block_number, transaction_index",
    )
    .fetch_all(storage.pool())
    .await
    .unwrap();
    assert_eq!(
        rows.len(),
        chain.indexed.len(),
        "exactly the collected transactions are stored"
    );
    let mut last_id = 0i64;
    for (row, sent) in rows.iter().zip(&chain.indexed) {
        let block = storage
            .blocks_in(BlockWindow {
                from: sent.block_number,
                to: sent.block_number,
            })
            .await
            .unwrap();
        assert_eq!(row.get::<String, _>("hash"), hex::encode(sent.hash));
        assert_eq!(
            row.get::<String, _>("function_sig"),
            hex::encode(&sent.input[..4])
        );
        assert_eq!(row.get::<String, _>("input"), hex::encode(&sent.input));
        assert_eq!(row.get::<i64, _>("block_number") as u64, sent.block_number);
        assert_eq!(
            row.get::<String, _>("block_hash"),
            hex::encode(sent.block_hash)
        );
        assert_eq!(
            row.get::<i64, _>("transaction_index") as u64,
            sent.transaction_index
        );
        assert_eq!(row.get::<String, _>("from_address"), hex::encode(sent.from));
        assert_eq!(row.get::<String, _>("to_address"), hex::encode(sent.to));
        assert_eq!(
            row.get::<i64, _>("status") as u64,
            sent.status,
            "status of {}",
            sent.hash
        );
        assert_eq!(row.get::<String, _>("value"), format!("{:x}", sent.value));
        assert_eq!(
            row.get::<String, _>("gas_price"),
            sent.gas_price.to_string()
        );
        assert_eq!(row.get::<i64, _>("gas") as u64, sent.gas);
        assert_eq!(row.get::<i64, _>("timestamp") as u64, block[0].timestamp);
        let id: i64 = row.get("id");
        assert!(id > last_id, "ids are monotone in block order");
        last_id = id;
    }
    for hash in &chain.skipped {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM transactions WHERE hash = $1")
            .bind(hex::encode(hash))
            .fetch_one(storage.pool())
            .await
            .unwrap()
            .get("n");
        assert_eq!(n, 0, "{hash} must not be indexed");
    }

    // Every emitted log: from the receipt (linked to its transaction) and matched by the filter, stored once.
    let logs = sqlx::query(
        "SELECT l.transaction_id, l.address, l.data, l.topic0, l.topic1, l.topic2, l.topic3, l.transaction_hash, \
         l.log_index, l.timestamp, l.block_number, t.hash AS linked FROM logs l \
         LEFT JOIN transactions t ON t.id = l.transaction_id ORDER BY l.block_number, l.log_index",
    )
    .fetch_all(storage.pool())
    .await
    .unwrap();
    let expected: Vec<_> = chain
        .indexed
        .iter()
        .flat_map(|s| {
            s.logs
                .iter()
                .map(move |(index, address)| (s, *index, *address))
        })
        .collect();
    assert_eq!(logs.len(), expected.len());
    assert!(!expected.is_empty());
    for (row, (sent, index, address)) in logs.iter().zip(expected) {
        assert_eq!(
            row.get::<Option<String>, _>("linked"),
            Some(hex::encode(sent.hash)),
            "receipt log wins"
        );
        assert_eq!(row.get::<String, _>("address"), hex::encode(address));
        assert_eq!(row.get::<String, _>("data"), "");
        assert_eq!(row.get::<String, _>("topic0"), hex::encode(TOPIC));
        for t in ["topic1", "topic2", "topic3"] {
            assert_eq!(row.get::<String, _>(t), "NULL");
        }
        assert_eq!(
            row.get::<String, _>("transaction_hash"),
            hex::encode(sent.hash)
        );
        assert_eq!(row.get::<i64, _>("log_index") as u64, index);
        assert_eq!(row.get::<i64, _>("block_number") as u64, sent.block_number);
    }

    // The typed consumer queries see the submissions with their payloads.
    let all = TimeWindow {
        from: 0,
        to: u64::MAX >> 1,
    };
    let submit1 = storage
        .transactions_in_time(SUBMISSION, SUBMIT1, all)
        .await
        .unwrap();
    assert_eq!(submit1.len(), 6);
    assert!(submit1.iter().all(|t| t.status == 2));
    assert_eq!(
        submit1[1].payload().unwrap(),
        (0..41u8).map(|b| b ^ 1).collect::<Vec<_>>()
    );
    let sigs = storage
        .transactions_in_blocks(SUBMISSION, SUBMIT_SIGNATURES, BlockWindow::after(0))
        .await
        .unwrap();
    assert_eq!(sigs.len(), 6);
    let events = storage
        .logs_in_time(chain.emitter, TOPIC, all)
        .await
        .unwrap();
    assert_eq!(events.len(), 6);

    // Progress rows.
    let states = storage.states().await.unwrap();
    let get = |n: StateName| states.iter().find(|s| s.name == n.as_str()).cloned();
    assert_eq!(get(StateName::FirstDatabaseBlock).unwrap().index, 0);
    assert_eq!(get(StateName::LastDatabaseBlock).unwrap().index, tip);
    assert!(get(StateName::LastChainBlock).unwrap().index >= tip);

    // Follow the head.
    chain.mine(5).await;
    wait_indexed(&storage, tip + 5, Duration::from_secs(30)).await;
    assert_blocks_contiguous(&storage, tip + 5).await;

    indexer.cancel.cancel();
    tokio::time::timeout(Duration::from_secs(10), indexer.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stores_what_was_sent_on_sqlite_and_postgres() {
    let chain = Chain::start(300).await;
    index_and_compare(&chain, TestBackend::Sqlite.fresh().await.unwrap()).await;
    if let Some(db) = TestBackend::Postgres.fresh().await {
        index_and_compare(&chain, db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_the_head_with_confirmations_and_stops_at_stop_block() {
    let chain = Chain::start(20).await;
    let db = TestBackend::Sqlite.fresh().await.unwrap();
    let tip = chain.tip().await;
    let config = ftso_indexer::IndexerConfig {
        confirmations: 3,
        ..chain.config()
    };
    let indexer = spawn_indexer(config.clone(), &db.storage, &chain.rpc_url());
    wait_indexed(&db.storage, tip - 3, Duration::from_secs(30)).await;
    chain.mine(2).await;
    wait_indexed(&db.storage, tip - 1, Duration::from_secs(30)).await;
    let last = state(&db.storage, StateName::LastDatabaseBlock).await;
    assert_eq!(last.index, tip - 1, "never beyond latest - confirmations");
    let chain_state = state(&db.storage, StateName::LastChainBlock).await;
    assert_eq!(chain_state.index, tip - 1);
    indexer.stop().await;

    // A bounded run returns by itself after stop_block, resuming where the last run ended.
    let stop = ftso_indexer::IndexerConfig {
        confirmations: 0,
        stop_block: Some(tip + 1),
        ..config
    };
    tokio::time::timeout(
        Duration::from_secs(30),
        ftso_indexer::run(
            stop,
            db.storage.clone(),
            Chain::indexer_provider(&chain.rpc_url()),
            CancellationToken::new(),
        ),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        state(&db.storage, StateName::LastDatabaseBlock).await.index,
        tip + 1
    );
    assert_blocks_contiguous(&db.storage, tip + 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unregistered_required_name_fails_the_start() {
    let chain = Chain::start(0).await;
    let db = TestBackend::Sqlite.fresh().await.unwrap();
    // Plain anvil has no contract registry: the FSP defaults cannot be resolved.
    let config = ftso_indexer::IndexerConfig {
        fsp_defaults: true,
        ..chain.config()
    };
    let err = ftso_indexer::run(
        config,
        db.storage.clone(),
        Chain::indexer_provider(&chain.rpc_url()),
        CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, ftso_indexer::IndexerError::UnresolvedName { .. }),
        "{err:?}"
    );
}
