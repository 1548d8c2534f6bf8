//! The write path: encodings, atomic whole-block commits, progress rows, idempotence, invalid batches.

use ftso_storage::testing::TestDb;
use ftso_storage::{BlockWindow, StateName, StorageError};
use sqlx::Row;

use crate::both_backends;
use crate::fixtures::{assert_state, batch, block_hash, count, state, tx_hash};

async fn stores_reference_encodings(db: TestDb) {
    let s = &db.storage;
    let summary = s.commit_batch(&batch(3, 5)).await.unwrap();
    assert_eq!(
        (summary.blocks, summary.transactions, summary.logs),
        (3, 3, 6)
    );

    let tx = sqlx::query(
        "SELECT hash, function_sig, input, block_number, block_hash, transaction_index, from_address, to_address, \
         status, value, gas_price, gas, timestamp, id FROM transactions WHERE block_number = 3",
    )
    .fetch_one(s.pool())
    .await
    .unwrap();
    assert_eq!(tx.get::<String, _>("hash"), hex::encode(tx_hash(3, 0)));
    assert_eq!(tx.get::<String, _>("function_sig"), "6c532fae");
    assert_eq!(tx.get::<String, _>("input"), "6c532fae0000000000000003");
    assert_eq!(tx.get::<i64, _>("block_number"), 3);
    assert_eq!(
        tx.get::<String, _>("block_hash"),
        hex::encode(block_hash(3))
    );
    assert_eq!(tx.get::<i64, _>("transaction_index"), 0);
    assert_eq!(tx.get::<String, _>("from_address"), "5e".repeat(20));
    assert_eq!(tx.get::<String, _>("to_address"), "2c".repeat(20));
    assert_eq!(tx.get::<i64, _>("status"), 2, "block 3 has no receipt");
    assert_eq!(tx.get::<String, _>("value"), "30");
    assert_eq!(tx.get::<String, _>("gas_price"), "25000000000");
    assert_eq!(tx.get::<i64, _>("gas"), 300_000);
    assert_eq!(tx.get::<i64, _>("timestamp"), 1006);
    let tx_id: i64 = tx.get("id");

    let logs = sqlx::query(
        "SELECT transaction_id, address, data, topic0, topic1, topic2, topic3, transaction_hash, log_index, \
         timestamp, block_number FROM logs WHERE block_number = 3 ORDER BY log_index",
    )
    .fetch_all(s.pool())
    .await
    .unwrap();
    assert_eq!(logs.len(), 2);
    assert_eq!(
        logs[0].get::<Option<i64>, _>("transaction_id"),
        Some(tx_id),
        "receipt log references its tx"
    );
    assert_eq!(
        logs[1].get::<Option<i64>, _>("transaction_id"),
        None,
        "filter log has no tx link"
    );
    assert_eq!(logs[0].get::<String, _>("address"), "ee".repeat(20));
    assert_eq!(logs[0].get::<String, _>("data"), "0000000000000003");
    assert_eq!(logs[1].get::<String, _>("data"), "");
    assert_eq!(logs[0].get::<String, _>("topic0"), "4a".repeat(32));
    assert_eq!(
        logs[0].get::<String, _>("topic1"),
        format!("{}03", "00".repeat(31))
    );
    assert_eq!(logs[0].get::<String, _>("topic2"), "NULL");
    assert_eq!(logs[1].get::<String, _>("topic1"), "NULL");
    assert_eq!(logs[1].get::<String, _>("topic3"), "NULL");
    assert_eq!(
        logs[0].get::<String, _>("transaction_hash"),
        hex::encode(tx_hash(3, 0))
    );
    assert_eq!(logs[1].get::<i64, _>("log_index"), 1);
    assert_eq!(logs[0].get::<i64, _>("timestamp"), 1006);

    let blocks = s.blocks_in(BlockWindow { from: 0, to: 100 }).await.unwrap();
    assert_eq!(
        blocks.iter().map(|b| b.number).collect::<Vec<_>>(),
        vec![3, 4, 5]
    );
    assert_eq!(blocks[0].hash, hex::encode(block_hash(3)));

    assert_state(s, StateName::LastDatabaseBlock, (5, 1010)).await;
    assert_state(s, StateName::FirstDatabaseBlock, (3, 1006)).await;
    let updated: Option<String> = sqlx::query(
        "SELECT CAST(updated AS TEXT) AS u FROM states WHERE name = 'last_database_block'",
    )
    .fetch_one(s.pool())
    .await
    .unwrap()
    .get("u");
    assert!(
        updated.is_some_and(|u| u.starts_with("20")),
        "updated holds the wall clock"
    );
}
both_backends!(stores_reference_encodings_on, stores_reference_encodings);

async fn progress_rows_follow_the_reference_rules(db: TestDb) {
    let s = &db.storage;
    s.commit_batch(&batch(10, 12)).await.unwrap();
    s.commit_batch(&batch(13, 14)).await.unwrap();
    let first = state(s, StateName::FirstDatabaseBlock).await;
    assert_eq!(
        first.index, 10,
        "first_database_block is never raised by commits"
    );
    // Re-indexing a lower range (e.g. more history requested) lowers the floor and moves the top with it.
    s.commit_batch(&batch(8, 9)).await.unwrap();
    assert_eq!(state(s, StateName::FirstDatabaseBlock).await.index, 8);
    assert_eq!(state(s, StateName::LastDatabaseBlock).await.index, 9);
    s.set_state(StateName::LastChainBlock, 99, 1198)
        .await
        .unwrap();
    s.set_state(StateName::LastChainBlock, 100, 1200)
        .await
        .unwrap();
    assert_state(s, StateName::LastChainBlock, (100, 1200)).await;
    assert_eq!(s.states().await.unwrap().len(), 3);
}
both_backends!(
    progress_rows_follow_the_reference_rules_on,
    progress_rows_follow_the_reference_rules
);

