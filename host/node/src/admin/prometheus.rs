//! The process-wide Prometheus recorder behind the `metrics` facade.

use std::sync::OnceLock;

use anyhow::Context as _;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Histogram buckets for durations in seconds: from a fast plugin call (1 ms) to a slow RPC round trip (30 s).
const SECONDS_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Installs the Prometheus recorder as the global `metrics` recorder (once per process) and returns the handle
/// that renders the registry. Metrics recorded before this call are lost, so `run` calls it before any role starts.
pub fn install_recorder() -> anyhow::Result<PrometheusHandle> {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    if let Some(handle) = HANDLE.get() {
        return Ok(handle.clone());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &SECONDS_BUCKETS)
        .context("invalid histogram buckets")?
        .install_recorder()
        .context("cannot install the Prometheus metrics recorder")?;
    Ok(HANDLE.get_or_init(|| handle).clone())
}
