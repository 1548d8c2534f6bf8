//! Load generator: requests/s and latency of `POST /feed-values/{round}` for 60 feeds served by
//! the fixed plugin, with concurrent keep-alive clients on loopback. Prints the figures.
//!
//! Run: `cargo bench -p ftso-feeds --bench rest_load` (env `CLIENTS`, `SECONDS` to tune).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmark setup fails loudly"
)]

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use ftso_feeds::{FeedsConfig, FeedsHost, PluginConfig};
use tokio_util::sync::CancellationToken;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing: run briefly then.
    let quick = !std::env::args().any(|a| a == "--bench");
    let clients = env_or("CLIENTS", 32) as usize;
    let seconds = if quick { 1 } else { env_or("SECONDS", 10) };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(clients, Duration::from_secs(seconds)));
}

async fn run(clients: usize, duration: Duration) {
    let component = ftso_testkit::wasm_component("ftso-plugin-fixed").unwrap();
    let cache = tempfile::tempdir().unwrap();
    let config = FeedsConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        admin_listen: None,
        cache_dir: cache.path().to_owned(),
        allow_unsigned: true,
        watch_interval: Duration::ZERO,
        plugins: vec![PluginConfig::new("fixed", component)],
        ..FeedsConfig::default()
    };
    // Restart time: a cold start compiles the component, a warm one loads it from the cache.
    let t = Instant::now();
    let cold = FeedsHost::start(config.clone()).await.unwrap();
    let cold_time = t.elapsed();
    drop(cold);
    let t = Instant::now();
    let host = FeedsHost::start(config).await.unwrap();
    let warm_time = t.elapsed();
    println!(
        "start until serving: cold (compile) {cold_time:?}, warm (compilation cache) {warm_time:?}"
    );
    let url = format!("http://{}/feed-values/1234", host.local_addr().unwrap());
    let cancel = CancellationToken::new();
    let server = tokio::spawn(host.serve(cancel.clone()));

    let feeds: Vec<String> = (0..60)
        .map(|i| format!(r#"{{"category":1,"name":"F{i}/USD"}}"#))
        .collect();
    let body = format!(r#"{{"feeds":[{}]}}"#, feeds.join(","));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();

    // Warm up.
    for _ in 0..100 {
        let r = client
            .post(&url)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
        r.bytes().await.unwrap();
    }

    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let client = client.clone();
            let url = url.clone();
            let body = body.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut failures = 0u64;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let ok = match client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                    {
                        Ok(r) => {
                            r.status().as_u16() == 201
                                && r.bytes().await.is_ok_and(|b| b.len() > 100)
                        }
                        Err(_) => false,
                    };
                    if ok {
                        latencies.push(t.elapsed());
                    } else {
                        failures += 1;
                    }
                }
                (latencies, failures)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut failures = 0;
    for task in tasks {
        let (l, f) = task.await.unwrap();
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or_default()
    };
    println!(
        "POST /feed-values/{{round}}, 60 feeds, fixed plugin, {clients} clients, {:.1} s: {} requests, {:.0} req/s, \
         {failures} failed; latency p50 {:?} p90 {:?} p99 {:?} max {:?}",
        elapsed.as_secs_f64(),
        latencies.len(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(0.5),
        pct(0.9),
        pct(0.99),
        latencies.last().copied().unwrap_or_default(),
    );
    cancel.cancel();
    server.await.unwrap().unwrap();
}
