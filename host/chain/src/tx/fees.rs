//! Transaction fees as the reference computes them (system-client digest §7.2, fast-updates §4.2).
//!
//! A [`FeePolicy`] is the reference's `gas_*` configuration section. Type 2 (EIP-1559):
//! `tip = clamp(floor(baseFee × max_priority_fee_multiplier), minimal, maximal)` and
//! `maxFee = (base_fee_per_gas_cap, else floor(baseFee × base_fee_multiplier)) + tip`. Type 0 (legacy):
//! `gas_price_fixed`, else `eth_gasPrice × gas_price_multiplier` (plain `eth_gasPrice` when the multiplier is 0).
//! Attempt `i` of a replacement uses [`FeePolicy::for_attempt`] (the reference's `GasConfigForAttempt`).

use serde::{Deserialize, Serialize};

/// One gwei in wei.
pub const GWEI: u64 = 1_000_000_000;

/// Fixed-point scale for float multipliers (the reference multiplies with big.Float and truncates; multipliers
/// are given with at most 9 decimals).
const MULTIPLIER_SCALE: u128 = 1_000_000_000;

/// The transaction type a [`FeePolicy`] produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum TxType {
    /// Type 0: a single gas price.
    Legacy,
    /// Type 2: EIP-1559 max fee and priority fee (the reference's default).
    #[default]
    Eip1559,
}

impl From<TxType> for u8 {
    fn from(value: TxType) -> u8 {
        match value {
            TxType::Legacy => 0,
            TxType::Eip1559 => 2,
        }
    }
}

impl TryFrom<u8> for TxType {
    type Error = String;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        match value {
            0 => Ok(TxType::Legacy),
            2 => Ok(TxType::Eip1559),
            other => Err(format!("tx_type must be 0 or 2, not {other}")),
        }
    }
}

/// How fees are computed: the reference's `gas_*` section (defaults as the reference's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeePolicy {
    /// 0 (legacy gas price) or 2 (EIP-1559). Default 2.
    pub tx_type: TxType,
    /// Type 2: priority fee = base fee × this, clamped. Default 2.
    pub max_priority_fee_multiplier: f64,
    /// Type 2: lower bound of the priority fee, wei. Default 100 gwei.
    pub minimal_max_priority_fee: u64,
    /// Type 2: upper bound of the priority fee, wei. Default 5000 gwei.
    pub maximal_max_priority_fee: u64,
    /// Type 2: max fee = base fee × this + priority fee. Default 4.
    pub base_fee_multiplier: f64,
    /// Type 2: when set, max fee = this + priority fee instead. Default unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_fee_per_gas_cap: Option<u64>,
    /// Type 0: gas price = `eth_gasPrice` × this (0: unchanged). Default 0.
    pub gas_price_multiplier: f64,
    /// Type 0: a fixed gas price in wei, instead of `eth_gasPrice`. Default unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gas_price_fixed: Option<u64>,
}

impl Default for FeePolicy {
    fn default() -> Self {
        Self {
            tx_type: TxType::Eip1559,
            max_priority_fee_multiplier: 2.0,
            minimal_max_priority_fee: 100 * GWEI,
            maximal_max_priority_fee: 5000 * GWEI,
            base_fee_multiplier: 4.0,
            base_fee_per_gas_cap: None,
            gas_price_multiplier: 0.0,
            gas_price_fixed: None,
        }
    }
}

/// The fees of one transaction, in wei.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fees {
    /// Type 2.
    Eip1559 {
        /// `maxFeePerGas`.
        max_fee_per_gas: u128,
        /// `maxPriorityFeePerGas`.
        max_priority_fee_per_gas: u128,
    },
    /// Type 0.
    Legacy {
        /// `gasPrice`.
        gas_price: u128,
    },
}

impl FeePolicy {
    /// Checks the reference's validation rules (system-client digest §8.3).
    pub fn validate(&self) -> Result<(), String> {
        let finite_positive = |name: &str, value: f64| {
            if value.is_finite() && value > 0.0 {
                Ok(())
            } else {
                Err(format!("{name} must be a finite number > 0"))
            }
        };
        match self.tx_type {
            TxType::Eip1559 => {
                finite_positive(
                    "max_priority_fee_multiplier",
                    self.max_priority_fee_multiplier,
                )?;
                finite_positive("base_fee_multiplier", self.base_fee_multiplier)?;
                if self.base_fee_per_gas_cap.is_none() && self.base_fee_multiplier < 1.0 {
                    return Err(
                        "base_fee_multiplier must be ≥ 1 unless base_fee_per_gas_cap is set".into(),
                    );
                }
                if self.maximal_max_priority_fee < self.minimal_max_priority_fee {
                    return Err(
                        "maximal_max_priority_fee must be ≥ minimal_max_priority_fee".into(),
                    );
                }
            }
            TxType::Legacy => {
                let m = self.gas_price_multiplier;
                if m != 0.0 && !(m.is_finite() && m >= 1.0) {
                    return Err("gas_price_multiplier must be 0 or a finite number ≥ 1".into());
                }
                if m != 0.0 && self.gas_price_fixed.is_some() {
                    return Err("set gas_price_fixed or gas_price_multiplier, not both".into());
                }
            }
        }
        Ok(())
    }

