//! One module per subcommand, each a clap `Args` struct with an `execute` method.

pub mod devnet;
pub mod entity;
pub mod fast_updates;
pub mod feeds;
pub mod keys;
pub mod network;
pub mod plugin;
pub mod register;
pub mod run;
pub mod status;
