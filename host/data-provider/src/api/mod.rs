//! The reference HTTP API (port 3100): the protocol-data-provider routes the system client calls,
//! the user-facing round data, and the OpenAPI document.
//!
//! ```text
//! GET {base}/submit1|submit2|submitSignatures|submit3/{round}/{address}   (X-API-KEY)
//! GET {base}/data/{round}, specific-feed/{feedId}/{round}, data-abis,
//!     medianCalculationResults/{round}                                   (X-API-KEY)
//! GET {base}/api-doc, {base}/api-doc-json                                 (open)
//! ```

mod abis;
pub mod model;
pub mod openapi;
pub mod routes;

use std::sync::Arc;

use anyhow::Context as _;
use axum::Router;
use ftso_core::epoch::EpochSettings;
use tokio_util::sync::CancellationToken;

use crate::{config::ApiKeys, role::DataProviderRole};

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct ApiState {
    /// The role answering.
    pub role: Arc<DataProviderRole>,
    /// Accepted `X-API-KEY` values.
    pub keys: ApiKeys,
    /// Epoch settings (for `TOO_EARLY`).
    pub epochs: EpochSettings,
    /// Prefix of every route, without a trailing slash (`""` for none).
    pub base_path: String,
}

/// The router (every request goes through [`routes::dispatch`]), with the security headers the
/// reference's `helmet()` sets on every response.
pub fn router(state: ApiState) -> Router {
    ftso_feeds::rest::security_headers::secure(
        Router::new().fallback(routes::dispatch).with_state(state),
    )
}

/// Serves the API on `listener` until `cancel`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: ApiState,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    if state.keys.is_empty() {
        tracing::warn!(
            "no data provider API keys are configured: every request to the data provider API is rejected with 401"
        );
    }
    tracing::info!(addr = %listener.local_addr()?, base_path = %state.base_path, "data provider API listening");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(cancel.cancelled_owned())
        .await
        .context("data provider API server failed")
}
