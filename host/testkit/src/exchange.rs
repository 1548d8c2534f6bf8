//! A loopback stand-in for an exchange's websocket API, driven by a fixture file.
//!
//! [`LoopbackExchange::start`] listens on `127.0.0.1:0` and, for every connection:
//! records each message the client sends; answers the client's pings as the exchange does
//! (the fixture's `[[ping]]` rules); sends the exchange's own ping on connect when it has one
//! (`server_ping`, answered with `expect_pong`); and once a message containing every string of
//! `subscribe_contains` arrives, sends the `ack` and replays the fixture's trade frames,
//! compressed as the exchange compresses them. [`LoopbackExchange::drop_connections`] closes
//! every open connection to test reconnect and resubscribe.
//!
//! The same port answers plain HTTP requests from the fixture's `[[http]]` rules (kucoin's
//! token handshake, bitrue's REST trades): a connection whose request is not a websocket
//! upgrade gets the rule's body, with `{ws_url}` replaced by the websocket URL.
//!
//! Fixtures live in `host/testkit/fixtures/exchanges/<exchange>.toml` ([`Fixture`]); the
//! trades a connector must parse from the frames are listed there too.

use std::{
    io::Write as _,
    net::SocketAddr,
    path::PathBuf,
    sync::{Arc, Mutex},
    time::Duration,
};

use anyhow::Context as _;
use futures::{SinkExt as _, StreamExt as _};
use serde::Deserialize;
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message;

/// How the exchange compresses the frames it sends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// Text frames as they are.
    #[default]
    None,
    /// Binary gzip frames.
    Gzip,
    /// Binary raw-deflate frames.
    Deflate,
}

/// A ping the client sends and the exchange's answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PingRule {
    /// A client message containing this string is a ping.
    pub contains: String,
    /// What the exchange answers (`{req_id}` is not interpolated: answers are fixed).
    pub reply: String,
}

/// A plain HTTP endpoint of the exchange.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpRule {
    /// `GET` or `POST`.
    pub method: String,
    /// The request path, without the query.
    pub path: String,
    /// A string the query must contain (e.g. `symbol=XDCUSDT`), if any.
    #[serde(default)]
    pub query_contains: Option<String>,
    /// The response body; `{ws_url}` is replaced by the websocket URL.
    pub body: String,
}

/// A trade the connector must report from the frames.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedTrade {
    /// Unified symbol, e.g. `BTC/USDT`.
    pub symbol: String,
    /// Price of the **last** trade of that symbol in the frames.
    pub price: f64,
    /// Its quantity.
    pub quantity: f64,
    /// Its timestamp, ms.
    pub timestamp_ms: u64,
}

/// One exchange's fixture file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// The exchange id, e.g. `binance`.
    pub exchange: String,
    /// Where the frames' format is documented.
    pub documented_at: String,
    /// The path the connector's URL has (the server accepts any; kept for the settings).
    #[serde(default = "root_path")]
    pub path: String,
    /// The connector's `url` setting when it is not the websocket URL, with `{addr}` for the
    /// server's `host:port` (kucoin's REST base, `http://{addr}`).
    #[serde(default)]
    pub settings_url: Option<String>,
    /// Plain HTTP endpoints.
    #[serde(default)]
    pub http: Vec<HttpRule>,
    /// The connector that serves this exchange when it is another exchange's (binanceus runs
    /// the `binance` connector with its `exchange` setting).
    #[serde(default)]
    pub connector: Option<String>,
    /// How frames are compressed on the wire.
    #[serde(default)]
    pub compression: Compression,
    /// The unified symbols the connector is configured with.
    pub symbols: Vec<String>,
    /// Strings a subscription message must contain (market ids, channel names).
    pub subscribe_contains: Vec<String>,
    /// Sent after a subscription message.
    #[serde(default)]
    pub ack: Option<String>,
    /// The client's pings and the answers.
    #[serde(default)]
    pub ping: Vec<PingRule>,
    /// The exchange's own ping, sent on connect.
    #[serde(default)]
    pub server_ping: Option<String>,
    /// What the client must answer to `server_ping`.
    #[serde(default)]
    pub expect_pong: Option<String>,
    /// Text frames replayed after a subscription.
    #[serde(default)]
    pub frames: Vec<String>,
    /// Binary frames (hex) replayed after the text frames (protobuf exchanges).
    #[serde(default)]
    pub binary_frames: Vec<String>,
    /// The last trade per symbol the connector must report.
    pub trades: Vec<ExpectedTrade>,
}

