//! Sending transactions: one [`TxSender`] per key, shared by every role that sends from it (the system client's
//! roles, the fast-updates client's submission accounts, the `register` command), from [`Senders`].
//!
//! - [`fees`]: EIP-1559 and legacy fees as the reference computes them, and the per-attempt bump; the fee policy
//!   is a parameter of each send ([`SendOptions::fees`]), so roles with different rules share one sender.
//! - [`options`]: the [`Call`], its [`GasLimit`] rule (estimate × 3/2 as the reference, or fixed), its
//!   [`Deadline`] (wall clock or last block: past it, nothing is sent) and its attempts.
//! - `nonce`: the key's local nonce sequence (concurrent sends get consecutive nonces).
//! - `sender`: sign, broadcast, await the receipt, replace a stuck transaction at the same nonce with bumped
//!   fees, decode a revert's `Error(string)`.
//! - [`TxError`]: what went wrong, typed; [`TxError::reverted_with_any`] tells "already done" answers apart.
//! - `telemetry`: per-account metrics (sends by outcome, nonce, pending, balance).

mod error;
pub mod fees;
mod nonce;
pub mod options;
mod sender;
mod telemetry;

pub use error::TxError;
pub use fees::{FeePolicy, Fees, GWEI, TxType};
pub use options::{Call, Deadline, FALLBACK_GAS_LIMIT, GasLimit, SendOptions};
pub use sender::{DEFAULT_RECEIPT_POLL, Senders, TxSender};
