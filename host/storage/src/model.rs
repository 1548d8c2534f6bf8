//! What the indexer writes ([`BlockBatch`] and its parts) and what consumers read (`*Row`, as stored).

use alloy_primitives::{Address, B256, U256};
use sqlx::{FromRow, Row, any::AnyRow};

use crate::encode;
use crate::error::StorageError;

/// Names of the progress rows in `states` (a cross-repository contract: consumers read them by name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StateName {
    /// The latest confirmed chain block observed (an observation, not coverage).
    LastChainBlock,
    /// The top of the fully indexed range: the last block of the last committed batch.
    LastDatabaseBlock,
    /// The full-coverage floor: all blocks, transactions and logs from here up are present. Lower-only, raised
    /// only by the history drop.
    FirstDatabaseBlock,
    /// The log-coverage floor (written by the history drop and by event back-fills).
    FirstDatabaseLogBlock,
}

impl StateName {
    /// Every state name, in a fixed order.
    pub const ALL: [StateName; 4] = [
        StateName::LastChainBlock,
        StateName::LastDatabaseBlock,
        StateName::FirstDatabaseBlock,
        StateName::FirstDatabaseLogBlock,
    ];

    /// The `states.name` value.
    pub fn as_str(self) -> &'static str {
        match self {
            StateName::LastChainBlock => "last_chain_block",
            StateName::LastDatabaseBlock => "last_database_block",
            StateName::FirstDatabaseBlock => "first_database_block",
            StateName::FirstDatabaseLogBlock => "first_database_log_block",
        }
    }
}

/// `transactions.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TxStatus {
    /// The receipt says the transaction reverted (0).
    Failed,
    /// The receipt says the transaction succeeded (1).
    Success,
    /// No receipt was fetched (2), e.g. every Submission transaction in FSP mode.
    Unknown,
}

impl TxStatus {
    /// The stored number.
    pub fn code(self) -> u64 {
        match self {
            TxStatus::Failed => 0,
            TxStatus::Success => 1,
            TxStatus::Unknown => 2,
        }
    }

    /// From a receipt's success flag, or [`TxStatus::Unknown`] when there is no receipt.
    pub fn from_receipt(success: Option<bool>) -> Self {
        match success {
            Some(true) => TxStatus::Success,
            Some(false) => TxStatus::Failed,
            None => TxStatus::Unknown,
        }
    }
}

/// One block of the indexed range (every block gets a row, with or without matches).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBlock {
    /// Block number.
    pub number: u64,
    /// Block hash as reported by the node.
    pub hash: B256,
    /// Block timestamp, seconds.
    pub timestamp: u64,
}

/// A matched transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransaction {
    /// Transaction hash.
    pub hash: B256,
    /// Full calldata.
    pub input: Vec<u8>,
    /// Containing block.
    pub block_number: u64,
    /// Hash of the containing block.
    pub block_hash: B256,
    /// Position in the block.
    pub transaction_index: u64,
    /// Sender.
    pub from: Address,
    /// Recipient (transactions without one are never indexed).
    pub to: Address,
    /// Receipt status, or unknown.
    pub status: TxStatus,
    /// Transferred wei.
    pub value: U256,
    /// Legacy gas price, or maxFeePerGas for EIP-1559 transactions.
    pub gas_price: u128,
    /// Gas limit.
    pub gas: u64,
    /// Timestamp of the containing block.
    pub timestamp: u64,
}

/// A collected log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLog {
    /// Emitter.
    pub address: Address,
    /// Non-indexed data.
    pub data: Vec<u8>,
    /// Topics (at most 4; fewer are stored as `"NULL"`).
    pub topics: Vec<B256>,
    /// Hash of the emitting transaction.
    pub transaction_hash: B256,
    /// Block-level log index.
    pub log_index: u64,
    /// Timestamp of the containing block.
    pub timestamp: u64,
    /// Containing block.
    pub block_number: u64,
    /// Whether the log comes from the receipt of a stored transaction (then `transaction_id` references it;
    /// otherwise it is NULL).
    pub from_receipt: bool,
}

/// A run of whole, consecutive blocks with everything collected from them, committed atomically.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockBatch {
    /// The blocks, consecutive and increasing.
    pub blocks: Vec<NewBlock>,
    /// Matched transactions, in (block, index) order.
    pub transactions: Vec<NewTransaction>,
    /// Collected logs, in (block, log index) order.
    pub logs: Vec<NewLog>,
}

/// A `states` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateRow {
    /// `name`.
    pub name: String,
    /// `index`: a block number (0 reads as unset, as in the reference).
    pub index: u64,
    /// `block_timestamp`.
    pub block_timestamp: u64,
}

impl StateRow {
    /// The reference's `IsSet`: a state at block 0 reads as unset.
    pub fn is_set(&self) -> bool {
        self.index != 0
    }
}

/// A `blocks` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockRow {
    /// `id`.
    pub id: u64,
    /// `hash` (lowercase hex, no 0x).
    pub hash: String,
    /// `number`.
    pub number: u64,
    /// `timestamp`.
    pub timestamp: u64,
}

