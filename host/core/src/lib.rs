//! Pure protocol logic of FTSOv2 and the Flare Systems Protocol (FSP).
//!
//! Everything here is a type or a function over bytes and integers: no I/O, no async runtime,
//! no database. Every encoder, hash and algorithm agrees byte for byte with the public reference
//! implementations; `tests/conformance` checks that against the golden vectors in `shared/vectors`.
//!
//! ```text
//! feed values ─▶ value ─▶ commit / reveal ─▶ payload (submit1, submit2)
//! reveals ─────▶ median, random ─▶ merkle (result tree) ─▶ protocol_message ─▶ signing ─▶ submit_signatures
//! signing_policy ─▶ relay, finalizer          epoch: voting-round and reward-epoch arithmetic
//! registration: voter registration, uptime vote, new-policy and rewards signing, reward-claims tree
//! fast_updates: hash-to-G1, sortition credential, deltas, signed update, calldata
//! ```

pub mod commit;
pub mod epoch;
pub mod fast_updates;
pub mod feed;
pub mod finalizer;
pub mod median;
pub mod merkle;
pub mod payload;
pub mod protocol_message;
pub mod random;
pub mod registration;
pub mod relay;
pub mod round;
pub mod signing;
pub mod signing_policy;
pub mod submit_signatures;
pub mod value;
