//! Range assurance (reference `IndexerClient.ensureRange` / `ensureTopBlock`): whether the indexer
//! database holds every row of a time range, from the `states` progress rows.
//!
//! * floor: the range's start must be after the indexed floor (`first_database_block`; for FSP
//!   events the lower of it and `first_database_log_block`), strictly;
//! * top: `last_database_block`'s timestamp must be after the range's end, strictly; when an end
//!   timeout is given and the wall clock is that far past the end, a missing top is tolerated.
//!
//! One deliberate difference: when the floor is the genesis block (block 0, as on a devnet indexed
//! from its start) nothing precedes it, so the floor never fails (the reference's strict check
//! would refuse a fresh chain's first rounds forever, their benching window reaching before
//! genesis).

use std::time::Duration;

use ftso_storage::{StateName, Storage, TimeWindow};

use crate::chain::ChainError;

/// Which floor applies to a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Floor {
    /// Transactions and voting-round events: `first_database_block`.
    Blocks,
    /// FSP events (offers, registrations, signing policies): `min(first_database_block,
    /// first_database_log_block)`.
    FspEvents,
}

/// Whether the database covers a time range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// Every row of the range is indexed (the reference's `OK`).
    Complete,
    /// The top is missing but the end timeout has passed (the reference's `TIMEOUT_OK`): the rows
    /// present are taken as they are.
    TimedOut,
    /// The indexer has not reached the range's end yet; it may later.
    Pending,
    /// The range starts at or before the indexed floor: it can never be covered.
    BeforeFloor {
        /// The floor's block timestamp.
        floor: u64,
    },
}

impl Coverage {
    /// Whether the rows may be used (`OK` or `TIMEOUT_OK`).
    pub fn is_usable(self) -> bool {
        matches!(self, Coverage::Complete | Coverage::TimedOut)
    }
}

/// The indexed floor and top, as unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexedSpan {
    /// `first_database_block.block_timestamp`.
    pub first_block: Option<u64>,
    /// `first_database_log_block.block_timestamp`.
    pub first_log_block: Option<u64>,
    /// `last_database_block.block_timestamp`.
    pub top: Option<u64>,
    /// Whether `first_database_block` is the genesis block (nothing is older).
    pub first_block_is_genesis: bool,
}

impl IndexedSpan {
    /// Reads the progress rows.
    pub async fn read(storage: &Storage) -> Result<Self, ChainError> {
        let timestamp =
            |row: &Option<ftso_storage::StateRow>| row.as_ref().map(|r| r.block_timestamp);
        let first = storage.state(StateName::FirstDatabaseBlock).await?;
        Ok(Self {
            first_block: timestamp(&first),
            first_log_block: timestamp(&storage.state(StateName::FirstDatabaseLogBlock).await?),
            top: timestamp(&storage.state(StateName::LastDatabaseBlock).await?),
            first_block_is_genesis: first.is_some_and(|r| r.index == 0),
        })
    }

    /// The floor that applies to `floor`, if the indexer has written one.
    pub fn floor(&self, floor: Floor) -> Option<u64> {
        match floor {
            Floor::Blocks => self.first_block,
            Floor::FspEvents => match (self.first_block, self.first_log_block) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }

    /// The reference's `secureLowestTimestamp`: one second after the lower floor.
    pub fn secure_lowest_timestamp(&self) -> Option<u64> {
        self.floor(Floor::FspEvents).map(|t| t + 1)
    }

    /// Whether `window` is covered, at wall-clock time `now` (unix seconds). `end_timeout` is the
    /// tolerance for a missing top (`None`: the top is required).
    pub fn coverage(
        &self,
        window: TimeWindow,
        floor: Floor,
        end_timeout: Option<Duration>,
        now: u64,
    ) -> Coverage {
        let Some(floor) = self.floor(floor) else {
            return Coverage::Pending;
        };
        let genesis = self.first_block_is_genesis && self.first_block == Some(floor);
        if floor >= window.from && !genesis {
            return Coverage::BeforeFloor { floor };
        }
        if self.top.is_some_and(|top| top > window.to) {
            return Coverage::Complete;
        }
        match end_timeout {
            Some(timeout) if now > window.to.saturating_add(timeout.as_secs()) => {
                Coverage::TimedOut
            }
            _ => Coverage::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPAN: IndexedSpan = IndexedSpan {
        first_block: Some(100),
        first_log_block: Some(50),
        top: Some(1000),
        first_block_is_genesis: false,
    };

    fn window(from: u64, to: u64) -> TimeWindow {
        TimeWindow { from, to }
    }

    #[test]
    fn floor_is_strict_and_fsp_events_use_the_lower_floor() {
        let w = window(100, 200);
        assert_eq!(
            SPAN.coverage(w, Floor::Blocks, None, 0),
            Coverage::BeforeFloor { floor: 100 }
        );
        assert_eq!(
            SPAN.coverage(w, Floor::FspEvents, None, 0),
            Coverage::Complete
        );
        assert_eq!(SPAN.secure_lowest_timestamp(), Some(51));
    }

    #[test]
    fn top_is_strict_and_the_timeout_tolerates_a_missing_top() {
        let w = window(500, 1000);
        let timeout = Some(Duration::from_secs(5));
        assert_eq!(
            SPAN.coverage(w, Floor::Blocks, None, 10_000),
            Coverage::Pending
        );
        assert_eq!(
            SPAN.coverage(w, Floor::Blocks, timeout, 1005),
            Coverage::Pending
        );
        assert_eq!(
            SPAN.coverage(w, Floor::Blocks, timeout, 1006),
            Coverage::TimedOut
        );
        assert_eq!(
            SPAN.coverage(window(500, 999), Floor::Blocks, None, 0),
            Coverage::Complete
        );
    }

    #[test]
    fn a_genesis_floor_never_fails() {
        let genesis = IndexedSpan {
            first_block_is_genesis: true,
            ..SPAN
        };
        assert_eq!(
            genesis.coverage(window(100, 200), Floor::Blocks, None, 0),
            Coverage::Complete
        );
        assert_eq!(
            genesis.coverage(window(10, 200), Floor::Blocks, None, 0),
            Coverage::Complete
        );
    }

    #[test]
    fn nothing_indexed_yet_is_pending() {
        let empty = IndexedSpan {
            first_block: None,
            first_log_block: None,
            top: None,
            first_block_is_genesis: false,
        };
        assert_eq!(
            empty.coverage(window(1, 2), Floor::Blocks, None, 0),
            Coverage::Pending
        );
    }
}
