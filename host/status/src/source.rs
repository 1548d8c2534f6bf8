//! [`StatusSource`]: the parts of the node the status is read from, and [`StatusSource::snapshot`].

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use alloy_primitives::Address;
use ftso_data_provider::chain::{ChainReader, ContractAddresses};
use ftso_feeds::Registry;
use ftso_feeds::config::FeedSelection;
use ftso_feeds::registry::FeedKey;
use ftso_storage::{StateName, Storage};

use crate::model::{
    EntityAddresses, EpochPosition, FastUpdates, IndexerPosition, MetricSample, NodeInfo,
    PluginState, PluginValue, Status,
};
use crate::rounds::Rounds;

/// How many rounds the status shows by default.
pub const DEFAULT_ROUNDS: u32 = 10;
/// At most this many feeds of each plugin are asked for their latest value.
pub const MAX_PLUGIN_FEEDS: usize = 8;
/// The metric name prefix of the fast-updates client.
const FAST_UPDATES_METRICS: &str = "ftso_node_fast_updates_";

/// The Prometheus text exposition of the node's metrics, rendered on demand.
#[derive(Clone)]
pub struct MetricsText(Arc<dyn Fn() -> String + Send + Sync>);

impl MetricsText {
    /// Wraps a renderer (e.g. the Prometheus exporter handle's `render`).
    pub fn new(render: impl Fn() -> String + Send + Sync + 'static) -> Self {
        Self(Arc::new(render))
    }
}

impl std::fmt::Debug for MetricsText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsText")
    }
}

/// Unix seconds now: the wall clock by default (as the data provider reads it).
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> u64 + Send + Sync>);

impl Clock {
    /// A clock reading `now` (e.g. a devnet's chain time after warps).
    pub fn new(now: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        Self(Arc::new(now))
    }

