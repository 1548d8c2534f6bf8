//! The fast-updates client's metrics (`ftso_node_fast_updates_…`): blocks scanned and not selected, tickets won,
//! updates submitted, accepted, dropped and failed, and our weight in the current reward epoch. Blocks in which
//! we were not selected tell an idle low-weight node from a failing one.

use crate::submission::Outcome;

/// A block was scanned: `ftso_node_fast_updates_blocks_scanned_total`, and when none of our tickets won it,
/// `ftso_node_fast_updates_blocks_not_selected_total`; `ftso_node_fast_updates_tickets_total` counts the winners.
pub(crate) fn block_scanned(winning_tickets: usize) {
    metrics::counter!("ftso_node_fast_updates_blocks_scanned_total").increment(1);
    if winning_tickets == 0 {
        metrics::counter!("ftso_node_fast_updates_blocks_not_selected_total").increment(1);
    }
    metrics::counter!("ftso_node_fast_updates_tickets_total").increment(winning_tickets as u64);
}

/// An update transaction is about to be sent: `ftso_node_fast_updates_submitted_total`.
pub(crate) fn submitted() {
    metrics::counter!("ftso_node_fast_updates_submitted_total").increment(1);
}

/// A job ended: `ftso_node_fast_updates_accepted_total`, `ftso_node_fast_updates_dropped_total{reason}` (`too_late`
/// or `not_sent`: the epoch changed, shutting down, nothing to move) or `ftso_node_fast_updates_failed_total`.
pub(crate) fn job_ended(outcome: &Outcome) {
    match outcome {
        Outcome::Accepted { .. } => {
            metrics::counter!("ftso_node_fast_updates_accepted_total").increment(1);
        }
        Outcome::Dropped(reason) => {
            let reason = if *reason == crate::submission::TOO_LATE {
                "too_late"
            } else {
                "not_sent"
            };
            metrics::counter!("ftso_node_fast_updates_dropped_total", "reason" => reason)
                .increment(1);
        }
        Outcome::Failed(_) => {
            metrics::counter!("ftso_node_fast_updates_failed_total").increment(1);
        }
    }
}

/// Our sortition weight in the current reward epoch (0 while not submitting): `ftso_node_fast_updates_weight`.
pub(crate) fn weight(weight: u64) {
    metrics::gauge!("ftso_node_fast_updates_weight").set(weight as f64);
}
