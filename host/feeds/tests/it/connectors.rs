//! Connector plugins against loopback stand-ins for their exchanges (`ftso_testkit::exchange`):
//! subscription, trade parsing into the price store, keepalive, reconnect + resubscribe, and
//! the aggregated values through `POST /feed-values`.

use std::time::Duration;

use ftso_feeds::{
    FeedsConfig, PluginConfig,
    config::FeedSelection,
    prices::{FeedSources, SourceId},
};
use ftso_testkit::LoopbackExchange;

use crate::common::{TestHost, base_config, post_json, start};

/// Generous: wasm instantiation and reconnect backoff on a loaded 2-core machine.
const PATIENCE: Duration = Duration::from_secs(60);

/// The plugin entry for a connector talking to `exchange`, with a 1 s keepalive (or a 200 ms
/// poll interval for a REST-polled exchange).
fn connector_entry(exchange: &LoopbackExchange) -> PluginConfig {
    let fixture = exchange.fixture();
    let name = fixture.exchange.clone();
    let connector = fixture.connector.as_deref().unwrap_or(&name);
    let component = ftso_testkit::wasm_component(&format!("ftso-plugin-{connector}")).unwrap();
    let mut settings = toml::Table::new();
    settings.insert("url".into(), exchange.url().into());
    if connector != name {
        settings.insert("exchange".into(), name.clone().into());
    }
    if exchange.fixture().is_polled() {
        settings.insert("interval_ms".into(), 200.into());
    } else {
        settings.insert("keepalive_ms".into(), 1_000.into());
    }
    PluginConfig {
        feeds: FeedSelection::Only(Vec::new()),
        allowed_hosts: vec![exchange.host()],
        settings,
        ..PluginConfig::new(name, component)
    }
}

/// One feed per fixture symbol base, `BASE/USD`, with the fixtures' markets as sources.
fn feed_table(exchanges: &[&LoopbackExchange]) -> Vec<FeedSources> {
    let mut feeds: Vec<FeedSources> = Vec::new();
    for exchange in exchanges {
        let fixture = exchange.fixture();
        for symbol in &fixture.symbols {
            let base = symbol.split('/').next().unwrap_or_default();
            let name = if base == "USDT" {
                "USDT/USD".to_owned()
            } else {
                format!("{base}/USD")
            };
            let source = SourceId::new(&fixture.exchange, symbol);
            match feeds.iter_mut().find(|f| f.name == name) {
                Some(feed) => feed.sources.push(source),
                None => feeds.push(FeedSources {
                    category: 1,
                    name,
                    sources: vec![source],
                    max_age: None,
                    max_deviation: None,
                    volume_weighted: false,
                }),
            }
        }
    }
    feeds
}

/// The host config for `exchanges`: one connector entry each, their fixture feeds, and made-up
/// USDT/USD and USDC/USD feeds where no fixture has them.
fn host_config(exchanges: &[&LoopbackExchange], dir: &std::path::Path) -> FeedsConfig {
    let mut config: FeedsConfig = base_config(dir);
    config.tick_interval = Duration::from_millis(100);
    config.call_timeout = Duration::from_secs(2);
    config.plugins = exchanges.iter().map(|e| connector_entry(e)).collect();
    config.prices.feed = feed_table(exchanges);
    for stable in ["USDT", "USDC"] {
        let name = format!("{stable}/USD");
        if !config.prices.feed.iter().any(|f| f.name == name) {
            // Conversion for USDT/USDC-quoted test symbols: a made-up USD market nobody trades.
            config.prices.feed.push(FeedSources {
                category: 1,
                sources: vec![SourceId::new("none", &name)],
                name,
                max_age: None,
                max_deviation: None,
                volume_weighted: false,
            });
        }
    }
    config
}

async fn host_for(exchanges: &[&LoopbackExchange], dir: &std::path::Path) -> TestHost {
    start(host_config(exchanges, dir)).await
}

