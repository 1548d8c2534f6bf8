//! Finalizer selection: which voters are the "selected" finalizers of a (protocol, round).
//!
//! As in the Go system client (and the TypeScript reward calculator):
//!
//! * `initialHashSeed = keccak256(seed ‖ uint256(protocolId) ‖ uint256(votingRoundId))`;
//! * `thresholds[i]` are the exclusive prefix sums of the weights, `TW` their total;
//! * `target = floor(TW · thresholdBips / 10000)`;
//! * starting from the initial seed, while the selected weight is below `target`: pick
//!   `search(uint256(cur) mod TW)`, add it if not yet selected, and **always** rehash
//!   `cur = keccak256(cur)`.
//!
//! The binary search is replicated exactly, since zero-weight voters make equal thresholds and
//! "any index with `thresholds[i] ≤ v`" would be ambiguous.

#![deny(clippy::indexing_slicing)]

use alloy_primitives::{Address, B256, U256, keccak256};

/// Default `voter_threshold_bips` of the reference finalizer (5 %).
pub const DEFAULT_VOTER_THRESHOLD_BIPS: u16 = 500;

/// Why selection could not run.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum FinalizerError {
    /// `voters` and `weights` differ in length.
    #[error("{voters} voters but {weights} weights")]
    LengthMismatch {
        /// Number of voters.
        voters: usize,
        /// Number of weights.
        weights: usize,
    },
    /// The total weight is zero while some weight is needed (the reference divides by zero).
    #[error("total weight is zero")]
    ZeroTotalWeight,
    /// The threshold is above 100 %.
    #[error("threshold of {0} bips is above 10000")]
    ThresholdTooHigh(u16),
}

/// `keccak256(seed ‖ uint256(protocolId) ‖ uint256(votingRoundId))`.
pub fn initial_hash_seed(seed: &B256, protocol_id: u8, voting_round_id: u32) -> B256 {
    let mut buffer = [0u8; 96];
    let (first, rest) = buffer.split_at_mut(32);
    first.copy_from_slice(seed.as_slice());
    let (second, third) = rest.split_at_mut(32);
    second.copy_from_slice(&U256::from(protocol_id).to_be_bytes::<32>());
    third.copy_from_slice(&U256::from(voting_round_id).to_be_bytes::<32>());
    keccak256(buffer)
}

/// Exclusive prefix sums of the weights: `thresholds[i] = Σ_{j<i} weights[j]`.
pub fn thresholds(weights: &[u64]) -> Vec<u64> {
    weights
        .iter()
        .scan(0u64, |sum, w| {
            let start = *sum;
            *sum += w;
            Some(start)
        })
        .collect()
}

/// The reference binary search over exclusive prefix sums; `None` only for an empty list.
///
/// `if thresholds[n-1] ≤ v return n-1`; otherwise bisect with `mid = (left+right)/2`, moving
/// `left = mid+1` below `v`, `right = mid` above it and returning `mid` on equality, and
/// finally return `left - 1`.
pub fn binary_search(thresholds: &[u64], value: u64) -> Option<usize> {
    let last = thresholds.len().checked_sub(1)?;
    if thresholds.get(last).is_some_and(|t| *t <= value) {
        return Some(last);
    }
    let (mut left, mut right) = (0usize, last);
    while left < right {
        let mid = (left + right) / 2;
        let at_mid = thresholds.get(mid).copied().unwrap_or_default();
        if at_mid < value {
            left = mid + 1;
        } else if at_mid > value {
            right = mid;
        } else {
            return Some(mid);
        }
    }
    // thresholds[0] = 0 ≤ value, so the loop never ends with left = 0.
    Some(left.saturating_sub(1))
}

