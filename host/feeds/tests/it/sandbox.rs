//! The adversarial component in each mode: the host survives, the call yields no value, the
//! fixed plugin keeps serving, and the failure is classified (trap vs interrupt vs memory). Each
//! limit has an obeyed and a violated test.

use std::time::Duration;

use ftso_feeds::{FeedsConfig, PluginError, bindings::types::FeedId};

use crate::common::{base_config, plugin, post_json, start};

const FEEDS: &str =
    r#"{"feeds":[{"category":1,"name":"BTC/USD"},{"category":1,"name":"ETH/USD"}]}"#;

fn btc() -> Vec<FeedId> {
    vec![FeedId {
        category: 1,
        name: "BTC/USD".into(),
    }]
}

fn settings(mode: &str) -> toml::Table {
    let mut table = toml::Table::new();
    table.insert("mode".into(), mode.into());
    table
}

/// A host with `fixed` and `misbehave` (in `mode`) both serving every feed.
fn config(dir: &std::path::Path, mode: &str) -> FeedsConfig {
    let fixed = ftso_testkit::wasm_component("ftso-plugin-fixed").unwrap();
    let misbehave = ftso_testkit::wasm_component("ftso-test-misbehave").unwrap();
    let mut config = base_config(dir);
    config.memory_limit_mib = 32;
    config.plugins = vec![
        plugin("fixed", &fixed, toml::Table::new()),
        plugin("misbehave", &misbehave, settings(mode)),
    ];
    config
}

/// The REST answer still carries the fixed plugin's value for both feeds.
async fn fixed_keeps_serving(host: &crate::common::TestHost) {
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let (status, _, text) = post_json(&client, &host.url("/feed-values/1"), FEEDS).await;
        assert_eq!(status, 201);
        assert_eq!(
            text,
            r#"{"votingRoundId":1,"data":[{"feed":{"category":1,"name":"BTC/USD"},"value":0.01},{"feed":{"category":1,"name":"ETH/USD"},"value":0.01}]}"#
        );
    }
}

async fn misbehave_error(host: &crate::common::TestHost) -> PluginError {
    host.registry
        .plugin_values("misbehave", btc(), Some(1))
        .await
        .expect_err("misbehave must fail")
}

