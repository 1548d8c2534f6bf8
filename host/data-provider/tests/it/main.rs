//! Integration tests of the data provider against real databases, its HTTP API and the devnet.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: failures should abort the test"
)]

mod api;
mod api_feed_values;
mod api_support;
mod db_to_round;
mod devnet;
mod fixture_file;
mod restart;
mod rows;
mod rules;
mod scenario;
