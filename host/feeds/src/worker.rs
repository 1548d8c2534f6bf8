//! One thread per loaded plugin version: it owns the instance, runs every call into it in turn
//! (the WIT promises serialised calls), delivers websocket events, calls `tick`, and recreates the
//! instance with exponential backoff after a trap, a timeout or a memory overrun.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
        mpsc,
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

use tokio::sync::oneshot;

use crate::{
    bindings::{provider, types},
    capability::{AllowList, Capabilities, log::RecentLogs},
    engine::PluginEngine,
    error::PluginError,
    sandbox::{Limits, Prepared, Sandbox},
    telemetry,
};

/// Values answered by a plugin: one entry per requested feed.
pub type ValuesResult = Result<Vec<Option<types::Observation>>, PluginError>;
/// Volumes answered by a plugin: one entry per requested feed.
pub type VolumesResult = Result<Vec<Vec<types::VenueVolume>>, PluginError>;

/// A message to a worker.
#[derive(Debug)]
pub enum Command {
    /// Call `values`.
    Values {
        /// Requested feeds.
        feeds: Vec<types::FeedId>,
        /// The voting round, if any.
        round: Option<u32>,
        /// Where the answer goes.
        reply: oneshot::Sender<ValuesResult>,
    },
    /// Call `volumes`.
    Volumes {
        /// Requested feeds.
        feeds: Vec<types::FeedId>,
        /// Window in seconds.
        window_seconds: u32,
        /// Where the answer goes.
        reply: oneshot::Sender<VolumesResult>,
    },
    /// A websocket message arrived.
    WsMessage {
        /// The connection.
        id: u64,
        /// The message.
        message: provider::Message,
    },
    /// A websocket connection closed.
    WsClosed {
        /// The connection.
        id: u64,
        /// Why.
        reason: String,
    },
    /// Stop the worker (sent when its last handle is dropped).
    Shutdown,
}

/// Everything needed to (re)create instances of one plugin version.
#[derive(Debug, Clone)]
pub struct WorkerSpec {
    /// Plugin name.
    pub name: String,
    /// Shared engine.
    pub engine: PluginEngine,
    /// The compiled, pre-linked component.
    pub prepared: Prepared,
    /// Limits per instance.
    pub limits: Limits,
    /// What `init` receives.
    pub plugin_config: types::PluginConfig,
    /// Hosts it may reach.
    pub allow_list: AllowList,
    /// Shared HTTP client.
    pub http: reqwest::Client,
    /// Timeout of one http GET / websocket handshake.
    pub http_timeout: Duration,
    /// Response body cap.
    pub http_max_body_bytes: usize,
    /// Websocket connection limit.
    pub websocket_max_connections: usize,
    /// `tick` period.
    pub tick_interval: Duration,
    /// First restart delay.
    pub restart_backoff: Duration,
    /// Longest restart delay.
    pub restart_backoff_max: Duration,
    /// Where log lines are kept.
    pub recent_logs: RecentLogs,
    /// The price store published trades go to.
    pub prices: Arc<crate::prices::Prices>,
    /// The runtime for network I/O.
    pub runtime: tokio::runtime::Handle,
}

/// Counters of one worker, readable while it runs.
#[derive(Debug, Default)]
pub struct WorkerStats {
    /// Whether an instance is live now.
    pub up: AtomicBool,
    /// Calls that failed (trap, timeout, memory, bad answer).
    pub failures: AtomicU64,
    /// Instances created after the first.
    pub restarts: AtomicU64,
    /// The last failure.
    pub last_failure: Mutex<Option<String>>,
    /// The kind of the last failure ([`PluginError::kind`]).
    pub last_failure_kind: Mutex<Option<&'static str>>,
    /// What its instances do through the capabilities.
    pub activity: Arc<crate::capability::Activity>,
}

/// A handle to a running worker; dropping the last one stops it.
#[derive(Debug)]
pub struct Worker {
    name: String,
    tx: mpsc::Sender<Command>,
    stats: Arc<WorkerStats>,
    info: types::PluginInfo,
    wait_limit: Duration,
    _thread: JoinHandle<()>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.tx.send(Command::Shutdown);
    }
}

