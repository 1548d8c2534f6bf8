//! The loaded plugins: load (read → verify → compile → instantiate → `init`), serve, swap
//! atomically on reload, and watch the component files for changes.
//!
//! Each configured plugin has a slot holding an `Arc` of its current version. A request clones
//! the `Arc`s it needs, so a swap never disturbs it: in-flight calls finish on the old version,
//! whose worker stops when the last request lets go of it.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::SystemTime,
};

use arc_swap::ArcSwapOption;
use tokio_util::sync::CancellationToken;

use crate::{
    aggregate::{self, Sample},
    bindings::types,
    capability::{AllowList, clock::now_ms, log::RecentLogs},
    config::{FeedsConfig, PluginConfig},
    engine::PluginEngine,
    error::PluginError,
    prices::{FeedHealth, Prices},
    sandbox::{Limits, Prepared},
    signature::{Provenance, TrustPolicy, digest_string, signature_path},
    worker::{ValuesResult, VolumesResult, Worker, WorkerSpec},
};

/// A feed as requested, mapped to what plugins understand.
pub type FeedKey = types::FeedId;

/// What identifies one version of a component file on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStamp {
    component: Option<(SystemTime, u64)>,
    signature: Option<(SystemTime, u64)>,
}

impl FileStamp {
    /// Reads the stamp of `component` and its signature file.
    pub fn read(component: &Path) -> Self {
        let stamp = |path: &Path| {
            std::fs::metadata(path)
                .ok()
                .and_then(|m| Some((m.modified().ok()?, m.len())))
        };
        Self {
            component: stamp(component),
            signature: stamp(&signature_path(component)),
        }
    }
}

/// One loaded version of a plugin.
#[derive(Debug)]
pub struct LoadedPlugin {
    /// The config entry it was loaded from.
    pub config: PluginConfig,
    /// `sha256:<hex>` of the component bytes.
    pub digest: String,
    /// Who signed it.
    pub provenance: Provenance,
    /// The file's stamp when it was read.
    pub stamp: FileStamp,
    /// The running worker.
    pub worker: Worker,
}

#[derive(Debug)]
struct Slot {
    config: PluginConfig,
    current: ArcSwapOption<LoadedPlugin>,
    /// Serialises reloads of this plugin.
    reload: tokio::sync::Mutex<Option<FileStamp>>,
    recent_logs: RecentLogs,
}

/// The set of plugins a host serves.
#[derive(Debug, Clone)]
pub struct Registry {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    config: FeedsConfig,
    engine: PluginEngine,
    trust: TrustPolicy,
    http: reqwest::Client,
    runtime: tokio::runtime::Handle,
    slots: Vec<Slot>,
    prices: Arc<Prices>,
}

/// A plugin's state for the admin API.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PluginStatus {
    /// Name.
    pub name: String,
    /// Whether a version is loaded.
    pub loaded: bool,
    /// Whether its instance is live.
    pub up: bool,
    /// Digest of the loaded component.
    pub digest: Option<String>,
    /// The signer, or why it is unverified.
    pub provenance: Option<String>,
    /// `info()` name and version.
    pub info: Option<String>,
    /// Failed calls of the loaded version.
    pub failures: u64,
    /// Recreated instances of the loaded version.
    pub restarts: u64,
    /// Last failure kind.
    pub last_failure_kind: Option<&'static str>,
    /// Last failure.
    pub last_failure: Option<String>,
    /// Websocket connections its instance holds open now.
    pub websockets_open: u64,
    /// Websocket connections it opened since start (a figure growing fast means reconnects).
    pub websockets_opened: u64,
    /// Trades it published that the price store took.
    pub trades: u64,
    /// Trades it published that the store ignored (no configured source, invalid numbers).
    pub trades_ignored: u64,
    /// How long ago it last published a trade the store took, ms; `None`: never.
    pub last_trade_age_ms: Option<u64>,
}

