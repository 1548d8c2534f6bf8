//! Combining several plugins' observations of one feed (pure).
//!
//! First policy: a median weighted by recency. Each observation gets the weight
//! `exp(-λ · age_ms)` with λ = 5e-5 per ms (the reference's time decay, so a value one minute old
//! weighs 0.05 of a fresh one); the observations are sorted by value and the first one whose
//! cumulative weight reaches half of the total is the answer.

/// The decay rate per millisecond (the reference's `MEDIAN_DECAY` default).
pub const DEFAULT_DECAY_PER_MS: f64 = 5e-5;

/// One plugin's observation of a feed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// The value.
    pub value: f64,
    /// When it was observed (ms since the Unix epoch).
    pub timestamp_ms: u64,
}

/// How a served value was computed (for logs and metrics only, never for the REST JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Only one plugin had a value.
    Single,
    /// The recency-weighted median of several.
    WeightedMedian,
    /// All weights underflowed (every sample very old): the plain median was taken.
    UnweightedMedian,
}

impl Method {
    /// A short label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Single => "single",
            Self::WeightedMedian => "weighted-median",
            Self::UnweightedMedian => "unweighted-median",
        }
    }
}

/// Combines `samples` at time `now_ms`. Non-finite values are ignored; `None` when nothing is left.
pub fn combine(samples: &[Sample], now_ms: u64, decay_per_ms: f64) -> Option<(f64, Method)> {
    let mut finite: Vec<Sample> = samples
        .iter()
        .copied()
        .filter(|s| s.value.is_finite())
        .collect();
    match finite.as_slice() {
        [] => return None,
        [only] => return Some((only.value, Method::Single)),
        _ => {}
    }
    finite.sort_by(|a, b| a.value.total_cmp(&b.value));
    let weights: Vec<f64> = finite
        .iter()
        .map(|s| {
            // Values from the future (clock skew) count as fresh.
            let age = now_ms.saturating_sub(s.timestamp_ms) as f64;
            (-decay_per_ms * age).exp()
        })
        .collect();
    let total: f64 = weights.iter().sum();
    if total > 0.0 && total.is_finite() {
        let mut cumulative = 0.0;
        for (sample, weight) in finite.iter().zip(&weights) {
            cumulative += weight;
            if cumulative >= total / 2.0 {
                return Some((sample.value, Method::WeightedMedian));
            }
        }
    }
    // Lower median of the sorted values.
    let mid = (finite.len() - 1) / 2;
    finite.get(mid).map(|s| (s.value, Method::UnweightedMedian))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(value: f64, timestamp_ms: u64) -> Sample {
        Sample {
            value,
            timestamp_ms,
        }
    }

    #[test]
    fn no_samples_no_value() {
        assert_eq!(combine(&[], 0, DEFAULT_DECAY_PER_MS), None);
        assert_eq!(combine(&[s(f64::NAN, 0)], 0, DEFAULT_DECAY_PER_MS), None);
    }

    #[test]
    fn one_sample_is_served_as_is() {
        assert_eq!(
            combine(&[s(0.01, 5)], 1_000_000, DEFAULT_DECAY_PER_MS),
            Some((0.01, Method::Single))
        );
    }

    #[test]
    fn equal_ages_give_the_lower_median() {
        let now = 1_000;
        let got = combine(
            &[s(3.0, now), s(1.0, now), s(2.0, now)],
            now,
            DEFAULT_DECAY_PER_MS,
        );
        assert_eq!(got, Some((2.0, Method::WeightedMedian)));
        // Two equal weights: the cumulative weight reaches exactly half at the first.
        let got = combine(&[s(5.0, now), s(4.0, now)], now, DEFAULT_DECAY_PER_MS);
        assert_eq!(got, Some((4.0, Method::WeightedMedian)));
    }

    #[test]
    fn fresh_values_outweigh_stale_ones() {
        let now = 10_000_000;
        // Two stale low values (one minute old: weight 0.05 each) against one fresh high value.
        let samples = [s(1.0, now - 60_000), s(1.1, now - 60_000), s(9.0, now)];
        assert_eq!(
            combine(&samples, now, DEFAULT_DECAY_PER_MS),
            Some((9.0, Method::WeightedMedian))
        );
    }

    #[test]
    fn underflowing_weights_fall_back_to_the_plain_median() {
        let now = 100_000_000;
        let samples = [s(1.0, 0), s(2.0, 0), s(3.0, 0)];
        assert_eq!(
            combine(&samples, now, DEFAULT_DECAY_PER_MS),
            Some((2.0, Method::UnweightedMedian))
        );
    }

    #[test]
    fn non_finite_values_are_ignored() {
        let samples = [s(f64::INFINITY, 0), s(7.0, 0)];
        assert_eq!(
            combine(&samples, 0, DEFAULT_DECAY_PER_MS),
            Some((7.0, Method::Single))
        );
    }
}
