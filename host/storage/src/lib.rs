//! The indexer database of the FTSO node.
//!
//! ```text
//! chain ──► ftso-indexer ──commit_batch──► [states | blocks | transactions | logs] ──queries──► data provider,
//!                                                                                              system client
//! ```
//!
//! The four tables, their columns and encodings are those of the reference C-chain indexer
//! (flare-system-c-chain-indexer), so tools and queries written for it keep working: lowercase hex without `0x`,
//! `"NULL"` for absent topics, `status` 2 when no receipt was fetched, progress rows in `states`.
//! SQLite (a file, WAL) is the embedded default; PostgreSQL is for production. The backend is chosen by the URL
//! (`sqlite://path?mode=rwc` or `postgres://...`); both go through sqlx's `Any` driver with runtime queries and
//! `$N` placeholders, which both dialects accept. Migrations run when the storage is opened.
//!
//! Consistency: [`Storage::commit_batch`] writes a run of whole blocks and then the progress rows in one database
//! transaction, so a reader never sees half a block, and `last_database_block` never claims uncommitted data.

mod backend;
mod config;
pub mod encode;
mod error;
mod finalizations;
mod model;
mod query;
mod retention;
mod sql;
#[cfg(any(test, feature = "test-utils"))]
pub mod testing;
mod write;

pub use backend::{Backend, Storage};
pub use config::{StorageConfig, redact_url};
pub use error::{Result, StorageError};
pub use finalizations::{Finalization, FinalizationStatus, FinalizerCursor};
pub use model::{
    BlockBatch, BlockRow, LogRow, NewBlock, NewLog, NewTransaction, StateName, StateRow,
    TransactionRow, TxStatus,
};
pub use query::{BlockWindow, TimeWindow};
pub use retention::DropReport;
pub use write::CommitSummary;
