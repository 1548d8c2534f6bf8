//! One plugin instance in its own `Store`: memory cap (a `ResourceLimiter` that remembers it was
//! hit), a deadline per call (epoch interruption), and WASI with no preopens, no sockets, no env.

use std::time::Duration;

use wasmtime::{
    ResourceLimiter, Store, Trap,
    component::{InstancePre, ResourceTable},
};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::{
    bindings::{FeedPlugin, FeedPluginPre, provider, types},
    capability::Capabilities,
    engine::PluginEngine,
    error::PluginError,
};

/// The memory cap of one instance; remembers whether a growth was refused.
#[derive(Debug)]
pub struct MemoryCap {
    limit_bytes: usize,
    exceeded: bool,
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit_bytes {
            self.exceeded = true;
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

/// The data of a plugin's `Store`.
pub struct PluginState {
    wasi: WasiCtx,
    pub(crate) table: ResourceTable,
    memory: MemoryCap,
    pub(crate) caps: Capabilities,
}

impl std::fmt::Debug for PluginState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginState")
            .field("plugin", &self.caps.plugin)
            .finish_non_exhaustive()
    }
}

impl WasiView for PluginState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// A WASI context with nothing ambient: no preopened directories, no env, no args, no sockets,
/// no name lookup, stdio discarded. Random and clocks work.
fn locked_down_wasi() -> WasiCtx {
    let mut builder = WasiCtx::builder();
    builder
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false);
    builder.build()
}

/// The limits of one instance.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time budget of a call.
    pub call_timeout: Duration,
    /// Time budget of `init`.
    pub init_timeout: Duration,
    /// Linear memory cap in bytes.
    pub memory_limit_bytes: usize,
}

/// A live, initialised plugin instance.
pub struct Sandbox {
    store: Store<PluginState>,
    plugin: FeedPlugin,
    limits: Limits,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("plugin", &self.store.data().caps.plugin)
            .finish_non_exhaustive()
    }
}

/// A compiled and pre-linked component, ready to instantiate.
#[derive(Clone)]
pub struct Prepared {
    pre: FeedPluginPre<PluginState>,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared").finish_non_exhaustive()
    }
}

impl Prepared {
    /// Compiles (or loads from the cache) and links a component against the `feed-plugin` world.
    pub fn new(engine: &PluginEngine, plugin: &str, bytes: &[u8]) -> Result<Self, PluginError> {
        let compile_error = |e: wasmtime::Error| PluginError::Compile {
            plugin: plugin.to_owned(),
            reason: format!("{e:#}"),
        };
        let component = compile_reporting_progress(engine, plugin, bytes).map_err(compile_error)?;
        let instance_pre: InstancePre<PluginState> = engine
            .linker()
            .instantiate_pre(&component)
            .map_err(compile_error)?;
        let pre = FeedPluginPre::new(instance_pre).map_err(compile_error)?;
        Ok(Self { pre })
    }
}

/// Compiles a component (or loads it from the cache), saying so before and after: a compilation can take
/// minutes on a small machine.
fn compile_reporting_progress(
    engine: &PluginEngine,
    plugin: &str,
    bytes: &[u8],
) -> wasmtime::Result<wasmtime::component::Component> {
    tracing::info!(plugin, bytes = bytes.len(), "compiling plugin…");
    let started = std::time::Instant::now();
    let hits_before = engine.cache_hits();
    let component = engine.compile(bytes)?;
    let elapsed = started.elapsed();
    // Another plugin loading at the same time may take the hit: the flag is a hint for the log, not an account.
    let cache_hit = match (hits_before, engine.cache_hits()) {
        (Some(before), Some(after)) => Some(after > before),
        _ => None,
    };
    tracing::info!(
        plugin,
        elapsed_secs = format!("{:.1}", elapsed.as_secs_f64()),
        cache_hit,
        "plugin compiled"
    );
    crate::telemetry::compiled(plugin, elapsed);
    Ok(component)
}

impl Sandbox {
    /// Instantiates the component in a fresh store and calls `init`.
    pub fn start(
        engine: &PluginEngine,
        prepared: &Prepared,
        caps: Capabilities,
        limits: Limits,
        config: &types::PluginConfig,
    ) -> Result<Self, PluginError> {
        let mut sandbox = Self::instantiate(engine, prepared, caps, limits)?;
        let result = sandbox.call("init", limits.init_timeout, |plugin, store| {
            plugin.flare_feeds_provider().call_init(store, config)
        })?;
        let plugin = sandbox.name().to_owned();
        result.map_err(|reason| PluginError::Init { plugin, reason })?;
        Ok(sandbox)
    }

