//! Typed queries for the consumers (data provider, system client). Parameters are typed; the encoding of the
//! reference (lowercase hex, no `0x`) is applied here. Orderings are those of the reference consumers with the
//! chain position as tie-break: `timestamp, block_number, transaction_index|log_index`.

use alloy_primitives::{Address, B256};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, FromRow};

use crate::backend::Storage;
use crate::encode;
use crate::error::Result;
use crate::model::{BlockRow, LogRow, StateName, StateRow, TransactionRow};
use crate::sql::int;

/// A block-time window, both ends inclusive (the TS data provider's `timestamp >= start AND timestamp <= end`).
/// The Go consumers' `timestamp > a AND timestamp <= b` is `TimeWindow { from: a + 1, to: b }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeWindow {
    /// First timestamp included.
    pub from: u64,
    /// Last timestamp included.
    pub to: u64,
}

/// A block-number window, both ends inclusive. The finalizer's `block_number > last` is
/// `BlockWindow { from: last + 1, to: u64::MAX >> 1 }` (see [`BlockWindow::after`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockWindow {
    /// First block included.
    pub from: u64,
    /// Last block included.
    pub to: u64,
}

impl BlockWindow {
    /// Every block after `block`.
    pub fn after(block: u64) -> Self {
        BlockWindow {
            from: block.saturating_add(1),
            to: i64::MAX as u64,
        }
    }
}

const TX_COLUMNS: &str = "id, hash, function_sig, input, block_number, block_hash, transaction_index, from_address, \
                          to_address, status, value, gas_price, gas, timestamp";
const LOG_COLUMNS: &str = "id, transaction_id, address, data, topic0, topic1, topic2, topic3, transaction_hash, \
                           log_index, timestamp, block_number";

impl Storage {
    /// Transactions sent to `to` with the 4-byte `selector`, with block time in `window`: e.g. submit1, submit2 or
    /// submitSignatures calls to the Submission contract in a voting round's time range. Status is not filtered
    /// (failed and receipt-less transactions count, as in the reference data provider).
    pub async fn transactions_in_time(
        &self,
        to: Address,
        selector: [u8; 4],
        window: TimeWindow,
    ) -> Result<Vec<TransactionRow>> {
        let sql = format!(
            "SELECT {TX_COLUMNS} FROM transactions WHERE to_address = $1 AND function_sig = $2 \
             AND timestamp >= $3 AND timestamp <= $4 ORDER BY timestamp, block_number, transaction_index"
        );
        self.fetch(sql, |q| {
            Ok(q.bind(encode::address(&to))
                .bind(encode::selector(selector))
                .bind(int(window.from)?)
                .bind(int(window.to.min(i64::MAX as u64))?))
        })
        .await
    }

    /// Transactions sent to `to` with `selector` in the block window, in chain order (the finalizer's cursor query).
    pub async fn transactions_in_blocks(
        &self,
        to: Address,
        selector: [u8; 4],
        window: BlockWindow,
    ) -> Result<Vec<TransactionRow>> {
        let sql = format!(
            "SELECT {TX_COLUMNS} FROM transactions WHERE to_address = $1 AND function_sig = $2 \
             AND block_number >= $3 AND block_number <= $4 ORDER BY block_number, transaction_index"
        );
        self.fetch(sql, |q| {
            Ok(q.bind(encode::address(&to))
                .bind(encode::selector(selector))
                .bind(int(window.from.min(i64::MAX as u64))?)
                .bind(int(window.to.min(i64::MAX as u64))?))
        })
        .await
    }

    /// Logs emitted by `address` with `topic0`, with block time in `window`.
    pub async fn logs_in_time(
        &self,
        address: Address,
        topic0: B256,
        window: TimeWindow,
    ) -> Result<Vec<LogRow>> {
        let sql = format!(
            "SELECT {LOG_COLUMNS} FROM logs WHERE address = $1 AND topic0 = $2 \
             AND timestamp >= $3 AND timestamp <= $4 ORDER BY timestamp, block_number, log_index"
        );
        self.fetch(sql, |q| {
            Ok(q.bind(encode::address(&address))
                .bind(encode::b256(&topic0))
                .bind(int(window.from)?)
                .bind(int(window.to.min(i64::MAX as u64))?))
        })
        .await
    }

    /// Logs emitted by `address` with `topic0` in the block window, in chain order.
    pub async fn logs_in_blocks(
        &self,
        address: Address,
        topic0: B256,
        window: BlockWindow,
    ) -> Result<Vec<LogRow>> {
        let sql = format!(
            "SELECT {LOG_COLUMNS} FROM logs WHERE address = $1 AND topic0 = $2 \
             AND block_number >= $3 AND block_number <= $4 ORDER BY block_number, log_index"
        );
        self.fetch(sql, |q| {
            Ok(q.bind(encode::address(&address))
                .bind(encode::b256(&topic0))
                .bind(int(window.from.min(i64::MAX as u64))?)
                .bind(int(window.to.min(i64::MAX as u64))?))
        })
        .await
    }

    /// The latest `limit` logs of `address` with `topic0`, newest first.
    pub async fn latest_logs(
        &self,
        address: Address,
        topic0: B256,
        limit: u32,
    ) -> Result<Vec<LogRow>> {
        let sql = format!(
            "SELECT {LOG_COLUMNS} FROM logs WHERE address = $1 AND topic0 = $2 \
             ORDER BY timestamp DESC, block_number DESC, log_index DESC LIMIT $3"
        );
        self.fetch(sql, |q| {
            Ok(q.bind(encode::address(&address))
                .bind(encode::b256(&topic0))
                .bind(i64::from(limit)))
        })
        .await
    }

    /// The highest stored block.
    pub async fn latest_block(&self) -> Result<Option<BlockRow>> {
        let rows: Vec<BlockRow> = self
            .fetch("SELECT id, hash, number, timestamp FROM blocks ORDER BY number DESC, id DESC LIMIT 1".into(), Ok)
            .await?;
        Ok(rows.into_iter().next())
    }

    /// Stored blocks in the window, by number.
    pub async fn blocks_in(&self, window: BlockWindow) -> Result<Vec<BlockRow>> {
        self.fetch(
            "SELECT id, hash, number, timestamp FROM blocks WHERE number >= $1 AND number <= $2 ORDER BY number, id"
                .into(),
            |q| Ok(q.bind(int(window.from.min(i64::MAX as u64))?).bind(int(window.to.min(i64::MAX as u64))?)),
        )
        .await
    }

    /// One progress row, if present.
    pub async fn state(&self, name: StateName) -> Result<Option<StateRow>> {
        let rows: Vec<StateRow> = self
            .fetch(
                "SELECT name, \"index\", block_timestamp FROM states WHERE name = $1".into(),
                |q| Ok(q.bind(name.as_str())),
            )
            .await?;
        Ok(rows.into_iter().next())
    }

    /// Every progress row, by name.
    pub async fn states(&self) -> Result<Vec<StateRow>> {
        self.fetch(
            "SELECT name, \"index\", block_timestamp FROM states ORDER BY name".into(),
            Ok,
        )
        .await
    }

    /// Runs a runtime query and decodes its rows.
    async fn fetch<T>(
        &self,
        sql: String,
        bind: impl FnOnce(AnyQuery) -> Result<AnyQuery>,
    ) -> Result<Vec<T>>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        let query = bind(sqlx::query(AssertSqlSafe(sql)))?;
        let rows = query.fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(T::from_row)
            .collect::<sqlx::Result<Vec<T>>>()?)
    }
}

type AnyQuery = sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>;
