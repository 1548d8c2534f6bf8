//! The admin listener and its router.

use std::time::Duration;

use anyhow::Context as _;
use axum::{
    Router,
    extract::State,
    http::header,
    response::{IntoResponse, Response},
    routing::get,
};
use metrics_exporter_prometheus::PrometheusHandle;
use tokio_util::sync::CancellationToken;

use super::AdminConfig;

/// How often histograms are drained into the rendered summary state (the exporter's upkeep).
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// The Prometheus text exposition format.
const PROMETHEUS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A bound admin server: `/metrics`, `/health` and every merged router; not yet serving.
#[derive(Debug)]
pub struct AdminServer {
    listener: tokio::net::TcpListener,
    router: Router,
    metrics: PrometheusHandle,
}

impl AdminServer {
    /// Binds `config.listen` (so a taken port fails the start, before any role runs); `None` when disabled.
    pub async fn bind(
        config: &AdminConfig,
        metrics: PrometheusHandle,
    ) -> anyhow::Result<Option<Self>> {
        if !config.enabled {
            return Ok(None);
        }
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {} (admin.listen)", config.listen))?;
        let router = Router::new()
            .route("/metrics", get(render_metrics))
            .route("/health", get(health))
            .with_state(metrics.clone());
        Ok(Some(Self {
            listener,
            router,
            metrics,
        }))
    }

    /// Adds a part's routes (the feed plugins' admin API, the status page). Paths must not overlap.
    pub fn merge(&mut self, routes: Router) {
        self.router = std::mem::take(&mut self.router).merge(routes);
    }

    /// Serves until `cancel`.
    pub async fn serve(self, cancel: CancellationToken) -> anyhow::Result<()> {
        let Self {
            listener,
            router,
            metrics,
        } = self;
        tracing::info!(addr = %listener.local_addr()?, "admin API listening (/metrics)");
        let upkeep = tokio::spawn(run_upkeep(metrics, cancel.clone()));
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(cancel.clone().cancelled_owned())
            .await
            .context("admin server failed");
        cancel.cancel();
        upkeep.await.context("the metrics upkeep task panicked")?;
        served
    }
}

async fn render_metrics(State(metrics): State<PrometheusHandle>) -> Response {
    (
        [(header::CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE)],
        metrics.render(),
    )
        .into_response()
}

/// The reference system client's `/health`: `text/plain` `true` while the process serves (a failed role stops
/// the node, so a live admin server means every role runs).
async fn health() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "true",
    )
        .into_response()
}

async fn run_upkeep(metrics: PrometheusHandle, cancel: CancellationToken) {
    let mut ticks = tokio::time::interval(UPKEEP_INTERVAL);
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            _ = ticks.tick() => metrics.run_upkeep(),
        }
    }
}