impl Registry {
    /// Builds the registry and loads every plugin; any plugin that cannot be loaded is an error.
    /// Must be called inside a tokio runtime.
    pub async fn start(config: FeedsConfig, engine: PluginEngine) -> anyhow::Result<Self> {
        crate::install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(config.http_timeout)
            .user_agent(concat!("ftso-node/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let trust = TrustPolicy::new(&config.trusted_publishers, config.allow_unsigned);
        if config.allow_unsigned {
            tracing::warn!(
                "allow_unsigned = true: plugins WITHOUT a valid signature from a trusted publisher WILL BE LOADED; \
                 do not run like this in production"
            );
        }
        let slots = config
            .plugins
            .iter()
            .map(|p| Slot {
                config: p.clone(),
                current: ArcSwapOption::empty(),
                reload: tokio::sync::Mutex::new(None),
                recent_logs: RecentLogs::default(),
            })
            .collect();
        let prices = Arc::new(Prices::new(config.prices.clone()));
        let registry = Self {
            shared: Arc::new(Shared {
                prices,
                config,
                engine,
                trust,
                http,
                runtime: tokio::runtime::Handle::current(),
                slots,
            }),
        };
        for slot in &registry.shared.slots {
            let loaded = registry.load(slot).await?;
            slot.current.store(Some(Arc::new(loaded)));
        }
        Ok(registry)
    }

    /// The host configuration.
    pub fn config(&self) -> &FeedsConfig {
        &self.shared.config
    }

    fn slot(&self, name: &str) -> Option<&Slot> {
        self.shared.slots.iter().find(|s| s.config.name == name)
    }

    /// Loads one version of a plugin from its file (blocking work runs off the async threads).
    async fn load(&self, slot: &Slot) -> Result<LoadedPlugin, PluginError> {
        let shared = Arc::clone(&self.shared);
        let config = slot.config.clone();
        let recent_logs = slot.recent_logs.clone();
        let name = config.name.clone();
        let started = std::time::Instant::now();
        let loaded =
            tokio::task::spawn_blocking(move || load_blocking(&shared, config, recent_logs))
                .await
                .map_err(|e| PluginError::Unavailable {
                    plugin: name.clone(),
                    reason: e.to_string(),
                })??;
        tracing::info!(
            plugin = %name,
            digest = %loaded.digest,
            version = %loaded.worker.info().version,
            signer = ?loaded.provenance,
            elapsed = ?started.elapsed(),
            "plugin loaded"
        );
        Ok(loaded)
    }

    /// Loads the plugin's file again and swaps it in; on failure the old version keeps serving.
    pub async fn reload(&self, name: &str) -> Result<String, ReloadError> {
        let slot = self
            .slot(name)
            .ok_or_else(|| ReloadError::UnknownPlugin(name.to_owned()))?;
        let mut last_attempt = slot.reload.lock().await;
        let stamp = FileStamp::read(&slot.config.component);
        *last_attempt = Some(stamp);
        match self.load(slot).await {
            Ok(loaded) => {
                let digest = loaded.digest.clone();
                let old = slot.current.swap(Some(Arc::new(loaded)));
                tracing::info!(
                    plugin = name,
                    new = %digest,
                    old = ?old.as_ref().map(|o| &o.digest),
                    "plugin swapped"
                );
                Ok(digest)
            }
            Err(error) => {
                tracing::error!(
                    plugin = name,
                    kind = error.kind(),
                    "reload failed, keeping the current version: {error}"
                );
                Err(ReloadError::Load(error))
            }
        }
    }

    /// Checks every component file and reloads the changed ones, until `cancel`.
    pub async fn watch(self, cancel: CancellationToken) {
        let period = self.shared.config.watch_interval;
        if period.is_zero() {
            return;
        }
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = cancel.cancelled() => return,
                _ = interval.tick() => {}
            }
            for slot in &self.shared.slots {
                let stamp = FileStamp::read(&slot.config.component);
                let loaded_stamp = slot.current.load().as_ref().map(|l| l.stamp.clone());
                let last_attempt = slot.reload.lock().await.clone();
                if Some(&stamp) == loaded_stamp.as_ref() || Some(&stamp) == last_attempt.as_ref() {
                    continue;
                }
                tracing::info!(plugin = %slot.config.name, "component file changed, reloading");
                let _ = self.reload(&slot.config.name).await;
            }
        }
    }

    /// The current version of a plugin.
    pub fn current(&self, name: &str) -> Option<Arc<LoadedPlugin>> {
        self.slot(name).and_then(|s| s.current.load_full())
    }

