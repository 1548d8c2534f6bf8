//! A feed plugin that misbehaves on purpose, for the host's sandbox tests.
//!
//! Settings: `mode` selects the behaviour (each applies to `values`; `init` always succeeds
//! quickly so that the host loads the plugin):
//!
//! | mode | `values` does |
//! |---|---|
//! | `trap` | panics (a wasm trap) |
//! | `loop` | spins forever (only the host's deadline stops it) |
//! | `alloc` | allocates and touches 1 MiB blocks without bound (only the memory cap stops it) |
//! | `forbidden-host` | GETs and websocket-connects to `url` (default `http://forbidden.invalid/` and `ws://forbidden.invalid/`), which is not on the allow-list, logs each error as `http get <url>: <error>` / `websocket connect <url>: <error>` (e.g. `access-denied`), returns no values |
//! | `echo-websocket` | connects to `url` at init (and reconnects from `tick`), sends `hello from misbehave`; every message received is logged as `received: <text>`; the value of every feed is the number of messages received so far |

use ftso_plugin_sdk::prelude::*;
use ftso_plugin_sdk::ws::{self, Subscription, TickOutcome};
use serde::Deserialize;

/// What the plugin does wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Panic in `values`.
    Trap,
    /// Spin forever in `values`.
    Loop,
    /// Allocate without bound in `values`.
    Alloc,
    /// Reach for hosts not on the allow-list.
    ForbiddenHost,
    /// Websocket round trip.
    EchoWebsocket,
}

/// `[feeds.plugins.settings]` of the test plugin.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The misbehaviour.
    pub mode: Mode,
    /// Target URL of `forbidden-host` (http form; the ws form is derived) and `echo-websocket`.
    #[serde(default)]
    pub url: Option<String>,
}

/// The message `echo-websocket` sends after connecting.
pub const HELLO: &str = "hello from misbehave";

/// The plugin state.
#[derive(Debug, Default)]
pub struct Misbehave {
    mode: Option<Mode>,
    url: Option<String>,
    echo: Option<Subscription>,
    received: u64,
    hoard: Vec<Vec<u8>>,
}

/// An error from a host capability, worded for the log (`access-denied`, `timeout`, ...).
fn http_error(error: &http::Error) -> String {
    match error {
        http::Error::AccessDenied => "access-denied".into(),
        http::Error::InvalidUrl(why) => format!("invalid-url: {why}"),
        http::Error::Timeout => "timeout".into(),
        http::Error::TooLarge => "too-large".into(),
        http::Error::Other(why) => format!("other: {why}"),
    }
}

/// An error from the websocket capability, worded for the log.
fn ws_error(error: &ws::Error) -> String {
    match error {
        ws::Error::AccessDenied => "access-denied".into(),
        ws::Error::InvalidUrl(why) => format!("invalid-url: {why}"),
        ws::Error::LimitExceeded => "limit-exceeded".into(),
        ws::Error::Closed => "closed".into(),
        ws::Error::Other(why) => format!("other: {why}"),
    }
}

/// The websocket form of an http(s) URL.
fn ws_url(url: &str) -> String {
    if let Some(rest) = url.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = url.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        url.to_owned()
    }
}

impl Misbehave {
    fn forbidden_host(&self) {
        let url = self
            .url
            .clone()
            .unwrap_or_else(|| "http://forbidden.invalid/".into());
        match http::get(&url, &[]) {
            Ok(response) => log::error(&format!(
                "http get {url}: unexpectedly answered {}",
                response.status
            )),
            Err(error) => log::warn(&format!("http get {url}: {}", http_error(&error))),
        }
        let ws = ws_url(&url);
        match ws::connect(&ws) {
            Ok(_connection) => log::error(&format!("websocket connect {ws}: unexpectedly open")),
            Err(error) => log::warn(&format!("websocket connect {ws}: {}", ws_error(&error))),
        }
    }

    fn tick_echo(&mut self) {
        let Some(echo) = &mut self.echo else { return };
        match echo.tick(clock::now_ms()) {
            TickOutcome::Connected(id) => log::info(&format!("connected {} as {id}", echo.url())),
            TickOutcome::Failed(error) => {
                log::warn(&format!("websocket {}: {}", echo.url(), ws_error(&error)));
            }
            TickOutcome::Idle | TickOutcome::Waiting | TickOutcome::Pinged => {}
        }
    }

    #[allow(clippy::panic, reason = "trap mode traps on purpose")]
    fn trap() -> ! {
        panic!("misbehave: trap mode")
    }

    fn spin() -> ! {
        let mut n: u64 = 0;
        loop {
            n = std::hint::black_box(n.wrapping_add(1));
        }
    }

    fn hoard(&mut self) {
        loop {
            // Touch every page so the memory is really committed, then keep it.
            let block = std::hint::black_box(vec![0xA5u8; 1 << 20]);
            self.hoard.push(block);
        }
    }
}

impl Plugin for Misbehave {
    fn info(&self, package: Info) -> Info {
        Info {
            name: "misbehave".into(),
            ..package
        }
    }

