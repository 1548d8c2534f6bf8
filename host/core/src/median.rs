//! The weighted median and quartiles of one feed, exactly as the reference's `calculateMedian`.
//!
//! 1. Drop voters without a value. None left: everything empty, participating weight 0.
//! 2. Stable-sort the rest ascending by value (ties keep signing-policy order). Zero-weight
//!    entries take part in the sort.
//! 3. `W` = Σ weights (the participating weight), `medianWeight = ⌈W/2⌉`, `quartileWeight = ⌊W/4⌋`.
//! 4. Walk ascending with a running sum `c`: Q1 is the first value with `c > quartileWeight`; the
//!    median is the value at the first index `i` with `c ≥ medianWeight`, except when
//!    `c == medianWeight` and `W` is even: then `⌊(v[i] + v[i+1]) / 2⌋` (toward −∞, `v[i+1]` being
//!    the next sorted entry even if its weight is 0).
//! 5. Walk descending with a fresh sum: Q3 is the first value with `c > quartileWeight`.
//!
//! With `W = 0` the median is the average of the two lowest values and the quartiles stay
//! empty; with `W = 0` and a single value the reference crashes, which is an error here.
//!
//! The result does not depend on voter order as long as every weight is positive. With zero
//! weights it can: for values 5 (w 2), 5 (w 0), 7 (w 2) the median is 5, but with the two
//! fives swapped it is 6, because the half-weight average then reaches past the zero-weight
//! five. Voters must therefore be given in signing-policy order, as the reference does.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use alloy_primitives::U256;

/// Why a median could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MedianError {
    /// Values and weights differ in length.
    #[error("{values} value(s) but {weights} weight(s)")]
    LengthMismatch {
        /// Number of values.
        values: usize,
        /// Number of weights.
        weights: usize,
    },
    /// Exactly one voter has a value and its weight is 0 (the reference throws here).
    #[error("the only value present has weight 0, so the median is undefined")]
    SingleZeroWeightValue,
    /// The participating weight does not fit in 256 bits.
    #[error("participating weight overflows 256 bits")]
    WeightOverflow,
}

/// Median, quartiles and participating weight of one feed; `None` is an empty result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MedianResult {
    /// The weighted median.
    pub median: Option<i32>,
    /// First quartile border value.
    pub q1: Option<i32>,
    /// Third quartile border value.
    pub q3: Option<i32>,
    /// Sum of the weights of the voters that have a value.
    pub participating_weight: U256,
}

/// Computes the weighted median of `values` (one per voter, `None` = no value) with `weights`.
pub fn weighted_median(
    values: &[Option<i32>],
    weights: &[U256],
) -> Result<MedianResult, MedianError> {
    if values.len() != weights.len() {
        return Err(MedianError::LengthMismatch {
            values: values.len(),
            weights: weights.len(),
        });
    }
    let mut votes: Vec<(i32, U256)> = values
        .iter()
        .zip(weights)
        .filter_map(|(value, weight)| value.map(|v| (v, *weight)))
        .collect();
    median_of_votes(&mut votes)
}

/// Like [`weighted_median`] over `(value, weight)` pairs of the voters that have a value, in
/// signing-policy order. Sorts `votes` in place.
pub fn median_of_votes(votes: &mut [(i32, U256)]) -> Result<MedianResult, MedianError> {
    if votes.is_empty() {
        return Ok(MedianResult::default());
    }
    // Stable, as JavaScript's Array.prototype.sort.
    votes.sort_by_key(|(value, _)| *value);
    let total = votes
        .iter()
        .try_fold(U256::ZERO, |sum, (_, w)| sum.checked_add(*w))
        .ok_or(MedianError::WeightOverflow)?;
    let two = U256::from(2u8);
    let total_is_even = total % two == U256::ZERO;
    let median_weight = total / two + total % two;
    let quartile_weight = total / U256::from(4u8);

    let mut median = None;
    let mut q1 = None;
    let mut sum = U256::ZERO;
    let mut walk = votes.iter().peekable();
    while let Some((value, weight)) = walk.next() {
        // Cannot overflow: bounded by `total`.
        sum += *weight;
        if q1.is_none() && sum > quartile_weight {
            q1 = Some(*value);
        }
        if median.is_none() && sum >= median_weight {
            median = Some(if sum == median_weight && total_is_even {
                let (next, _) = walk.peek().ok_or(MedianError::SingleZeroWeightValue)?;
                floor_average(*value, *next)
            } else {
                *value
            });
        }
        if median.is_some() && q1.is_some() {
            break;
        }
    }

    let mut sum = U256::ZERO;
    let mut q3 = None;
    for (value, weight) in votes.iter().rev() {
        sum += *weight;
        if sum > quartile_weight {
            q3 = Some(*value);
            break;
        }
    }

    Ok(MedianResult {
        median,
        q1,
        q3,
        participating_weight: total,
    })
}

