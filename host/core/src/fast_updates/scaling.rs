//! The Go client's value scaling and per-feed delta decision.
//!
//! On-chain values are integers with an int8 `decimals` (value · 10^−decimals, decimals may be
//! negative). The client converts them exactly to the nearest double, compares with the value
//! provider's float and moves a feed when the relative difference exceeds one scale step
//! (`scaleDiff = precision · expected sample size`), or with probability `diff / scaleDiff`
//! below that.

use alloy_primitives::U256;

use super::delta::Delta;

/// `2^127`: one in the 1x127 fixed-point scale.
const SCALE_ONE_LOG2: i32 = 127;
/// `2^120`: one in the 8x120 fixed-point sample size.
const SAMPLE_SIZE_ONE_LOG2: i32 = 120;

/// `value · 10^−decimals` rounded once to the nearest double (ties to even), over the whole
/// uint256 and every int8 `decimals` (the Go client's exact `big.Rat` conversion).
pub fn chain_value_to_f64(value: U256, decimals: i8) -> f64 {
    // Rust's float parser is correctly rounded for any number of digits and any exponent, so
    // the decimal string "value e −decimals" converts exactly.
    format!("{value}e{}", -i32::from(decimals))
        .parse()
        .unwrap_or(f64::NAN)
}

/// `((scale − 2^127) / 2^127) · (expectedSampleSize / 2^120)` in doubles, in that order, each
/// big integer first rounded to the nearest double.
pub fn scale_diff(scale: u128, expected_sample_size: u128) -> f64 {
    const HALF: u128 = 1 << 127;
    let precision = if scale >= HALF {
        (scale - HALF) as f64
    } else {
        -((HALF - scale) as f64)
    };
    let precision = precision / 2f64.powi(SCALE_ONE_LOG2);
    let sample_size = expected_sample_size as f64 / 2f64.powi(SAMPLE_SIZE_ONE_LOG2);
    precision * sample_size
}

/// What the client does with one feed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    /// The delta is fixed (far enough off, equal, or certain to move).
    Fixed(Delta),
    /// Move in `direction` with `probability` (strictly between 0 and 1), otherwise stay.
    Random {
        /// The move if the draw succeeds.
        direction: Delta,
        /// `diff / scaleDiff`.
        probability: f64,
    },
}

impl Decision {
    /// The delta for a uniform draw `r ∈ [0, 1)` (moves iff `r < probability`).
    pub fn resolve(self, r: f64) -> Delta {
        match self {
            Decision::Fixed(delta) => delta,
            Decision::Random {
                direction,
                probability,
            } => {
                if r < probability {
                    direction
                } else {
                    Delta::Zero
                }
            }
        }
    }

    /// The chance of moving: 0 or 1 for fixed decisions.
    pub fn move_probability(self) -> f64 {
        match self {
            Decision::Fixed(Delta::Zero) => 0.0,
            Decision::Fixed(_) => 1.0,
            Decision::Random { probability, .. } => probability,
        }
    }
}

/// The direction towards the provider's value.
pub fn direction(chain: f64, provider: f64) -> Delta {
    if provider > chain {
        Delta::Up
    } else if provider < chain {
        Delta::Down
    } else {
        Delta::Zero
    }
}

/// `|provider − chain| / chain` (`+∞` for chain 0, `NaN` for 0/0).
pub fn relative_diff(chain: f64, provider: f64) -> f64 {
    (provider - chain).abs() / chain
}

/// The Go client's decision for one feed.
pub fn decide(chain: f64, provider: f64, scale_diff: f64) -> Decision {
    let direction = direction(chain, provider);
    let diff = relative_diff(chain, provider);
    if diff > scale_diff {
        return Decision::Fixed(direction);
    }
    let probability = diff / scale_diff;
    if probability.is_nan() || probability <= 0.0 {
        Decision::Fixed(Delta::Zero)
    } else if probability >= 1.0 {
        Decision::Fixed(direction)
    } else {
        Decision::Random {
            direction,
            probability,
        }
    }
}

