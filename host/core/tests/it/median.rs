//! Weighted median invariants.

use alloy_primitives::U256;
use ftso_core::median::{self, MedianError};
use proptest::prelude::*;

fn votes(
    weight: impl Strategy<Value = u64> + Clone,
) -> impl Strategy<Value = Vec<(Option<i32>, u64)>> {
    proptest::collection::vec(
        (
            proptest::option::weighted(0.8, prop_oneof![-20i32..20, (i32::MIN + 1)..=i32::MAX]),
            weight,
        ),
        0..40,
    )
}

fn split(votes: &[(Option<i32>, u64)]) -> (Vec<Option<i32>>, Vec<U256>) {
    votes.iter().map(|(v, w)| (*v, U256::from(*w))).unzip()
}

proptest! {
    #[test]
    fn quartiles_bracket_the_median_within_the_range(votes in votes(prop_oneof![Just(0u64), 0u64..1000, any::<u64>()])) {
        let (values, weights) = split(&votes);
        let present: Vec<i32> = values.iter().flatten().copied().collect();
        let total: U256 = votes
            .iter()
            .filter(|(v, _)| v.is_some())
            .map(|(_, w)| U256::from(*w))
            .fold(U256::ZERO, |a, b| a + b);
        match median::weighted_median(&values, &weights) {
            Err(MedianError::SingleZeroWeightValue) => {
                prop_assert_eq!(present.len(), 1);
                prop_assert_eq!(total, U256::ZERO);
            }
            Err(other) => prop_assert!(false, "unexpected error {other}"),
            Ok(result) => {
                prop_assert_eq!(result.participating_weight, total);
                if present.is_empty() {
                    prop_assert_eq!(result, median::MedianResult::default());
                    return Ok(());
                }
                let (min, max) = (*present.iter().min().unwrap(), *present.iter().max().unwrap());
                let m = result.median.unwrap();
                prop_assert!(min <= m && m <= max);
                if total.is_zero() {
                    prop_assert_eq!((result.q1, result.q3), (None, None));
                } else {
                    let (q1, q3) = (result.q1.unwrap(), result.q3.unwrap());
                    prop_assert!(min <= q1 && q1 <= m && m <= q3 && q3 <= max, "{q1} {m} {q3}");
                }
            }
        }
    }

    /// With positive weights the reference is order-independent (zero weights tied at the half
    /// point make it order-dependent; see the `median` module documentation).
    #[test]
    fn positive_weights_make_the_result_order_independent(votes in votes(1u64..1000), seed in any::<u64>()) {
        let (values, weights) = split(&votes);
        let want = median::weighted_median(&values, &weights);
        let mut shuffled = votes.clone();
        let n = shuffled.len();
        for i in 0..n {
            let j = (seed as usize).wrapping_mul(i + 13).wrapping_add(i) % n;
            shuffled.swap(i, j);
        }
        let (values, weights) = split(&shuffled);
        prop_assert_eq!(median::weighted_median(&values, &weights), want);
    }
}
