//! The cost of one plugin `values` call (60 feeds, the fixed plugin), through the worker queue
//! and directly through the registry's aggregation.
//!
//! Run: `cargo bench -p ftso-feeds --bench values`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmark setup fails loudly"
)]

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use ftso_feeds::{FeedsConfig, PluginConfig, PluginEngine, Registry, bindings::types::FeedId};

fn feeds() -> Vec<FeedId> {
    (0..60)
        .map(|i| FeedId {
            category: 1,
            name: format!("F{i}/USD"),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let component = ftso_testkit::wasm_component("ftso-plugin-fixed").unwrap();
    let config = FeedsConfig {
        allow_unsigned: true,
        cache: false,
        watch_interval: Duration::ZERO,
        plugins: vec![PluginConfig::new("fixed", component)],
        ..FeedsConfig::default()
    };
    let registry = runtime.block_on(async {
        let engine = PluginEngine::new(None).unwrap();
        Registry::start(config, engine).await.unwrap()
    });
    let list = feeds();
    let keyed: Vec<Option<FeedId>> = list.iter().cloned().map(Some).collect();

    c.bench_function("plugin values call, 60 feeds (fixed)", |b| {
        b.iter(|| {
            runtime
                .block_on(registry.plugin_values("fixed", list.clone(), Some(1)))
                .unwrap()
        })
    });
    c.bench_function("registry values + aggregation, 60 feeds (fixed)", |b| {
        b.iter(|| runtime.block_on(registry.values(&keyed, Some(1))))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
