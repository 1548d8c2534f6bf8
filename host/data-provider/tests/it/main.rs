//! Integration tests of the data provider against real databases, its HTTP API and the devnet.

mod db_to_round;
mod devnet;
mod fixture_file;
mod rows;
mod rules;
mod scenario;
