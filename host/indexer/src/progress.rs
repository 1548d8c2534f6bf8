//! Catch-up progress and the indexer's metrics.
//!
//! While the indexer is behind the confirmed head it reports blocks, rate and ETA every `progress_log_interval`:
//! as one updating line when stderr is a terminal, as structured `catch-up progress` log lines otherwise. Once it
//! reaches the head it says so once (`caught up with the chain head`) and stays quiet while it follows; if it falls
//! behind again (a stalled RPC, a long pause) the reports resume.
//!
//! Metrics (every batch): `ftso_node_indexer_blocks_indexed_total`, `ftso_node_indexer_last_block`,
//! `ftso_node_indexer_head_block`, `ftso_node_indexer_lag_blocks`, `ftso_node_indexer_lag_seconds` (chain time
//! between the head and the last indexed block) and `ftso_node_indexer_caught_up` (1 while following the head).

use std::{
    io::{IsTerminal as _, Write as _},
    time::{Duration, Instant},
};

/// Where progress goes: an updating terminal line, or log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    Terminal,
    Log,
}

/// The chain head as the indexer sees it: the confirmed tip's number and timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Head {
    pub(crate) number: u64,
    pub(crate) timestamp: u64,
}

/// One committed batch: its last block and that block's timestamp, and how many blocks it held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Committed {
    pub(crate) last_block: u64,
    pub(crate) last_timestamp: u64,
    pub(crate) blocks: u64,
}

/// What one report says: blocks done since the last report, rate, and what is left.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Report {
    block: u64,
    head: u64,
    remaining: u64,
    blocks_per_sec: f64,
    eta: Duration,
}

/// Catch-up progress of one indexing run.
#[derive(Debug)]
pub(crate) struct Progress {
    interval: Duration,
    output: Output,
    since: Instant,
    since_block: u64,
    started: Instant,
    first_block: u64,
    /// Following the head: no reports until it falls behind again.
    following: bool,
    /// A progress line is on screen (the cursor at its start) and is cleared once the head is reached.
    line_open: bool,
}

impl Progress {
    /// Progress from `start`, reported every `interval`.
    pub(crate) fn new(start: u64, interval: Duration) -> Self {
        let output = if std::io::stderr().is_terminal() {
            Output::Terminal
        } else {
            Output::Log
        };
        let now = Instant::now();
        Progress {
            interval,
            output,
            since: now,
            since_block: start,
            started: now,
            first_block: start,
            following: false,
            line_open: false,
        }
    }

    /// Records the confirmed head (every poll).
    pub(crate) fn head(&self, head: Head) {
        metrics::gauge!("ftso_node_indexer_head_block").set(head.number as f64);
    }

    /// Records a committed batch against the head it was fetched for, and reports when due.
    pub(crate) fn record(&mut self, batch: Committed, head: Head) {
        metrics::counter!("ftso_node_indexer_blocks_indexed_total").increment(batch.blocks);
        metrics::gauge!("ftso_node_indexer_last_block").set(batch.last_block as f64);
        let remaining = head.number.saturating_sub(batch.last_block);
        metrics::gauge!("ftso_node_indexer_lag_blocks").set(remaining as f64);
        metrics::gauge!("ftso_node_indexer_lag_seconds")
            .set(head.timestamp.saturating_sub(batch.last_timestamp) as f64);
        if remaining == 0 {
            self.reached_head(batch.last_block);
            return;
        }
        if self.following {
            // Behind again: measure the new catch-up from here.
            self.following = false;
            metrics::gauge!("ftso_node_indexer_caught_up").set(0.0);
            self.since = Instant::now();
            self.since_block = batch
                .last_block
                .saturating_sub(batch.blocks.saturating_sub(1));
            return;
        }
        let elapsed = self.since.elapsed();
        if elapsed < self.interval {
            return;
        }
        let report = report(self.since_block, batch.last_block, head.number, elapsed);
        self.emit(&report);
        self.since = Instant::now();
        self.since_block = batch.last_block + 1;
    }

