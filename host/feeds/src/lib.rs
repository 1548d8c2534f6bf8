//! The feed value plugin host: WebAssembly components, each in its own sandbox, serving the
//! feed-values REST contract of the FTSOv2 example value provider.
//!
//! ```text
//!  config ──► registry ──► read file ──► verify signature ──► compile (cached) ──► instantiate + init
//!                │                                                                     │
//!                │  file watch / POST /admin/plugins/{name}/reload: same path, then an atomic swap
//!                ▼                                                                     ▼
//!  POST /feed-values/{round} ──► registry.values ──► each plugin's worker ──► values() in its sandbox
//!                                     │                (memory cap, deadline, no fs/net; http and
//!                                     ▼                 websocket only to allow-listed hosts)
//!                             aggregate (recency-weighted median) ──► JSON exactly as the reference
//! ```
//!
//! The arrows are the direction of data flow. A plugin that traps, runs past its budget or exceeds
//! its memory yields no values for that call; its instance is recreated with backoff while every
//! other plugin keeps serving.

pub mod aggregate;
pub mod bindings;
pub mod capability;
pub mod config;
pub mod engine;
pub mod error;
pub mod inspect;
pub mod prices;
pub mod registry;
pub mod rest;
pub mod sandbox;
pub mod signature;
pub mod source;
mod telemetry;
pub mod worker;

use std::net::SocketAddr;

use anyhow::Context as _;
use tokio_util::sync::CancellationToken;

pub use config::{FeedsConfig, PluginConfig};
pub use engine::PluginEngine;
pub use error::PluginError;
pub use registry::Registry;
pub use source::FeedValueSource;

/// Installs the ring crypto provider for rustls once (http and websocket capabilities).
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A started host: plugins loaded, listeners bound, not yet serving.
#[derive(Debug)]
pub struct FeedsHost {
    registry: Registry,
    listener: tokio::net::TcpListener,
    admin: Option<tokio::net::TcpListener>,
}

impl FeedsHost {
    /// Loads every plugin and binds the listeners.
    pub async fn start(config: FeedsConfig) -> anyhow::Result<Self> {
        config.validate()?;
        install_crypto_provider();
        let started = std::time::Instant::now();
        let cache_dir = config.cache.then(|| config.cache_dir.clone());
        let engine = tokio::task::spawn_blocking(move || PluginEngine::new(cache_dir.as_deref()))
            .await
            .context("engine setup panicked")??;
        let listen = config.listen;
        let admin_listen = config.admin_listen;
        let registry = Registry::start(config, engine).await?;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let admin = match admin_listen {
            Some(addr) => Some(
                tokio::net::TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("cannot listen on {addr} (admin)"))?,
            ),
            None => None,
        };
        tracing::info!(
            plugins = registry.config().plugins.len(),
            elapsed = ?started.elapsed(),
            "feed plugins ready"
        );
        Ok(Self {
            registry,
            listener,
            admin,
        })
    }

    /// The public address (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The admin address, if enabled.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// The plugins.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Serves until `cancel`.
    pub async fn serve(self, cancel: CancellationToken) -> anyhow::Result<()> {
        let Self {
            registry,
            listener,
            admin,
        } = self;
        tracing::info!(addr = %listener.local_addr()?, "feed value provider REST API listening");
        let watch = tokio::spawn(registry.clone().watch(cancel.clone()));
        let admin_task = admin.map(|admin| {
            let app = rest::admin_router(registry.clone());
            let cancel = cancel.clone();
            tokio::spawn(async move {
                if let Ok(addr) = admin.local_addr() {
                    tracing::info!(%addr, "feeds admin API listening");
                }
                axum::serve(admin, app)
                    .with_graceful_shutdown(cancel.cancelled_owned())
                    .await
            })
        });
        let app = rest::router(registry);
        let result = axum::serve(listener, app)
            .with_graceful_shutdown(cancel.clone().cancelled_owned())
            .await
            .context("feed values server failed");
        cancel.cancel();
        let watched = watch.await.context("the plugin file watcher panicked");
        if let Some(task) = admin_task {
            task.await
                .context("admin server panicked")?
                .context("admin server failed")?;
        }
        watched?;
        result
    }
}

/// Runs the feeds role: loads the plugins and serves the REST contract until `cancel`.
pub async fn run(config: FeedsConfig, cancel: CancellationToken) -> anyhow::Result<()> {
    FeedsHost::start(config).await?.serve(cancel).await
}
