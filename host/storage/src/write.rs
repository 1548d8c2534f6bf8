//! The indexer's write path: whole blocks, atomically, data before progress rows.

use sqlx::{Any, Transaction};

use crate::backend::{Backend, Storage};
use crate::encode;
use crate::error::{Result, StorageError};
use crate::model::{BlockBatch, StateName};
use crate::sql::{Cell, ROWS_PER_STATEMENT, cell_int, cell_text, int, multi_insert, query_with};

/// What one [`Storage::commit_batch`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CommitSummary {
    /// Block rows inserted (duplicates of existing rows are skipped).
    pub blocks: u64,
    /// Transaction rows inserted.
    pub transactions: u64,
    /// Log rows inserted.
    pub logs: u64,
}

impl Storage {
    /// Commits a run of whole, consecutive blocks with their transactions and logs, then the progress rows, in
    /// one database transaction: `last_database_block` := the last block (unconditional upsert, as the reference)
    /// and `first_database_block` := the first block if lower (lower-only).
    ///
    /// Rows already present (same block hash, transaction hash, or (transaction hash, log index)) are skipped, so
    /// re-committing a range is harmless. Receipt logs reference their transaction through `transaction_id`.
    pub async fn commit_batch(&self, batch: &BlockBatch) -> Result<CommitSummary> {
        validate(batch)?;
        let (Some(first), Some(last)) = (batch.blocks.first(), batch.blocks.last()) else {
            return Err(StorageError::InvalidBatch {
                reason: "no blocks".into(),
            });
        };
        let mut tx = self.pool.begin().await?;
        let mut summary = CommitSummary::default();

        let block_rows = batch
            .blocks
            .iter()
            .map(|b| {
                Ok(vec![
                    cell_text(encode::b256(&b.hash)),
                    cell_int(b.number)?,
                    cell_int(b.timestamp)?,
                ])
            })
            .collect::<Result<Vec<_>>>()?;
        summary.blocks =
            insert_chunks(&mut tx, "blocks (hash, number, timestamp)", &block_rows).await?;

        let tx_rows = batch
            .transactions
            .iter()
            .map(|t| {
                Ok(vec![
                    cell_text(encode::b256(&t.hash)),
                    cell_text(encode::function_sig(&t.input)),
                    cell_text(encode::hex_lower(&t.input)),
                    cell_int(t.block_number)?,
                    cell_text(encode::b256(&t.block_hash)),
                    cell_int(t.transaction_index)?,
                    cell_text(encode::address(&t.from)),
                    cell_text(encode::address(&t.to)),
                    cell_int(t.status.code())?,
                    cell_text(encode::value(&t.value)),
                    cell_text(t.gas_price.to_string()),
                    cell_int(t.gas)?,
                    cell_int(t.timestamp)?,
                ])
            })
            .collect::<Result<Vec<_>>>()?;
        summary.transactions = insert_chunks(
            &mut tx,
            "transactions (hash, function_sig, input, block_number, block_hash, transaction_index, from_address, \
             to_address, status, value, gas_price, gas, timestamp)",
            &tx_rows,
        )
        .await?;

        let log_rows = batch
            .logs
            .iter()
            .map(|l| {
                let tx_hash = encode::b256(&l.transaction_hash);
                Ok(vec![
                    if l.from_receipt {
                        Cell::TxIdOf(tx_hash.clone())
                    } else {
                        Cell::Null
                    },
                    cell_text(encode::address(&l.address)),
                    cell_text(encode::hex_lower(&l.data)),
                    cell_text(encode::topic(l.topics.first())),
                    cell_text(encode::topic(l.topics.get(1))),
                    cell_text(encode::topic(l.topics.get(2))),
                    cell_text(encode::topic(l.topics.get(3))),
                    cell_text(tx_hash),
                    cell_int(l.log_index)?,
                    cell_int(l.timestamp)?,
                    cell_int(l.block_number)?,
                ])
            })
            .collect::<Result<Vec<_>>>()?;
        summary.logs = insert_chunks(
            &mut tx,
            "logs (transaction_id, address, data, topic0, topic1, topic2, topic3, transaction_hash, log_index, \
             timestamp, block_number)",
            &log_rows,
        )
        .await?;

        upsert_state(
            &mut tx,
            self.backend,
            StateName::LastDatabaseBlock,
            last.number,
            last.timestamp,
        )
        .await?;
        lower_state(
            &mut tx,
            self.backend,
            StateName::FirstDatabaseBlock,
            first.number,
            first.timestamp,
        )
        .await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Upserts one progress row (e.g. `last_chain_block` on every poll of the head).
    pub async fn set_state(&self, name: StateName, index: u64, block_timestamp: u64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        upsert_state(&mut tx, self.backend, name, index, block_timestamp).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Checks that the batch is whole, consecutive blocks and that every row belongs to one of them.
fn validate(batch: &BlockBatch) -> Result<()> {
    let invalid = |reason: String| Err(StorageError::InvalidBatch { reason });
    let (Some(first), Some(last)) = (batch.blocks.first(), batch.blocks.last()) else {
        return invalid("no blocks".into());
    };
    for pair in batch.blocks.windows(2) {
        if let [a, b] = pair
            && a.number.checked_add(1) != Some(b.number)
        {
            return invalid(format!("block {} follows block {}", b.number, a.number));
        }
    }
    let range = first.number..=last.number;
    if let Some(t) = batch
        .transactions
        .iter()
        .find(|t| !range.contains(&t.block_number))
    {
        return invalid(format!(
            "transaction in block {} outside {}..={}",
            t.block_number, first.number, last.number
        ));
    }
    if let Some(l) = batch.logs.iter().find(|l| !range.contains(&l.block_number)) {
        return invalid(format!(
            "log in block {} outside {}..={}",
            l.block_number, first.number, last.number
        ));
    }
    if let Some(l) = batch.logs.iter().find(|l| l.topics.len() > 4) {
        return invalid(format!(
            "log {} of block {} has {} topics",
            l.log_index,
            l.block_number,
            l.topics.len()
        ));
    }
    Ok(())
}

async fn insert_chunks(
    tx: &mut Transaction<'static, Any>,
    head: &str,
    rows: &[Vec<Cell>],
) -> Result<u64> {
    let mut inserted = 0;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let (sql, args) = multi_insert(head, "ON CONFLICT DO NOTHING", chunk)?;
        inserted += query_with(sql, args)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    }
    Ok(inserted)
}

/// Unconditional upsert of a state row.
pub(crate) async fn upsert_state(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    name: StateName,
    index: u64,
    block_timestamp: u64,
) -> Result<()> {
    write_state(tx, backend, name, index, block_timestamp, "").await
}

/// Lower-only write: creates the row if missing, else lowers it if `index` is smaller (never raises it).
pub(crate) async fn lower_state(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    name: StateName,
    index: u64,
    block_timestamp: u64,
) -> Result<()> {
    write_state(
        tx,
        backend,
        name,
        index,
        block_timestamp,
        " WHERE states.\"index\" > excluded.\"index\"",
    )
    .await
}

/// Inserts or updates a state row; `update_condition` (a static SQL `WHERE` clause, or empty) limits the update.
async fn write_state(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    name: StateName,
    index: u64,
    block_timestamp: u64,
    update_condition: &'static str,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO states (name, \"index\", block_timestamp, updated) VALUES ($1, $2, $3, {now}) \
         ON CONFLICT (name) DO UPDATE SET \"index\" = excluded.\"index\", \
         block_timestamp = excluded.block_timestamp, updated = excluded.updated{update_condition}",
        now = backend.now_sql()
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(name.as_str())
        .bind(int(index)?)
        .bind(int(block_timestamp)?)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Storage {
    /// Inserts logs without blocks or progress rows (an event back-fill below the full-block floor), in one
    /// database transaction; logs already present are skipped. Returns the number inserted.
    pub async fn commit_logs(&self, logs: &[crate::model::NewLog]) -> Result<u64> {
        if let Some(l) = logs.iter().find(|l| l.topics.len() > 4 || l.from_receipt) {
            return Err(StorageError::InvalidBatch {
                reason: format!(
                    "back-filled log {} of block {} must have ≤ 4 topics and no receipt link",
                    l.log_index, l.block_number
                ),
            });
        }
        let rows = logs
            .iter()
            .map(|l| {
                Ok(vec![
                    Cell::Null,
                    cell_text(encode::address(&l.address)),
                    cell_text(encode::hex_lower(&l.data)),
                    cell_text(encode::topic(l.topics.first())),
                    cell_text(encode::topic(l.topics.get(1))),
                    cell_text(encode::topic(l.topics.get(2))),
                    cell_text(encode::topic(l.topics.get(3))),
                    cell_text(encode::b256(&l.transaction_hash)),
                    cell_int(l.log_index)?,
                    cell_int(l.timestamp)?,
                    cell_int(l.block_number)?,
                ])
            })
            .collect::<Result<Vec<_>>>()?;
        let mut tx = self.pool.begin().await?;
        let n = insert_chunks(
            &mut tx,
            "logs (transaction_id, address, data, topic0, topic1, topic2, topic3, transaction_hash, log_index, \
             timestamp, block_number)",
            &rows,
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }
}
