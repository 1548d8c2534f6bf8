//! The storage error type.

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database URL names no supported backend.
    #[error("unsupported database url {url:?}: expected sqlite://... or postgres://...")]
    UnsupportedUrl {
        /// The URL, redacted ([`crate::redact_url`]): no credentials, path or query.
        url: String,
    },
    /// Creating the directory of an SQLite database file failed.
    #[error("cannot create the directory of the sqlite database {path:?}")]
    CreateDir {
        /// The directory that could not be created.
        path: std::path::PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A query or connection failed.
    #[error("database error")]
    Sqlx(#[from] sqlx::Error),
    /// Running the schema migrations failed.
    #[error("database migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The batch handed to [`crate::Storage::commit_batch`] is not a run of whole, consecutive blocks.
    #[error("invalid block batch: {reason}")]
    InvalidBatch {
        /// What is wrong with the batch.
        reason: String,
    },
    /// A stored value does not have the reference encoding.
    #[error("malformed stored value in column {column}: {value:?}")]
    Malformed {
        /// The column holding the value.
        column: &'static str,
        /// The offending value.
        value: String,
    },
}

impl StorageError {
    /// Whether retrying the same operation later may succeed (connection loss, pool timeout, lock contention).
    pub fn is_transient(&self) -> bool {
        match self {
            StorageError::Sqlx(e) => {
                matches!(
                    e,
                    sqlx::Error::Io(_)
                        | sqlx::Error::PoolTimedOut
                        | sqlx::Error::PoolClosed
                        | sqlx::Error::WorkerCrashed
                        | sqlx::Error::Tls(_)
                ) || matches!(e, sqlx::Error::Database(db) if is_busy(db.message()))
            }
            _ => false,
        }
    }
}

fn is_busy(message: &str) -> bool {
    message.contains("database is locked") || message.contains("database is busy")
}

/// Result alias of this crate.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;
