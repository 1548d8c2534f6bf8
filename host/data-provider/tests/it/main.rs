//! Integration tests of the data provider against real databases, its HTTP API and the devnet.

mod api;
mod api_feed_values;
mod api_support;
mod db_to_round;
mod devnet;
mod fixture_file;
mod restart;
mod rules;
mod rows;
mod scenario;