    /// The batch ended at the head: say so once, then stay quiet while following.
    fn reached_head(&mut self, block: u64) {
        if self.following {
            return;
        }
        self.following = true;
        metrics::gauge!("ftso_node_indexer_caught_up").set(1.0);
        self.close_line();
        let blocks = block.saturating_add(1).saturating_sub(self.first_block);
        tracing::info!(
            block,
            blocks,
            elapsed_secs = self.started.elapsed().as_secs(),
            "caught up with the chain head"
        );
        self.started = Instant::now();
        self.first_block = block + 1;
        self.since = Instant::now();
        self.since_block = block + 1;
    }

    fn emit(&mut self, report: &Report) {
        match self.output {
            Output::Log => tracing::info!(
                block = report.block,
                tip = report.head,
                blocks_per_sec = format!("{:.1}", report.blocks_per_sec),
                remaining = report.remaining,
                eta_secs = report.eta.as_secs(),
                "catch-up progress"
            ),
            Output::Terminal => {
                let mut stderr = std::io::stderr().lock();
                // Cursor back at the start of the line: the next log line overwrites the progress line instead of
                // running on after it. A failed write to the terminal only loses a progress line.
                let _ = write!(stderr, "\x1b[2K{}\r", terminal_line(report));
                let _ = stderr.flush();
                self.line_open = true;
            }
        }
    }

    /// Clears the progress line, if one is on screen.
    fn close_line(&mut self) {
        if self.line_open {
            let _ = write!(std::io::stderr(), "\x1b[2K");
            self.line_open = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.close_line();
    }
}

/// The report for blocks `from..=done` indexed in `elapsed`, with the head at `head`.
fn report(from: u64, done: u64, head: u64, elapsed: Duration) -> Report {
    let blocks = done.saturating_add(1).saturating_sub(from);
    let blocks_per_sec = blocks as f64 / elapsed.as_secs_f64().max(1e-9);
    let remaining = head.saturating_sub(done);
    let eta = if blocks_per_sec > 0.0 {
        Duration::from_secs((remaining as f64 / blocks_per_sec).round() as u64)
    } else {
        Duration::ZERO
    };
    Report {
        block: done,
        head,
        remaining,
        blocks_per_sec,
        eta,
    }
}

/// `indexing: block 1200 / 5000 (24.0%), 350.0 blocks/s, 3750 to go, ETA 11s`.
fn terminal_line(report: &Report) -> String {
    let percent = if report.head == 0 {
        100.0
    } else {
        report.block as f64 * 100.0 / report.head as f64
    };
    format!(
        "indexing: block {} / {} ({percent:.1}%), {:.1} blocks/s, {} to go, ETA {}s",
        report.block,
        report.head,
        report.blocks_per_sec,
        report.remaining,
        report.eta.as_secs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_has_the_rate_and_the_eta_to_the_head() {
        let r = report(1000, 1999, 5999, Duration::from_secs(10));
        assert_eq!(r.remaining, 4000);
        assert!((r.blocks_per_sec - 100.0).abs() < 1e-9);
        assert_eq!(r.eta, Duration::from_secs(40));
        assert_eq!(
            terminal_line(&r),
            "indexing: block 1999 / 5999 (33.3%), 100.0 blocks/s, 4000 to go, ETA 40s"
        );
    }

    #[test]
    fn following_the_head_reports_nothing_until_it_falls_behind() {
        let mut progress = Progress::new(0, Duration::ZERO);
        progress.output = Output::Log;
        let head = |number| Head {
            number,
            timestamp: number,
        };
        let batch = |last_block, blocks| Committed {
            last_block,
            last_timestamp: last_block,
            blocks,
        };
        progress.record(batch(99, 100), head(200));
        assert!(!progress.following);
        progress.record(batch(200, 101), head(200));
        assert!(progress.following);
        progress.record(batch(201, 1), head(201));
        assert!(progress.following);
        // Ten blocks behind after a batch: catching up again, measured from that batch's first block.
        progress.record(batch(202, 1), head(212));
        assert!(!progress.following);
        assert_eq!(progress.since_block, 202);
    }
}
