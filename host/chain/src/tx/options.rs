//! What one send asks for: the call, its fee policy, its gas limit rule, its deadline and its patience.

use std::time::{Duration, SystemTime};

use alloy::primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall;

use super::fees::FeePolicy;

/// The reference's gas-limit safety margin over `eth_estimateGas`: × 3/2.
pub const ESTIMATE_MULTIPLIER: (u64, u64) = (3, 2);
/// The reference's gas limit when a transaction must be sent although its estimate fails (a selected finalizer's
/// relay).
pub const FALLBACK_GAS_LIMIT: u64 = 2_500_000;

/// A contract call to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The contract.
    pub to: Address,
    /// The calldata.
    pub input: Bytes,
    /// Native value sent along (usually zero).
    pub value: U256,
}

impl Call {
    /// A call of raw calldata (e.g. `submit1()` with its payloads appended).
    pub fn raw(to: Address, input: impl Into<Bytes>) -> Self {
        Self {
            to,
            input: input.into(),
            value: U256::ZERO,
        }
    }

    /// An ABI-encoded call of a `sol!` binding.
    pub fn sol<C: SolCall>(to: Address, call: &C) -> Self {
        Self::raw(to, call.abi_encode())
    }
}

/// How the gas limit is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GasLimit {
    /// `eth_estimateGas` × 3/2; a failing estimate (a revert) aborts the send with [`super::TxError::Reverted`]:
    /// the reference's "dry run".
    Estimate,
    /// `eth_estimateGas` × 3/2, or this limit when the estimate fails; the transaction is sent even if it will
    /// revert (the reference's relay from a selected finalizer, whose default is [`FALLBACK_GAS_LIMIT`]).
    EstimateOr(u64),
    /// `eth_estimateGas` × 3/2, but at least this limit; a failing estimate aborts as with [`GasLimit::Estimate`].
    /// For a call whose cost depends on who is mined first: the signature that reaches a threshold also stores the
    /// result, and the estimate made as an earlier signer runs out of gas. Only the gas used is paid.
    EstimateAtLeast(u64),
    /// A fixed limit. With `dry_run` the call is estimated first and a revert aborts the send.
    Fixed {
        /// The gas limit.
        limit: u64,
        /// Estimate first and abort on a revert.
        dry_run: bool,
    },
}

/// Until when a transaction is worth sending. A send whose deadline has passed is dropped, not sent late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Deadline {
    /// No deadline: the send ends with its attempts.
    #[default]
    None,
    /// Wall-clock time (e.g. the end of a voting round's submission window).
    At(SystemTime),
    /// The transaction must be in a block numbered at most this: it is sent only while the latest block + 1 is
    /// at most this (fast updates' submission window, fast-updates digest §4.1).
    LastBlock(u64),
}

/// Everything about one send except the call.
#[derive(Debug, Clone, PartialEq)]
pub struct SendOptions {
    /// How fees are computed (attempt `i` uses [`FeePolicy::for_attempt`]).
    pub fees: FeePolicy,
    /// How the gas limit is chosen.
    pub gas: GasLimit,
    /// Until when the transaction is worth sending.
    pub deadline: Deadline,
    /// How many transactions may be broadcast for this send: the first and its fee-bumped replacements.
    pub attempts: u32,
    /// How long to wait for a receipt before replacing the transaction.
    pub attempt_timeout: Duration,
}

impl SendOptions {
    /// Defaults: the reference's fee policy, gas by estimate, no deadline, 3 attempts of 60 s each.
    pub fn new(fees: FeePolicy) -> Self {
        Self {
            fees,
            gas: GasLimit::Estimate,
            deadline: Deadline::None,
            attempts: 3,
            attempt_timeout: Duration::from_secs(60),
        }
    }

    /// With another gas-limit rule.
    pub fn gas(mut self, gas: GasLimit) -> Self {
        self.gas = gas;
        self
    }

    /// With a deadline.
    pub fn deadline(mut self, deadline: Deadline) -> Self {
        self.deadline = deadline;
        self
    }

    /// With `attempts` broadcasts of `attempt_timeout` each.
    pub fn attempts(mut self, attempts: u32, attempt_timeout: Duration) -> Self {
        self.attempts = attempts.max(1);
        self.attempt_timeout = attempt_timeout;
        self
    }
}

impl Default for SendOptions {
    fn default() -> Self {
        Self::new(FeePolicy::default())
    }
}

/// `estimate × 3/2`, saturating.
pub(crate) fn with_margin(estimate: u64) -> u64 {
    let (num, den) = ESTIMATE_MULTIPLIER;
    u64::try_from(u128::from(estimate) * u128::from(num) / u128::from(den)).unwrap_or(u64::MAX)
}
