//! Starting a host on port 0 and talking to it.

use std::{net::SocketAddr, path::Path, time::Duration};

use ftso_feeds::{FeedsConfig, FeedsHost, PluginConfig, Registry};
use tokio_util::sync::CancellationToken;

/// A running host; stops when dropped.
pub struct TestHost {
    pub addr: SocketAddr,
    #[allow(dead_code, reason = "used by the hot-swap tests")]
    pub admin: Option<SocketAddr>,
    #[allow(dead_code, reason = "used by the sandbox tests")]
    pub registry: Registry,
    cancel: CancellationToken,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl Drop for TestHost {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

impl TestHost {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops the server and reports how it ended.
    #[allow(dead_code, reason = "not every test module stops its host explicitly")]
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.cancel.cancel();
        match self.task.take() {
            Some(task) => task.await?,
            None => Ok(()),
        }
    }
}

/// A config listening on loopback port 0 with no cache and fast timeouts.
pub fn base_config(cache_dir: &Path) -> FeedsConfig {
    FeedsConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        admin_listen: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
        cache_dir: cache_dir.to_owned(),
        cache: false,
        allow_unsigned: true,
        call_timeout: Duration::from_millis(300),
        watch_interval: Duration::ZERO,
        restart_backoff: Duration::from_millis(20),
        restart_backoff_max: Duration::from_millis(200),
        ..FeedsConfig::default()
    }
}

/// A plugin entry serving every feed.
#[allow(dead_code, reason = "used once components are available")]
pub fn plugin(name: &str, component: &Path, settings: toml::Table) -> PluginConfig {
    PluginConfig {
        settings,
        ..PluginConfig::new(name, component)
    }
}

/// Starts a host and serves it in the background.
pub async fn start(config: FeedsConfig) -> TestHost {
    let host = FeedsHost::start(config).await.expect("host starts");
    let addr = host.local_addr().unwrap();
    let admin = host.admin_addr();
    let registry = host.registry().clone();
    let cancel = CancellationToken::new();
    let task = tokio::spawn(host.serve(cancel.clone()));
    TestHost {
        addr,
        admin,
        registry,
        cancel,
        task: Some(task),
    }
}

/// A POST with a JSON body; returns (status, content type, body).
pub async fn post_json(client: &reqwest::Client, url: &str, body: &str) -> (u16, String, String) {
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("request");
    split(response).await
}

pub async fn split(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, content_type, response.text().await.expect("body"))
}
