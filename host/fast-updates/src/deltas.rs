//! The delta decision of one submission (fast-updates digest §2.3–2.6): which feeds we have values for, the
//! chain's current values of those, and one unit step per feed towards ours.

use ftso_core::fast_updates::Delta;
use ftso_core::fast_updates::scaling::{self, FeedValues};
use ftso_feeds::registry::FeedKey;

use crate::chain::{ChainFeed, CurrentFeeds, ScaleParameters};

/// The feeds to ask our value source for: every listed (non-empty) feed, with its index.
pub fn listed_feeds(feeds: &[ChainFeed]) -> (Vec<usize>, Vec<FeedKey>) {
    feeds
        .iter()
        .enumerate()
        .filter_map(|(index, feed)| feed.key.clone().map(|key| (index, key)))
        .unzip()
}

/// The indices (among `listed`) we have a value for, with the value: the feeds a submission moves.
pub fn supported(listed: &[usize], ours: &[Option<f64>]) -> Vec<(usize, f64)> {
    listed
        .iter()
        .zip(ours)
        .filter_map(|(index, value)| value.map(|v| (*index, v)))
        .collect()
}

/// The deltas for `feed_count` feeds: `supported` gives our value of some indices, `current` the chain's values
/// of the same indices in the same order. `None` when no feed is supported (nothing to submit). `draw` yields
/// uniform values in `[0, 1)` for the probabilistic moves.
pub fn decide(
    feed_count: usize,
    supported: &[(usize, f64)],
    current: &CurrentFeeds,
    scale: ScaleParameters,
    draw: impl FnMut() -> f64,
) -> Option<Vec<Delta>> {
    let mut feeds: Vec<Option<FeedValues>> = vec![None; feed_count];
    for (((index, ours), value), decimals) in
        supported.iter().zip(&current.values).zip(&current.decimals)
    {
        if let Some(slot) = feeds.get_mut(*index) {
            *slot = Some(FeedValues::from_chain(*value, *decimals, *ours));
        }
    }
    let scale_diff = scaling::scale_diff(scale.scale, scale.expected_sample_size);
    scaling::deltas_for_feeds(&feeds, scale_diff, draw)
}

/// A uniform double in `[0, 1)` from the operating system's CSPRNG (0.0 should it fail: a move, never a crash).
pub fn uniform_draw() -> f64 {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        return 0.0;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::U256;
    use ftso_core::fast_updates::delta;

    const FLARE: ScaleParameters = ScaleParameters {
        scale: 0x8004_0000_0000_0000_0000_0000_0000_0000,
        expected_sample_size: 0x0180_0000_0000_0000_0000_0000_0000_0000,
    };

    fn feed(name: &str) -> ChainFeed {
        ChainFeed {
            key: (!name.is_empty()).then(|| FeedKey {
                category: 1,
                name: name.into(),
            }),
        }
    }

    #[test]
    fn unsupported_and_delisted_feeds_stay_and_the_string_stops_at_the_last_supported() {
        let feeds = [
            feed("FLR/USD"),
            feed(""),
            feed("BTC/USD"),
            feed("ETH/USD"),
            feed("XRP/USD"),
        ];
        let (listed, keys) = listed_feeds(&feeds);
        assert_eq!(listed, vec![0, 2, 3, 4]);
        assert_eq!(keys[1].name, "BTC/USD");
        // We have FLR (above chain), BTC (below chain), none for ETH and XRP.
        let ours = [Some(0.02), Some(60_000.0), None, None];
        let supported = supported(&listed, &ours);
        assert_eq!(supported, vec![(0, 0.02), (2, 60_000.0)]);
        let current = CurrentFeeds {
            values: vec![U256::from(1_000_000u64), U256::from(7_000_000u64)],
            decimals: vec![8, 2],
        };
        let deltas = decide(feeds.len(), &supported, &current, FLARE, || 0.5);
        let deltas = deltas.unwrap_or_default();
        assert_eq!(delta::to_go_string(&deltas), "+0-");
        assert_eq!(delta::encode(&deltas), vec![0b0100_1100]);
    }

    #[test]
    fn negative_decimals_are_scaled_up_not_down() {
        // 254 000 000 @ −1 is 2.54e9: a provider at 2.54e9 is on the chain value, so nothing moves for sure.
        let current = CurrentFeeds {
            values: vec![U256::from(254_000_000u64)],
            decimals: vec![-1],
        };
        let deltas = decide(1, &[(0, 2.54e9)], &current, FLARE, || 0.999);
        assert_eq!(deltas, Some(vec![Delta::Zero]));
        let deltas = decide(1, &[(0, 2.6e9)], &current, FLARE, || 0.999);
        assert_eq!(deltas, Some(vec![Delta::Up]));
    }

    #[test]
    fn small_differences_move_with_their_probability() {
        // diff / scaleDiff = 0.5 (scaleDiff ≈ 1.831e−4 at Flare's parameters).
        let scale_diff = scaling::scale_diff(FLARE.scale, FLARE.expected_sample_size);
        let current = CurrentFeeds {
            values: vec![U256::from(100_000_000u64)],
            decimals: vec![8],
        };
        let ours = 1.0 + scale_diff / 2.0;
        assert_eq!(
            decide(1, &[(0, ours)], &current, FLARE, || 0.49),
            Some(vec![Delta::Up])
        );
        assert_eq!(
            decide(1, &[(0, ours)], &current, FLARE, || 0.51),
            Some(vec![Delta::Zero])
        );
    }

    #[test]
    fn nothing_to_submit_without_values() {
        let current = CurrentFeeds {
            values: vec![],
            decimals: vec![],
        };
        assert_eq!(decide(3, &[], &current, FLARE, || 0.0), None);
    }

    #[test]
    fn draws_are_in_the_unit_interval() {
        assert!(
            (0..1000)
                .map(|_| uniform_draw())
                .all(|r| (0.0..1.0).contains(&r))
        );
    }
}
