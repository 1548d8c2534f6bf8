//! Integration tests of the plugin host: one binary, one module per topic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;
mod config;
mod connectors;
mod rest;
mod sandbox;
mod signing;
mod swap;
mod websocket;
