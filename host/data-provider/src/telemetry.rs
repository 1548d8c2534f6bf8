//! The data provider's metrics (`ftso_node_data_provider_…`).

/// The background task settled a round: `ftso_node_data_provider_rounds_total{outcome}` (`ready`, `unavailable` or
/// `failed`), and for a ready round `ftso_node_data_provider_last_round` (its voting round id).
pub(crate) fn round_settled(voting_round_id: u32, outcome: &'static str) {
    metrics::counter!("ftso_node_data_provider_rounds_total", "outcome" => outcome).increment(1);
    if outcome == "ready" {
        metrics::gauge!("ftso_node_data_provider_last_round").set(f64::from(voting_round_id));
    }
}

/// A protocol route answered the system client: `ftso_node_data_provider_requests_total{route,status}` (`submit1`,
/// `submit2` or `submitSignatures`; the HTTP status code).
pub(crate) fn answered(route: &'static str, status: axum::http::StatusCode) {
    metrics::counter!(
        "ftso_node_data_provider_requests_total",
        "route" => route,
        "status" => status.as_str().to_owned()
    )
    .increment(1);
}