/// Chain and provider value of one supported feed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeedValues {
    /// The on-chain value as a double.
    pub chain: f64,
    /// The value provider's value.
    pub provider: f64,
}

impl FeedValues {
    /// From the raw `fetchCurrentFeeds` value and decimals and the provider's float.
    pub fn from_chain(value: U256, decimals: i8, provider: f64) -> Self {
        Self {
            chain: chain_value_to_f64(value, decimals),
            provider,
        }
    }
}

/// Deltas for feeds in index order, `None` for unsupported feeds (they get `0`). The result
/// stops at the last supported feed; with no supported feed there is nothing to submit and the
/// result is `None` (the Go client panics there). `draw` yields uniform values in `[0, 1)`.
pub fn deltas_for_feeds(
    feeds: &[Option<FeedValues>],
    scale_diff: f64,
    mut draw: impl FnMut() -> f64,
) -> Option<Vec<Delta>> {
    let last = feeds.iter().rposition(Option::is_some)?;
    Some(
        feeds
            .iter()
            .take(last + 1)
            .map(|feed| match feed {
                Some(values) => match decide(values.chain, values.provider, scale_diff) {
                    Decision::Fixed(delta) => delta,
                    random => random.resolve(draw()),
                },
                None => Delta::Zero,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_unit_test_conversions() {
        assert_eq!(chain_value_to_f64(U256::from(254_000_000u64), -1), 2.54e9);
        assert_eq!(chain_value_to_f64(U256::from(500_000_000u64), -2), 5e10);
        assert_eq!(chain_value_to_f64(U256::ZERO, -2), 0.0);
        assert_eq!(chain_value_to_f64(U256::from(12_345u64), 3), 12.345);
        assert_eq!(chain_value_to_f64(U256::from(150_000_000u64), 8), 1.5);
        assert!(chain_value_to_f64(U256::from(u64::MAX), 0) >= 1.8e19);
        let tiny = chain_value_to_f64(U256::from(1_000_000_000u64), 100);
        assert!(tiny > 0.0 && tiny < 1e-80);
        let huge = chain_value_to_f64(U256::MAX, -128);
        assert!(huge.is_finite() && huge > 1e204);
    }

    #[test]
    fn base_parameters_give_the_reference_scale_diff() {
        let scale = 0x8004_0000_0000_0000_0000_0000_0000_0000u128;
        let sample = 0x0180_0000_0000_0000_0000_0000_0000_0000u128;
        assert_eq!(scale_diff(scale, sample), 0.000_183_105_468_75);
    }

    #[test]
    fn decisions_follow_the_go_rule() {
        let sd = 0.001;
        assert_eq!(decide(100.0, 101.0, sd), Decision::Fixed(Delta::Up));
        assert_eq!(decide(100.0, 99.0, sd), Decision::Fixed(Delta::Down));
        assert_eq!(decide(100.0, 100.0, sd), Decision::Fixed(Delta::Zero));
        assert_eq!(decide(0.0, 0.0, sd), Decision::Fixed(Delta::Zero));
        assert_eq!(decide(0.0, 1.0, sd), Decision::Fixed(Delta::Up));
        let random = decide(100.0, 100.05, sd);
        assert!(matches!(
            random,
            Decision::Random {
                direction: Delta::Up,
                ..
            }
        ));
        assert_eq!(random.resolve(0.0), Delta::Up);
        assert_eq!(random.resolve(0.99), Delta::Zero);
    }

    #[test]
    fn deltas_stop_at_the_last_supported_feed() {
        let v = |chain, provider| Some(FeedValues { chain, provider });
        let feeds = [
            v(1.0, 2.0),
            None,
            Some(FeedValues::from_chain(U256::from(200), 2, 1.0)),
            None,
        ];
        let deltas = deltas_for_feeds(&feeds, 0.001, || 0.5).unwrap();
        assert_eq!(deltas, vec![Delta::Up, Delta::Zero, Delta::Down]);
        assert_eq!(deltas_for_feeds(&[None, None], 0.001, || 0.5), None);
    }
}