fn root_path() -> String {
    "/".to_owned()
}

impl Fixture {
    /// Reads `host/testkit/fixtures/exchanges/<exchange>.toml`.
    pub fn load(exchange: &str) -> anyhow::Result<Self> {
        let path = fixture_path(exchange);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read fixture {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("invalid fixture {}", path.display()))
    }

    /// Whether the exchange is polled over REST (no websocket subscription at all).
    pub fn is_polled(&self) -> bool {
        self.subscribe_contains.is_empty() && !self.http.is_empty()
    }

    /// Whether `message` is a subscription by this fixture's rules.
    pub fn is_subscription(&self, message: &str) -> bool {
        !self.subscribe_contains.is_empty()
            && self.subscribe_contains.iter().all(|s| message.contains(s))
    }

    fn encode(&self, text: &str) -> anyhow::Result<Message> {
        Ok(match self.compression {
            Compression::None => Message::Text(text.to_owned().into()),
            Compression::Gzip => {
                let mut gz =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                gz.write_all(text.as_bytes())?;
                Message::Binary(gz.finish()?.into())
            }
            Compression::Deflate => {
                let mut raw =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
                raw.write_all(text.as_bytes())?;
                Message::Binary(raw.finish()?.into())
            }
        })
    }

    /// Every frame replayed after a subscription, encoded as on the wire.
    fn replay(&self) -> anyhow::Result<Vec<Message>> {
        let mut out = Vec::new();
        for frame in &self.frames {
            out.push(self.encode(frame)?);
        }
        for frame in &self.binary_frames {
            out.push(Message::Binary(decode_hex(frame)?.into()));
        }
        Ok(out)
    }
}

/// Where fixture files live.
pub fn fixture_path(exchange: &str) -> PathBuf {
    crate::workspace_root()
        .join("host/testkit/fixtures/exchanges")
        .join(format!("{exchange}.toml"))
}

fn decode_hex(text: &str) -> anyhow::Result<Vec<u8>> {
    let clean: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    anyhow::ensure!(clean.len().is_multiple_of(2), "odd number of hex digits");
    clean
        .chunks(2)
        .map(|pair| {
            let digits = std::str::from_utf8(pair)?;
            u8::from_str_radix(digits, 16).with_context(|| format!("bad hex {digits:?}"))
        })
        .collect()
}

/// What the server saw, shared with the test.
#[derive(Debug, Default)]
struct Seen {
    connections: usize,
    subscriptions: usize,
    /// (connection number from 1, message) for every client text message, decoded.
    messages: Vec<(usize, String)>,
    pongs: usize,
    /// The request target (path and query) of every websocket handshake.
    websocket_targets: Vec<String>,
    /// `METHOD target` of every plain HTTP request.
    http_requests: Vec<String>,
}

/// A running loopback exchange; stops when dropped.
#[derive(Debug)]
pub struct LoopbackExchange {
    addr: SocketAddr,
    fixture: Arc<Fixture>,
    seen: Arc<Mutex<Seen>>,
    drop_all: broadcast::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for LoopbackExchange {
    fn drop(&mut self) {
        self.task.abort();
        let _ = self.drop_all.send(());
    }
}

impl LoopbackExchange {
    /// Loads the exchange's fixture and starts serving it on a loopback port.
    pub async fn start(exchange: &str) -> anyhow::Result<Self> {
        Self::serve(Fixture::load(exchange)?).await
    }

    /// Serves `fixture` on a loopback port.
    pub async fn serve(fixture: Fixture) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let fixture = Arc::new(fixture);
        let seen = Arc::new(Mutex::new(Seen::default()));
        let (drop_all, _) = broadcast::channel(4);
        let task = tokio::spawn(accept_loop(
            listener,
            addr,
            Arc::clone(&fixture),
            Arc::clone(&seen),
            drop_all.clone(),
        ));
        Ok(Self {
            addr,
            fixture,
            seen,
            drop_all,
            task,
        })
    }

