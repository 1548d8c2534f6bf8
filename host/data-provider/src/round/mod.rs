//! Every voting round's results, computed once from the indexer database and stored.
//!
//! ```text
//! ChainReader (epoch, submissions) ──► calculate (eligibility, reveals, benching; ftso_core::round)
//!        ──► RoundRecord ──► store (migration 0002) ──► RoundResults::results ──► HTTP data routes
//! ```

mod calculate;
mod record;
mod service;
mod store;

pub use record::{FeedRecord, RoundRecord, VoterOutcome, VoterRecord};
pub use service::{RoundResults, RoundStatus};

use crate::chain::ChainError;

/// Why a round's results could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum RoundError {
    /// Reading the chain failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The round's calculation fails as the reference's does (e.g. no valid reveal).
    #[error("voting round {voting_round_id}: {source}")]
    Calculation {
        /// The round.
        voting_round_id: u32,
        /// Why.
        source: ftso_core::round::RoundError,
    },
    /// Reading or writing the stored results failed.
    #[error("round results store: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored row does not decode.
    #[error("stored results of voting round {voting_round_id} are corrupt: {what}")]
    CorruptRecord {
        /// The round.
        voting_round_id: u32,
        /// What failed to decode.
        what: String,
    },
}
