//! The fast-updates client role (issue 10; reference: the fast-updates Go client, digest
//! `fast-updates.md` §2–§4): every block, a sortition over our replicates; every winning ticket, one update of
//! unit deltas towards our feed values, signed with the signing-policy key and sent before its window closes.
//!
//! ```text
//! config ─▶ keys (sortition, signing policy, accounts) ─▶ client: per block
//!   chain (epoch, weight, seed, cutoff, feeds) ─▶ sortition scan (ftso-core) ─▶ schedule (window, rotation)
//!   ─▶ submission: deltas (chain values vs ours) ─▶ sign ─▶ epoch guard (not across a reward-epoch switch)
//!   ─▶ submitAndPass / submitUpdates (ftso-chain tx)
//! registration: registerPublicKey with the Schnorr proof (the key CLI)
//! ```
//!
//! The cryptography and encodings live in `ftso_core::fast_updates`; transactions go through
//! `ftso_chain::tx` (one sender per key, shared with the other roles).

pub mod chain;
pub mod client;
pub mod config;
pub mod deltas;
pub mod epoch_guard;
pub mod keys;
pub mod registration;
pub mod schedule;
pub mod submission;
mod telemetry;

pub use client::{EpochState, FastUpdatesClient};
pub use config::{FastUpdatesConfig, SubmitVia};
pub use submission::Outcome;