impl Worker {
    /// Creates the first instance (instantiate + `init` + `info`) on a new thread. Blocks until it
    /// is up; an error means the plugin is refused.
    pub fn start(spec: WorkerSpec) -> Result<Self, PluginError> {
        let (tx, rx) = mpsc::channel();
        let (ready_tx, ready_rx) = mpsc::sync_channel(1);
        let stats = Arc::new(WorkerStats::default());
        let wait_limit = spec.limits.call_timeout * 4 + spec.http_timeout + Duration::from_secs(1);
        let name = spec.name.clone();
        let thread = {
            let tx = tx.clone();
            let stats = Arc::clone(&stats);
            std::thread::Builder::new()
                .name(format!("plugin-{}", spec.name))
                .spawn(move || run(spec, tx, rx, ready_tx, stats))
                .map_err(|e| PluginError::Unavailable {
                    plugin: name.clone(),
                    reason: format!("cannot start its thread: {e}"),
                })?
        };
        let info = ready_rx.recv().map_err(|_| PluginError::Unavailable {
            plugin: name.clone(),
            reason: "its thread stopped during start".to_owned(),
        })??;
        Ok(Self {
            name,
            tx,
            stats,
            info,
            wait_limit,
            _thread: thread,
        })
    }

    /// What the plugin said about itself at start.
    pub fn info(&self) -> &types::PluginInfo {
        &self.info
    }

    /// The worker's counters.
    pub fn stats(&self) -> &WorkerStats {
        &self.stats
    }

    async fn ask<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T, PluginError>>) -> Command,
    ) -> Result<T, PluginError> {
        let unavailable = |reason: &str| PluginError::Unavailable {
            plugin: self.name.clone(),
            reason: reason.to_owned(),
        };
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(make(reply))
            .map_err(|_| unavailable("its worker stopped"))?;
        match tokio::time::timeout(self.wait_limit, answer).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(unavailable("its worker dropped the call")),
            Err(_) => Err(unavailable("no answer in time (the worker is busy)")),
        }
    }

    /// `values(feeds, round)` on the live instance.
    pub async fn values(&self, feeds: Vec<types::FeedId>, round: Option<u32>) -> ValuesResult {
        self.ask(|reply| Command::Values {
            feeds,
            round,
            reply,
        })
        .await
    }

    /// `volumes(feeds, window)` on the live instance.
    pub async fn volumes(&self, feeds: Vec<types::FeedId>, window_seconds: u32) -> VolumesResult {
        self.ask(|reply| Command::Volumes {
            feeds,
            window_seconds,
            reply,
        })
        .await
    }
}

fn start_instance(
    spec: &WorkerSpec,
    tx: &mpsc::Sender<Command>,
    stats: &WorkerStats,
) -> Result<Sandbox, PluginError> {
    // A new instance starts with no connection (the old one's were dropped with it).
    stats.activity.set_open(&spec.name, 0);
    let caps = Capabilities {
        plugin: spec.name.clone(),
        allow_list: spec.allow_list.clone(),
        http: spec.http.clone(),
        http_timeout: spec.http_timeout,
        http_max_body_bytes: spec.http_max_body_bytes,
        websocket_max_connections: spec.websocket_max_connections,
        websocket_open: 0,
        runtime: spec.runtime.clone(),
        events: tx.clone(),
        log_budget: Default::default(),
        recent_logs: spec.recent_logs.clone(),
        prices: Arc::clone(&spec.prices),
        activity: Arc::clone(&stats.activity),
    };
    Sandbox::start(
        &spec.engine,
        &spec.prepared,
        caps,
        spec.limits,
        &spec.plugin_config,
    )
}

/// The instance and its restart schedule.
struct Slot {
    sandbox: Option<Sandbox>,
    consecutive_failures: u32,
    next_restart: Instant,
}

impl Slot {
    fn fail(&mut self, spec: &WorkerSpec, stats: &WorkerStats, error: &PluginError) {
        stats.failures.fetch_add(1, Ordering::Relaxed);
        telemetry::failed(&spec.name, error);
        if let Ok(mut last) = stats.last_failure.lock() {
            *last = Some(error.to_string());
        }
        if let Ok(mut kind) = stats.last_failure_kind.lock() {
            *kind = Some(error.kind());
        }
        if !error.kills_instance() {
            tracing::warn!(plugin = %spec.name, kind = error.kind(), "plugin call failed: {error}");
            return;
        }
        self.sandbox = None;
        stats.up.store(false, Ordering::Relaxed);
        telemetry::up(&spec.name, false);
        self.consecutive_failures = self.consecutive_failures.saturating_add(1);
        let exponent = self.consecutive_failures.saturating_sub(1).min(20);
        let delay = spec
            .restart_backoff
            .saturating_mul(1 << exponent)
            .min(spec.restart_backoff_max);
        self.next_restart = Instant::now() + delay;
        tracing::warn!(
            plugin = %spec.name,
            kind = error.kind(),
            restart_in = ?delay,
            "plugin instance dropped: {error}"
        );
    }