    /// The last lines a plugin logged.
    pub fn recent_logs(&self, name: &str) -> Vec<(String, String)> {
        self.slot(name)
            .map(|s| s.recent_logs.lines())
            .unwrap_or_default()
    }

    /// Status of every plugin.
    pub fn status(&self) -> Vec<PluginStatus> {
        use std::sync::atomic::Ordering;
        self.shared
            .slots
            .iter()
            .map(|slot| {
                let current = slot.current.load_full();
                let stats = current.as_ref().map(|c| c.worker.stats());
                PluginStatus {
                    name: slot.config.name.clone(),
                    loaded: current.is_some(),
                    up: stats.is_some_and(|s| s.up.load(Ordering::Relaxed)),
                    digest: current.as_ref().map(|c| c.digest.clone()),
                    provenance: current.as_ref().map(|c| match &c.provenance {
                        Provenance::Signed { publisher } => format!("signed by {publisher}"),
                        Provenance::Unverified { reason } => format!("UNVERIFIED: {reason}"),
                    }),
                    info: current.as_ref().map(|c| {
                        let info = c.worker.info();
                        format!("{} {}", info.name, info.version)
                    }),
                    failures: stats.map_or(0, |s| s.failures.load(Ordering::Relaxed)),
                    restarts: stats.map_or(0, |s| s.restarts.load(Ordering::Relaxed)),
                    last_failure_kind: stats
                        .and_then(|s| s.last_failure_kind.lock().ok().and_then(|k| *k)),
                    last_failure: stats
                        .and_then(|s| s.last_failure.lock().ok().and_then(|k| k.clone())),
                    websockets_open: activity(stats, |a| &a.websockets_open),
                    websockets_opened: activity(stats, |a| &a.websockets_opened),
                    trades: activity(stats, |a| &a.trades_taken),
                    trades_ignored: activity(stats, |a| &a.trades_ignored),
                    last_trade_age_ms: Some(activity(stats, |a| &a.last_trade_at_ms))
                        .filter(|at| *at > 0)
                        .map(|at| now_ms().saturating_sub(at)),
                }
            })
            .collect()
    }

    /// The health of every feed computed from trades (`[feeds.prices]`), now.
    pub fn feed_health(&self) -> Vec<FeedHealth> {
        self.shared.prices.feed_health(now_ms())
    }

    /// Calls one plugin's `values` directly (for tests and diagnostics).
    pub async fn plugin_values(
        &self,
        name: &str,
        feeds: Vec<FeedKey>,
        round: Option<u32>,
    ) -> ValuesResult {
        let plugin = self.current(name).ok_or_else(|| PluginError::Unavailable {
            plugin: name.to_owned(),
            reason: "not loaded".to_owned(),
        })?;
        plugin.worker.values(feeds, round).await
    }

    /// The currently loaded version of every plugin.
    fn loaded_plugins(&self) -> Vec<Arc<LoadedPlugin>> {
        self.shared
            .slots
            .iter()
            .filter_map(|s| s.current.load_full())
            .collect()
    }

    /// The price store and feed table the connector plugins feed.
    pub fn prices(&self) -> &Prices {
        &self.shared.prices
    }

