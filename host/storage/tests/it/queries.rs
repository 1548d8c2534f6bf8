//! Consumer queries: windows, orderings, typed decoding.

use alloy_primitives::{Address, B256};
use ftso_storage::testing::TestDb;
use ftso_storage::{BlockWindow, TimeWindow};

use crate::both_backends;
use crate::fixtures::{EMITTER, SENDER, SUBMISSION, SUBMIT1, TOPIC, batch};

async fn windows_are_inclusive_and_ordered(db: TestDb) {
    let s = &db.storage;
    s.commit_batch(&batch(1, 30)).await.unwrap();
    // Block n has timestamp 1000 + 2n.
    let txs = s
        .transactions_in_time(
            SUBMISSION,
            SUBMIT1,
            TimeWindow {
                from: 1010,
                to: 1020,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        txs.iter().map(|t| t.block_number).collect::<Vec<_>>(),
        vec![5, 6, 7, 8, 9, 10]
    );
    assert_eq!(txs[0].payload().unwrap(), 5u64.to_be_bytes());
    assert_eq!(txs[0].from().unwrap(), SENDER);
    assert!(
        s.transactions_in_time(
            SUBMISSION,
            [0x9d, 0, 0xc9, 0xfd],
            TimeWindow { from: 0, to: 5000 }
        )
        .await
        .unwrap()
        .is_empty()
    );
    assert!(
        s.transactions_in_time(Address::ZERO, SUBMIT1, TimeWindow { from: 0, to: 5000 })
            .await
            .unwrap()
            .is_empty()
    );

    let after = s
        .transactions_in_blocks(SUBMISSION, SUBMIT1, BlockWindow::after(27))
        .await
        .unwrap();
    assert_eq!(
        after.iter().map(|t| t.block_number).collect::<Vec<_>>(),
        vec![28, 29, 30]
    );

    let logs = s
        .logs_in_time(
            EMITTER,
            TOPIC,
            TimeWindow {
                from: 1058,
                to: 1060,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        logs.iter()
            .map(|l| (l.block_number, l.log_index))
            .collect::<Vec<_>>(),
        vec![(29, 0), (29, 1), (30, 0), (30, 1)]
    );
    assert_eq!(
        logs[0].topics().unwrap(),
        vec![TOPIC, B256::with_last_byte(29)]
    );
    assert_eq!(logs[1].topics().unwrap(), vec![TOPIC]);
    assert_eq!(logs[0].data_bytes().unwrap(), 29u64.to_be_bytes());
    assert!(logs[0].transaction_id.is_some() && logs[1].transaction_id.is_none());

    let by_block = s
        .logs_in_blocks(EMITTER, TOPIC, BlockWindow { from: 2, to: 3 })
        .await
        .unwrap();
    assert_eq!(by_block.len(), 4);
    let latest = s.latest_logs(EMITTER, TOPIC, 3).await.unwrap();
    assert_eq!(
        latest
            .iter()
            .map(|l| (l.block_number, l.log_index))
            .collect::<Vec<_>>(),
        vec![(30, 1), (30, 0), (29, 1)]
    );
    assert_eq!(s.latest_block().await.unwrap().unwrap().number, 30);
}
both_backends!(
    windows_are_inclusive_and_ordered_on,
    windows_are_inclusive_and_ordered
);
