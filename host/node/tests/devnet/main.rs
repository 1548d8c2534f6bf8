//! The `run --devnet` tests in one binary, so that they run at the same time (cargo runs test binaries one after
//! another, and these mostly wait for the devnet's rounds and reward epochs): the full node as the devnet's entity
//! ([`node`]), its metrics against the chain ([`metrics`]) and the status page in a browser ([`status_page`]).
//! Each node has its own temporary data dir, its own anvil and free ports; the plugins are built once for all.
//! `RUST_TEST_THREADS` (default: the number of CPUs) bounds how many run at once.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

#[path = "../support/mod.rs"]
mod support;

mod metrics;
mod node;
mod status_page;
