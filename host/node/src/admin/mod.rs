//! The node's one admin HTTP server, on a loopback port (`[admin] listen`, default `127.0.0.1:3102`).
//!
//! It serves `GET /metrics` (Prometheus text format, one registry for the whole node), the feed plugins' admin
//! routes (`/admin/plugins…`) and any other router a part of the node merges in with [`AdminServer::merge`].
//! [`poll_account_balances`] keeps the sending accounts' balances in the registry.

mod balances;
mod config;
mod prometheus;
mod server;

pub use balances::poll_account_balances;
pub use config::AdminConfig;
pub use prometheus::install_recorder;
pub use server::AdminServer;
