//! Deterministic batches and the read-back helpers the tests share.

use alloy_primitives::{Address, B256, U256};
use ftso_storage::{
    BlockBatch, NewBlock, NewLog, NewTransaction, StateName, StateRow, Storage, TxStatus,
};
use sqlx::Row;

pub const SUBMISSION: Address = Address::repeat_byte(0x2c);
pub const EMITTER: Address = Address::repeat_byte(0xee);
pub const SENDER: Address = Address::repeat_byte(0x5e);
pub const TOPIC: B256 = B256::repeat_byte(0x4a);
pub const SUBMIT1: [u8; 4] = [0x6c, 0x53, 0x2f, 0xae];

pub fn block_hash(n: u64) -> B256 {
    {
        let mut h = B256::left_padding_from(&n.to_be_bytes());
        h[0] = (n % 251) as u8;
        h
    }
}

pub fn tx_hash(n: u64, i: u64) -> B256 {
    let mut h = B256::ZERO;
    h[..8].copy_from_slice(&n.to_be_bytes());
    h[8..16].copy_from_slice(&i.to_be_bytes());
    h[31] = 0xAA;
    h
}

/// Blocks `from..=to`, timestamp = 1000 + 2·n; every block has one submit1 tx with one receipt log and one
/// filter log (a different log index) without a transaction link.
pub fn batch(from: u64, to: u64) -> BlockBatch {
    let mut b = BlockBatch::default();
    for n in from..=to {
        let ts = 1000 + 2 * n;
        b.blocks.push(NewBlock {
            number: n,
            hash: block_hash(n),
            timestamp: ts,
        });
        b.transactions.push(NewTransaction {
            hash: tx_hash(n, 0),
            input: [&SUBMIT1[..], &n.to_be_bytes()].concat(),
            block_number: n,
            block_hash: block_hash(n),
            transaction_index: 0,
            from: SENDER,
            to: SUBMISSION,
            status: if n % 3 == 0 {
                TxStatus::Unknown
            } else {
                TxStatus::Success
            },
            value: U256::from(n * 16),
            gas_price: 25_000_000_000,
            gas: 300_000,
            timestamp: ts,
        });
        b.logs.push(NewLog {
            address: EMITTER,
            data: n.to_be_bytes().to_vec(),
            topics: vec![TOPIC, B256::with_last_byte(n as u8)],
            transaction_hash: tx_hash(n, 0),
            log_index: 0,
            timestamp: ts,
            block_number: n,
            from_receipt: true,
        });
        b.logs.push(NewLog {
            address: EMITTER,
            data: vec![],
            topics: vec![TOPIC],
            transaction_hash: tx_hash(n, 1),
            log_index: 1,
            timestamp: ts,
            block_number: n,
            from_receipt: false,
        });
    }
    b
}

/// The progress row `name`, which must exist.
pub async fn state(s: &Storage, name: StateName) -> StateRow {
    s.state(name).await.unwrap().unwrap()
}

/// Asserts that the progress row `name` exists and holds `(index, block_timestamp)`.
pub async fn assert_state(s: &Storage, name: StateName, expected: (u64, u64)) {
    let row = state(s, name).await;
    assert_eq!((row.index, row.block_timestamp), expected, "{name:?}");
}

/// The single integer column `n` of a one-row query.
pub async fn count(s: &Storage, sql: &'static str) -> i64 {
    sqlx::query(sql).fetch_one(s.pool()).await.unwrap().get("n")
}