    /// `host:port` for the plugin's `allowed_hosts`.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// The URL a connector's `url` setting points at: the fixture's `settings_url`, else the
    /// websocket URL.
    pub fn url(&self) -> String {
        match &self.fixture.settings_url {
            Some(template) => template.replace("{addr}", &self.addr.to_string()),
            None => self.websocket_url(),
        }
    }

    /// The websocket URL, `ws://<addr><path>`.
    pub fn websocket_url(&self) -> String {
        websocket_url(self.addr, &self.fixture)
    }

    /// The fixture served.
    pub fn fixture(&self) -> &Fixture {
        &self.fixture
    }

    fn seen<T>(&self, read: impl FnOnce(&Seen) -> T) -> T {
        read(
            &self
                .seen
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.seen(|s| s.connections)
    }

    /// Subscription messages received so far (over all connections).
    pub fn subscriptions(&self) -> usize {
        self.seen(|s| s.subscriptions)
    }

    /// Correct answers to the server's pings received so far.
    pub fn pongs(&self) -> usize {
        self.seen(|s| s.pongs)
    }

    /// The request target (path and query) of every websocket handshake so far.
    pub fn websocket_targets(&self) -> Vec<String> {
        self.seen(|s| s.websocket_targets.clone())
    }

    /// `METHOD target` of every plain HTTP request so far.
    pub fn http_requests(&self) -> Vec<String> {
        self.seen(|s| s.http_requests.clone())
    }

    /// Every text message received, with its connection number (from 1).
    pub fn messages(&self) -> Vec<(usize, String)> {
        self.seen(|s| s.messages.clone())
    }

    /// Closes every open connection (the client should reconnect and subscribe again).
    pub fn drop_connections(&self) {
        let _ = self.drop_all.send(());
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
    pub async fn wait_until(&self, timeout: Duration, condition: impl Fn(&Self) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if condition(self) {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn websocket_url(addr: SocketAddr, fixture: &Fixture) -> String {
    format!("ws://{addr}{}", fixture.path)
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    addr: SocketAddr,
    fixture: Arc<Fixture>,
    seen: Arc<Mutex<Seen>>,
    drop_all: broadcast::Sender<()>,
) {
    while let Ok((stream, _)) = listener.accept().await {
        if !is_websocket_upgrade(&stream).await {
            let fixture = Arc::clone(&fixture);
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                if let Err(error) = plain_http(stream, addr, &fixture, &seen).await {
                    eprintln!("loopback {}: http: {error:#}", fixture.exchange);
                }
            });
            continue;
        }
        let number = {
            let mut s = seen
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            s.connections += 1;
            s.connections
        };
        let fixture = Arc::clone(&fixture);
        let seen = Arc::clone(&seen);
        let stop = drop_all.subscribe();
        tokio::spawn(async move {
            if let Err(error) = connection(stream, number, &fixture, &seen, stop).await {
                eprintln!(
                    "loopback {}: connection {number}: {error:#}",
                    fixture.exchange
                );
            }
        });
    }
}

/// Whether the request waiting on `stream` asks for a websocket upgrade (peeked, not read).
async fn is_websocket_upgrade(stream: &tokio::net::TcpStream) -> bool {
    let mut buffer = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let Ok(Ok(n)) = tokio::time::timeout_at(deadline, stream.peek(&mut buffer)).await else {
            return true;
        };
        let head = String::from_utf8_lossy(&buffer[..n]).to_ascii_lowercase();
        if head.contains("\r\n\r\n") || n == buffer.len() || n == 0 {
            return head.contains("upgrade: websocket");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Answers one plain HTTP request from the fixture's `[[http]]` rules (404 when none
/// matches), then closes the connection.
async fn plain_http(
    mut stream: tokio::net::TcpStream,
    addr: SocketAddr,
    fixture: &Fixture,
    seen: &Mutex<Seen>,
) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut buffer).await?;
        anyhow::ensure!(n > 0, "connection closed before the request head");
        request.extend_from_slice(&buffer[..n]);
        if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
    };
    let head = String::from_utf8_lossy(&request[..head_end]).into_owned();
    let content_length: usize = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0);
    while request.len() < head_end + content_length {
        let n = stream.read(&mut buffer).await?;
        anyhow::ensure!(n > 0, "connection closed before the request body");
        request.extend_from_slice(&buffer[..n]);
    }
    let mut words = head.split_whitespace();
    let method = words.next().unwrap_or_default().to_owned();
    let target = words.next().unwrap_or_default().to_owned();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    seen.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .http_requests
        .push(format!("{method} {target}"));
    let rule = fixture.http.iter().find(|rule| {
        rule.method.eq_ignore_ascii_case(&method)
            && rule.path == path
            && rule
                .query_contains
                .as_deref()
                .is_none_or(|needle| query.contains(needle))
    });
    let (status, body) = match rule {
        Some(rule) => (
            "200 OK",
            rule.body.replace("{ws_url}", &websocket_url(addr, fixture)),
        ),
        None => ("404 Not Found", r#"{"error":"not found"}"#.to_owned()),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await?;
    Ok(())
}

/// Decodes what the client sent: text as is, binary through the fixture's compression
/// (bingx clients answer pings gzipped) or as lossy UTF-8.
fn client_text(message: &Message) -> Option<String> {
    match message {
        Message::Text(text) => Some(text.to_string()),
        Message::Binary(bytes) => {
            let mut out = Vec::new();
            let mut gz = flate2::read::GzDecoder::new(bytes.as_ref());
            match std::io::Read::read_to_end(&mut gz, &mut out) {
                Ok(_) => Some(String::from_utf8_lossy(&out).into_owned()),
                Err(_) => Some(String::from_utf8_lossy(bytes).into_owned()),
            }
        }
        _ => None,
    }
}

#[allow(
    clippy::result_large_err,
    reason = "the handshake callback's error type is tungstenite's HTTP response"
)]
async fn connection(
    stream: tokio::net::TcpStream,
    number: usize,
    fixture: &Fixture,
    seen: &Mutex<Seen>,
    mut stop: broadcast::Receiver<()>,
) -> anyhow::Result<()> {
    let record_target = |request: &tokio_tungstenite::tungstenite::handshake::server::Request,
                         response| {
        seen.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .websocket_targets
            .push(request.uri().to_string());
        Ok(response)
    };
    let mut ws = tokio_tungstenite::accept_hdr_async(stream, record_target).await?;
    if let Some(ping) = &fixture.server_ping {
        ws.send(fixture.encode(ping)?).await?;
    }
    loop {
        let message = tokio::select! {
            _ = stop.recv() => {
                let _ = ws.close(None).await;
                return Ok(());
            }
            message = ws.next() => message,
        };
        let Some(message) = message else {
            return Ok(());
        };
        let Some(text) = client_text(&message?) else {
            continue;
        };
        let subscription = fixture.is_subscription(&text);
        let reply = fixture
            .ping
            .iter()
            .find(|rule| text.contains(&rule.contains))
            .map(|rule| rule.reply.clone());
        {
            let mut s = seen
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            s.messages.push((number, text.clone()));
            s.subscriptions += usize::from(subscription);
            if fixture.expect_pong.as_deref() == Some(text.trim()) {
                s.pongs += 1;
            }
        }
        if let Some(reply) = reply {
            ws.send(fixture.encode(&reply)?).await?;
        }
        if subscription {
            if let Some(ack) = &fixture.ack {
                ws.send(fixture.encode(ack)?).await?;
            }
            for frame in fixture.replay()? {
                ws.send(frame).await?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_frames_decode() {
        assert_eq!(decode_hex("0a 0B ff").unwrap(), vec![0x0a, 0x0b, 0xff]);
        assert!(decode_hex("abc").is_err());
    }

    #[test]
    fn every_fixture_parses_and_lists_its_trades() {
        let dir = crate::workspace_root().join("host/testkit/fixtures/exchanges");
        let mut count = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let fixture = Fixture::load(&name).unwrap();
            assert_eq!(fixture.exchange, name);
            assert!(!fixture.trades.is_empty(), "{name} has no expected trades");
            assert!(
                !fixture.replay().unwrap().is_empty() || !fixture.http.is_empty(),
                "{name} has no frames and no http endpoint"
            );
            count += 1;
        }
        assert!(count > 0);
    }
}
