//! History drop (retention): deletes everything older than a timestamp boundary and raises the floors.

use std::time::Duration;

use sqlx::{AssertSqlSafe, Row};

use crate::backend::Storage;
use crate::error::Result;
use crate::model::StateName;
use crate::sql::int;
use crate::write::upsert_state;

/// Rows deleted per statement.
const CHUNK_ROWS: i64 = 1000;
/// Pause after this many chunks, to leave room to other users of the database.
const PAUSE_EVERY_CHUNKS: u32 = 10;
const PAUSE: Duration = Duration::from_millis(100);

/// What one [`Storage::drop_history`] deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DropReport {
    /// Log rows deleted.
    pub logs: u64,
    /// Transaction rows deleted.
    pub transactions: u64,
    /// Block rows deleted.
    pub blocks: u64,
}

impl Storage {
    /// Deletes logs, then transactions, then blocks whose `timestamp < boundary`, in chunks of 1000 rows, and
    /// raises the floors as the reference does: after each pass, unless the floor row is set and
    /// `boundary <= its block_timestamp`, `first_database_log_block` (resp. `first_database_block`) becomes the
    /// lowest remaining log block (resp. block).
    pub async fn drop_history(&self, boundary: u64) -> Result<DropReport> {
        let boundary = int(boundary)?;
        let mut report = DropReport {
            logs: self.delete_older("logs", boundary).await?,
            ..DropReport::default()
        };
        self.raise_floor(
            StateName::FirstDatabaseLogBlock,
            boundary,
            "SELECT block_number AS n, timestamp AS t FROM logs ORDER BY block_number, log_index LIMIT 1",
        )
        .await?;
        report.transactions = self.delete_older("transactions", boundary).await?;
        report.blocks = self.delete_older("blocks", boundary).await?;
        self.raise_floor(
            StateName::FirstDatabaseBlock,
            boundary,
            "SELECT number AS n, timestamp AS t FROM blocks ORDER BY number, id LIMIT 1",
        )
        .await?;
        Ok(report)
    }

    async fn delete_older(&self, table: &'static str, boundary: i64) -> Result<u64> {
        let sql = format!(
            "DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE timestamp < $1 ORDER BY id LIMIT $2)"
        );
        let mut deleted = 0;
        let mut chunks = 0u32;
        loop {
            let n = sqlx::query(AssertSqlSafe(sql.clone()))
                .bind(boundary)
                .bind(CHUNK_ROWS)
                .execute(&self.pool)
                .await?
                .rows_affected();
            deleted += n;
            if n < CHUNK_ROWS as u64 {
                return Ok(deleted);
            }
            chunks += 1;
            if chunks.is_multiple_of(PAUSE_EVERY_CHUNKS) {
                tokio::time::sleep(PAUSE).await;
            }
        }
    }

    async fn raise_floor(
        &self,
        name: StateName,
        boundary: i64,
        lowest_sql: &'static str,
    ) -> Result<()> {
        if let Some(floor) = self.state(name).await?
            && floor.is_set()
            && u64::try_from(boundary).unwrap_or(0) <= floor.block_timestamp
        {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        let lowest = sqlx::query(lowest_sql).fetch_optional(&mut *tx).await?;
        if let Some(row) = lowest {
            let n: i64 = row.try_get("n")?;
            let t: i64 = row.try_get("t")?;
            upsert_state(
                &mut tx,
                self.backend,
                name,
                u64::try_from(n).unwrap_or_default(),
                u64::try_from(t).unwrap_or_default(),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
