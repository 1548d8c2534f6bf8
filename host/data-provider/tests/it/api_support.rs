//! Running the real role and its HTTP API on loopback over a database holding the §12.7
//! scenario's indexer rows, with our values from the real `fixed` feed plugin.

use std::{net::SocketAddr, sync::Arc};

use ftso_data_provider::{
    DataProviderConfig, DataProviderHost, DataProviderRole,
    chain::{ChainReader, ContractAddresses, ProtocolParams},
    config::ApiKeys,
};
use ftso_feeds::{FeedValueSource, FeedsConfig, FeedsHost, PluginConfig, Registry};
use ftso_storage::{
    Storage,
    testing::{TestBackend, TestDb},
};
use tokio_util::sync::CancellationToken;

use crate::{rows, scenario};

/// The key the tests send.
pub const KEY: &str = "test-key";
/// The value the fixed plugin answers for every feed.
pub const FIXED_VALUE: f64 = 1.25;

/// A fresh database of `backend` with the scenario's rows (`None`: PostgreSQL not configured).
pub async fn scenario_db(backend: TestBackend) -> Option<TestDb> {
    let db = backend.fresh().await?;
    let rows = scenario::rows(&scenario::Options::default());
    rows::insert(&db.storage, "states", &rows::states(0, scenario::top())).await;
    rows::insert(&db.storage, "transactions", &rows.transactions).await;
    rows::insert(&db.storage, "logs", &rows.logs).await;
    Some(db)
}

/// The chain as the role reads it: the scenario's `local-test` contracts and epochs.
pub fn reader(storage: Storage) -> Arc<ChainReader> {
    let contracts = ContractAddresses::for_network("local-test").expect("local-test contracts");
    Arc::new(ChainReader::new(
        storage,
        contracts,
        ProtocolParams::new(scenario::LOCAL_TEST),
    ))
}

/// The feeds host config serving the `fixed` plugin (answering [`FIXED_VALUE`]) on loopback.
pub fn fixed_feeds_config(cache_dir: &std::path::Path) -> FeedsConfig {
    let component = ftso_testkit::wasm_component("ftso-plugin-fixed").expect("fixed plugin builds");
    let mut settings = toml::Table::new();
    settings.insert("value".to_owned(), toml::Value::Float(FIXED_VALUE));
    FeedsConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        admin_listen: None,
        cache: false,
        cache_dir: cache_dir.to_owned(),
        allow_unsigned: true,
        plugins: vec![PluginConfig {
            settings,
            ..PluginConfig::new("fixed", &component)
        }],
        ..FeedsConfig::default()
    }
}

/// The in-process plugin registry with the `fixed` plugin loaded.
pub async fn fixed_registry(cache_dir: &std::path::Path) -> Registry {
    FeedsHost::start(fixed_feeds_config(cache_dir))
        .await
        .expect("feeds host starts")
        .registry()
        .clone()
}

/// A running role with its API on a loopback port; stops when dropped.
pub struct TestApi {
    pub addr: SocketAddr,
    pub role: Arc<DataProviderRole>,
    pub client: reqwest::Client,
    cancel: CancellationToken,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl Drop for TestApi {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

impl TestApi {
    /// Starts the role over `storage` with `config` (its `listen` is replaced by port 0).
    pub async fn start(
        config: DataProviderConfig,
        keys: &str,
        storage: Storage,
        values: Arc<dyn FeedValueSource>,
    ) -> Self {
        let config = DataProviderConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..config
        };
        let host =
            DataProviderHost::start(&config, ApiKeys::parse(Some(keys)), reader(storage), values)
                .await
                .expect("role starts");
        let addr = host.local_addr().expect("bound");
        let role = host.role();
        let cancel = CancellationToken::new();
        let task = tokio::spawn(host.serve(cancel.clone()));
        Self {
            addr,
            role,
            client: reqwest::Client::new(),
            cancel,
            task: Some(task),
        }
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        self.cancel.cancel();
        if let Some(task) = self.task.take() {
            task.await.expect("serve task").expect("serve ends cleanly");
        }
    }

    /// GET `path` with the test key; (status, body).
    pub async fn get(&self, path: &str) -> (u16, String) {
        self.get_with(path, Some(KEY)).await
    }

    /// GET `path` with `key` (or none); (status, body).
    pub async fn get_with(&self, path: &str, key: Option<&str>) -> (u16, String) {
        let mut request = self.client.get(format!("http://{}{path}", self.addr));
        if let Some(key) = key {
            request = request.header("X-API-KEY", key);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    /// GET `path` and parse the JSON body, asserting HTTP 200.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let (status, body) = self.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
    }
}

/// The `data` hex of a PDP answer as bytes.
pub fn data_bytes(answer: &serde_json::Value) -> Vec<u8> {
    assert_eq!(answer["status"], "OK", "{answer}");
    let data = answer["data"].as_str().expect("data is a string");
    let digits = data.strip_prefix("0x").expect("0x-prefixed");
    assert_eq!(digits, digits.to_ascii_lowercase(), "lowercase hex");
    alloy_primitives::hex::decode(digits).expect("hex")
}
