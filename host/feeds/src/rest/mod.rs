//! HTTP: the public feed-values contract (port 3101) and the loopback admin API.

pub mod json;
pub mod model;
pub mod openapi;
pub mod routes;
pub mod security_headers;

use axum::{
    Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};

use crate::registry::{Registry, ReloadError};

/// State shared by the handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The plugins.
    pub registry: Registry,
}

/// The public router (everything goes through one dispatcher, see [`routes::dispatch`]).
pub fn router(registry: Registry) -> Router {
    security_headers::secure(
        Router::new()
            .fallback(routes::dispatch)
            .with_state(AppState { registry }),
    )
}

/// The admin router: `GET /admin/plugins` (with each connector's connections and trades),
/// `GET /admin/feeds` (each trade-computed feed's health), `POST /admin/plugins/{name}/reload`.
pub fn admin_router(registry: Registry) -> Router {
    security_headers::secure(
        Router::new()
            .route("/admin/plugins", get(list_plugins))
            .route("/admin/feeds", get(list_feeds))
            .route("/admin/plugins/{name}/reload", post(reload_plugin))
            .route("/admin/plugins/{name}/logs", get(plugin_logs))
            .with_state(AppState { registry }),
    )
}

async fn list_plugins(State(state): State<AppState>) -> Response {
    axum::Json(state.registry.status()).into_response()
}

async fn list_feeds(State(state): State<AppState>) -> Response {
    axum::Json(state.registry.feed_health()).into_response()
}

async fn plugin_logs(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    axum::Json(state.registry.recent_logs(&name)).into_response()
}

async fn reload_plugin(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    match state.registry.reload(&name).await {
        Ok(digest) => {
            axum::Json(serde_json::json!({ "plugin": name, "digest": digest })).into_response()
        }
        Err(error @ ReloadError::UnknownPlugin(_)) => (
            StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({ "error": error.to_string() })),
        )
            .into_response(),
        Err(ReloadError::Load(error)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(serde_json::json!({ "error": error.to_string(), "kind": error.kind() })),
        )
            .into_response(),
    }
}
