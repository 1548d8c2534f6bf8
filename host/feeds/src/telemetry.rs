//! The plugin host's metrics (names `ftso_node_plugin_…`, label `plugin` = the configured name).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::{error::PluginError, worker::ValuesResult};

/// A `values` or `volumes` call answered (or refused): `ftso_node_plugin_calls_total{plugin,call,outcome}` and
/// `ftso_node_plugin_call_duration_seconds{plugin,call}`.
pub(crate) fn call_finished(plugin: &str, call: &'static str, elapsed: Duration, ok: bool) {
    let outcome = if ok { "ok" } else { "error" };
    metrics::counter!(
        "ftso_node_plugin_calls_total",
        "plugin" => plugin.to_owned(),
        "call" => call,
        "outcome" => outcome
    )
    .increment(1);
    metrics::histogram!(
        "ftso_node_plugin_call_duration_seconds",
        "plugin" => plugin.to_owned(),
        "call" => call
    )
    .record(elapsed.as_secs_f64());
}

/// A `values` call: as [`call_finished`], and when it gave at least one value,
/// `ftso_node_plugin_last_value_timestamp_seconds{plugin}` to now (its age is `time() - …` in PromQL).
pub(crate) fn values_finished(plugin: &str, elapsed: Duration, result: &ValuesResult) {
    call_finished(plugin, "values", elapsed, result.is_ok());
    let gave_a_value = result
        .as_ref()
        .is_ok_and(|values| values.iter().any(Option::is_some));
    if gave_a_value {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        metrics::gauge!(
            "ftso_node_plugin_last_value_timestamp_seconds",
            "plugin" => plugin.to_owned()
        )
        .set(now.as_secs_f64());
    }
}

/// A call or a start failed: `ftso_node_plugin_failures_total{plugin,kind}` ([`PluginError::kind`]).
pub(crate) fn failed(plugin: &str, error: &PluginError) {
    metrics::counter!(
        "ftso_node_plugin_failures_total",
        "plugin" => plugin.to_owned(),
        "kind" => error.kind()
    )
    .increment(1);
}

/// An instance was recreated after a failure: `ftso_node_plugin_restarts_total{plugin}`.
pub(crate) fn restarted(plugin: &str) {
    metrics::counter!("ftso_node_plugin_restarts_total", "plugin" => plugin.to_owned())
        .increment(1);
}

/// Whether an instance is live: `ftso_node_plugin_up{plugin}` 1 or 0.
pub(crate) fn up(plugin: &str, up: bool) {
    metrics::gauge!("ftso_node_plugin_up", "plugin" => plugin.to_owned()).set(if up {
        1.0
    } else {
        0.0
    });
}

/// A component was compiled or loaded from the cache: `ftso_node_plugin_compile_seconds{plugin}` (the last one).
pub(crate) fn compiled(plugin: &str, elapsed: Duration) {
    metrics::gauge!("ftso_node_plugin_compile_seconds", "plugin" => plugin.to_owned())
        .set(elapsed.as_secs_f64());
}
