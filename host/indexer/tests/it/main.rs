//! ftso-indexer integration tests against a real anvil (never a mock RPC).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: failures should abort the test"
)]

mod chain;
mod devnet;
mod indexing;
mod restarts;
mod retention;
mod transient;
