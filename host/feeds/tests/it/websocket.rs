//! A websocket round trip through the host capability, against a real local server.

use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use tokio_tungstenite::tungstenite::Message;

use ftso_feeds::bindings::types::FeedId;

use crate::common::{base_config, plugin, start};

/// Accepts one connection; records what it receives and echoes each text message twice.
async fn echo_server() -> (
    std::net::SocketAddr,
    tokio::sync::mpsc::UnboundedReceiver<String>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut ws = tokio_tungstenite::accept_async(stream).await.unwrap();
                while let Some(Ok(message)) = ws.next().await {
                    if let Message::Text(text) = message {
                        let _ = tx.send(text.to_string());
                        for _ in 0..2 {
                            ws.send(Message::Text(format!("echo: {text}").into()))
                                .await
                                .unwrap();
                        }
                    }
                }
            });
        }
    });
    (addr, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_go_out_and_come_back_through_on_message() {
    let (addr, mut received) = echo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let misbehave = ftso_testkit::wasm_component("ftso-test-misbehave").unwrap();
    let mut settings = toml::Table::new();
    settings.insert("mode".into(), "echo-websocket".into());
    settings.insert("url".into(), format!("ws://{addr}/").into());
    let mut entry = plugin("echo", &misbehave, settings);
    entry.allowed_hosts = vec![addr.to_string()];
    let mut config = base_config(dir.path());
    config.plugins = vec![entry];
    let host = start(config).await;

    let sent = tokio::time::timeout(Duration::from_secs(10), received.recv())
        .await
        .expect("the plugin sent a message");
    assert!(sent.is_some_and(|s| !s.is_empty()));

    // The two echoes arrive through on-message; the plugin counts them in its value.
    let feeds = vec![FeedId {
        category: 1,
        name: "BTC/USD".into(),
    }];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let values = host
            .registry
            .plugin_values("echo", feeds.clone(), None)
            .await
            .unwrap();
        if values[0].as_ref().is_some_and(|o| o.value >= 2.0) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "echoes not delivered: {values:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let logs = host.registry.recent_logs("echo");
    assert!(logs.iter().any(|(_, m)| m.contains("echo: ")), "{logs:?}");
}