    /// Books the outcome of a call: success resets the failure count, a failure of the instance counts
    /// (an unavailable instance is already waiting for its restart).
    fn record<T>(
        &mut self,
        spec: &WorkerSpec,
        stats: &WorkerStats,
        result: &Result<T, PluginError>,
    ) {
        match result {
            Ok(_) => self.succeed(),
            Err(PluginError::Unavailable { .. }) => {}
            Err(error) => self.fail(spec, stats, error),
        }
    }

    fn succeed(&mut self) {
        self.consecutive_failures = 0;
    }
}

fn run(
    spec: WorkerSpec,
    tx: mpsc::Sender<Command>,
    rx: mpsc::Receiver<Command>,
    ready: mpsc::SyncSender<Result<types::PluginInfo, PluginError>>,
    stats: Arc<WorkerStats>,
) {
    let first = start_instance(&spec, &tx, &stats).and_then(|mut sandbox| {
        let info = sandbox.info()?;
        Ok((sandbox, info))
    });
    let sandbox = match first {
        Ok((sandbox, info)) => {
            stats.up.store(true, Ordering::Relaxed);
            telemetry::up(&spec.name, true);
            let _ = ready.send(Ok(info));
            sandbox
        }
        Err(error) => {
            let _ = ready.send(Err(error));
            return;
        }
    };
    drop(ready);
    let mut slot = Slot {
        sandbox: Some(sandbox),
        consecutive_failures: 0,
        next_restart: Instant::now(),
    };
    let mut next_tick = Instant::now() + spec.tick_interval;

    loop {
        let now = Instant::now();
        if slot.sandbox.is_none() && now >= slot.next_restart {
            match start_instance(&spec, &tx, &stats) {
                Ok(sandbox) => {
                    tracing::info!(plugin = %spec.name, "plugin instance recreated");
                    slot.sandbox = Some(sandbox);
                    stats.up.store(true, Ordering::Relaxed);
                    stats.restarts.fetch_add(1, Ordering::Relaxed);
                    telemetry::restarted(&spec.name);
                    telemetry::up(&spec.name, true);
                }
                Err(error) => slot.fail(&spec, &stats, &error),
            }
        }
        let mut wake = next_tick;
        if slot.sandbox.is_none() {
            wake = wake.min(slot.next_restart);
        }
        let command = match rx.recv_timeout(wake.saturating_duration_since(Instant::now())) {
            Ok(command) => command,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if Instant::now() >= next_tick {
                    next_tick = Instant::now() + spec.tick_interval;
                    if let Some(sandbox) = slot.sandbox.as_mut() {
                        match sandbox.tick() {
                            Ok(()) => {}
                            Err(error) => slot.fail(&spec, &stats, &error),
                        }
                    }
                }
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let down = || PluginError::Unavailable {
            plugin: spec.name.clone(),
            reason: "the instance failed and waits for its restart".to_owned(),
        };
        match command {
            Command::Shutdown => break,
            Command::Values {
                feeds,
                round,
                reply,
            } => {
                let started = Instant::now();
                let result = match slot.sandbox.as_mut() {
                    Some(sandbox) => sandbox.values(&feeds, round),
                    None => Err(down()),
                };
                telemetry::values_finished(&spec.name, started.elapsed(), &result);
                slot.record(&spec, &stats, &result);
                let _ = reply.send(result);
            }
            Command::Volumes {
                feeds,
                window_seconds,
                reply,
            } => {
                let started = Instant::now();
                let result = match slot.sandbox.as_mut() {
                    Some(sandbox) => sandbox.volumes(&feeds, window_seconds),
                    None => Err(down()),
                };
                telemetry::call_finished(&spec.name, "volumes", started.elapsed(), result.is_ok());
                slot.record(&spec, &stats, &result);
                let _ = reply.send(result);
            }
            Command::WsMessage { id, message } => {
                if let Some(sandbox) = slot.sandbox.as_mut()
                    && let Err(error) = sandbox.on_message(id, &message)
                {
                    slot.fail(&spec, &stats, &error);
                }
            }
            Command::WsClosed { id, reason } => {
                if let Some(sandbox) = slot.sandbox.as_mut()
                    && let Err(error) = sandbox.on_close(id, &reason)
                {
                    slot.fail(&spec, &stats, &error);
                }
            }
        }
    }
    tracing::debug!(plugin = %spec.name, "plugin worker stopped");
}
