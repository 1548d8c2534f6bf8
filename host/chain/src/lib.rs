//! The chain vocabulary shared by every role: alloy `sol!` bindings of the Flare Systems Protocol contract
//! interfaces, the contract names used in `FlareContractRegistry`, and the selectors and event topics the
//! indexer and the system client filter on.
//!
//! The bindings are generated from the ABIs in `abi/`, which `scripts/build-contracts.sh` compiles from the
//! project's own interface sources (`host/devnet/contracts/interfaces`); their selectors and topics equal the
//! public reference contracts (checked in `tests/`). Older event layouts still seen on live networks are in
//! [`legacy`]. Transactions go through [`tx`] (one sender per key, shared by every role); keys come from
//! [`keys`] (environment or key file, never shown); [`read`] makes typed `eth_call`s, and [`entity`] reads an
//! entity's registration state. No protocol logic lives here.

pub mod bindings;
pub mod entity;
pub mod keys;
pub mod legacy;
pub mod names;
pub mod read;
pub mod selectors;
pub mod topics;
pub mod tx;

pub use bindings::*;
