//! The finalizer's own tables (migration `0004_finalizations`): its read cursor over submitSignatures
//! transactions and the finalizations it decided on, so that a restart or a failed write neither loses a
//! finalization nor relays one twice.

use alloy_primitives::B256;
use sqlx::Row as _;

use crate::backend::Storage;
use crate::encode;
use crate::error::{Result, StorageError};
use crate::sql::int;

/// The cursor row's name (one finalizer per database).
const CURSOR_NAME: &str = "finalizer";

/// How far the finalizer has read: every submitSignatures transaction up to `block_number` has been accounted
/// for (its finalization is decided and stored, or its round was dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FinalizerCursor {
    /// Last block whose transactions need not be read again.
    pub block_number: u64,
    /// The first voting round the finalizer works on (rounds before it are ignored, as in the reference).
    pub starting_voting_round: u32,
}

/// Where a finalization stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FinalizationStatus {
    /// Decided, not yet relayed.
    Pending,
    /// Our `relay()` transaction finalized it.
    Relayed,
    /// Someone else finalized it first (seen on the Relay, or our transaction reverted "Already relayed").
    AlreadyRelayed,
    /// Our attempts failed; it is not retried.
    Failed,
}

impl FinalizationStatus {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            FinalizationStatus::Pending => "pending",
            FinalizationStatus::Relayed => "relayed",
            FinalizationStatus::AlreadyRelayed => "already_relayed",
            FinalizationStatus::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        Ok(match text {
            "pending" => FinalizationStatus::Pending,
            "relayed" => FinalizationStatus::Relayed,
            "already_relayed" => FinalizationStatus::AlreadyRelayed,
            "failed" => FinalizationStatus::Failed,
            other => {
                return Err(StorageError::Malformed {
                    column: "finalizations.status",
                    value: other.to_owned(),
                });
            }
        })
    }
}

