//! The voting-round scheduler (issue 9 item 1; system-client digest §1.3, §1.5, §3): for every voting round N,
//! submit1(N) in round N, submit2(N) and submitSignatures(N) in round N+1, each at its offset, with the payloads
//! of every configured sub-protocol's data provider (in process, or over the reference HTTP API).
//!
//! * [`config`][]: `[system_client.voting]`;
//! * [`clock`][]: the clock rounds are scheduled on, and each step's time and validity window;
//! * [`protocols`][]: the sub-protocols and how their data providers are asked;
//! * [`submitter`][]: one step's transaction, its outcome and metrics;
//! * [`payloads`][]: submit1 and submit2;
//! * [`signatures`][]: submitSignatures (types 0 and 1, the hand-off to the finalizer);
//! * [`scheduler`][]: the ticks, the chains of steps, the registration gate and shutdown.

pub mod clock;
pub mod config;
pub mod payloads;
pub mod protocols;
pub mod scheduler;
pub mod signatures;
pub mod submitter;

pub use clock::Clock;
pub use config::{
    SignaturesStepConfig, StepConfig, StepDefault, SubProtocolConfig, Submit1, Submit1Config,
    Submit2, Submit2Config, VotingConfig,
};
pub use protocols::{SubProtocol, build_protocols};
pub use scheduler::{SchedulerState, VotingScheduler};
pub use submitter::{Outcome, Step};
