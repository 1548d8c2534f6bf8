//! The [`Plugin`] trait a feed plugin implements, and [`export_plugin!`](crate::export_plugin).

use crate::{FeedId, Message, Observation, PluginConfig, VenueVolume};

/// Name and version a plugin reports (shown by `ftso-node plugin inspect`).
///
/// The SDK adds its own version ([`SDK_VERSION`](crate::SDK_VERSION)) when it answers `info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info {
    /// Plugin name, e.g. "fixed".
    pub name: String,
    /// Plugin version (semver).
    pub version: String,
}

/// A feed plugin: implement [`values`](Plugin::values), then call
/// [`export_plugin!(YourType)`](crate::export_plugin) once in the crate.
///
/// Contract (from `wit/provider.wit`):
/// - One value of the type lives per component instance. It is created with [`Default`] when the
///   instance first needs it, which may be for [`info`](Plugin::info) before
///   [`init`](Plugin::init); every other method is called only after `init` succeeded.
/// - The host never runs two calls at once, so `&mut self` is all the synchronisation needed.
/// - Every call has a time budget (the host's `call_timeout`, 500 ms by default). A call that
///   panics (a trap) or runs past it yields no values, and the host recreates the instance
///   after a backoff: `Default` and `init` run again and earlier state is gone. Do not block:
///   answer [`values`](Plugin::values) from memory and do network work in
///   [`tick`](Plugin::tick) and [`on_message`](Plugin::on_message).
pub trait Plugin: Default + 'static {
    /// What the plugin reports about itself. `package` holds the crate's package name and
    /// version, filled in by [`export_plugin!`](crate::export_plugin); the default reports it.
    fn info(&self, package: Info) -> Info {
        package
    }

    /// Called once per instance before any other call except `info`: read settings with
    /// [`PluginConfig::settings`], open connections. An error refuses the plugin at load (or
    /// counts as a failure of a recreated instance); its text reaches the host log.
    fn init(&mut self, config: &PluginConfig) -> Result<(), String> {
        let _ = config;
        Ok(())
    }

    /// The values of `feeds`, one entry per feed in the same order, `None` where there is no
    /// value. `voting_round` is set when the request is for a voting round.
    ///
    /// The SDK pads or truncates the answer to `feeds.len()` and turns non-finite values into
    /// `None` (a NaN would reach the FTSO as a zero price). This must be implemented.
    fn values(&mut self, feeds: &[FeedId], voting_round: Option<u32>) -> Vec<Option<Observation>>;

    /// Volume per venue for each feed over the last `window_seconds`, one list per feed
    /// (padded or truncated by the SDK). Defaults to an empty list for every feed: the plugin
    /// tracks no volumes.
    fn volumes(&mut self, feeds: &[FeedId], window_seconds: u32) -> Vec<Vec<VenueVolume>> {
        let _ = window_seconds;
        vec![Vec::new(); feeds.len()]
    }

    /// A message arrived on websocket connection `connection_id` (see [`ws`](crate::ws)).
    /// Defaults to ignoring it.
    fn on_message(&mut self, connection_id: u64, message: Message) {
        let _ = (connection_id, message);
    }

    /// Websocket connection `connection_id` closed; `reason` says why. Defaults to ignoring it.
    fn on_close(&mut self, connection_id: u64, reason: String) {
        let _ = (connection_id, reason);
    }

    /// Called by the host every second or so: reconnect, ping or poll here. Defaults to nothing.
    fn tick(&mut self) {}
}

/// Exports a [`Plugin`] type as the component's `provider` interface.
///
/// Call it once, at the crate root of a `cdylib` crate, with a type implementing [`Plugin`]:
///
/// ```ignore
/// ftso_plugin_sdk::export_plugin!(MyPlugin);
/// ```
///
/// It keeps one `MyPlugin` per instance, stamps the crate's package name and version and the
/// SDK version into `info`, and applies the guarantees described on [`Plugin::values`].
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        const _: () = {
            ::std::thread_local! {
                static __FTSO_PLUGIN_STATE: ::std::cell::RefCell<::std::option::Option<$plugin>> =
                    const { ::std::cell::RefCell::new(::std::option::Option::None) };
            }

            #[allow(dead_code, reason = "only the wasm32 export glue names it")]
            struct __FtsoPluginExport;

            impl $crate::bindings::exports::flare::feeds::provider::Guest for __FtsoPluginExport {
                fn info() -> $crate::PluginInfo {
                    $crate::__private::info::<$plugin>(
                        &__FTSO_PLUGIN_STATE,
                        env!("CARGO_PKG_NAME"),
                        env!("CARGO_PKG_VERSION"),
                    )
                }
                fn init(config: $crate::PluginConfig) -> ::std::result::Result<(), ::std::string::String> {
                    $crate::__private::init::<$plugin>(&__FTSO_PLUGIN_STATE, config)
                }
                fn values(
                    feeds: ::std::vec::Vec<$crate::FeedId>,
                    voting_round: ::std::option::Option<u32>,
                ) -> ::std::vec::Vec<::std::option::Option<$crate::Observation>> {
                    $crate::__private::values::<$plugin>(&__FTSO_PLUGIN_STATE, feeds, voting_round)
                }
                fn volumes(
                    feeds: ::std::vec::Vec<$crate::FeedId>,
                    window_seconds: u32,
                ) -> ::std::vec::Vec<::std::vec::Vec<$crate::VenueVolume>> {
                    $crate::__private::volumes::<$plugin>(&__FTSO_PLUGIN_STATE, feeds, window_seconds)
                }
                fn on_message(connection_id: u64, message: $crate::Message) {
                    $crate::__private::on_message::<$plugin>(&__FTSO_PLUGIN_STATE, connection_id, message)
                }
                fn on_close(connection_id: u64, reason: ::std::string::String) {
                    $crate::__private::on_close::<$plugin>(&__FTSO_PLUGIN_STATE, connection_id, reason)
                }
                fn tick() {
                    $crate::__private::tick::<$plugin>(&__FTSO_PLUGIN_STATE)
                }
            }

            // The export symbols ("flare:feeds/provider@0.2.0#values", ...) only exist in the
            // component; a native cdylib cannot carry such names (its linker script rejects them).
            #[cfg(target_arch = "wasm32")]
            $crate::bindings::__export_feed_plugin!(__FtsoPluginExport with_types_in $crate::bindings);
        };
    };
}