    fn now(&self) -> u64 {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new(unix_now)
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

/// The indexer database as the data provider reads it, and the FSP contracts it reads.
#[derive(Debug, Clone)]
pub struct ChainParts {
    /// The data provider's reader (epoch settings, submissions, round results).
    pub reader: Arc<ChainReader>,
    /// The FSP contract addresses (Relay, VoterRegistry).
    pub contracts: ContractAddresses,
}

/// What the node has, each part optional: a role that is off leaves its part out.
#[derive(Debug, Clone, Default)]
pub struct StatusParts {
    /// The network served: `node.network`, or `local` on the node's devnet.
    pub network: Option<String>,
    /// The chain id of `network`, when known.
    pub chain_id: Option<u64>,
    /// The entity's addresses (see [`crate::entity::entity_addresses`]).
    pub entity: EntityAddresses,
    /// The indexer database with the network's epoch settings and contracts.
    pub chain: Option<ChainParts>,
    /// The indexer database alone (its progress), when there is no [`ChainParts`].
    pub storage: Option<Storage>,
    /// The feed plugins.
    pub registry: Option<Registry>,
    /// Whether the fast-updates client runs.
    pub fast_updates: bool,
    /// The node's metrics, for the fast-updates counters.
    pub metrics: Option<MetricsText>,
    /// How many rounds to show; 0 means [`DEFAULT_ROUNDS`].
    pub rounds: u32,
    /// What time it is (default: the wall clock).
    pub clock: Clock,
}

/// Reads the node's status; cheap to clone.
#[derive(Debug, Clone)]
pub struct StatusSource {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    network: Option<String>,
    chain_id: Option<u64>,
    entity: EntityAddresses,
    storage: Option<Storage>,
    chain: Option<(Rounds, Vec<Address>)>,
    registry: Option<Registry>,
    fast_updates: bool,
    metrics: Option<MetricsText>,
    rounds: u32,
    clock: Clock,
}

impl StatusSource {
    /// A source over `parts`.
    pub fn new(parts: StatusParts) -> Self {
        let storage = parts
            .chain
            .as_ref()
            .map(|chain| chain.reader.storage().clone())
            .or(parts.storage);
        let chain = parts.chain.map(|chain| {
            let voter_registry = chain.contracts.voter_registry.clone();
            (Rounds::new(chain.reader, &chain.contracts), voter_registry)
        });
        Self {
            inner: Arc::new(Inner {
                network: parts.network,
                chain_id: parts.chain_id,
                entity: parts.entity,
                storage,
                chain,
                registry: parts.registry,
                fast_updates: parts.fast_updates,
                metrics: parts.metrics,
                rounds: if parts.rounds == 0 {
                    DEFAULT_ROUNDS
                } else {
                    parts.rounds
                },
                clock: parts.clock,
            }),
        }
    }

    /// The status now. Never fails: a part that cannot be read is left empty and named in `problems`.
    pub async fn snapshot(&self) -> Status {
        let inner = &self.inner;
        let now = inner.clock.now();
        let mut problems = Vec::new();
        let epoch = self.epoch_position(now);
        let indexer = match &inner.storage {
            Some(storage) => match storage.state(StateName::LastDatabaseBlock).await {
                Ok(state) => state.map(|s| IndexerPosition {
                    block: s.index,
                    block_timestamp: s.block_timestamp,
                }),
                Err(error) => {
                    problems.push(format!("indexer progress: {error}"));
                    None
                }
            },
            None => None,
        };
        let mut rounds = Vec::new();
        let mut registration = None;
        if let (Some((reader, voter_registry)), Some(epoch)) = (&inner.chain, epoch) {
            match reader
                .last(epoch.voting_round, inner.rounds, inner.entity.submit, now)
                .await
            {
                Ok(last) => rounds = last,
                Err(error) => problems.push(format!("rounds: {error}")),
            }
            if let Some(identity) = inner.entity.identity {
                let storage = reader.reader().storage();
                let epochs = &reader.reader().params().epochs;
                match crate::registration::read(
                    storage,
                    voter_registry,
                    epochs,
                    identity,
                    epoch.reward_epoch,
                )
                .await
                {
                    Ok(read) => registration = Some(read),
                    Err(error) => problems.push(format!("registration: {error}")),
                }
            }
        }
        let plugins = self.plugins(epoch, now).await;
        Status {
            node: NodeInfo {
                version: env!("CARGO_PKG_VERSION"),
                network: inner.network.clone(),
                chain_id: inner.chain_id,
                now,
            },
            entity: inner.entity.clone(),
            epoch,
            indexer,
            rounds,
            registration,
            plugins,
            fast_updates: FastUpdates {
                configured: inner.fast_updates,
                metrics: inner
                    .metrics
                    .as_ref()
                    .map(|metrics| fast_updates_samples(&(metrics.0)()))
                    .unwrap_or_default(),
            },
            problems,
        }
    }

    /// The current reward epoch and voting round by the clock.
    fn epoch_position(&self, now: u64) -> Option<EpochPosition> {
        let (rounds, _) = self.inner.chain.as_ref()?;
        let epochs = rounds.reader().params().epochs;
        let voting_round = epochs.voting_round_at(now)?;
        Some(EpochPosition {
            reward_epoch: epochs.reward_epoch_of_round(voting_round).unwrap_or(0),
            voting_round,
            round_ends_in: epochs.voting_round_end(voting_round).saturating_sub(now),
            voting_epoch_seconds: epochs.voting_epoch_duration_seconds,
        })
    }

    /// Each plugin's health and its answers for (some of) the feeds it serves.
    async fn plugins(&self, epoch: Option<EpochPosition>, now: u64) -> Vec<PluginState> {
        let Some(registry) = &self.inner.registry else {
            return Vec::new();
        };
        let round = epoch.map(|e| e.voting_round);
        let plugin_configs = &registry.config().plugins;
        let mut every_feed = self.epoch_feeds(round, now).await;
        if every_feed.is_empty() {
            // No reward epoch to read the feeds from yet: the feeds the other plugins name.
            for plugin in plugin_configs {
                for feed in listed_feeds(&plugin.feeds) {
                    let listed = |f: &FeedKey| f.category == feed.category && f.name == feed.name;
                    if !every_feed.iter().any(listed) {
                        every_feed.push(feed);
                    }
                }
            }
        }
        let mut plugins = Vec::new();
        for status in registry.status() {
            let feeds = plugin_configs
                .iter()
                .find(|p| p.name == status.name)
                .map(|p| match &p.feeds {
                    FeedSelection::Only(_) => listed_feeds(&p.feeds),
                    FeedSelection::All => every_feed.clone(),
                })
                .unwrap_or_default();
            let feeds: Vec<FeedKey> = feeds.into_iter().take(MAX_PLUGIN_FEEDS).collect();
            let (values, values_error) = if !status.loaded || feeds.is_empty() {
                (Vec::new(), None)
            } else {
                match registry
                    .plugin_values(&status.name, feeds.clone(), round)
                    .await
                {
                    Ok(answers) => (
                        feeds
                            .iter()
                            .zip(answers.into_iter().chain(std::iter::repeat(None)))
                            .map(|(feed, answer)| PluginValue {
                                feed: format!("{}/{}", feed.category, feed.name),
                                value: answer.as_ref().map(|a| a.value),
                                timestamp_ms: answer.as_ref().map(|a| a.timestamp_ms),
                            })
                            .collect(),
                        None,
                    ),
                    Err(error) => (Vec::new(), Some(error.to_string())),
                }
            };
            plugins.push(PluginState {
                status,
                values,
                values_error,
            });
        }
        plugins
    }

    /// The feeds of the current reward epoch (what a plugin serving every feed is asked for).
    async fn epoch_feeds(&self, round: Option<u32>, now: u64) -> Vec<FeedKey> {
        let (Some((rounds, _)), Some(round)) = (&self.inner.chain, round) else {
            return Vec::new();
        };
        match rounds.reader().epoch_of_round(round, now).await {
            Ok(epoch) => epoch
                .feeds
                .iter()
                .filter_map(|feed| feed.id.category_and_name().ok())
                .take(MAX_PLUGIN_FEEDS)
                .map(|(category, name)| FeedKey { category, name })
                .collect(),
            Err(error) => {
                tracing::debug!(%error, "status page: no reward epoch feeds for the plugins");
                Vec::new()
            }
        }
    }
}

/// The feeds a plugin's config lists (none for `"*"`).
fn listed_feeds(selection: &FeedSelection) -> Vec<FeedKey> {
    match selection {
        FeedSelection::Only(list) => list
            .iter()
            .map(|f| FeedKey {
                category: f.category,
                name: f.name.clone(),
            })
            .collect(),
        FeedSelection::All => Vec::new(),
    }
}

/// The `ftso_node_fast_updates_*` samples of a Prometheus text exposition.
fn fast_updates_samples(text: &str) -> Vec<MetricSample> {
    text.lines()
        .filter(|line| line.starts_with(FAST_UPDATES_METRICS))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            Some(MetricSample {
                series: series.trim().to_owned(),
                value: value.trim().parse().ok()?,
            })
        })
        .collect()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_fast_updates_samples_are_taken_from_the_exposition() {
        let text = "# HELP ftso_node_fast_updates_submitted_total Updates sent\n\
                    # TYPE ftso_node_fast_updates_submitted_total counter\n\
                    ftso_node_fast_updates_submitted_total{outcome=\"accepted\"} 12\n\
                    ftso_node_indexer_head_lag_blocks 3\n\
                    ftso_node_fast_updates_not_selected_blocks_total 40\n";
        assert_eq!(
            fast_updates_samples(text),
            vec![
                MetricSample {
                    series: "ftso_node_fast_updates_submitted_total{outcome=\"accepted\"}".into(),
                    value: 12.0,
                },
                MetricSample {
                    series: "ftso_node_fast_updates_not_selected_blocks_total".into(),
                    value: 40.0,
                },
            ]
        );
    }
}
