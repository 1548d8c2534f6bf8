//! Combining several observations of one feed into one value (pure).
//!
//! The reference's time-decayed weighted median (ftso-v2-example-value-provider
//! `ccxt-provider-service.ts` `weightedMedian`): each observation gets the weight
//! `exp(-λ · age_ms)` with λ = 5e-5 per ms (a value one minute old weighs 0.05 of a fresh one,
//! one from the future more than 1), optionally multiplied by an extra weight (volume weighting);
//! the observations are sorted by time, normalised, stably sorted by value, and the first one
//! whose cumulative weight reaches 0.5 is the answer. When every weight underflows to zero
//! (observations over ~4 h old) the **oldest** value is returned, as the reference does.
//!
//! [`drop_outliers`] is the optional outlier filter a feed can select in the config.

/// The decay rate per millisecond (the reference's `MEDIAN_DECAY` default).
pub const DEFAULT_DECAY_PER_MS: f64 = 5e-5;

/// One observation of a feed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// The value.
    pub value: f64,
    /// When it was observed (ms since the Unix epoch).
    pub timestamp_ms: u64,
    /// Extra weight multiplied into the time decay (1 unless the feed is volume weighted).
    pub weight: f64,
}

impl Sample {
    /// An observation with no extra weight.
    pub fn new(value: f64, timestamp_ms: u64) -> Self {
        Self {
            value,
            timestamp_ms,
            weight: 1.0,
        }
    }
}

/// How a value was computed (for logs and metrics only, never for the REST JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Only one observation.
    Single,
    /// The weighted median of several.
    WeightedMedian,
    /// All weights underflowed (every observation very old): the oldest value, as the reference.
    Oldest,
}

impl Method {
    /// A short label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Single => "single",
            Self::WeightedMedian => "weighted-median",
            Self::Oldest => "oldest",
        }
    }
}

/// Combines `samples` at time `now_ms`. Non-finite values and non-finite or negative extra
/// weights are ignored; `None` when nothing is left.
pub fn combine(samples: &[Sample], now_ms: u64, decay_per_ms: f64) -> Option<(f64, Method)> {
    let mut usable: Vec<Sample> = samples
        .iter()
        .copied()
        .filter(|s| s.value.is_finite() && s.weight.is_finite() && s.weight >= 0.0)
        .collect();
    if let [only] = usable.as_slice() {
        return Some((only.value, Method::Single));
    }
    // Oldest first: the reference sorts by time before weighing, which decides both the
    // all-zero fallback and the order of equal values.
    usable.sort_by_key(|s| s.timestamp_ms);
    let oldest = usable.first()?.value;
    let mut weighted: Vec<(f64, f64)> = usable
        .iter()
        .map(|s| {
            // Signed age: a timestamp ahead of our clock weighs more than 1, as in the reference.
            let age = now_ms as f64 - s.timestamp_ms as f64;
            (s.value, (-decay_per_ms * age).exp() * s.weight)
        })
        .collect();
    let total: f64 = weighted.iter().map(|(_, w)| w).sum();
    if total == 0.0 || !total.is_finite() {
        return Some((oldest, Method::Oldest));
    }
    // Stable: equal values keep their time order.
    weighted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut cumulative = 0.0;
    for (value, weight) in weighted {
        cumulative += weight / total;
        if cumulative >= 0.5 {
            return Some((value, Method::WeightedMedian));
        }
    }
    None
}

/// Drops the samples whose value deviates from the (lower) median of all values by more than
/// `max_deviation` (a fraction: 0.05 = 5 %). With fewer than three samples nothing is dropped:
/// there is no majority to tell the outlier.
pub fn drop_outliers(samples: &mut Vec<Sample>, max_deviation: f64) {
    if samples.len() < 3 {
        return;
    }
    let mut values: Vec<f64> = samples.iter().map(|s| s.value).collect();
    values.sort_by(f64::total_cmp);
    let median = values[(values.len() - 1) / 2];
    if median == 0.0 || !median.is_finite() {
        return;
    }
    samples.retain(|s| ((s.value - median) / median).abs() <= max_deviation);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(value: f64, timestamp_ms: u64) -> Sample {
        Sample::new(value, timestamp_ms)
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

    /// value-provider.md §3.7, first worked example: USDT/USD from kraken 0.999 (0.5 s old),
    /// coinbase 1.0002 (1 s) and bitstamp 1.001 (60 s): weights .4935/.4813/.0252 → 1.0002.
    #[test]
    fn reference_worked_example_usdt() {
        let now = 1_700_000_000_000;
        let samples = [
            s(0.999, now - 500),
            s(1.0002, now - 1_000),
            s(1.001, now - 60_000),
        ];
        assert_eq!(
            combine(&samples, now, DEFAULT_DECAY_PER_MS),
            Some((1.0002, Method::WeightedMedian))
        );
    }

    /// §3.7: when every weight underflows the reference returns the oldest price.
    #[test]
    fn underflowing_weights_give_the_oldest_value() {
        let now = 100_000_000;
        let samples = [s(2.0, 1_000), s(1.0, 0), s(3.0, 2_000)];
        assert_eq!(
            combine(&samples, now, DEFAULT_DECAY_PER_MS),
            Some((1.0, Method::Oldest))
        );
    }

    #[test]
    fn extra_weight_moves_the_median() {
        let now = 1_000;
        let mut heavy = s(3.0, now);
        heavy.weight = 10.0;
        let samples = [s(1.0, now), s(2.0, now), heavy];
        assert_eq!(
            combine(&samples, now, DEFAULT_DECAY_PER_MS),
            Some((3.0, Method::WeightedMedian))
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

    #[test]
    fn outliers_beyond_the_deviation_are_dropped() {
        let mut samples = vec![s(100.0, 0), s(101.0, 0), s(99.5, 0), s(150.0, 0)];
        drop_outliers(&mut samples, 0.05);
        let values: Vec<f64> = samples.iter().map(|s| s.value).collect();
        assert_eq!(values, [100.0, 101.0, 99.5]);
        let mut two = vec![s(1.0, 0), s(100.0, 0)];
        drop_outliers(&mut two, 0.05);
        assert_eq!(two.len(), 2, "two samples have no majority");
    }
}