/// Waits until the store holds every trade the fixture expects, then checks each.
async fn expect_fixture_trades(host: &TestHost, exchange: &LoopbackExchange) {
    let fixture = exchange.fixture();
    let store = host.registry.prices().store();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let all = fixture.trades.iter().all(|t| {
            store
                .last(&SourceId::new(&fixture.exchange, &t.symbol))
                .is_some_and(|l| l.timestamp_ms >= t.timestamp_ms)
        });
        if all {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{}: trades not all stored: {:?}\nplugin logs: {:?}\nreceived: {:?}",
            fixture.exchange,
            store.status(),
            host.registry.recent_logs(&fixture.exchange),
            exchange.messages()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for expected in &fixture.trades {
        let last = store
            .last(&SourceId::new(&fixture.exchange, &expected.symbol))
            .unwrap();
        assert_eq!(
            (last.price, last.quantity, last.timestamp_ms),
            (expected.price, expected.quantity, expected.timestamp_ms),
            "{}: last trade of {}",
            fixture.exchange,
            expected.symbol
        );
    }
}

/// The whole loopback check of one connector.
async fn check_connector(exchange_name: &str) {
    let exchange = LoopbackExchange::start(exchange_name).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let host = host_for(&[&exchange], dir.path()).await;

    // Subscription and trade parsing.
    assert!(
        exchange
            .wait_until(PATIENCE, |e| e.subscriptions() >= 1)
            .await,
        "{exchange_name}: no subscription matching {:?}; received {:?}",
        exchange.fixture().subscribe_contains,
        exchange.messages()
    );
    expect_fixture_trades(&host, &exchange).await;

    // Keepalive: the client's ping (answered by the server) or the answer to the server's ping.
    let fixture = exchange.fixture().clone();
    if fixture.expect_pong.is_some() {
        assert!(
            exchange.wait_until(PATIENCE, |e| e.pongs() >= 1).await,
            "{exchange_name}: server ping not answered; received {:?}",
            exchange.messages()
        );
    }
    if let Some(rule) = fixture.ping.first() {
        assert!(
            exchange
                .wait_until(PATIENCE, |e| e.messages().iter().any(|(_, m)| m
                    .contains(&rule.contains)
                    && !fixture.is_subscription(m)))
                .await,
            "{exchange_name}: no keepalive ping; received {:?}",
            exchange.messages()
        );
    }

    // A dropped connection: the connector reconnects and subscribes again.
    exchange.drop_connections();
    assert!(
        exchange
            .wait_until(PATIENCE, |e| e.connections() >= 2 && e.subscriptions() >= 2)
            .await,
        "{exchange_name}: no reconnect + resubscribe; connections {}, received {:?}",
        exchange.connections(),
        exchange.messages()
    );
    let resubscribed = exchange
        .messages()
        .iter()
        .any(|(conn, m)| *conn >= 2 && fixture.is_subscription(m));
    assert!(
        resubscribed,
        "{exchange_name}: resubscription not on the new connection"
    );
}

macro_rules! connector_tests {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            check_connector(stringify!($name)).await;
        }
    )*};
}

mod loopback {
    use super::check_connector;
    connector_tests!(
        binance, okx, coinbase, kraken, bybit, gate, bitget, htx, mexc, cryptocom, bitstamp,
        bitfinex, bitmart, xt, coinex, bingx,
    );
    // Beyond the reference's exchanges.
    connector_tests!(
        binanceus, gemini, upbit, poloniex, whitebit, ascendex, backpack
    );
}

