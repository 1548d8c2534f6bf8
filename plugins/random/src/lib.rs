//! `random`: an independent random value per feed per request, uniform in [0.025, 0.075).
//!
//! The counterpart of the reference value provider's `VALUE_PROVIDER_IMPL=random`
//! (ftso-v2-example-value-provider `src/data-feeds/random-feed.ts`): `0.05 * (0.5 + U[0,1))`,
//! drawn from WASI random (with the same f64 arithmetic, so the top draw gives 0.05 * 1.5 =
//! 0.07500000000000001, as in JavaScript). No start-up line, no settings, no volumes (an empty list per feed).

use ftso_plugin_sdk::prelude::*;

/// The reference's base value.
pub const BASE: f64 = 0.05;

/// Maps a uniform draw `u` in [0, 1) to the reference's range [0.025, 0.075).
pub fn value_from_unit(u: f64) -> f64 {
    BASE * (0.5 + u)
}

/// The plugin: fresh randomness for every feed of every request.
#[derive(Debug, Default)]
pub struct Random;

impl Plugin for Random {
    fn info(&self, package: Info) -> Info {
        Info {
            name: "random".into(),
            ..package
        }
    }

    fn values(&mut self, feeds: &[FeedId], _voting_round: Option<u32>) -> Vec<Option<Observation>> {
        let now = clock::now_ms();
        feeds
            .iter()
            .map(|_| match random::unit_f64() {
                Ok(u) => Some(Observation::new(value_from_unit(u), now)),
                Err(e) => {
                    log::error(&format!("no random bytes: {e}"));
                    None
                }
            })
            .collect()
    }
}

export_plugin!(Random);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_ends_match_the_reference_arithmetic() {
        assert_eq!(value_from_unit(0.0), 0.025);
        assert_eq!(value_from_unit(0.5), 0.05);
        // The largest draw, 1 - 2^-53, rounds 0.5 + u up to 1.5 in f64, exactly as the
        // reference's JavaScript does, so the nominal [0.025, 0.075) can end one ulp above 0.075.
        let top = value_from_unit(1.0 - f64::EPSILON / 2.0);
        assert_eq!(top, 0.05 * 1.5);
        assert_eq!(top, 0.075_000_000_000_000_01);
    }

    #[test]
    fn values_are_in_range_and_drawn_per_feed() {
        let mut plugin = Random;
        let feeds: Vec<FeedId> = (0..200)
            .map(|i| FeedId::new(1, format!("F{i}/USD")))
            .collect();
        let values: Vec<f64> = plugin
            .values(&feeds, Some(1))
            .into_iter()
            .map(|v| v.map(|o| o.value).unwrap())
            .collect();
        assert_eq!(values.len(), 200);
        assert!(values.iter().all(|v| (0.025..0.075).contains(v)));
        let distinct: std::collections::BTreeSet<u64> =
            values.iter().map(|v| v.to_bits()).collect();
        assert!(
            distinct.len() > 190,
            "draws repeat: {} distinct",
            distinct.len()
        );
    }

    #[test]
    fn volumes_are_an_empty_list_per_feed() {
        let mut plugin = Random;
        assert_eq!(
            plugin.volumes(&[FeedId::new(1, "BTC/USD")], 60),
            vec![Vec::new()]
        );
    }
}