/// After the instance is recreated (backoff 20-200 ms) it fails the same way again: the host
/// keeps recreating it and keeps serving.
async fn recreated_and_fails_again(host: &crate::common::TestHost, kind: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        match host
            .registry
            .plugin_values("misbehave", btc(), Some(1))
            .await
        {
            Err(PluginError::Unavailable { .. }) => {}
            Err(error) => {
                assert_eq!(error.kind(), kind, "{error}");
                break;
            }
            Ok(values) => panic!("misbehave answered {values:?}"),
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the instance was never recreated"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = host.registry.status();
    let misbehave = status.iter().find(|s| s.name == "misbehave").unwrap();
    assert!(misbehave.failures >= 2, "{misbehave:?}");
    assert!(misbehave.restarts >= 1, "{misbehave:?}");
    assert_eq!(misbehave.last_failure_kind, Some(kind));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trap_is_isolated_and_classified_as_a_trap() {
    let dir = tempfile::tempdir().unwrap();
    let host = start(config(dir.path(), "trap")).await;
    let error = misbehave_error(&host).await;
    assert!(error.is_trap(), "{error}");
    assert!(!error.is_timeout() && !error.is_memory_exceeded());
    fixed_keeps_serving(&host).await;
    recreated_and_fails_again(&host, "trap").await;
    fixed_keeps_serving(&host).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_loop_is_interrupted_at_the_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let host = start(config(dir.path(), "loop")).await;
    let started = std::time::Instant::now();
    let error = misbehave_error(&host).await;
    let elapsed = started.elapsed();
    assert!(error.is_timeout(), "{error}");
    assert!(!error.is_trap());
    // Budget 300 ms: interrupted after it, and not much later.
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
    fixed_keeps_serving(&host).await;
    recreated_and_fails_again(&host, "timeout").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_within_its_deadline_is_not_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let fixed = ftso_testkit::wasm_component("ftso-plugin-fixed").unwrap();
    let mut config = base_config(dir.path());
    let mut entry = plugin("fixed", &fixed, toml::Table::new());
    entry.call_timeout = Some(Duration::from_millis(100));
    config.plugins = vec![entry];
    let host = start(config).await;
    for _ in 0..50 {
        let values = host
            .registry
            .plugin_values("fixed", btc(), Some(1))
            .await
            .unwrap();
        assert_eq!(values.len(), 1);
        assert_eq!(values[0].as_ref().unwrap().value, 0.01);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbounded_allocation_hits_the_memory_cap() {
    let dir = tempfile::tempdir().unwrap();
    let host = start(config(dir.path(), "alloc")).await;
    let error = misbehave_error(&host).await;
    assert!(error.is_memory_exceeded(), "{error}");
    assert!(!error.is_timeout());
    fixed_keeps_serving(&host).await;
    recreated_and_fails_again(&host, "memory").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_within_its_memory_cap_serves() {
    let dir = tempfile::tempdir().unwrap();
    let fixed = ftso_testkit::wasm_component("ftso-plugin-fixed").unwrap();
    let mut config = base_config(dir.path());
    let mut entry = plugin("fixed", &fixed, toml::Table::new());
    entry.memory_limit_mib = Some(4);
    config.plugins = vec![entry];
    let host = start(config).await;
    let feeds: Vec<FeedId> = (0..500)
        .map(|i| FeedId {
            category: 1,
            name: format!("F{i}/USD"),
        })
        .collect();
    let values = host
        .registry
        .plugin_values("fixed", feeds, None)
        .await
        .unwrap();
    assert_eq!(values.len(), 500);
    assert!(
        values
            .iter()
            .all(|v| v.as_ref().is_some_and(|o| o.value == 0.01))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forbidden_host_is_refused_with_access_denied() {
    let dir = tempfile::tempdir().unwrap();
    let host = start(config(dir.path(), "forbidden-host")).await;
    let values = host
        .registry
        .plugin_values("misbehave", btc(), Some(1))
        .await
        .unwrap();
    assert!(
        values.len() == 1 && values[0].is_none(),
        "no values after a refused request"
    );
    let logs = host.registry.recent_logs("misbehave");
    let text = logs
        .iter()
        .map(|(_, m)| m.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        text.matches("access").count() >= 2 && text.contains("denied"),
        "both http and websocket must report access-denied: {logs:?}"
    );
    fixed_keeps_serving(&host).await;
    let status = host.registry.status();
    assert!(status.iter().all(|s| s.up && s.failures == 0), "{status:?}");
}

/// A one-request-at-a-time HTTP server answering every GET with `body_len` bytes; sends each
/// request line it sees.
async fn http_server(
    body_len: usize,
) -> (
    std::net::SocketAddr,
    tokio::sync::mpsc::UnboundedReceiver<String>,
) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buf = vec![0u8; 4096];
            let n = stream.read(&mut buf).await.unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n])
                .lines()
                .next()
                .unwrap_or("")
                .to_owned();
            let _ = tx.send(request);
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {body_len}\r\nconnection: close\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&vec![b'x'; body_len]).await;
        }
    });
    (addr, rx)
}

async fn reach_for(url: &str, allowed: &str, max_body: usize) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let misbehave = ftso_testkit::wasm_component("ftso-test-misbehave").unwrap();
    let mut settings = settings("forbidden-host");
    settings.insert("url".into(), url.into());
    let mut entry = plugin("misbehave", &misbehave, settings);
    entry.allowed_hosts = vec![allowed.to_owned()];
    let mut config = base_config(dir.path());
    config.http_max_body_bytes = max_body;
    config.call_timeout = Duration::from_secs(3);
    config.plugins = vec![entry];
    let host = start(config).await;
    host.registry
        .plugin_values("misbehave", btc(), None)
        .await
        .unwrap();
    host.registry
        .recent_logs("misbehave")
        .into_iter()
        .map(|(_, m)| m)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allowed_host_is_reached_over_http() {
    let (addr, mut requests) = http_server(100).await;
    let logs = reach_for(&format!("http://{addr}/prices"), &addr.to_string(), 1000).await;
    let request = tokio::time::timeout(Duration::from_secs(10), requests.recv())
        .await
        .expect("the GET reached the server");
    assert_eq!(request.unwrap(), "GET /prices HTTP/1.1");
    assert!(
        logs.iter().any(|m| m.contains("unexpectedly answered 200")),
        "{logs:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_over_the_body_cap_is_too_large() {
    let (addr, _requests) = http_server(5000).await;
    let logs = reach_for(&format!("http://{addr}/prices"), &addr.to_string(), 1000).await;
    assert!(
        logs.iter()
            .any(|m| m.starts_with("http get") && m.contains("too-large")),
        "{logs:?}"
    );
}
