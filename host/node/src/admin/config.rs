//! `[admin]`: where the admin server listens.

use std::{net::SocketAddr, time::Duration};

use serde::{Deserialize, Serialize};

/// The admin server's address when none is configured: loopback only, the port the feeds admin API always had.
pub const DEFAULT_ADMIN_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 3102);

/// `[admin]`: the node's admin HTTP server (`/metrics`, `/admin/plugins…`, the status page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdminConfig {
    /// Serve the admin API. Default `true`.
    pub enabled: bool,
    /// Address of the admin server. Default `127.0.0.1:3102`. Keep it on loopback (or behind a firewall): the
    /// plugin routes can reload plugins and nothing on this port asks for credentials.
    pub listen: SocketAddr,
    /// How often the sending accounts' balances are read for `ftso_node_account_balance_wei`. Default `1m`.
    #[serde(with = "humantime_serde")]
    pub balance_poll_interval: Duration,
}

impl Default for AdminConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            listen: DEFAULT_ADMIN_LISTEN,
            balance_poll_interval: Duration::from_secs(60),
        }
    }
}
