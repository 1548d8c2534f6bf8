//! Glue called by [`export_plugin!`](crate::export_plugin); not a public API.

use std::cell::RefCell;
use std::thread::LocalKey;

use crate::{FeedId, Info, Message, Observation, Plugin, PluginConfig, PluginInfo, VenueVolume};

/// Where `export_plugin!` keeps the one plugin value of an instance.
pub type State<P> = LocalKey<RefCell<Option<P>>>;

/// Runs `f` on the instance's plugin, creating it with `Default` first if needed.
fn with<P: Plugin, R>(state: &'static State<P>, f: impl FnOnce(&mut P) -> R) -> R {
    state.with_borrow_mut(|slot| f(slot.get_or_insert_with(P::default)))
}

/// `info`: the plugin's own answer plus the SDK version.
pub fn info<P: Plugin>(state: &'static State<P>, name: &str, version: &str) -> PluginInfo {
    let package = Info {
        name: name.to_owned(),
        version: version.to_owned(),
    };
    let info = with(state, |plugin| plugin.info(package));
    PluginInfo {
        name: info.name,
        version: info.version,
        sdk_version: Some(crate::SDK_VERSION.to_owned()),
    }
}

/// `init`: a fresh plugin value, then its `init`.
pub fn init<P: Plugin>(state: &'static State<P>, config: PluginConfig) -> Result<(), String> {
    with(state, |plugin| plugin.init(&config))
}

/// `values`: one finite value or `None` per requested feed.
pub fn values<P: Plugin>(
    state: &'static State<P>,
    feeds: Vec<FeedId>,
    voting_round: Option<u32>,
) -> Vec<Option<Observation>> {
    let answer = with(state, |plugin| plugin.values(&feeds, voting_round));
    normalise_values(answer, feeds.len())
}

/// `volumes`: one list per requested feed.
pub fn volumes<P: Plugin>(
    state: &'static State<P>,
    feeds: Vec<FeedId>,
    window_seconds: u32,
) -> Vec<Vec<VenueVolume>> {
    let mut answer = with(state, |plugin| plugin.volumes(&feeds, window_seconds));
    answer.resize(feeds.len(), Vec::new());
    answer
}

/// `on-message`.
pub fn on_message<P: Plugin>(state: &'static State<P>, connection_id: u64, message: Message) {
    with(state, |plugin| plugin.on_message(connection_id, message));
}

/// `on-close`.
pub fn on_close<P: Plugin>(state: &'static State<P>, connection_id: u64, reason: String) {
    with(state, |plugin| plugin.on_close(connection_id, reason));
}

/// `tick`.
pub fn tick<P: Plugin>(state: &'static State<P>) {
    with(state, |plugin| plugin.tick());
}

/// Pads or truncates to `len` entries and drops non-finite values and volumes.
pub(crate) fn normalise_values(
    mut values: Vec<Option<Observation>>,
    len: usize,
) -> Vec<Option<Observation>> {
    values.resize(len, None);
    for slot in &mut values {
        if let Some(observation) = slot {
            if !observation.value.is_finite() {
                *slot = None;
            } else if observation.volume.is_some_and(|v| !v.is_finite()) {
                observation.volume = None;
            }
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    /// Answers two values whatever is asked, the first NaN; counts its inits.
    #[derive(Default)]
    struct Sloppy {
        inits: u32,
    }

    impl Plugin for Sloppy {
        fn init(&mut self, _config: &PluginConfig) -> Result<(), String> {
            self.inits += 1;
            Ok(())
        }
        fn values(&mut self, _feeds: &[FeedId], round: Option<u32>) -> Vec<Option<Observation>> {
            let v = f64::from(round.unwrap_or(0));
            vec![
                Some(Observation::new(f64::NAN, 1)),
                Some(Observation::new(v, 1)),
            ]
        }
    }

    thread_local! {
        static SLOPPY: RefCell<Option<Sloppy>> = const { RefCell::new(None) };
    }

    fn feeds(n: usize) -> Vec<FeedId> {
        (0..n)
            .map(|i| FeedId::new(1, format!("F{i}/USD")))
            .collect()
    }

    #[test]
    fn adapter_stamps_package_and_sdk_version_into_info() {
        let info = info::<Sloppy>(&SLOPPY, "ftso-plugin-sloppy", "2.0.1");
        assert_eq!(info.name, "ftso-plugin-sloppy");
        assert_eq!(info.version, "2.0.1");
        assert_eq!(info.sdk_version.as_deref(), Some(crate::SDK_VERSION));
    }

    #[test]
    fn adapter_keeps_one_plugin_per_instance_and_normalises_answers() {
        let config = PluginConfig {
            name: "sloppy".into(),
            feeds: vec![],
            settings_json: "{}".into(),
            sources: vec![],
        };
        init::<Sloppy>(&SLOPPY, config).unwrap();
        tick::<Sloppy>(&SLOPPY);
        SLOPPY.with_borrow(|p| assert_eq!(p.as_ref().map(|p| p.inits), Some(1)));
        assert_eq!(
            values::<Sloppy>(&SLOPPY, feeds(3), Some(7)),
            vec![None, Some(Observation::new(7.0, 1)), None]
        );
        assert_eq!(values::<Sloppy>(&SLOPPY, feeds(1), Some(7)), vec![None]);
        assert_eq!(
            volumes::<Sloppy>(&SLOPPY, feeds(2), 60),
            vec![Vec::new(); 2]
        );
    }

    #[test]
    fn normalise_pads_short_answers_with_none() {
        let out = normalise_values(vec![Some(Observation::new(1.0, 5))], 3);
        assert_eq!(out, vec![Some(Observation::new(1.0, 5)), None, None]);
    }

    #[test]
    fn normalise_truncates_long_answers() {
        let out = normalise_values(vec![Some(Observation::new(1.0, 5)); 4], 2);
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn normalise_drops_non_finite_values_and_volumes() {
        let mut with_bad_volume = Observation::new(2.0, 7);
        with_bad_volume.volume = Some(f64::INFINITY);
        let out = normalise_values(
            vec![
                Some(Observation::new(f64::NAN, 1)),
                Some(Observation::new(f64::NEG_INFINITY, 1)),
                Some(with_bad_volume),
            ],
            3,
        );
        assert_eq!(out, vec![None, None, Some(Observation::new(2.0, 7))]);
    }
}
