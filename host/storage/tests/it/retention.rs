//! History drop: exactly the rows older than the boundary go, floors rise as the reference's.

use ftso_storage::testing::TestDb;
use ftso_storage::{BlockWindow, StateName};

use crate::both_backends;
use crate::fixtures::{assert_state, batch, count, state};

async fn deletes_exactly_what_is_older_than_the_boundary(db: TestDb) {
    let s = &db.storage;
    // 2400 blocks: more than two 1000-row chunks per table.
    for start in (1..=2400).step_by(400) {
        s.commit_batch(&batch(start, start + 399)).await.unwrap();
    }
    // Block n has timestamp 1000 + 2n; boundary 3001 keeps blocks with ts >= 3001, i.e. n >= 1001.
    let report = s.drop_history(3001).await.unwrap();
    assert_eq!(
        (report.blocks, report.transactions, report.logs),
        (1000, 1000, 2000)
    );
    assert_eq!(count(s, "SELECT MIN(number) AS n FROM blocks").await, 1001);
    assert_eq!(count(s, "SELECT COUNT(*) AS n FROM blocks").await, 1400);
    assert_eq!(
        count(
            s,
            "SELECT COUNT(*) AS n FROM transactions WHERE timestamp < 3001"
        )
        .await,
        0
    );
    assert_eq!(
        count(s, "SELECT COUNT(*) AS n FROM transactions").await,
        1400
    );
    assert_eq!(count(s, "SELECT COUNT(*) AS n FROM logs").await, 2800);
    assert_eq!(count(s, "SELECT MIN(timestamp) AS n FROM logs").await, 3002);
    assert_state(s, StateName::FirstDatabaseBlock, (1001, 3002)).await;
    assert_state(s, StateName::FirstDatabaseLogBlock, (1001, 3002)).await;
    assert_eq!(state(s, StateName::LastDatabaseBlock).await.index, 2400);

    // A boundary at or below the floor changes nothing.
    let none = s.drop_history(3002).await.unwrap();
    assert_eq!((none.blocks, none.transactions, none.logs), (0, 0, 0));
    assert_eq!(state(s, StateName::FirstDatabaseBlock).await.index, 1001);
    // Boundary exactly at a block's timestamp keeps that block.
    s.drop_history(3010).await.unwrap();
    assert_eq!(
        s.blocks_in(BlockWindow { from: 0, to: 5000 })
            .await
            .unwrap()[0]
            .number,
        1005
    );
    assert_eq!(state(s, StateName::FirstDatabaseBlock).await.index, 1005);
}
both_backends!(
    deletes_exactly_what_is_older_on,
    deletes_exactly_what_is_older_than_the_boundary
);

async fn deleting_a_transaction_cascades_to_its_receipt_logs(db: TestDb) {
    let s = &db.storage;
    s.commit_batch(&batch(1, 4)).await.unwrap();
    sqlx::query("DELETE FROM transactions WHERE block_number = 2")
        .execute(s.pool())
        .await
        .unwrap();
    assert_eq!(
        count(s, "SELECT COUNT(*) AS n FROM logs WHERE block_number = 2").await,
        1,
        "filter log stays"
    );
}
both_backends!(
    cascade_on,
    deleting_a_transaction_cascades_to_its_receipt_logs
);
