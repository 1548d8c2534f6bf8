//! The JSON document of `GET /api/status`: what the page shows, as plain data.
//!
//! Values are display values (a feed's median is `value / 10^decimals`); addresses are 0x-prefixed lowercase hex. A section whose role is off is `null` or says `configured: false`, so the page can say "not configured".

use alloy_primitives::Address;
use serde::Serialize;

/// The whole status document.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// The node's version and the unix time of this snapshot.
    pub node: NodeInfo,
    /// Who we are: the entity's addresses (each `null` when its key is not configured).
    pub entity: EntityAddresses,
    /// The current reward epoch and voting round by the clock; `null` without epoch settings (no network).
    pub epoch: Option<EpochPosition>,
    /// How far the indexer has got; `null` without a database.
    pub indexer: Option<IndexerPosition>,
    /// The last rounds, newest first; empty without a database and epoch settings.
    pub rounds: Vec<RoundOutcome>,
    /// Whether our identity is registered for the current and the next reward epoch; `null` without an identity.
    pub registration: Option<Registration>,
    /// Each feed plugin's health and latest values; empty when no plugins run.
    pub plugins: Vec<PluginState>,
    /// The fast-updates client.
    pub fast_updates: FastUpdates,
    /// Problems met while gathering this snapshot (a section that could not be read), for the page to show.
    pub problems: Vec<String>,
}

/// The node itself.
#[derive(Debug, Clone, Serialize)]
pub struct NodeInfo {
    /// The crate version.
    pub version: &'static str,
    /// The network served: `node.network`, or `local` for the node's devnet (`run --devnet`, `--join-devnet`);
    /// `null` when unknown.
    pub network: Option<String>,
    /// The chain id of that network (the devnet's own, or the public network's); `null` when unknown.
    pub chain_id: Option<u64>,
    /// Unix seconds when the snapshot was taken.
    pub now: u64,
}

/// The entity's addresses, as far as configured.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EntityAddresses {
    /// Identity (voter) address.
    pub identity: Option<Address>,
    /// Submit address (submit1 / submit2 sender).
    pub submit: Option<Address>,
    /// submitSignatures sender.
    pub submit_signatures: Option<Address>,
    /// Signing-policy address.
    pub signing_policy: Option<Address>,
    /// The fast-updates sortition public key (0x-hex of its two coordinates), when configured.
    pub sortition: Option<String>,
}

/// Where the clock is in the protocol's schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EpochPosition {
    /// The current reward epoch.
    pub reward_epoch: u32,
    /// The current voting round.
    pub voting_round: u32,
    /// Seconds left in the current voting round.
    pub round_ends_in: u64,
    /// Length of a voting round in seconds.
    pub voting_epoch_seconds: u64,
}

/// The indexer's progress (the `last_database_block` state row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IndexerPosition {
    /// The last block written to the database.
    pub block: u64,
    /// Its timestamp.
    pub block_timestamp: u64,
}

/// One voting round as this node took part in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundOutcome {
    /// The voting round.
    pub voting_round: u32,
    /// Our submit address sent a commit (submit1) for the round.
    pub committed: bool,
    /// Our submit address sent a reveal (submit2) for the round before its reveal deadline.
    pub revealed: bool,
    /// The FTSO protocol message of the round was relayed (`ProtocolMessageRelayed` on the Relay).
    pub finalized: bool,
    /// The data provider's results: `ready`, `pending` (not yet computable), `unavailable` or `failed`.
    pub result: ResultState,
    /// Why the results are not ready, if they are not.
    pub result_note: Option<String>,
    /// Per feed: the median, the quartiles and our value (only when `result` is `ready`).
    pub feeds: Vec<FeedOutcome>,
}

/// Whether a round's results are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResultState {
    /// Computed (and stored).
    Ready,
    /// Not yet: the reveal window is open or not indexed yet.
    Pending,
    /// Never from this database (before the indexed floor or the first reward epoch).
    Unavailable,
    /// The calculation failed (e.g. no valid reveal at all).
    Failed,
}

/// One feed's result in a round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedOutcome {
    /// `category/name`, e.g. `1/FLR/USD` when the id decodes, else the id's hex.
    pub feed: String,
    /// The weighted median (`null`: no value).
    pub median: Option<f64>,
    /// First quartile.
    pub q1: Option<f64>,
    /// Third quartile.
    pub q3: Option<f64>,
    /// The value we revealed (`null`: none, or not a voter).
    pub ours: Option<f64>,
    /// Turnout in basis points of the total weight.
    pub turnout_bips: u16,
}

/// Voter registration of our identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Registration {
    /// The current reward epoch and whether we are registered for it.
    pub current: EpochRegistration,
    /// The next reward epoch and whether we are registered for it (yet).
    pub next: EpochRegistration,
}

/// Registration for one reward epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EpochRegistration {
    /// The reward epoch.
    pub reward_epoch: u32,
    /// A `VoterRegistered` event for our identity and this epoch is indexed.
    pub registered: bool,
}

/// One feed plugin.
#[derive(Debug, Clone, Serialize)]
pub struct PluginState {
    /// Health, as the feeds host reports it.
    #[serde(flatten)]
    pub status: ftso_feeds::registry::PluginStatus,
    /// The plugin's latest answers for the feeds it serves (at most [`crate::source::MAX_PLUGIN_FEEDS`]).
    pub values: Vec<PluginValue>,
    /// Why `values` could not be read, if so.
    pub values_error: Option<String>,
}

/// A plugin's answer for one feed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PluginValue {
    /// `category/name`.
    pub feed: String,
    /// The value (`null`: the plugin has none).
    pub value: Option<f64>,
    /// Unix milliseconds of the observation.
    pub timestamp_ms: Option<u64>,
}

/// The fast-updates client, as far as the node exposes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FastUpdates {
    /// The client runs in this node.
    pub configured: bool,
    /// Its `ftso_node_fast_updates_*` metrics (name with labels → value), when the node exports metrics.
    pub metrics: Vec<MetricSample>,
}

/// One sample of a Prometheus metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricSample {
    /// The series: name and labels as exported, e.g. `ftso_node_fast_updates_submitted_total{outcome="accepted"}`.
    pub series: String,
    /// Its value.
    pub value: f64,
}
