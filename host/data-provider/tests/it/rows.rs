//! Indexer rows as the reference indexer stores them (lowercase hex without `0x`, `"NULL"` for
//! absent topics), built from events and calldata, and loaded into a database as they are.

use alloy_primitives::{Address, B256, U256, keccak256};
use alloy_sol_types::SolEvent;
use ftso_core::commit::{FTSO_PROTOCOL_ID, commit_hash};
use ftso_core::payload::{PayloadMessage, SUBMIT1_SELECTOR, SUBMIT2_SELECTOR, encode_concatenated};
use ftso_storage::Storage;
use serde_json::{Map, Value, json};
use sqlx::AssertSqlSafe;

/// Rows of the `logs` and `transactions` tables, each event or transaction in its own block.
#[derive(Debug, Default)]
pub struct Rows {
    pub logs: Vec<Value>,
    pub transactions: Vec<Value>,
    block: u64,
}

fn hex(bytes: impl AsRef<[u8]>) -> String {
    alloy_primitives::hex::encode(bytes)
}

impl Rows {
    fn next_block(&mut self) -> u64 {
        self.block += 1;
        self.block
    }

    /// A log of `event` emitted by `address` at `timestamp`.
    pub fn event<E: SolEvent>(&mut self, address: Address, event: &E, timestamp: u64) {
        let data = event.encode_log_data();
        let block = self.next_block();
        let topic = |i: usize| data.topics().get(i).map_or("NULL".to_owned(), hex);
        self.logs.push(json!({
            "transaction_id": null,
            "address": hex(address),
            "data": hex(&data.data),
            "topic0": topic(0),
            "topic1": topic(1),
            "topic2": topic(2),
            "topic3": topic(3),
            "transaction_hash": hex(keccak256(block.to_be_bytes())),
            "log_index": 0,
            "timestamp": timestamp,
            "block_number": block,
        }));
    }

    /// A transaction with `input` from `from` to `to` at `timestamp` (status 2: no receipt, as in
    /// FSP mode).
    pub fn transaction(&mut self, from: Address, to: Address, input: &[u8], timestamp: u64) {
        let block = self.next_block();
        self.transactions.push(json!({
            "hash": hex(keccak256([&block.to_be_bytes()[..], input].concat())),
            "function_sig": hex(&input[..4.min(input.len())]),
            "input": hex(input),
            "block_number": block,
            "block_hash": hex(keccak256(block.to_le_bytes())),
            "transaction_index": 0,
            "from_address": hex(from),
            "to_address": hex(to),
            "status": 2,
            "value": "0",
            "gas_price": "25000000000",
            "gas": 500000,
            "timestamp": timestamp,
        }));
    }

    /// A submit1 transaction committing to `random ‖ encoded` for `round`.
    pub fn commit(
        &mut self,
        submission: Address,
        from: Address,
        round: u32,
        random: B256,
        encoded: &[u8],
        timestamp: u64,
    ) {
        let hash = commit_hash(from, round, random, encoded);
        self.submit(
            submission,
            SUBMIT1_SELECTOR,
            from,
            &[message(round, hash.to_vec())],
            timestamp,
        );
    }

    /// A submit2 transaction revealing `random ‖ encoded` for `round`.
    pub fn reveal(
        &mut self,
        submission: Address,
        from: Address,
        round: u32,
        random: B256,
        encoded: &[u8],
        timestamp: u64,
    ) {
        let payload = [random.as_slice(), encoded].concat();
        self.submit(
            submission,
            SUBMIT2_SELECTOR,
            from,
            &[message(round, payload)],
            timestamp,
        );
    }

    /// A Submission transaction carrying `messages`.
    pub fn submit(
        &mut self,
        submission: Address,
        selector: [u8; 4],
        from: Address,
        messages: &[PayloadMessage],
        timestamp: u64,
    ) {
        let mut input = selector.to_vec();
        input.extend(encode_concatenated(messages).expect("messages encode"));
        self.transaction(from, submission, &input, timestamp);
    }
}

/// An FTSO PayloadMessage.
pub fn message(round: u32, payload: Vec<u8>) -> PayloadMessage {
    PayloadMessage {
        protocol_id: FTSO_PROTOCOL_ID,
        voting_round_id: round,
        payload,
    }
}

/// The `states` rows of a database indexed from `first` to `top` (block timestamps).
pub fn states(first: u64, top: u64) -> Vec<Value> {
    vec![
        json!({"name": "first_database_block", "index": 1, "block_timestamp": first, "updated": "2024-02-05T12:00:00.000Z"}),
        json!({"name": "last_database_block", "index": 1000, "block_timestamp": top, "updated": "2024-02-05T12:00:00.000Z"}),
        json!({"name": "last_chain_block", "index": 1000, "block_timestamp": top, "updated": "2024-02-05T12:00:00.000Z"}),
    ]
}

/// A random word as `U256`.
pub fn word(value: u64) -> B256 {
    B256::from(U256::from(value))
}

/// Inserts rows into `table` as they are (the `updated` column is left to its default: its
/// dialect-specific type takes no portable text literal and no consumer reads it).
pub async fn insert(storage: &Storage, table: &str, rows: &[Value]) {
    for row in rows {
        let Some(object) = row.as_object() else {
            panic!("{table} row is not an object: {row}");
        };
        let columns: Vec<(&String, &Value)> = object
            .iter()
            .filter(|(k, _)| k.as_str() != "updated")
            .collect();
        let names: Vec<String> = columns.iter().map(|(k, _)| format!("\"{k}\"")).collect();
        let params: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            params.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (_, value) in &columns {
            query = match value {
                Value::Null => query.bind(Option::<i64>::None),
                Value::Bool(b) => query.bind(i64::from(*b)),
                Value::Number(n) => query.bind(n.as_i64().expect("integer column")),
                Value::String(s) => query.bind(s.clone()),
                other => panic!("unsupported value {other} in {table}"),
            };
        }
        query
            .execute(storage.pool())
            .await
            .unwrap_or_else(|e| panic!("insert into {table}: {e}"));
    }
}

/// Loads `states`, `transactions` and `logs` of a fixture object.
pub async fn load(storage: &Storage, fixture: &Map<String, Value>) {
    for table in ["states", "transactions", "logs"] {
        let rows = fixture
            .get(table)
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("fixture has no {table} array"));
        insert(storage, table, rows).await;
    }
}