/// A `transactions` row, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionRow {
    /// `id` (monotone in block order).
    pub id: u64,
    /// `hash`.
    pub hash: String,
    /// `function_sig`: first 8 hex chars of `input`.
    pub function_sig: String,
    /// `input`: full calldata hex.
    pub input: String,
    /// `block_number`.
    pub block_number: u64,
    /// `block_hash`.
    pub block_hash: String,
    /// `transaction_index`.
    pub transaction_index: u64,
    /// `from_address`.
    pub from_address: String,
    /// `to_address`.
    pub to_address: String,
    /// `status`: 0 failed, 1 success, 2 no receipt.
    pub status: u64,
    /// `value`: minimal hex wei.
    pub value: String,
    /// `gas_price`: decimal.
    pub gas_price: String,
    /// `gas`: gas limit.
    pub gas: u64,
    /// `timestamp`.
    pub timestamp: u64,
}

impl TransactionRow {
    /// The calldata bytes.
    pub fn input_bytes(&self) -> Result<Vec<u8>, StorageError> {
        encode::decode_hex("input", &self.input)
    }

    /// The calldata after the 4-byte selector (what the FTSO data provider decodes as the payload).
    pub fn payload(&self) -> Result<Vec<u8>, StorageError> {
        let mut bytes = self.input_bytes()?;
        Ok(if bytes.len() >= 4 {
            bytes.split_off(4)
        } else {
            Vec::new()
        })
    }

    /// The sender.
    pub fn from(&self) -> Result<Address, StorageError> {
        encode::decode_address("from_address", &self.from_address)
    }
}

/// A `logs` row, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRow {
    /// `id`.
    pub id: u64,
    /// `transaction_id`: set only for logs taken from receipts of stored transactions.
    pub transaction_id: Option<u64>,
    /// `address`.
    pub address: String,
    /// `data`.
    pub data: String,
    /// `topic0`.
    pub topic0: String,
    /// `topic1` (`"NULL"` when absent).
    pub topic1: String,
    /// `topic2` (`"NULL"` when absent).
    pub topic2: String,
    /// `topic3` (`"NULL"` when absent).
    pub topic3: String,
    /// `transaction_hash`.
    pub transaction_hash: String,
    /// `log_index` (block level).
    pub log_index: u64,
    /// `timestamp`.
    pub timestamp: u64,
    /// `block_number`.
    pub block_number: u64,
}

impl LogRow {
    /// The topics present (skipping `""` and `"NULL"`, as the reference consumers do).
    pub fn topics(&self) -> Result<Vec<B256>, StorageError> {
        [&self.topic0, &self.topic1, &self.topic2, &self.topic3]
            .into_iter()
            .filter(|t| !t.is_empty() && t.as_str() != encode::NULL_TOPIC)
            .map(|t| encode::decode_b256("topic", t))
            .collect()
    }

    /// The data bytes.
    pub fn data_bytes(&self) -> Result<Vec<u8>, StorageError> {
        encode::decode_hex("data", &self.data)
    }
}

/// Reads an unsigned column stored as a signed 64-bit integer.
fn get_u64(row: &AnyRow, column: &'static str) -> sqlx::Result<u64> {
    let v: i64 = row.try_get(column)?;
    u64::try_from(v).map_err(|e| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: Box::new(e),
    })
}

fn get_opt_u64(row: &AnyRow, column: &'static str) -> sqlx::Result<Option<u64>> {
    let v: Option<i64> = row.try_get(column)?;
    v.map(|v| {
        u64::try_from(v).map_err(|e| sqlx::Error::ColumnDecode {
            index: column.to_owned(),
            source: Box::new(e),
        })
    })
    .transpose()
}

impl FromRow<'_, AnyRow> for StateRow {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(StateRow {
            name: row.try_get("name")?,
            index: get_u64(row, "index")?,
            block_timestamp: get_u64(row, "block_timestamp")?,
        })
    }
}

impl FromRow<'_, AnyRow> for BlockRow {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(BlockRow {
            id: get_u64(row, "id")?,
            hash: row.try_get("hash")?,
            number: get_u64(row, "number")?,
            timestamp: get_u64(row, "timestamp")?,
        })
    }
}

impl FromRow<'_, AnyRow> for TransactionRow {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(TransactionRow {
            id: get_u64(row, "id")?,
            hash: row.try_get("hash")?,
            function_sig: row.try_get("function_sig")?,
            input: row.try_get("input")?,
            block_number: get_u64(row, "block_number")?,
            block_hash: row.try_get("block_hash")?,
            transaction_index: get_u64(row, "transaction_index")?,
            from_address: row.try_get("from_address")?,
            to_address: row.try_get("to_address")?,
            status: get_u64(row, "status")?,
            value: row.try_get("value")?,
            gas_price: row.try_get("gas_price")?,
            gas: get_u64(row, "gas")?,
            timestamp: get_u64(row, "timestamp")?,
        })
    }
}

impl FromRow<'_, AnyRow> for LogRow {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(LogRow {
            id: get_u64(row, "id")?,
            transaction_id: get_opt_u64(row, "transaction_id")?,
            address: row.try_get("address")?,
            data: row.try_get("data")?,
            topic0: row.try_get("topic0")?,
            topic1: row.try_get("topic1")?,
            topic2: row.try_get("topic2")?,
            topic3: row.try_get("topic3")?,
            transaction_hash: row.try_get("transaction_hash")?,
            log_index: get_u64(row, "log_index")?,
            timestamp: get_u64(row, "timestamp")?,
            block_number: get_u64(row, "block_number")?,
        })
    }
}