    /// Splits a request: the feeds computed from trades (`[feeds.prices]`) get their aggregate
    /// here and are masked out of what the plugins are asked.
    fn split_priced<'a>(
        &self,
        feeds: &'a [Option<FeedKey>],
    ) -> (Vec<Option<FeedKey>>, Vec<Option<&'a FeedKey>>) {
        let prices = &self.shared.prices;
        feeds
            .iter()
            .map(|f| match f {
                Some(f) if prices.feed(f.category, &f.name).is_some() => (None, Some(f)),
                other => (other.clone(), None),
            })
            .unzip()
    }

    /// The value of each feed (`None` for unmappable feeds or where there is none): the
    /// aggregate of its exchange sources for a feed of `[feeds.prices]`, otherwise the
    /// combination of the plugins' own answers.
    pub async fn values(&self, feeds: &[Option<FeedKey>], round: Option<u32>) -> Vec<Option<f64>> {
        let (asked, priced) = self.split_priced(feeds);
        let now = now_ms();
        let mut out = self.combined_plugin_values(&asked, round).await;
        for (slot, feed) in out.iter_mut().zip(priced) {
            if let Some(feed) = feed {
                *slot = self.shared.prices.value(feed.category, &feed.name, now);
            }
        }
        out
    }

    /// The plugins' own answers, combined per feed.
    async fn combined_plugin_values(
        &self,
        feeds: &[Option<FeedKey>],
        round: Option<u32>,
    ) -> Vec<Option<f64>> {
        let plugins = self.loaded_plugins();
        let calls = plugins.iter().filter_map(|plugin| {
            let (indices, subset) = served(&plugin.config, feeds);
            if subset.is_empty() {
                return None;
            }
            Some(async move { (plugin, indices, plugin.worker.values(subset, round).await) })
        });
        let answers = futures::future::join_all(calls).await;

        let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); feeds.len()];
        let now = now_ms();
        let max_age =
            u64::try_from(self.shared.config.max_value_age.as_millis()).unwrap_or(u64::MAX);
        for (plugin, indices, answer) in answers {
            match answer {
                Ok(values) => {
                    for (index, observation) in indices.into_iter().zip(values) {
                        let Some(o) = observation else { continue };
                        if max_age > 0 && now.saturating_sub(o.timestamp_ms) > max_age {
                            continue;
                        }
                        if let Some(list) = samples.get_mut(index) {
                            list.push(Sample::new(o.value, o.timestamp_ms));
                        }
                    }
                }
                Err(error) => {
                    tracing::warn!(plugin = %plugin.config.name, kind = error.kind(), "no values from plugin: {error}");
                }
            }
        }
        samples
            .iter()
            .enumerate()
            .map(|(index, list)| {
                let decay = self.shared.prices.config().decay_per_ms;
                let (value, method) = aggregate::combine(list, now, decay)?;
                if let Some(Some(feed)) = feeds.get(index) {
                    tracing::trace!(feed = %feed.name, samples = list.len(), method = method.as_str(), value, "feed value");
                }
                Some(value)
            })
            .collect()
    }

    /// Volumes per feed: for a feed of `[feeds.prices]`, its exchanges' volumes (§3.9);
    /// otherwise every serving plugin's venues, concatenated. `None` when no feed has volume
    /// data: the reference's `{"data":[]}`. A window beyond the hour of history is an error
    /// when a requested feed has volume data (the reference's 500).
    pub async fn volumes(
        &self,
        feeds: &[Option<FeedKey>],
        window_seconds: u32,
    ) -> Result<Option<Vec<Vec<types::VenueVolume>>>, crate::prices::WindowTooLong> {
        let (asked, priced) = self.split_priced(feeds);
        let now = now_ms();
        let mut from_trades = vec![None; feeds.len()];
        for (slot, feed) in from_trades.iter_mut().zip(&priced) {
            if let Some(feed) = feed {
                let volumes = self.shared.prices.volumes(
                    feed.category,
                    &feed.name,
                    u64::from(window_seconds),
                    now,
                )?;
                *slot = Some(volumes);
            }
        }
        let any_priced = priced.iter().any(Option::is_some);
        let plugin_volumes = self.plugin_volumes(&asked, window_seconds).await;
        if !any_priced {
            return Ok(plugin_volumes);
        }
        let mut out = plugin_volumes.unwrap_or_else(|| vec![Vec::new(); feeds.len()]);
        for (slot, volumes) in out.iter_mut().zip(from_trades) {
            if let Some(volumes) = volumes {
                *slot = volumes
                    .into_iter()
                    .map(|(venue, volume)| types::VenueVolume { venue, volume })
                    .collect();
            }
        }
        Ok(Some(out))
    }

    /// The plugins' own volume answers, concatenated per feed; `None` when none reported any.
    async fn plugin_volumes(
        &self,
        feeds: &[Option<FeedKey>],
        window_seconds: u32,
    ) -> Option<Vec<Vec<types::VenueVolume>>> {
        let plugins = self.loaded_plugins();
        let calls = plugins.iter().filter_map(|plugin| {
            let (indices, subset) = served(&plugin.config, feeds);
            if subset.is_empty() {
                return None;
            }
            Some(async move {
                let answer: VolumesResult = plugin.worker.volumes(subset, window_seconds).await;
                (plugin, indices, answer)
            })
        });
        let answers = futures::future::join_all(calls).await;
        let mut volumes: Vec<Vec<types::VenueVolume>> = vec![Vec::new(); feeds.len()];
        for (plugin, indices, answer) in answers {
            match answer {
                Ok(lists) => {
                    for (index, list) in indices.into_iter().zip(lists) {
                        if let Some(slot) = volumes.get_mut(index) {
                            slot.extend(list.into_iter().filter(|v| v.volume.is_finite()));
                        }
                    }
                }
                Err(error) => {
                    tracing::warn!(plugin = %plugin.config.name, kind = error.kind(), "no volumes from plugin: {error}");
                }
            }
        }
        volumes.iter().any(|v| !v.is_empty()).then_some(volumes)
    }
}