/// kucoin: the loopback checks, with the token handshake (`POST /api/v1/bullet-public`)
/// before each connect and the token in every websocket URL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kucoin_token_handshake_before_every_connect() {
    let exchange = LoopbackExchange::start("kucoin").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let host = host_for(&[&exchange], dir.path()).await;
    expect_fixture_trades(&host, &exchange).await;
    exchange.drop_connections();
    assert!(
        exchange
            .wait_until(PATIENCE, |e| e.connections() >= 2 && e.subscriptions() >= 2)
            .await,
        "kucoin: no reconnect + resubscribe; received {:?}",
        exchange.messages()
    );
    assert!(
        exchange
            .wait_until(PATIENCE, |e| e
                .messages()
                .iter()
                .any(|(_, m)| m.contains(r#""type":"ping""#)))
            .await,
        "kucoin: no keepalive ping; received {:?}",
        exchange.messages()
    );
    let posts = exchange
        .http_requests()
        .iter()
        .filter(|r| *r == "POST /api/v1/bullet-public")
        .count();
    let targets = exchange.websocket_targets();
    assert!(
        posts >= 2,
        "one token per connect: {:?}",
        exchange.http_requests()
    );
    assert!(
        targets.len() >= 2
            && targets
                .iter()
                .all(|t| t.starts_with("/endpoint?token=tok-loopback-1&connectId=")),
        "{targets:?}"
    );
}

/// One connector's startup ticker (value-provider.md §3.8) on its loopback server: the request
/// the fixture answers for its `symbol` and the last price the connector must read from it.
struct TickerCase {
    exchange: &'static str,
    symbol: &'static str,
    path: &'static str,
    query_contains: Option<&'static str>,
    body: &'static str,
    price: f64,
    /// The ticker's time; `None` when it has none and the plugin stamps it on arrival.
    timestamp_ms: Option<u64>,
}

/// Written from each exchange's documented ticker response.
const TICKER_CASES: &[TickerCase] = &[
    TickerCase {
        exchange: "binance",
        symbol: "BTC/USDT",
        path: "/api/v3/ticker/24hr",
        query_contains: Some("symbol=BTCUSDT"),
        body: r#"{"symbol":"BTCUSDT","lastPrice":"37005.50000000","closeTime":1700000000555}"#,
        price: 37005.5,
        timestamp_ms: Some(1_700_000_000_555),
    },
    TickerCase {
        exchange: "coinbase",
        symbol: "BTC/USD",
        path: "/api/v3/brokerage/market/products/BTC-USD/ticker",
        query_contains: Some("limit=1"),
        body: r#"{"trades":[{"trade_id":"592348216","product_id":"BTC-USD","price":"37005.5","size":"0.0012","time":"2023-11-14T22:13:20.555Z","side":"BUY","bid":"","ask":""}],"best_bid":"37005.49","best_ask":"37005.51"}"#,
        price: 37005.5,
        timestamp_ms: Some(1_700_000_000_555),
    },
    TickerCase {
        exchange: "kraken",
        symbol: "FLR/USD",
        path: "/0/public/Ticker",
        query_contains: Some("pair=FLRUSD"),
        body: r#"{"error":[],"result":{"FLRUSD":{"a":["0.023020","1000","1000.000"],"b":["0.023010","500","500.000"],"c":["0.023015","1200.0"],"v":["812345.1","1520473.2"],"o":"0.022900"}}}"#,
        price: 0.023015,
        timestamp_ms: None,
    },
    TickerCase {
        exchange: "bitfinex",
        symbol: "USDT/USD",
        path: "/v2/ticker/tUSTUSD",
        query_contains: None,
        body: "[1.0001,51234.1,1.0003,48211.7,0.0001,0.0001,1.0002,1520473.2,1.0011,0.9994]",
        price: 1.0002,
        timestamp_ms: None,
    },
    TickerCase {
        exchange: "gate",
        symbol: "FLR/USDT",
        path: "/api/v4/spot/tickers",
        query_contains: Some("currency_pair=FLR_USDT"),
        body: r#"[{"currency_pair":"FLR_USDT","last":"0.02301","lowest_ask":"0.02302","highest_bid":"0.023","change_percentage":"1.2","base_volume":"8000000","quote_volume":"184000","high_24h":"0.0235","low_24h":"0.0226"}]"#,
        price: 0.02301,
        timestamp_ms: None,
    },
];

/// The startup REST fallback of `exchange`'s connector: the loopback exchange sends no trade
/// at all and answers the ticker of one market; that market gets the ticker's last price,
/// without volume, and every market's ticker is asked for exactly once (the others get 404).
async fn check_ticker_fallback(exchange: &str) {
    let case = TICKER_CASES
        .iter()
        .find(|c| c.exchange == exchange)
        .unwrap();
    let mut fixture = ftso_testkit::Fixture::load(exchange).unwrap();
    fixture.frames.clear();
    fixture.http = vec![ftso_testkit::exchange::HttpRule {
        method: "GET".into(),
        path: case.path.into(),
        query_contains: case.query_contains.map(Into::into),
        body: case.body.into(),
    }];
    let markets = fixture.symbols.len();
    let loopback = LoopbackExchange::serve(fixture).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = host_config(&[&loopback], dir.path());
    config.plugins[0].settings.insert(
        "rest_url".into(),
        format!("http://{}", loopback.host()).into(),
    );
    let started_ms = now_ms();
    let host = start(config).await;
    let store = host.registry.prices().store();
    let source = SourceId::new(exchange, case.symbol);
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while store.last(&source).is_none() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{exchange}: no ticker price; logs {:?}, requests {:?}",
            host.registry.recent_logs(exchange),
            loopback.http_requests()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let last = store.last(&source).unwrap();
    assert_eq!((last.price, last.quantity), (case.price, 0.0), "{exchange}");
    match case.timestamp_ms {
        Some(timestamp_ms) => assert_eq!(last.timestamp_ms, timestamp_ms, "{exchange}"),
        None => assert!(
            (started_ms..=now_ms()).contains(&last.timestamp_ms),
            "{exchange}: a ticker without time is stamped on arrival, got {}",
            last.timestamp_ms
        ),
    }
    assert_eq!(
        store.volume(&source, 60, last.timestamp_ms + 10_000),
        Ok(None),
        "{exchange}: no volume"
    );
    assert!(
        loopback
            .wait_until(PATIENCE, |e| e.http_requests().len() >= markets)
            .await,
        "{exchange}: not every market's ticker asked for: {:?}",
        loopback.http_requests()
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let requests = loopback.http_requests();
    assert_eq!(
        requests.len(),
        markets,
        "{exchange}: once per market: {requests:?}"
    );
}

fn now_ms() -> u64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    u64::try_from(since_epoch.as_millis()).unwrap()
}

mod ticker_fallback {
    macro_rules! ticker_fallback_tests {
        ($($name:ident),* $(,)?) => {$(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::check_ticker_fallback(stringify!($name)).await;
            }
        )*};
    }

    ticker_fallback_tests!(binance, coinbase, kraken, bitfinex, gate);
}

/// bitrue: REST polling of the recent trades, the newest one in the store, polls repeated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bitrue_polls_recent_trades() {
    let exchange = LoopbackExchange::start("bitrue").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let host = host_for(&[&exchange], dir.path()).await;
    expect_fixture_trades(&host, &exchange).await;
    assert!(
        exchange
            .wait_until(PATIENCE, |e| e.http_requests().len() >= 3)
            .await,
        "bitrue: polling stopped after {:?}",
        exchange.http_requests()
    );
    assert!(
        exchange
            .http_requests()
            .iter()
            .all(|r| r == "GET /api/v1/trades?symbol=XDCUSDT"),
        "{:?}",
        exchange.http_requests()
    );
    // Repeated polls of the same trades count each trade once.
    let store = host.registry.prices().store();
    let xdc = store
        .status()
        .into_iter()
        .find(|s| s.source == "bitrue:XDC/USDT")
        .unwrap();
    assert_eq!(xdc.trades, 2, "{xdc:?}");
}

