//! The host interfaces of `wit/`, one module each. Validated at load time (the allow-list is
//! parsed with the config), built per instance ([`Capabilities`]), linked once in the engine.

pub mod clock;
pub mod http;
pub mod log;
pub mod trades;
pub mod websocket;

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
        mpsc,
    },
    time::Duration,
};

use crate::{bindings::types, prices::Prices, sandbox::PluginState, worker::Command};

/// Per-instance state behind the capability imports.
#[derive(Debug)]
pub struct Capabilities {
    /// The plugin's name (every log line carries it).
    pub plugin: String,
    /// Hosts the plugin may reach.
    pub allow_list: AllowList,
    /// The shared HTTP client.
    pub http: reqwest::Client,
    /// Timeout of one http GET or websocket handshake.
    pub http_timeout: Duration,
    /// Largest accepted response body.
    pub http_max_body_bytes: usize,
    /// Open websocket connections allowed.
    pub websocket_max_connections: usize,
    /// Open websocket connections now.
    pub websocket_open: usize,
    /// The tokio runtime the network I/O runs on.
    pub runtime: tokio::runtime::Handle,
    /// The instance's worker queue (websocket events go there).
    pub events: mpsc::Sender<Command>,
    pub(crate) log_budget: log::LogBudget,
    /// The plugin's most recent log lines (shared by all its instances).
    pub recent_logs: log::RecentLogs,
    /// The price store its published trades go to.
    pub prices: Arc<Prices>,
    /// What the plugin does through the capabilities (shared by all its instances).
    pub activity: Arc<Activity>,
}

/// What one plugin does through its capabilities, readable while it runs (health listing,
/// metrics).
#[derive(Debug, Default)]
pub struct Activity {
    /// Websocket connections its current instance holds open.
    pub websockets_open: AtomicU64,
    /// Websocket connections opened since start (reconnects included).
    pub websockets_opened: AtomicU64,
    /// Trades it published that the price store took.
    pub trades_taken: AtomicU64,
    /// Trades it published that the store ignored (no such source, invalid numbers).
    pub trades_ignored: AtomicU64,
    /// When it last published a trade the store took, ms since the Unix epoch; 0: never.
    pub last_trade_at_ms: AtomicU64,
}

impl Activity {
    /// Counts a websocket opened by `plugin`; `open` are held now
    /// (`ftso_node_connector_websocket_connects_total{plugin}`).
    pub fn opened(&self, plugin: &str, open: usize) {
        self.websockets_opened.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("ftso_node_connector_websocket_connects_total", "plugin" => plugin.to_owned())
            .increment(1);
        self.set_open(plugin, open);
    }

    /// Sets the websocket connections `plugin` holds now
    /// (`ftso_node_connector_websockets_open{plugin}`).
    pub fn set_open(&self, plugin: &str, open: usize) {
        self.websockets_open.store(open as u64, Ordering::Relaxed);
        metrics::gauge!("ftso_node_connector_websockets_open", "plugin" => plugin.to_owned())
            .set(open as f64);
    }

    /// Counts one `publish` call of `plugin`
    /// (`ftso_node_connector_trades_total{plugin,outcome=taken|ignored}`).
    pub fn published(&self, plugin: &str, taken: usize, ignored: usize) {
        self.trades_taken.fetch_add(taken as u64, Ordering::Relaxed);
        self.trades_ignored
            .fetch_add(ignored as u64, Ordering::Relaxed);
        for (outcome, count) in [("taken", taken), ("ignored", ignored)] {
            if count > 0 {
                metrics::counter!(
                    "ftso_node_connector_trades_total",
                    "plugin" => plugin.to_owned(),
                    "outcome" => outcome
                )
                .increment(count as u64);
            }
        }
        if taken > 0 {
            self.last_trade_at_ms
                .store(clock::now_ms(), Ordering::Relaxed);
        }
    }
}

/// Which hosts a plugin may reach: exact host names (`api.example.com`), `host:port`, or a
/// `*.example.com` suffix pattern.
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    entries: Vec<String>,
}

impl AllowList {
    /// Builds the list (entries are compared case-insensitively).
    pub fn new(entries: &[String]) -> Self {
        Self {
            entries: entries
                .iter()
                .map(|e| e.trim().to_ascii_lowercase())
                .collect(),
        }
    }

    /// Whether `url` may be reached.
    pub fn allows(&self, url: &url::Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host.to_ascii_lowercase();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = url.port_or_known_default();
        self.entries.iter().any(|entry| {
            if let Some(suffix) = entry.strip_prefix("*.") {
                return host.ends_with(&format!(".{suffix}"));
            }
            if entry == host {
                return true;
            }
            match (entry.rsplit_once(':'), port) {
                (Some((h, p)), Some(port)) => {
                    h.trim_start_matches('[').trim_end_matches(']') == host && p == port.to_string()
                }
                _ => false,
            }
        })
    }
}

impl types::Host for PluginState {}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn allow_list_matches_hosts_ports_and_suffixes() {
        let list = AllowList::new(&[
            "api.example.com".into(),
            "127.0.0.1:8080".into(),
            "*.binance.com".into(),
        ]);
        assert!(list.allows(&url("https://api.example.com/x")));
        assert!(list.allows(&url("https://API.example.com:444/x")));
        assert!(list.allows(&url("ws://127.0.0.1:8080/ws")));
        assert!(!list.allows(&url("ws://127.0.0.1:8081/ws")));
        assert!(list.allows(&url("wss://stream.binance.com:9443/ws")));
        assert!(!list.allows(&url("wss://binance.com.evil.org/ws")));
        assert!(!list.allows(&url("https://example.com/")));
        assert!(!AllowList::default().allows(&url("https://api.example.com/")));
    }
}