    /// The policy for the `attempt`-th try (0 = first): type 2 adds `attempt` to both multipliers and scales the
    /// priority-fee bounds by 1.11^attempt; type 0 without a fixed price multiplies the gas-price multiplier
    /// (at least 1) by min(10, 1.5^attempt).
    pub fn for_attempt(&self, attempt: u32) -> FeePolicy {
        let mut bumped = self.clone();
        if attempt == 0 {
            return bumped;
        }
        match self.tx_type {
            TxType::Eip1559 => {
                bumped.max_priority_fee_multiplier += f64::from(attempt);
                bumped.base_fee_multiplier += f64::from(attempt);
                bumped.minimal_max_priority_fee =
                    scale_by_111_percent(self.minimal_max_priority_fee, attempt);
                bumped.maximal_max_priority_fee =
                    scale_by_111_percent(self.maximal_max_priority_fee, attempt);
            }
            TxType::Legacy => {
                if self.gas_price_fixed.is_none() {
                    let growth = 1.5_f64
                        .powi(i32::try_from(attempt).unwrap_or(i32::MAX))
                        .min(10.0);
                    bumped.gas_price_multiplier = self.gas_price_multiplier.max(1.0) * growth;
                }
            }
        }
        bumped
    }

    /// The fees for a chain whose market price is `market_price`: the base fee (`eth_baseFee`) for type 2, the
    /// gas price (`eth_gasPrice`) for type 0.
    pub fn fees(&self, market_price: u128) -> Fees {
        match self.tx_type {
            TxType::Eip1559 => {
                let tip = multiply(market_price, self.max_priority_fee_multiplier).clamp(
                    u128::from(self.minimal_max_priority_fee),
                    u128::from(self.maximal_max_priority_fee),
                );
                let base = match self.base_fee_per_gas_cap {
                    Some(cap) if cap > 0 => u128::from(cap),
                    _ => multiply(market_price, self.base_fee_multiplier),
                };
                Fees::Eip1559 {
                    max_fee_per_gas: base.saturating_add(tip),
                    max_priority_fee_per_gas: tip,
                }
            }
            TxType::Legacy => {
                let gas_price = match self.gas_price_fixed {
                    Some(fixed) if fixed > 0 => u128::from(fixed),
                    _ if self.gas_price_multiplier == 0.0 => market_price,
                    _ => multiply(market_price, self.gas_price_multiplier),
                };
                Fees::Legacy { gas_price }
            }
        }
    }
}

impl Fees {
    /// The smallest fees a node accepts as a replacement of a pending transaction with these fees: every fee
    /// raised by 10 % plus one wei (geth's and anvil's replacement rule).
    pub fn replacement_floor(&self) -> Fees {
        let raise = |fee: u128| fee.saturating_add(fee / 10).saturating_add(1);
        match *self {
            Fees::Eip1559 {
                max_fee_per_gas,
                max_priority_fee_per_gas,
            } => Fees::Eip1559 {
                max_fee_per_gas: raise(max_fee_per_gas),
                max_priority_fee_per_gas: raise(max_priority_fee_per_gas),
            },
            Fees::Legacy { gas_price } => Fees::Legacy {
                gas_price: raise(gas_price),
            },
        }
    }

    /// Each fee the larger of `self` and `floor` (of the same type; a different type keeps `self`).
    pub fn at_least(self, floor: Fees) -> Fees {
        match (self, floor) {
            (
                Fees::Eip1559 {
                    max_fee_per_gas: a,
                    max_priority_fee_per_gas: b,
                },
                Fees::Eip1559 {
                    max_fee_per_gas: fa,
                    max_priority_fee_per_gas: fb,
                },
            ) => {
                let tip = b.max(fb);
                Fees::Eip1559 {
                    max_fee_per_gas: a.max(fa).max(tip),
                    max_priority_fee_per_gas: tip,
                }
            }
            (Fees::Legacy { gas_price: a }, Fees::Legacy { gas_price: fa }) => Fees::Legacy {
                gas_price: a.max(fa),
            },
            (fees, _) => fees,
        }
    }

    /// The most the transaction may pay per gas: `maxFeePerGas` or `gasPrice`.
    pub fn max_per_gas(&self) -> u128 {
        match *self {
            Fees::Eip1559 {
                max_fee_per_gas, ..
            } => max_fee_per_gas,
            Fees::Legacy { gas_price } => gas_price,
        }
    }
}

