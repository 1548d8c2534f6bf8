//! The live status page on the admin server (`GET /status`, `GET /api/status`): [`ftso_status`] over the parts
//! `run` already has (its config, the indexer database and the data provider's chain reader, the feed plugins, the
//! metrics recorder).

use ftso_status::{ChainParts, Clock, MetricsText, StatusParts, StatusSource};
use metrics_exporter_prometheus::PrometheusHandle;

use crate::config::NodeConfig;

/// The status routes, to merge into the admin server. `chain` is the data provider's reader of the indexer
/// database when the network is known; without it the page shows the entity, the plugins and the indexer only.
pub fn routes(
    config: &NodeConfig,
    storage: ftso_storage::Storage,
    chain: Option<ChainParts>,
    registry: Option<ftso_feeds::Registry>,
    metrics: PrometheusHandle,
) -> axum::Router {
    let fast_updates = config.node.fast_updates.then_some(&config.fast_updates);
    let entity = ftso_status::entity_addresses(
        config.system_client.identity,
        &config.system_client.keys,
        fast_updates,
    );
    ftso_status::router(StatusSource::new(StatusParts {
        network: config.node.network.clone(),
        entity,
        chain,
        storage: Some(storage),
        registry,
        fast_updates: config.node.fast_updates,
        metrics: Some(MetricsText::new(move || metrics.render())),
        rounds: 0,
        clock: Clock::default(),
    }))
}
