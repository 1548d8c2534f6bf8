//! `GET /status` (the page) and `GET /api/status` (its JSON).

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Json};
use axum::routing::get;

use crate::source::StatusSource;

/// The page: one file, inline CSS, JS and SVG.
const PAGE: &str = include_str!("page.html");

/// The status routes over `source`, to merge into the admin server's router.
pub fn router(source: StatusSource) -> Router {
    Router::new()
        .route("/status", get(page))
        .route("/api/status", get(status))
        .with_state(source)
}

async fn page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        PAGE,
    )
}

async fn status(State(source): State<StatusSource>) -> impl IntoResponse {
    let started = std::time::Instant::now();
    let status = source.snapshot().await;
    metrics::histogram!("ftso_node_status_snapshot_seconds")
        .record(started.elapsed().as_secs_f64());
    ([(header::CACHE_CONTROL, "no-store")], Json(status))
}
