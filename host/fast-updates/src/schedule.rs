//! When a winning ticket may be sent, which blocks are still worth a scan, and which account sends next.
//!
//! A ticket for sortition block `b` is accepted when included in a block `n` with `b ≤ n < b + window`
//! (`FastUpdater.submitUpdates`). A transaction sent while the latest block is `L` is included at `L + 1` at the
//! earliest, so a ticket is sent only while `b ≤ L` (the reference waits for `L ≥ b`) and `L + 1 ≤ b + window − 1`
//! (the reference compares `L` with `b + window − 1` and so can send one block too late, digest §4.1).

use std::sync::atomic::{AtomicUsize, Ordering};

/// Where a ticket stands relative to the latest block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketState {
    /// Not yet: wait until the latest block reaches the sortition block.
    Early,
    /// Send now.
    Open,
    /// Its last inclusion block can no longer be reached: drop it.
    Closed,
}

/// The sending window of one ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketWindow {
    /// The sortition block.
    pub block: u64,
    /// `FastUpdater.submissionWindow()`.
    pub window: u64,
}

impl TicketWindow {
    /// The last block that may include the ticket: `block + window − 1`.
    pub fn last_inclusion_block(&self) -> u64 {
        (self.block + self.window).saturating_sub(1)
    }

    /// The ticket's state when the latest block is `latest`.
    pub fn state(&self, latest: u64) -> TicketState {
        if latest.saturating_add(1) > self.last_inclusion_block() {
            TicketState::Closed
        } else if latest < self.block {
            TicketState::Early
        } else {
            TicketState::Open
        }
    }
}

/// The first block worth scanning when the next unscanned block is `next` and the latest is `latest`: a block
/// whose tickets can no longer be included (`latest + 1 > b + window − 1`) is skipped, so a client that fell
/// behind catches up instead of proving tickets it cannot use.
pub fn first_useful_block(next: u64, latest: u64, window: u64) -> u64 {
    next.max(latest.saturating_add(2).saturating_sub(window))
}

/// Round-robin over the submission accounts: each job takes the next one.
#[derive(Debug, Default)]
pub struct Rotation {
    next: AtomicUsize,
}

impl Rotation {
    /// The account index for the next job among `accounts` (0 when there are none).
    pub fn pick(&self, accounts: usize) -> usize {
        if accounts == 0 {
            return 0;
        }
        self.next.fetch_add(1, Ordering::Relaxed) % accounts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_is_sent_only_while_its_inclusion_is_in_the_window() {
        let ticket = TicketWindow {
            block: 100,
            window: 10,
        };
        assert_eq!(ticket.last_inclusion_block(), 109);
        assert_eq!(ticket.state(98), TicketState::Early);
        assert_eq!(ticket.state(99), TicketState::Early);
        assert_eq!(ticket.state(100), TicketState::Open);
        // Sent at latest 107 it lands in 108 at the earliest: still in the window.
        assert_eq!(ticket.state(107), TicketState::Open);
        // Sent at latest 108 it lands in 109, the last block of the window.
        assert_eq!(ticket.state(108), TicketState::Open);
        // At latest 109 it would land in 110 = block + window: rejected by the contract, so dropped.
        assert_eq!(ticket.state(109), TicketState::Closed);
        assert_eq!(ticket.state(500), TicketState::Closed);
        // Every Open state leaves an inclusion block the contract accepts.
        for latest in 0..200 {
            if ticket.state(latest) == TicketState::Open {
                let inclusion = latest + 1;
                assert!(ftso_core::fast_updates::update::check_window(100, inclusion, 10).is_ok());
            }
        }
    }

    #[test]
    fn a_window_of_one_never_opens() {
        let ticket = TicketWindow {
            block: 5,
            window: 1,
        };
        assert!((0..20).all(|latest| ticket.state(latest) != TicketState::Open));
    }

    #[test]
    fn lagging_skips_blocks_without_a_usable_inclusion_block() {
        assert_eq!(first_useful_block(50, 49, 10), 50);
        assert_eq!(first_useful_block(50, 57, 10), 50);
        // At latest 58, block 50 can still land in 59, its last inclusion block; at 59 it cannot.
        assert_eq!(first_useful_block(50, 58, 10), 50);
        assert_eq!(first_useful_block(50, 59, 10), 51);
        assert_eq!(first_useful_block(50, 1000, 10), 992);
        let skipped_to = first_useful_block(50, 1000, 10);
        assert_eq!(
            TicketWindow {
                block: skipped_to,
                window: 10
            }
            .state(1000),
            TicketState::Open
        );
        assert_eq!(
            TicketWindow {
                block: skipped_to - 1,
                window: 10
            }
            .state(1000),
            TicketState::Closed
        );
    }

    #[test]
    fn rotation_takes_every_account_in_turn() {
        let rotation = Rotation::default();
        let picks: Vec<usize> = (0..7).map(|_| rotation.pick(3)).collect();
        assert_eq!(picks, vec![0, 1, 2, 0, 1, 2, 0]);
        assert_eq!(rotation.pick(0), 0);
        assert_eq!(Rotation::default().pick(1), 0);
    }
}