/// Indices of the selected finalizers, in selection order.
pub fn select_finalizers(
    weights: &[u64],
    seed: &B256,
    protocol_id: u8,
    voting_round_id: u32,
    threshold_bips: u16,
) -> Result<Vec<usize>, FinalizerError> {
    if threshold_bips > 10_000 {
        return Err(FinalizerError::ThresholdTooHigh(threshold_bips));
    }
    let total: u64 = weights.iter().sum();
    let target = u128::from(total) * u128::from(threshold_bips) / 10_000;
    if target == 0 {
        return Ok(Vec::new());
    }
    if total == 0 {
        return Err(FinalizerError::ZeroTotalWeight);
    }
    let thresholds = thresholds(weights);
    let modulus = U256::from(total);
    let mut selected = Vec::new();
    let mut chosen = vec![false; weights.len()];
    let mut selected_weight = 0u128;
    let mut current = initial_hash_seed(seed, protocol_id, voting_round_id);
    while selected_weight < target {
        let value = U256::from_be_bytes(current.0) % modulus;
        // value < total ≤ u64::MAX, so the conversion cannot fail.
        let value = u64::try_from(value).unwrap_or(u64::MAX);
        if let Some(index) = binary_search(&thresholds, value)
            && let Some(flag) = chosen.get_mut(index)
            && !*flag
        {
            *flag = true;
            selected.push(index);
            selected_weight += u128::from(weights.get(index).copied().unwrap_or_default());
        }
        current = keccak256(current);
    }
    Ok(selected)
}

/// Selected finalizer addresses for `voters`/`weights` in policy order.
pub fn select_finalizer_addresses(
    voters: &[Address],
    weights: &[u16],
    seed: &B256,
    protocol_id: u8,
    voting_round_id: u32,
    threshold_bips: u16,
) -> Result<Vec<Address>, FinalizerError> {
    if voters.len() != weights.len() {
        return Err(FinalizerError::LengthMismatch {
            voters: voters.len(),
            weights: weights.len(),
        });
    }
    let weights: Vec<u64> = weights.iter().map(|w| u64::from(*w)).collect();
    Ok(
        select_finalizers(&weights, seed, protocol_id, voting_round_id, threshold_bips)?
            .into_iter()
            .filter_map(|i| voters.get(i).copied())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_hash_seed_matches_the_reference() {
        let seed = B256::from(U256::from(1));
        assert_eq!(
            initial_hash_seed(&seed, 2, 3).to_string(),
            "0x6e0c627900b24bd432fe7b1f713f1b0744091a646a9fe4a65a18dfed21f2949c"
        );
    }

    #[test]
    fn binary_search_returns_the_voter_whose_range_holds_the_value() {
        let th = thresholds(&[100, 200, 300, 400, 500]);
        let cases = [(0, 0), (99, 0), (100, 1), (299, 1), (300, 2), (1005, 4)];
        for (value, index) in cases {
            assert_eq!(binary_search(&th, value), Some(index), "value {value}");
        }
        assert_eq!(binary_search(&[], 5), None);
    }

    #[test]
    fn binary_search_with_zero_weights_follows_the_reference() {
        // Voter 1 has weight 0: thresholds [0, 10, 10]. Value 10 hits mid = 1 exactly, so the
        // reference returns the zero-weight voter.
        let th = thresholds(&[10, 0, 5]);
        assert_eq!(th, vec![0, 10, 10]);
        assert_eq!(binary_search(&th, 10), Some(2));
        assert_eq!(binary_search(&th, 9), Some(0));
        let th = thresholds(&[10, 0, 5, 5]);
        assert_eq!(binary_search(&th, 10), Some(1));
    }

    #[test]
    fn zero_target_selects_nobody_and_zero_weight_is_an_error_only_when_needed() {
        assert_eq!(
            select_finalizers(&[0, 0], &B256::ZERO, 1, 1, 500),
            Ok(vec![])
        );
        assert_eq!(
            select_finalizers(&[1], &B256::ZERO, 1, 1, 10_001),
            Err(FinalizerError::ThresholdTooHigh(10_001))
        );
    }
}
