//! The FTSO data provider role.
//!
//! ```text
//! indexer DB ──► chain: range assurance, reward-epoch lifecycle, Submission calldata ──► round: reveals,
//!                benching, medians, random, result tree, message ──► stored once per round
//! feed values (plugin registry or feed-values URL) ──► commit / reveal (persisted before answering)
//! reference HTTP API (submit1, submit2, submitSignatures, submit3, data, ...) ◄── system client
//! ```
//!
//! It reads the chain only through the indexer database, as the reference does.
//!
//! * [`chain`]: the indexer database as the reference reads it (coverage, reward epochs, submissions);
//! * [`round`]: every round's results, computed once and stored;
//! * [`commit`] and [`commit_store`]: our own commit and reveal, durable across restarts;
//! * [`role`]: the role in process, behind the [`provider::DataProvider`] interface the system
//!   client calls; [`http_client`]: the same interface over a remote data provider's HTTP API;
//! * [`api`]: the reference HTTP API (port 3100) and its OpenAPI document;
//! * [`config`]: the `[data_provider]` section; [`run`] starts everything.

pub mod api;
pub mod chain;
pub mod commit;
pub mod commit_store;
pub mod config;
pub mod http_client;
pub mod provider;
pub mod role;
pub mod round;
mod telemetry;

use std::sync::Arc;

use anyhow::Context as _;
use ftso_feeds::FeedValueSource;
use tokio_util::sync::CancellationToken;

pub use config::DataProviderConfig;
pub use http_client::HttpDataProvider;
pub use provider::{DataProvider, ProviderAnswer, ProviderError, ProviderStatus};
pub use role::DataProviderRole;

/// A started role: the listener bound, ready to serve.
#[derive(Debug)]
pub struct DataProviderHost {
    role: Arc<DataProviderRole>,
    results: round::RoundResults,
    listener: tokio::net::TcpListener,
    state: api::ApiState,
}

impl DataProviderHost {
    /// Builds the role over `reader` (the indexer database and the network's parameters) with
    /// our values from `values`, and binds the API listener, which accepts `keys`.
    pub async fn start(
        config: &DataProviderConfig,
        keys: config::ApiKeys,
        reader: Arc<chain::ChainReader>,
        values: Arc<dyn FeedValueSource>,
    ) -> anyhow::Result<Self> {
        config.validate()?;
        let epochs = reader.params().epochs;
        let store = commit_store::RevealStore::new(reader.storage().clone());
        let committer = commit::Committer::new(store, reader.clone(), values);
        let results = round::RoundResults::new(reader);
        let role = Arc::new(DataProviderRole::new(committer, results.clone()));
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {} (data provider API)", config.listen))?;
        let state = api::ApiState {
            role: role.clone(),
            keys,
            epochs,
            base_path: config.normalised_base_path().to_owned(),
        };
        Ok(Self {
            role,
            results,
            listener,
            state,
        })
    }

    /// The API's address (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// The role, for in-process callers (the system client).
    pub fn role(&self) -> Arc<DataProviderRole> {
        self.role.clone()
    }

    /// Serves the API and computes each round's results as it closes, until `cancel`.
    ///
    /// On `cancel`, new commits are refused first (as the reference does during shutdown).
    pub async fn serve(self, cancel: CancellationToken) -> anyhow::Result<()> {
        let Self {
            role,
            results,
            listener,
            state,
        } = self;
        let rounds = tokio::spawn({
            let cancel = cancel.clone();
            async move { results.run(cancel).await }
        });
        let refuse_commits = tokio::spawn({
            let cancel = cancel.clone();
            async move {
                cancel.cancelled().await;
                role.begin_shutdown();
            }
        });
        let served = api::serve(listener, state, cancel.clone()).await;
        cancel.cancel();
        rounds.await.context("round results task panicked")?;
        refuse_commits.await.context("shutdown task panicked")?;
        served
    }
}

/// Runs the role until `cancel`, with the API keys of the environment variable the config
/// names: see [`DataProviderHost`].
pub async fn run(
    config: &DataProviderConfig,
    reader: Arc<chain::ChainReader>,
    values: Arc<dyn FeedValueSource>,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    DataProviderHost::start(config, config.api_keys(), reader, values)
        .await?
        .serve(cancel)
        .await
}