/// `floor(value × multiplier)`, with the multiplier rounded to 9 decimals; saturates.
fn multiply(value: u128, multiplier: f64) -> u128 {
    if !(multiplier.is_finite() && multiplier > 0.0) {
        return 0;
    }
    let scaled = (multiplier * MULTIPLIER_SCALE as f64).round();
    if scaled >= u128::MAX as f64 {
        return u128::MAX;
    }
    let scaled = scaled as u128;
    match value.checked_mul(scaled) {
        Some(product) => product / MULTIPLIER_SCALE,
        None => (value / MULTIPLIER_SCALE).saturating_mul(scaled),
    }
}

/// `value × 111^attempt / 100^attempt` in integers (the reference's bound growth per attempt); saturates.
fn scale_by_111_percent(value: u64, attempt: u32) -> u64 {
    use alloy::primitives::U256;
    let attempt = U256::from(attempt.min(30)); // 111^30 still fits in 256 bits
    let scaled = U256::from(value) * U256::from(111).pow(attempt) / U256::from(100).pow(attempt);
    u64::try_from(scaled).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type2_fees_as_the_reference() {
        let policy = FeePolicy::default();
        // base 25 gwei: tip = clamp(50 gwei, 100, 5000) = 100 gwei; max fee = 100 + 100 gwei.
        assert_eq!(
            policy.fees(25 * u128::from(GWEI)),
            Fees::Eip1559 {
                max_fee_per_gas: 200 * u128::from(GWEI),
                max_priority_fee_per_gas: 100 * u128::from(GWEI),
            }
        );
        // base 3000 gwei: tip clamps to 5000 gwei; max fee = 12000 + 5000 gwei.
        assert_eq!(
            policy.fees(3000 * u128::from(GWEI)).max_per_gas(),
            17_000 * u128::from(GWEI)
        );
        let capped = FeePolicy {
            base_fee_per_gas_cap: Some(7),
            minimal_max_priority_fee: 1,
            ..FeePolicy::default()
        };
        assert_eq!(
            capped.fees(10),
            Fees::Eip1559 {
                max_fee_per_gas: 27,
                max_priority_fee_per_gas: 20
            }
        );
    }

    #[test]
    fn fractional_multipliers_truncate() {
        let policy = FeePolicy {
            max_priority_fee_multiplier: 1.5,
            minimal_max_priority_fee: 0,
            base_fee_multiplier: 1.25,
            ..FeePolicy::default()
        };
        assert_eq!(
            policy.fees(7),
            Fees::Eip1559 {
                max_fee_per_gas: 8 + 10,
                max_priority_fee_per_gas: 10
            }
        );
    }

    #[test]
    fn attempt_bumps_as_the_reference_gas_config_for_attempt() {
        // fsc/utils/chain/tx_utils_test.go TestGasConfigForAttempt: caps 1000/100, attempt 2 ⇒ 1232/123.
        let policy = FeePolicy {
            maximal_max_priority_fee: 1000,
            minimal_max_priority_fee: 100,
            ..FeePolicy::default()
        };
        let bumped = policy.for_attempt(2);
        assert_eq!(bumped.maximal_max_priority_fee, 1232);
        assert_eq!(bumped.minimal_max_priority_fee, 123);
        assert_eq!(bumped.max_priority_fee_multiplier, 4.0);
        assert_eq!(bumped.base_fee_multiplier, 6.0);
        assert_eq!(policy.for_attempt(0), policy);
    }

    #[test]
    fn legacy_fees_and_bumps() {
        let plain = FeePolicy {
            tx_type: TxType::Legacy,
            ..FeePolicy::default()
        };
        assert_eq!(plain.fees(1000), Fees::Legacy { gas_price: 1000 });
        assert_eq!(
            plain.for_attempt(2).fees(1000),
            Fees::Legacy { gas_price: 2250 }
        );
        assert_eq!(
            plain.for_attempt(9).fees(1000),
            Fees::Legacy { gas_price: 10_000 }
        );
        let fixed = FeePolicy {
            gas_price_fixed: Some(77),
            ..plain
        };
        assert_eq!(
            fixed.for_attempt(3).fees(1000),
            Fees::Legacy { gas_price: 77 }
        );
    }

    #[test]
    fn replacement_floor_raises_every_fee_by_ten_percent() {
        let fees = Fees::Eip1559 {
            max_fee_per_gas: 1000,
            max_priority_fee_per_gas: 100,
        };
        let floor = fees.replacement_floor();
        assert_eq!(
            floor,
            Fees::Eip1559 {
                max_fee_per_gas: 1101,
                max_priority_fee_per_gas: 111
            }
        );
        assert_eq!(fees.at_least(floor), floor);
    }

    #[test]
    fn validation_follows_the_reference() {
        assert!(FeePolicy::default().validate().is_ok());
        let bad = FeePolicy {
            base_fee_multiplier: 0.5,
            ..FeePolicy::default()
        };
        assert!(bad.validate().is_err());
        let both = FeePolicy {
            tx_type: TxType::Legacy,
            gas_price_multiplier: 2.0,
            gas_price_fixed: Some(1),
            ..FeePolicy::default()
        };
        assert!(both.validate().is_err());
    }
}
