//! Figures for the connector path (prints them; no assertions):
//! - trades ingested per second through one connector plugin (binance): frames from a loopback
//!   exchange → host websocket → plugin parse → `trades.publish` → price store;
//! - the cost of one aggregation of the 63 feeds of `config/feeds/flare.toml`, every source
//!   with a fresh trade.
//!
//! Run: `cargo bench -p ftso-feeds --bench connectors`. `BENCH_TRADES` sets the number of
//! trades replayed (default 20000), `BENCH_ROUNDS` the aggregation rounds (default 2000).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmark setup fails loudly"
)]

use std::time::{Duration, Instant};

use ftso_feeds::{
    FeedsConfig, PluginConfig, PluginEngine, Registry,
    capability::clock::now_ms,
    config::FeedSelection,
    prices::{FeedSources, Prices, SourceId},
};
use ftso_testkit::{Fixture, LoopbackExchange};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn aggregation(rounds: usize) {
    let root = ftso_testkit::workspace_root();
    let config = FeedsConfig::from_file(&root.join("config/feeds/flare.toml")).unwrap();
    let prices = Prices::new(config.prices.clone());
    let now = now_ms();
    for (i, source) in config.prices.sources().iter().enumerate() {
        let price = if source.symbol.starts_with("USD") {
            1.0
        } else {
            100.0 + i as f64
        };
        prices.store().record(
            &source.exchange,
            &source.symbol,
            price,
            1.0,
            now - i as u64 * 10,
        );
    }
    let feeds: Vec<&FeedSources> = config.prices.feed.iter().collect();
    let started = Instant::now();
    let mut served = 0usize;
    for _ in 0..rounds {
        for feed in &feeds {
            served += usize::from(prices.value(feed.category, &feed.name, now).is_some());
        }
    }
    let per_round = started.elapsed() / u32::try_from(rounds).unwrap();
    println!(
        "aggregation of {} feeds ({} sources): {per_round:?} per round ({} values per round)",
        feeds.len(),
        config.prices.sources().len(),
        served / rounds
    );
}

async fn ingestion(trades: usize) {
    let symbols = ["BTC/USDT", "ETH/USDT"];
    let frames: Vec<String> = (0..trades)
        .map(|i| {
            let market = if i % 2 == 0 { "BTCUSDT" } else { "ETHUSDT" };
            format!(
                r#"{{"e":"trade","E":{t},"s":"{market}","t":{i},"p":"{p}.5","q":"0.01","T":{t},"m":true,"M":true}}"#,
                t = 1_700_000_000_000u64 + i as u64,
                p = 30_000 + i % 100
            )
        })
        .collect();
    let fixture = Fixture {
        exchange: "binance".into(),
        documented_at: String::new(),
        path: "/ws".into(),
        settings_url: None,
        http: Vec::new(),
        connector: None,
        compression: Default::default(),
        symbols: symbols.iter().map(|s| (*s).to_owned()).collect(),
        subscribe_contains: vec!["SUBSCRIBE".into()],
        ack: None,
        ping: Vec::new(),
        server_ping: None,
        expect_pong: None,
        frames,
        binary_frames: Vec::new(),
        trades: Vec::new(),
    };
    let exchange = LoopbackExchange::serve(fixture).await.unwrap();
    let component = ftso_testkit::wasm_component("ftso-plugin-binance").unwrap();
    let mut settings = toml::Table::new();
    settings.insert("url".into(), exchange.url().into());
    let mut config = FeedsConfig {
        allow_unsigned: true,
        cache: false,
        watch_interval: Duration::ZERO,
        tick_interval: Duration::from_millis(50),
        plugins: vec![PluginConfig {
            feeds: FeedSelection::Only(Vec::new()),
            allowed_hosts: vec![exchange.host()],
            settings,
            ..PluginConfig::new("binance", component)
        }],
        ..FeedsConfig::default()
    };
    config.prices.feed = vec![FeedSources {
        category: 1,
        name: "USDT/USD".into(),
        sources: symbols
            .iter()
            .map(|s| SourceId::new("binance", *s))
            .collect(),
        max_age: None,
        max_deviation: None,
        volume_weighted: false,
    }];
    let registry = Registry::start(config, PluginEngine::new(None).unwrap())
        .await
        .unwrap();
    let counted =
        |r: &Registry| -> u64 { r.prices().store().status().iter().map(|s| s.trades).sum() };
    let deadline = Instant::now() + Duration::from_secs(120);
    while counted(&registry) == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let started = Instant::now();
    let first = counted(&registry);
    while counted(&registry) < trades as u64 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed();
    let taken = counted(&registry) - first;
    println!(
        "ingestion through one connector plugin (binance): {taken} trades in {elapsed:?} = {:.0} trades/s",
        taken as f64 / elapsed.as_secs_f64()
    );
}

fn main() {
    aggregation(env_number("BENCH_ROUNDS", 2_000));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(ingestion(env_number("BENCH_TRADES", 20_000)));
}