    /// Instantiates the component in a fresh store without calling `init` (only `info` may be
    /// called then).
    pub fn instantiate(
        engine: &PluginEngine,
        prepared: &Prepared,
        caps: Capabilities,
        limits: Limits,
    ) -> Result<Self, PluginError> {
        let state = PluginState {
            wasi: locked_down_wasi(),
            table: ResourceTable::new(),
            memory: MemoryCap {
                limit_bytes: limits.memory_limit_bytes,
                exceeded: false,
            },
            caps,
        };
        let mut store = Store::new(engine.engine(), state);
        store.limiter(|state| &mut state.memory);
        store.epoch_deadline_trap();
        store.set_epoch_deadline(PluginEngine::ticks_for(limits.init_timeout));
        match prepared.pre.instantiate(&mut store) {
            Ok(plugin) => Ok(Self {
                store,
                plugin,
                limits,
            }),
            Err(error) => {
                let name = store.data().caps.plugin.clone();
                Err(classify(
                    &name,
                    "instantiate",
                    error,
                    &store,
                    limits.init_timeout,
                ))
            }
        }
    }

    /// The plugin's name.
    pub fn name(&self) -> &str {
        &self.store.data().caps.plugin
    }

    /// Runs one export under the deadline and classifies a failure.
    fn call<R>(
        &mut self,
        call: &'static str,
        budget: Duration,
        f: impl FnOnce(&FeedPlugin, &mut Store<PluginState>) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        self.store
            .set_epoch_deadline(PluginEngine::ticks_for(budget));
        self.store.data_mut().memory.exceeded = false;
        let result = f(&self.plugin, &mut self.store);
        result.map_err(|error| {
            classify(
                &self.store.data().caps.plugin,
                call,
                error,
                &self.store,
                budget,
            )
        })
    }

    /// `info()`.
    pub fn info(&mut self) -> Result<types::PluginInfo, PluginError> {
        let budget = self.limits.call_timeout;
        self.call("info", budget, |p, s| p.flare_feeds_provider().call_info(s))
    }

    /// `values(feeds, voting-round)`; checks one answer per feed.
    pub fn values(
        &mut self,
        feeds: &[types::FeedId],
        round: Option<u32>,
    ) -> Result<Vec<Option<types::Observation>>, PluginError> {
        let budget = self.limits.call_timeout;
        let values = self.call("values", budget, |p, s| {
            p.flare_feeds_provider().call_values(s, feeds, round)
        })?;
        if values.len() != feeds.len() {
            return Err(PluginError::BadAnswer {
                plugin: self.name().to_owned(),
                call: "values",
                got: values.len(),
                expected: feeds.len(),
            });
        }
        Ok(values)
    }

    /// `volumes(feeds, window-seconds)`.
    pub fn volumes(
        &mut self,
        feeds: &[types::FeedId],
        window_seconds: u32,
    ) -> Result<Vec<Vec<types::VenueVolume>>, PluginError> {
        let budget = self.limits.call_timeout;
        let volumes = self.call("volumes", budget, |p, s| {
            p.flare_feeds_provider()
                .call_volumes(s, feeds, window_seconds)
        })?;
        if volumes.len() != feeds.len() {
            return Err(PluginError::BadAnswer {
                plugin: self.name().to_owned(),
                call: "volumes",
                got: volumes.len(),
                expected: feeds.len(),
            });
        }
        Ok(volumes)
    }

    /// `on-message(connection-id, message)`.
    pub fn on_message(
        &mut self,
        connection: u64,
        message: &provider::Message,
    ) -> Result<(), PluginError> {
        let budget = self.limits.call_timeout;
        self.call("on-message", budget, |p, s| {
            p.flare_feeds_provider()
                .call_on_message(s, connection, message)
        })
    }

    /// `on-close(connection-id, reason)`.
    pub fn on_close(&mut self, connection: u64, reason: &str) -> Result<(), PluginError> {
        let budget = self.limits.call_timeout;
        self.call("on-close", budget, |p, s| {
            p.flare_feeds_provider()
                .call_on_close(s, connection, reason)
        })
    }

    /// `tick()`.
    pub fn tick(&mut self) -> Result<(), PluginError> {
        let budget = self.limits.call_timeout;
        self.call("tick", budget, |p, s| p.flare_feeds_provider().call_tick(s))
    }
}

/// Turns a wasmtime error into the failure kind: memory cap, deadline, or another trap.
fn classify(
    plugin: &str,
    call: &'static str,
    error: wasmtime::Error,
    store: &Store<PluginState>,
    budget: Duration,
) -> PluginError {
    let memory = &store.data().memory;
    if memory.exceeded {
        return PluginError::MemoryExceeded {
            plugin: plugin.to_owned(),
            call,
            limit_bytes: memory.limit_bytes,
        };
    }
    if matches!(error.downcast_ref::<Trap>(), Some(Trap::Interrupt)) {
        return PluginError::Timeout {
            plugin: plugin.to_owned(),
            call,
            budget,
        };
    }
    PluginError::Trap {
        plugin: plugin.to_owned(),
        call,
        reason: format!("{error:#}"),
    }
}
