//! Integration tests of the devnet: one binary, one module per topic. Tests that start anvil need
//! `scripts/setup.sh` to have run (they fail with a clear message otherwise); the artifact test needs solc-js.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod artifacts;
mod fast_updates;
mod harness;
mod reference;
mod registration;
mod reward_epoch;
mod signing;
mod support;

/// Logs to the test output, filtered by RUST_LOG (default info).
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_test_writer()
        .try_init();
}