/// The requested feeds a plugin serves, with their positions.
fn served(config: &PluginConfig, feeds: &[Option<FeedKey>]) -> (Vec<usize>, Vec<FeedKey>) {
    feeds
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.as_ref().map(|f| (i, f)))
        .filter(|(_, f)| config.feeds.serves(f.category, &f.name))
        .map(|(i, f)| (i, f.clone()))
        .unzip()
}

/// One counter of a worker's [`Activity`](crate::capability::Activity); 0 without a worker.
fn activity(
    stats: Option<&crate::worker::WorkerStats>,
    counter: impl Fn(&crate::capability::Activity) -> &std::sync::atomic::AtomicU64,
) -> u64 {
    stats.map_or(0, |s| {
        counter(&s.activity).load(std::sync::atomic::Ordering::Relaxed)
    })
}

/// Why a reload did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    /// No plugin has that name.
    #[error("no plugin named {0:?}")]
    UnknownPlugin(String),
    /// Loading the new version failed; the old one keeps serving.
    #[error(transparent)]
    Load(PluginError),
}

fn load_blocking(
    shared: &Shared,
    config: PluginConfig,
    recent_logs: RecentLogs,
) -> Result<LoadedPlugin, PluginError> {
    let path: PathBuf = config.component.clone();
    let stamp = FileStamp::read(&path);
    let bytes = std::fs::read(&path).map_err(|source| PluginError::Read {
        path: path.clone(),
        source,
    })?;
    let provenance =
        shared
            .trust
            .check(&path, &bytes)
            .map_err(|source| PluginError::Signature {
                plugin: config.name.clone(),
                source,
            })?;
    if let Provenance::Unverified { reason } = &provenance {
        tracing::warn!(plugin = %config.name, "LOADING AN UNVERIFIED PLUGIN (allow_unsigned = true): {reason}");
    }
    let digest = digest_string(&bytes);
    let prepared = Prepared::new(&shared.engine, &config.name, &bytes)?;
    let feeds = match &config.feeds {
        crate::config::FeedSelection::All => Vec::new(),
        crate::config::FeedSelection::Only(list) => list
            .iter()
            .map(|f| types::FeedId {
                category: f.category,
                name: f.name.clone(),
            })
            .collect(),
    };
    let spec = WorkerSpec {
        name: config.name.clone(),
        engine: shared.engine.clone(),
        prepared,
        limits: Limits {
            call_timeout: config.call_timeout(&shared.config),
            init_timeout: shared.config.init_timeout,
            memory_limit_bytes: config.memory_limit_bytes(&shared.config),
        },
        plugin_config: types::PluginConfig {
            name: config.name.clone(),
            feeds,
            settings_json: config.settings_json(),
            sources: shared
                .config
                .prices
                .sources()
                .into_iter()
                .map(|s| types::Source {
                    exchange: s.exchange,
                    symbol: s.symbol,
                })
                .collect(),
        },
        allow_list: AllowList::new(&config.allowed_hosts),
        http: shared.http.clone(),
        http_timeout: shared.config.http_timeout,
        http_max_body_bytes: shared.config.http_max_body_bytes,
        websocket_max_connections: shared.config.websocket_max_connections,
        tick_interval: shared.config.tick_interval,
        restart_backoff: shared.config.restart_backoff,
        restart_backoff_max: shared.config.restart_backoff_max,
        recent_logs,
        runtime: shared.runtime.clone(),
        prices: Arc::clone(&shared.prices),
    };
    let worker = Worker::start(spec)?;
    Ok(LoadedPlugin {
        config,
        digest,
        provenance,
        stamp,
        worker,
    })
}
