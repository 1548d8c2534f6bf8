//! Integration tests of the plugin host: one binary, one module per topic.

mod common;
mod config;
mod rest;
