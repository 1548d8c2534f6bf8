//! The system client role (issue 9): what a data provider does on chain besides voting.
//!
//! ```text
//! config ─▶ sanity: chain id = the network's, registry resolves FlareSystemsManager, VoterRegistry, Relay,
//!           Submission ─▶ SystemClient: every poll, read the chain (fsp) and run the due duties in order:
//!           registerVoter(current+1) ─▶ signNewSigningPolicy(current+1) ─▶ signUptimeVote(current−1)
//!           ─▶ signRewards(current−1, reward_data)
//! voting::VotingScheduler: every voting round N, submit1(N) ─▶ submit2(N), submitSignatures(N) in N+1, with
//!           the data providers' payloads; each signed message handed to the finalizer (handoff)
//! ```
//!
//! The finalizer ([`finalizer`]) reads other voters' submitSignatures transactions from the indexer database and
//! relays each (round, protocol) whose signatures pass the threshold to the Relay.
//!
//! Transactions go through `ftso_chain::tx` (one sender per key, shared with the node's other roles) and keys
//! come from `ftso_chain::keys`; the messages signed are `ftso_core::registration`'s.

pub mod client;
pub mod config;
pub mod duties;
pub mod finalizer;
pub mod fsp;
pub mod handoff;
pub mod reward_data;
pub mod sanity;
pub mod voting;

pub use client::{Pass, SystemClient};
pub use config::{Duties, FinalizerConfig, RegistrationMessage, RewardsConfig, SystemClientConfig};
pub use duties::Outcome;
pub use sanity::{Contracts, ExpectedNetwork, SanityError};
pub use voting::{SchedulerState, VotingConfig, VotingScheduler};