const ALL: [&str; 12] = [
    "binance",
    "okx",
    "coinbase",
    "kraken",
    "bybit",
    "gate",
    "bitget",
    "htx",
    "mexc",
    "cryptocom",
    "bitstamp",
    "bitfinex",
];

/// Every connector at once against its loopback exchange; the aggregated values through
/// `POST /feed-values`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_connectors_feed_the_rest_contract() {
    let mut exchanges = Vec::new();
    for name in ALL {
        exchanges.push(LoopbackExchange::start(name).await.unwrap());
    }
    let refs: Vec<&LoopbackExchange> = exchanges.iter().collect();
    let dir = tempfile::tempdir().unwrap();
    let mut config: FeedsConfig = base_config(dir.path());
    config.tick_interval = Duration::from_millis(100);
    config.call_timeout = Duration::from_secs(2);
    config.plugins = refs.iter().map(|e| connector_entry(e)).collect();
    config.prices.feed = feed_table(&refs);
    // A feed whose only exchange never trades it: no value, the key left out.
    config.prices.feed.push(FeedSources {
        category: 1,
        name: "DEAD/USD".into(),
        sources: vec![SourceId::new("kraken", "DEAD/USD")],
        max_age: None,
        max_deviation: None,
        volume_weighted: false,
    });
    let host = start(config).await;
    for exchange in &exchanges {
        expect_fixture_trades(&host, exchange).await;
    }
    let client = reqwest::Client::new();
    let (status, _, body) = post_json(
        &client,
        &host.url("/feed-values/7"),
        r#"{"feeds":[{"category":1,"name":"BTC/USD"},{"category":1,"name":"FLR/USD"},{"category":1,"name":"USDT/USD"},{"category":1,"name":"DEAD/USD"},{"category":1,"name":"NOPE/USD"}]}"#,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    let data = json["data"].as_array().unwrap();
    let value = |i: usize| data[i].get("value").and_then(serde_json::Value::as_f64);
    // The fixtures' trades are from November 2023: every weight underflows, and the
    // reference's rule (§3.7) takes the oldest price. USDT/USD: bitfinex 1.0001 (…300) is the
    // oldest of coinbase, kraken, bitfinex and bitstamp.
    assert_eq!(value(2), Some(1.0001), "{body}");
    // BTC/USD: coinbase's USD trade at …100 is the oldest of seven sources (no conversion).
    assert_eq!(value(0), Some(37010.5), "{body}");
    // FLR/USD: okx's USDT trade at …250 is the oldest, converted at the USDT/USD value.
    assert_eq!(value(1), Some(0.02302 * 1.0001), "{body}");
    assert!(
        data[3].get("value").is_none() && data[4].get("value").is_none(),
        "{body}"
    );
    assert_eq!(json["votingRoundId"], 7);

    // Health: every connector holds a connection and has published trades; each feed says
    // whether it has a value and from how many sources; DEAD/USD has none, so "degraded".
    let health: serde_json::Value = reqwest::get(host.url("/health"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "degraded", "{health}");
    for connector in health["connectors"].as_array().unwrap() {
        assert!(connector["up"].as_bool().unwrap(), "{connector}");
        assert!(connector["trades"].as_u64().unwrap() > 0, "{connector}");
        assert!(connector["last_trade_age_ms"].is_u64(), "{connector}");
    }
    let feed = |name: &str| {
        health["feeds"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .cloned()
            .unwrap()
    };
    let btc = feed("BTC/USD");
    assert_eq!(btc["value"].as_f64(), Some(37010.5), "{btc}");
    assert_eq!(btc["sources_live"], btc["sources"], "{btc}");
    let dead = feed("DEAD/USD");
    assert!(
        dead["value"].is_null() && dead["sources_live"] == 0,
        "{dead}"
    );
    let feeds_listed = health["feeds"].as_array().unwrap();
    let with_value = feeds_listed.iter().filter(|f| f["value"].is_f64()).count();
    assert_eq!(health["feeds_with_value"].as_u64(), Some(with_value as u64));
    assert_eq!(
        health["feeds_total"].as_u64(),
        Some(feeds_listed.len() as u64)
    );
    assert!(with_value < feeds_listed.len(), "{health}");
    // The admin API lists the same per plugin and per feed.
    let admin = format!("http://{}", host.admin.unwrap());
    let plugins: serde_json::Value = reqwest::get(format!("{admin}/admin/plugins"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(plugins.as_array().unwrap().len(), ALL.len());
    assert!(
        plugins
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["websockets_opened"].as_u64() >= Some(1)),
        "{plugins}"
    );
    let feeds: serde_json::Value = reqwest::get(format!("{admin}/admin/feeds"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        feeds.as_array().unwrap().len(),
        health["feeds"].as_array().unwrap().len()
    );
}

/// The shipped feed tables parse, validate, and hold the reference's 63 feeds with USDT/USD.
#[test]
fn shipped_feed_tables_hold_the_reference_feeds() {
    let root = ftso_testkit::workspace_root();
    for (file, feeds) in [("flare", 63), ("songbird", 63), ("test", 3)] {
        let path = root.join(format!("config/feeds/{file}.toml"));
        let config = FeedsConfig::from_file(&path).unwrap();
        assert_eq!(config.prices.feed.len(), feeds, "{file}");
        assert!(
            config.prices.feed.iter().any(|f| f.name == "USDT/USD"),
            "{file}"
        );
        for source in config.prices.sources() {
            assert!(
                config.plugins.iter().any(|p| p.name == source.exchange),
                "{file}: source {source} has no connector plugin"
            );
        }
    }
}
