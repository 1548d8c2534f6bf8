//! A local Flare Systems Protocol chain for tests and for `ftso-node devnet`: anvil running the project's own FSP
//! contracts (sources in `contracts/`, compiled artifacts in `artifacts/`), deployed, wired, with test entities
//! registered, and a daemon that drives `FlareSystemsManager.daemonize()` as the network's FlareDaemon does.
//!
//! ```text
//! DevnetConfig ─▶ Devnet::start: spawn anvil (free loopback port) ─▶ deploy ─▶ wire (address updater, registry at
//!                 its network address) ─▶ register entities (4 address roles, vote power) ─▶ reward offers
//! Devnet: mine / warp (anvil time travel) / daemonize / spawn_daemon_driver
//! scenario: random acquisition ─▶ secure random relayed ─▶ vote-power block ─▶ registerVoter ─▶ signing policy
//!           initialized and signed ─▶ RewardEpochStarted; relay of voting-round Merkle roots
//! ```
//!
//! Reward epoch 0 is current right after start; every entity is an initial voter of epoch 0, with equal weight.

pub mod admin;
mod anvil;
mod artifacts;
mod config;
mod contracts;
mod deploy;
mod devnet;
mod driver;
mod entity;
mod fast_updates;
pub mod scenario;

pub use anvil::anvil_path;
pub use artifacts::{Artifact, artifact, artifact_names};
pub use config::{DevnetConfig, FastUpdatesConfig};
pub use contracts::Contracts;
pub use devnet::{Devnet, DevnetProvider, install_crypto_provider};
pub use driver::DaemonDriver;
pub use entity::Entity;
pub use fast_updates::FETCH_CURRENT_FEEDS_ADDRESS;