/// One finalization: a (round, protocol, message) whose signatures passed the threshold, with the `relay()`
/// calldata that finalizes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finalization {
    /// The voting round.
    pub voting_round_id: u32,
    /// The sub-protocol.
    pub protocol_id: u8,
    /// `keccak256` of the 38-byte protocol message.
    pub message_hash: B256,
    /// The complete `Relay.relay()` input.
    pub calldata: Vec<u8>,
    /// Whether this node is a selected finalizer of (protocol, round): it relays at once.
    pub selected: bool,
    /// Not relayed before this chain time (unix seconds): the end of the grace period for a node not selected.
    pub not_before: u64,
    /// Where it stands.
    pub status: FinalizationStatus,
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl Storage {
    /// The finalizer's cursor, if it has saved one.
    pub async fn finalizer_cursor(&self) -> Result<Option<FinalizerCursor>> {
        let row = sqlx::query(
            "SELECT block_number, starting_voting_round FROM finalizer_cursor WHERE name = $1",
        )
        .bind(CURSOR_NAME)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let block: i64 = row.try_get("block_number")?;
        let round: i64 = row.try_get("starting_voting_round")?;
        Ok(Some(FinalizerCursor {
            block_number: u64::try_from(block).map_err(|_| malformed("block_number", block))?,
            starting_voting_round: u32::try_from(round)
                .map_err(|_| malformed("starting_voting_round", round))?,
        }))
    }

    /// Saves the finalizer's cursor.
    pub async fn set_finalizer_cursor(&self, cursor: FinalizerCursor) -> Result<()> {
        sqlx::query(
            "INSERT INTO finalizer_cursor (name, block_number, starting_voting_round, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO UPDATE SET block_number = excluded.block_number, \
             starting_voting_round = excluded.starting_voting_round, updated_at = excluded.updated_at",
        )
        .bind(CURSOR_NAME)
        .bind(int(cursor.block_number)?)
        .bind(i64::from(cursor.starting_voting_round))
        .bind(now_secs())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Stores a new finalization; `false` when one with the same (round, protocol, message hash) exists (it is
    /// left as it is).
    pub async fn insert_finalization(&self, finalization: &Finalization) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO finalizations (voting_round_id, protocol_id, message_hash, calldata, selected, not_before, \
             status, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (voting_round_id, protocol_id, message_hash) DO NOTHING",
        )
        .bind(i64::from(finalization.voting_round_id))
        .bind(i64::from(finalization.protocol_id))
        .bind(encode::b256(&finalization.message_hash))
        .bind(encode::hex_lower(&finalization.calldata))
        .bind(i64::from(finalization.selected))
        .bind(int(finalization.not_before)?)
        .bind(finalization.status.as_str())
        .bind(now_secs())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Records where a finalization stands.
    pub async fn set_finalization_status(
        &self,
        voting_round_id: u32,
        protocol_id: u8,
        message_hash: &B256,
        status: FinalizationStatus,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE finalizations SET status = $1, updated_at = $2 \
             WHERE voting_round_id = $3 AND protocol_id = $4 AND message_hash = $5",
        )
        .bind(status.as_str())
        .bind(now_secs())
        .bind(i64::from(voting_round_id))
        .bind(i64::from(protocol_id))
        .bind(encode::b256(message_hash))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Every finalization of round `from_round` or later, in (round, protocol) order.
    pub async fn finalizations_since(&self, from_round: u32) -> Result<Vec<Finalization>> {
        let rows = sqlx::query(
            "SELECT voting_round_id, protocol_id, message_hash, calldata, selected, not_before, status \
             FROM finalizations WHERE voting_round_id >= $1 ORDER BY voting_round_id, protocol_id, message_hash",
        )
        .bind(i64::from(from_round))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(finalization_from_row).collect()
    }

    /// Deletes the finalizations of rounds before `round`; returns how many.
    pub async fn drop_finalizations_before(&self, round: u32) -> Result<u64> {
        let done = sqlx::query("DELETE FROM finalizations WHERE voting_round_id < $1")
            .bind(i64::from(round))
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}

fn malformed(column: &'static str, value: impl ToString) -> StorageError {
    StorageError::Malformed {
        column,
        value: value.to_string(),
    }
}

fn finalization_from_row(row: &sqlx::any::AnyRow) -> Result<Finalization> {
    let round: i64 = row.try_get("voting_round_id")?;
    let protocol: i64 = row.try_get("protocol_id")?;
    let hash: String = row.try_get("message_hash")?;
    let calldata: String = row.try_get("calldata")?;
    let selected: i64 = row.try_get("selected")?;
    let not_before: i64 = row.try_get("not_before")?;
    let status: String = row.try_get("status")?;
    Ok(Finalization {
        voting_round_id: u32::try_from(round).map_err(|_| malformed("voting_round_id", round))?,
        protocol_id: u8::try_from(protocol).map_err(|_| malformed("protocol_id", protocol))?,
        message_hash: encode::decode_b256("message_hash", &hash)?,
        calldata: encode::decode_hex("calldata", &calldata)?,
        selected: selected != 0,
        not_before: u64::try_from(not_before).map_err(|_| malformed("not_before", not_before))?,
        status: FinalizationStatus::parse(&status)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{TestBackend, sqlite};

    fn finalization(round: u32, byte: u8) -> Finalization {
        Finalization {
            voting_round_id: round,
            protocol_id: 100,
            message_hash: B256::repeat_byte(byte),
            calldata: vec![0xb5, 0x95, 0x89, 0xd1, byte],
            selected: byte.is_multiple_of(2),
            not_before: 1_700_000_000 + u64::from(round),
            status: FinalizationStatus::Pending,
        }
    }

    async fn round_trip(storage: &Storage) {
        assert_eq!(storage.finalizer_cursor().await.unwrap(), None);
        let cursor = FinalizerCursor {
            block_number: 42,
            starting_voting_round: 1000,
        };
        storage.set_finalizer_cursor(cursor).await.unwrap();
        let moved = FinalizerCursor {
            block_number: 43,
            ..cursor
        };
        storage.set_finalizer_cursor(moved).await.unwrap();
        assert_eq!(storage.finalizer_cursor().await.unwrap(), Some(moved));

        let first = finalization(1001, 2);
        assert!(storage.insert_finalization(&first).await.unwrap());
        let mut again = first.clone();
        again.calldata = vec![0];
        assert!(!storage.insert_finalization(&again).await.unwrap());
        assert!(
            storage
                .insert_finalization(&finalization(1000, 3))
                .await
                .unwrap()
        );
        storage
            .set_finalization_status(1001, 100, &first.message_hash, FinalizationStatus::Relayed)
            .await
            .unwrap();
        let stored = storage.finalizations_since(1001).await.unwrap();
        assert_eq!(
            stored,
            vec![Finalization {
                status: FinalizationStatus::Relayed,
                ..first
            }]
        );
        assert_eq!(storage.drop_finalizations_before(1001).await.unwrap(), 1);
        assert_eq!(storage.finalizations_since(0).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn cursor_and_finalizations_round_trip_on_sqlite() {
        let db = sqlite().await;
        round_trip(&db.storage).await;
    }

    #[tokio::test]
    async fn cursor_and_finalizations_round_trip_on_postgres() {
        let Some(db) = TestBackend::Postgres.fresh().await else {
            return;
        };
        round_trip(&db.storage).await;
    }
}
