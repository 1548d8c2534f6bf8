//! The live status page on the admin server (`GET /status`, `GET /api/status`): [`ftso_status`] over the parts
//! `run` already has (its config, the indexer database and the data provider's chain reader, the feed plugins, the
//! metrics recorder).

use ftso_status::{ChainParts, Clock, MetricsText, StatusParts, StatusSource};
use metrics_exporter_prometheus::PrometheusHandle;

use crate::config::NodeConfig;

/// The status routes, to merge into the admin server. `chain` is the data provider's reader of the indexer
/// database when the network is known; without it the page shows the entity, the plugins and the indexer only.
/// `devnet_chain_id` is the chain id of the node's devnet, when it runs on one (`run --devnet`, `--join-devnet`).
pub fn routes(
    config: &NodeConfig,
    devnet_chain_id: Option<u64>,
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
    let (network, chain_id) = network(config, devnet_chain_id);
    ftso_status::router(StatusSource::new(StatusParts {
        network,
        chain_id,
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

/// The network the page names and its chain id: the devnet (`local`, its own chain id), or else `node.network` with
/// the chain id of its profile.
fn network(config: &NodeConfig, devnet_chain_id: Option<u64>) -> (Option<String>, Option<u64>) {
    if let Some(chain_id) = devnet_chain_id {
        return (Some(LOCAL_NETWORK.to_owned()), Some(chain_id));
    }
    let network = config.node.network.clone();
    let chain_id = network
        .as_deref()
        .and_then(ftso_core::epoch::profile)
        .and_then(|profile| profile.chain_id);
    (network, chain_id)
}

/// The name of the devnet's network profile (`config/networks/local.toml`).
const LOCAL_NETWORK: &str = "local";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_devnet_is_named_local_with_its_chain_id() {
        let mut config = NodeConfig::default();
        assert_eq!(
            network(&config, Some(31337)),
            (Some("local".into()), Some(31337))
        );
        config.node.network = Some("flare".into());
        assert_eq!(network(&config, None), (Some("flare".into()), Some(14)));
        config.node.network = None;
        assert_eq!(network(&config, None), (None, None));
    }
}