async fn recommitting_a_range_adds_nothing(db: TestDb) {
    let s = &db.storage;
    s.commit_batch(&batch(1, 20)).await.unwrap();
    let again = s.commit_batch(&batch(5, 25)).await.unwrap();
    assert_eq!((again.blocks, again.transactions, again.logs), (5, 5, 10));
    for (table, expected) in [("blocks", 25i64), ("transactions", 25), ("logs", 50)] {
        let n: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM {table}"
        )))
        .fetch_one(s.pool())
        .await
        .unwrap()
        .get("n");
        assert_eq!(n, expected, "{table}");
    }
    // Receipt logs of re-committed blocks still point at the original transaction rows.
    let dangling: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM logs l JOIN transactions t ON t.id = l.transaction_id \
         WHERE t.hash <> l.transaction_hash",
    )
    .fetch_one(s.pool())
    .await
    .unwrap()
    .get("n");
    assert_eq!(dangling, 0);
}
both_backends!(
    recommitting_a_range_adds_nothing_on,
    recommitting_a_range_adds_nothing
);

async fn rejects_batches_that_are_not_whole_consecutive_blocks(db: TestDb) {
    let s = &db.storage;
    let mut gap = batch(1, 3);
    gap.blocks.remove(1);
    gap.transactions.retain(|t| t.block_number != 2);
    gap.logs.retain(|l| l.block_number != 2);
    assert!(matches!(
        s.commit_batch(&gap).await,
        Err(StorageError::InvalidBatch { .. })
    ));
    let mut stray = batch(1, 3);
    stray.logs[0].block_number = 7;
    assert!(matches!(
        s.commit_batch(&stray).await,
        Err(StorageError::InvalidBatch { .. })
    ));
    assert!(matches!(
        s.commit_batch(&batch(4, 3)).await,
        Err(StorageError::InvalidBatch { .. })
    ));
    assert!(
        s.state(StateName::LastDatabaseBlock)
            .await
            .unwrap()
            .is_none(),
        "nothing was written"
    );
    assert!(s.latest_block().await.unwrap().is_none());
}
both_backends!(
    rejects_invalid_batches_on,
    rejects_batches_that_are_not_whole_consecutive_blocks
);

async fn a_failed_commit_leaves_no_partial_block(db: TestDb) {
    let s = &db.storage;
    s.commit_batch(&batch(1, 2)).await.unwrap();
    // A trigger makes the database reject the last log of the batch, after blocks and transactions were written
    // inside the same database transaction: nothing of the batch may remain.
    let poison = "ff".repeat(20);
    match s.backend() {
        ftso_storage::Backend::Sqlite => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "CREATE TRIGGER poison BEFORE INSERT ON logs WHEN NEW.address = '{poison}' \
                 BEGIN SELECT RAISE(ABORT, 'poisoned log'); END"
            )))
            .execute(s.pool())
            .await
            .unwrap();
        }
        ftso_storage::Backend::Postgres => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 IF NEW.address = '{poison}' THEN RAISE EXCEPTION 'poisoned log'; END IF; RETURN NEW; END $$"
            )))
            .execute(s.pool())
            .await
            .unwrap();
            sqlx::query("CREATE TRIGGER poison BEFORE INSERT ON logs FOR EACH ROW EXECUTE FUNCTION poison()")
                .execute(s.pool())
                .await
                .unwrap();
        }
    }
    let mut bad = batch(3, 4);
    if let Some(l) = bad.logs.last_mut() {
        l.address = alloy_primitives::Address::repeat_byte(0xff);
    }
    assert!(matches!(
        s.commit_batch(&bad).await,
        Err(StorageError::Sqlx(sqlx::Error::Database(_)))
    ));
    assert_eq!(s.latest_block().await.unwrap().unwrap().number, 2);
    assert_eq!(state(s, StateName::LastDatabaseBlock).await.index, 2);
    assert_eq!(count(s, "SELECT COUNT(*) AS n FROM transactions").await, 2);
    // Unencodable values are rejected before anything is sent.
    let mut huge = batch(3, 4);
    if let Some(t) = huge.transactions.last_mut() {
        t.gas = u64::MAX;
    }
    assert!(matches!(
        s.commit_batch(&huge).await,
        Err(StorageError::InvalidBatch { .. })
    ));
}
both_backends!(
    a_failed_commit_leaves_no_partial_block_on,
    a_failed_commit_leaves_no_partial_block
);

async fn migrations_are_idempotent_across_reopen(db: TestDb) {
    db.storage.commit_batch(&batch(1, 2)).await.unwrap();
    db.storage.close().await;
    let reopened = ftso_storage::Storage::open(&db.url).await.unwrap();
    assert_eq!(reopened.latest_block().await.unwrap().unwrap().number, 2);
}
both_backends!(
    migrations_are_idempotent_on,
    migrations_are_idempotent_across_reopen
);

#[tokio::test]
async fn sqlite_uses_wal_and_creates_the_data_dir() {
    let db = ftso_storage::testing::sqlite().await;
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(db.storage.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(mode.to_lowercase(), "wal");
    assert!(db.url.contains("/data/indexer.db"));
}

#[tokio::test]
async fn unknown_url_schemes_are_rejected() {
    let err = ftso_storage::Storage::open("mysql://root@localhost/x")
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::UnsupportedUrl { .. }));
}
