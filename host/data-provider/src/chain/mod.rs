//! Reading the chain as the reference data provider does: only through the indexer database.
//!
//! ```text
//! states ──► coverage (floor / top of a time range)
//! logs ────► events ──► epoch (feed_order, voters, signing policy) ──► EpochView per reward epoch
//! transactions (Submission submit1 / submit2) ──► submissions (commits and reveals per round)
//! ```

mod coverage;
mod epoch;
pub mod events;
pub mod feed_order;
mod params;
mod reader;
pub mod submissions;

pub use coverage::{Coverage, Floor, IndexedSpan};
pub use epoch::{EpochView, EpochVoter};
pub use params::{ContractAddresses, DEFAULT_BENCHING_WINDOW, ProtocolParams};
pub use reader::ChainReader;

/// Why chain data could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The database failed.
    #[error("indexer database: {0}")]
    Storage(#[from] ftso_storage::StorageError),
    /// An indexed event does not decode.
    #[error("event {event} at block {block} log {log_index} does not decode: {reason}")]
    BadEvent {
        /// The event signature.
        event: &'static str,
        /// Its block.
        block: u64,
        /// Its log index.
        log_index: u64,
        /// Why.
        reason: String,
    },
    /// The voting round lies before the first reward epoch of the network.
    #[error("voting round {voting_round_id} is before the first reward epoch")]
    BeforeFirstRewardEpoch {
        /// The round.
        voting_round_id: u32,
    },
    /// The voting round has not started yet.
    #[error("voting round {voting_round_id} is in the future (current round {current})")]
    FutureRound {
        /// The round.
        voting_round_id: u32,
        /// The current round.
        current: u32,
    },
    /// The indexer has not written its progress rows yet.
    #[error("the indexer database has no progress rows yet")]
    NotIndexed,
    /// No signing policy covers the round in the indexed events.
    #[error("no indexed signing policy starts at or before voting round {voting_round_id}")]
    NoSigningPolicy {
        /// The round.
        voting_round_id: u32,
    },
    /// The reward epoch precedes the network's first initialisable epoch.
    #[error("reward epoch {reward_epoch_id} precedes the first reward epoch the node can read")]
    EpochTooOld {
        /// The epoch.
        reward_epoch_id: u32,
    },
    /// The events of a reward epoch start before the indexed floor: they can never be read.
    #[error(
        "events of reward epoch {reward_epoch_id} start at {from}, before the indexed floor {floor}"
    )]
    EpochBeforeFloor {
        /// The epoch.
        reward_epoch_id: u32,
        /// Start of its events.
        from: u64,
        /// The floor.
        floor: u64,
    },
    /// A lifecycle event of a reward epoch is missing.
    #[error("reward epoch {reward_epoch_id}: no {event} event indexed")]
    MissingEvent {
        /// The epoch.
        reward_epoch_id: u32,
        /// The event.
        event: &'static str,
    },
    /// The events of a reward epoch contradict each other (the reference fails the epoch).
    #[error("reward epoch {reward_epoch_id} is inconsistent: {reason}")]
    InconsistentEpoch {
        /// The epoch.
        reward_epoch_id: u32,
        /// Why.
        reason: String,
    },
}