    fn init(&mut self, config: &PluginConfig) -> Result<(), String> {
        let settings: Settings = config.settings().map_err(|e| e.to_string())?;
        log::info(&format!("misbehave mode {:?}", settings.mode));
        self.mode = Some(settings.mode);
        self.url = settings.url.clone();
        if settings.mode == Mode::EchoWebsocket {
            let url = settings.url.ok_or("echo-websocket needs a `url` setting")?;
            self.echo = Some(Subscription::new(url).subscribe_with([Message::Text(HELLO.into())]));
            self.tick_echo();
        }
        Ok(())
    }

    fn values(&mut self, feeds: &[FeedId], _voting_round: Option<u32>) -> Vec<Option<Observation>> {
        match self.mode {
            Some(Mode::Trap) => Self::trap(),
            Some(Mode::Loop) => Self::spin(),
            Some(Mode::Alloc) => {
                self.hoard();
                vec![None; feeds.len()]
            }
            Some(Mode::ForbiddenHost) => {
                self.forbidden_host();
                vec![None; feeds.len()]
            }
            Some(Mode::EchoWebsocket) => {
                #[allow(clippy::cast_precision_loss, reason = "a message count")]
                let count = self.received as f64;
                let now = clock::now_ms();
                feeds
                    .iter()
                    .map(|_| Some(Observation::new(count, now)))
                    .collect()
            }
            None => vec![None; feeds.len()],
        }
    }

    fn on_message(&mut self, connection_id: u64, message: Message) {
        self.received += 1;
        match message {
            Message::Text(text) => log::info(&format!("received: {text}")),
            Message::Binary(bytes) => {
                log::info(&format!("received: {} binary bytes", bytes.len()));
            }
        }
        let _ = connection_id;
    }

    fn on_close(&mut self, connection_id: u64, reason: String) {
        if let Some(echo) = &mut self.echo
            && echo.on_close(connection_id, &reason, clock::now_ms())
        {
            log::info(&format!("connection {connection_id} closed: {reason}"));
        }
    }

    fn tick(&mut self) {
        self.tick_echo();
    }
}

export_plugin!(Misbehave);

#[cfg(test)]
mod tests {
    use super::*;

    fn config(settings_json: &str) -> PluginConfig {
        PluginConfig {
            name: "misbehave".into(),
            feeds: vec![],
            settings_json: settings_json.into(),
            sources: vec![],
        }
    }

    #[test]
    fn every_mode_parses_from_its_kebab_case_name() {
        let cases = [
            ("trap", Mode::Trap),
            ("loop", Mode::Loop),
            ("alloc", Mode::Alloc),
            ("forbidden-host", Mode::ForbiddenHost),
            ("echo-websocket", Mode::EchoWebsocket),
        ];
        for (name, mode) in cases {
            let settings: Settings = config(&format!(r#"{{"mode":"{name}","url":"ws://x/"}}"#))
                .settings()
                .unwrap();
            assert_eq!(settings.mode, mode, "{name}");
        }
    }

    #[test]
    fn an_unknown_mode_is_refused_at_init() {
        let err = Misbehave::default()
            .init(&config(r#"{"mode":"explode"}"#))
            .unwrap_err();
        assert!(err.contains("unknown variant"), "{err}");
    }

    #[test]
    fn echo_without_url_is_refused_at_init() {
        let err = Misbehave::default()
            .init(&config(r#"{"mode":"echo-websocket"}"#))
            .unwrap_err();
        assert!(err.contains("url"), "{err}");
    }

    #[test]
    fn echo_value_counts_received_messages() {
        let mut plugin = Misbehave::default();
        plugin
            .init(&config(
                r#"{"mode":"echo-websocket","url":"ws://127.0.0.1:1/"}"#,
            ))
            .unwrap();
        let feeds = [FeedId::new(1, "BTC/USD")];
        assert_eq!(
            plugin.values(&feeds, None)[0].as_ref().map(|o| o.value),
            Some(0.0)
        );
        plugin.on_message(1, Message::Text("echo: hi".into()));
        plugin.on_message(1, Message::Binary(vec![1, 2]));
        assert_eq!(
            plugin.values(&feeds, None)[0].as_ref().map(|o| o.value),
            Some(2.0)
        );
    }

    #[test]
    fn forbidden_host_returns_no_values() {
        let mut plugin = Misbehave::default();
        plugin
            .init(&config(r#"{"mode":"forbidden-host"}"#))
            .unwrap();
        assert_eq!(
            plugin.values(&[FeedId::new(1, "BTC/USD")], None),
            vec![None]
        );
    }

    #[test]
    fn ws_url_maps_http_schemes() {
        assert_eq!(ws_url("http://a.test/x"), "ws://a.test/x");
        assert_eq!(ws_url("https://a.test/"), "wss://a.test/");
        assert_eq!(ws_url("ws://a.test/"), "ws://a.test/");
    }

    #[test]
    fn capability_errors_are_worded_like_the_wit_cases() {
        assert_eq!(http_error(&http::Error::AccessDenied), "access-denied");
        assert_eq!(ws_error(&ws::Error::AccessDenied), "access-denied");
        assert_eq!(ws_error(&ws::Error::LimitExceeded), "limit-exceeded");
    }
}