/// `⌊(a + b) / 2⌋`, rounding toward −∞ like JavaScript's `Math.floor`.
fn floor_average(a: i32, b: i32) -> i32 {
    let average = (i64::from(a) + i64::from(b)).div_euclid(2);
    // The average of two i32 lies between them, so it is an i32.
    i32::try_from(average).unwrap_or(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(values: &[Option<i32>], weights: &[u64]) -> MedianResult {
        let weights: Vec<U256> = weights.iter().map(|w| U256::from(*w)).collect();
        weighted_median(values, &weights).unwrap()
    }

    type Summary = (Option<i32>, Option<i32>, Option<i32>, u64);
    type Case = (&'static [Option<i32>], &'static [u64], Summary);

    fn summary(r: MedianResult) -> Summary {
        (r.median, r.q1, r.q3, r.participating_weight.to::<u64>())
    }

    #[test]
    fn digest_cases() {
        // data-provider.md §12.2.
        let cases: [Case; 4] = [
            (
                &[Some(100), Some(300), Some(200), Some(400), Some(500)],
                &[1, 1, 1, 1, 1],
                (Some(300), Some(200), Some(400), 5),
            ),
            (
                &[Some(100), Some(300), Some(200), Some(400), None],
                &[1, 1, 1, 1, 1],
                (Some(250), Some(200), Some(300), 4),
            ),
            (
                &[Some(1), Some(5), Some(9), None, None],
                &[1, 0, 1, 3, 3],
                (Some(3), Some(1), Some(9), 2),
            ),
            (
                &[Some(-7), Some(-4), Some(10), Some(11), None],
                &[10, 10, 5, 15, 1],
                (Some(3), Some(-4), Some(11), 40),
            ),
        ];
        for (values, weights, want) in cases {
            assert_eq!(summary(run(values, weights)), want);
        }
    }

    #[test]
    fn reference_test_suite_expectations() {
        // ftso-calculation-logic.test.ts, as tabulated in data-provider.md §5.2.
        let v = |range: std::ops::RangeInclusive<i32>| range.map(Some).collect::<Vec<_>>();
        let r = run(&v(1..=99), &[9; 99]);
        assert_eq!((r.median, r.q1, r.q3), (Some(50), Some(25), Some(75)));
        let r = run(&v(1..=100), &[10; 100]);
        assert_eq!((r.median, r.q1, r.q3), (Some(50), Some(26), Some(75)));
        let weights: Vec<u64> = (1..=100).collect();
        let r = run(&v(1..=100), &weights);
        assert_eq!((r.median, r.q1, r.q3), (Some(71), Some(50), Some(87)));
        let r = run(&[Some(2), Some(4)], &[1, 1]);
        assert_eq!((r.median, r.q1, r.q3), (Some(3), Some(2), Some(4)));
        let r = run(&[Some(3), Some(4)], &[1, 1]);
        assert_eq!((r.median, r.q1, r.q3), (Some(3), Some(3), Some(4)));
    }

    #[test]
    fn order_matters_when_a_zero_weight_value_ties_at_the_half() {
        assert_eq!(
            run(&[Some(5), Some(5), Some(7)], &[2, 0, 2]).median,
            Some(5)
        );
        assert_eq!(
            run(&[Some(5), Some(5), Some(7)], &[0, 2, 2]).median,
            Some(6)
        );
    }

    #[test]
    fn even_average_floors_toward_negative_infinity() {
        assert_eq!(run(&[Some(-3), Some(-2)], &[1, 1]).median, Some(-3));
        assert_eq!(
            run(&[Some(i32::MAX), Some(i32::MAX - 2)], &[1, 1]).median,
            Some(i32::MAX - 1)
        );
        assert_eq!(floor_average(i32::MIN, i32::MIN + 1), i32::MIN);
    }

    #[test]
    fn empty_and_zero_weight_cases() {
        assert_eq!(run(&[None, None], &[5, 6]), MedianResult::default());
        assert_eq!(run(&[], &[]), MedianResult::default());
        let r = run(&[Some(8), None, Some(2)], &[0, 1, 0]);
        assert_eq!(summary(r), (Some(5), None, None, 0));
        assert_eq!(
            weighted_median(&[Some(1), None], &[U256::ZERO, U256::from(3)]),
            Err(MedianError::SingleZeroWeightValue)
        );
        assert_eq!(
            weighted_median(&[Some(1)], &[]),
            Err(MedianError::LengthMismatch {
                values: 1,
                weights: 0
            })
        );
        assert_eq!(
            weighted_median(&[Some(1), Some(2)], &[U256::MAX, U256::from(1)]),
            Err(MedianError::WeightOverflow)
        );
    }
}
