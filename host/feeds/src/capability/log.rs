//! `log`: plugin log lines into tracing, tagged with the plugin's name, with a rate limit.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Instant,
};

use crate::{bindings::log, sandbox::PluginState};

/// Lines a plugin may log per second; the rest are dropped (and counted in one WARN).
const LINES_PER_SECOND: u32 = 200;
/// Longest line kept; longer ones are cut.
const MAX_LINE_BYTES: usize = 4096;

/// Lines kept in [`RecentLogs`].
const RECENT_LINES: usize = 100;

/// The last lines a plugin logged, as `(level, message)`; shown by the admin API and used by tests.
#[derive(Debug, Clone, Default)]
pub struct RecentLogs(Arc<Mutex<VecDeque<(String, String)>>>);

impl RecentLogs {
    /// Appends a line, dropping the oldest beyond the capacity.
    pub fn push(&self, level: &str, message: &str) {
        if let Ok(mut lines) = self.0.lock() {
            if lines.len() == RECENT_LINES {
                lines.pop_front();
            }
            lines.push_back((level.to_owned(), message.to_owned()));
        }
    }

    /// A copy of the kept lines, oldest first.
    pub fn lines(&self) -> Vec<(String, String)> {
        self.0
            .lock()
            .map(|l| l.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// A per-instance log rate limit.
#[derive(Debug)]
pub(crate) struct LogBudget {
    window_start: Instant,
    lines: u32,
    dropped: u32,
}

impl Default for LogBudget {
    fn default() -> Self {
        Self {
            window_start: Instant::now(),
            lines: 0,
            dropped: 0,
        }
    }
}

impl LogBudget {
    /// Whether one more line may be written now.
    fn admit(&mut self, plugin: &str) -> bool {
        if self.window_start.elapsed().as_secs() >= 1 {
            if self.dropped > 0 {
                tracing::warn!(
                    plugin,
                    dropped = self.dropped,
                    "plugin logged too much; lines dropped"
                );
            }
            *self = Self::default();
        }
        self.lines += 1;
        if self.lines > LINES_PER_SECOND {
            self.dropped += 1;
            return false;
        }
        true
    }
}

fn truncate(message: &str) -> &str {
    if message.len() <= MAX_LINE_BYTES {
        return message;
    }
    let mut end = MAX_LINE_BYTES;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    message.get(..end).unwrap_or("")
}

impl log::Host for PluginState {
    fn log(&mut self, level: log::Level, message: String) -> wasmtime::Result<()> {
        let plugin = self.caps.plugin.as_str();
        if !self.caps.log_budget.admit(plugin) {
            return Ok(());
        }
        let message = truncate(&message);
        let label = match level {
            log::Level::Trace => "trace",
            log::Level::Debug => "debug",
            log::Level::Info => "info",
            log::Level::Warn => "warn",
            log::Level::Error => "error",
        };
        self.caps.recent_logs.push(label, message);
        match level {
            log::Level::Trace => tracing::trace!(target: "plugin", plugin, "{message}"),
            log::Level::Debug => tracing::debug!(target: "plugin", plugin, "{message}"),
            log::Level::Info => tracing::info!(target: "plugin", plugin, "{message}"),
            log::Level::Warn => tracing::warn!(target: "plugin", plugin, "{message}"),
            log::Level::Error => tracing::error!(target: "plugin", plugin, "{message}"),
        }
        Ok(())
    }
}
