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

/// The plugin entry for a connector talking to `exchange`, with a 1 s keepalive.
fn connector_entry(exchange: &LoopbackExchange) -> PluginConfig {
    let name = exchange.fixture().exchange.clone();
    let component = ftso_testkit::wasm_component(&format!("ftso-plugin-{name}")).unwrap();
    let mut settings = toml::Table::new();
    settings.insert("url".into(), exchange.url().into());
    settings.insert("keepalive_ms".into(), 1_000.into());
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
            let name = if base == "USDT" { "USDT/USD".to_owned() } else { format!("{base}/USD") };
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

async fn host_for(exchanges: &[&LoopbackExchange], dir: &std::path::Path) -> TestHost {
    let mut config: FeedsConfig = base_config(dir);
    config.tick_interval = Duration::from_millis(100);
    config.call_timeout = Duration::from_secs(2);
    config.plugins = exchanges.iter().map(|e| connector_entry(e)).collect();
    config.prices.feed = feed_table(exchanges);
    if !config.prices.feed.iter().any(|f| f.name == "USDT/USD") {
        // Conversion for USDT-quoted test symbols: one made-up USD market nobody trades.
        config.prices.feed.push(FeedSources {
            category: 1,
            name: "USDT/USD".into(),
            sources: vec![SourceId::new("none", "USDT/USD")],
            max_age: None,
            max_deviation: None,
            volume_weighted: false,
        });
    }
    start(config).await
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
        exchange.wait_until(PATIENCE, |e| e.subscriptions() >= 1).await,
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
                .wait_until(PATIENCE, |e| e
                    .messages()
                    .iter()
                    .any(|(_, m)| m.contains(&rule.contains) && !fixture.is_subscription(m)))
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
    assert!(resubscribed, "{exchange_name}: resubscription not on the new connection");
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
    connector_tests!(binance, okx, coinbase, kraken, bybit, htx, bitfinex);
}

/// Several connectors at once; their aggregated values through `POST /feed-values`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_connectors_feed_the_rest_contract() {
    let names = ["binance", "okx"];
    let mut exchanges = Vec::new();
    for name in names {
        exchanges.push(LoopbackExchange::start(name).await.unwrap());
    }
    let refs: Vec<&LoopbackExchange> = exchanges.iter().collect();
    let dir = tempfile::tempdir().unwrap();
    let host = host_for(&refs, dir.path()).await;
    for exchange in &exchanges {
        expect_fixture_trades(&host, exchange).await;
    }
    // USDT/USD has no trade here, so USDT-quoted feeds have no value: the key is left out.
    let client = reqwest::Client::new();
    let (status, _, body) = post_json(
        &client,
        &host.url("/feed-values/7"),
        r#"{"feeds":[{"category":1,"name":"BTC/USD"},{"category":1,"name":"NOPE/USD"}]}"#,
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(
        body,
        r#"{"votingRoundId":7,"data":[{"feed":{"category":1,"name":"BTC/USD"}},{"feed":{"category":1,"name":"NOPE/USD"}}]}"#
    );
    // With a USDT/USD price, BTC/USD is the weighted median of binance and okx × the rate.
    host.registry
        .prices()
        .store()
        .record("none", "USDT/USD", 1.0, 1.0, 1_700_000_000_000);
    let (status, _, body) = post_json(
        &client,
        &host.url("/feed-values"),
        r#"{"feeds":[{"category":1,"name":"BTC/USD"},{"category":1,"name":"FLR/USD"}]}"#,
    )
    .await;
    assert_eq!(status, 201);
    // Both BTC trades are from 2023: every weight underflows and the reference's rule picks
    // the oldest price (okx 37000.1 at ...123, before binance's at ...399), × USDT/USD 1.0.
    assert_eq!(
        body,
        r#"{"data":[{"feed":{"category":1,"name":"BTC/USD"},"value":37000.1},{"feed":{"category":1,"name":"FLR/USD"},"value":0.02302}]}"#
    );
}
