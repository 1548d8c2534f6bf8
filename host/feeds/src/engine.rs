//! The wasmtime engine: component model, epoch interruption driven by a ticker thread, and the
//! on-disk compilation cache. One per host; plugins share it.

use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    thread::JoinHandle,
    time::Duration,
};

use anyhow::Context as _;
use wasmtime::component::{Component, Linker};

use crate::{bindings::FeedPlugin, sandbox::PluginState};

/// How often the epoch advances; call budgets are rounded up to whole ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(5);

/// The shared engine with its linker (WASI without fs/sockets + the feed capabilities).
#[derive(Clone)]
pub struct PluginEngine {
    inner: Arc<Inner>,
}

struct Inner {
    engine: wasmtime::Engine,
    linker: Linker<PluginState>,
    /// The compilation cache, when enabled (its hit count tells a cached load from a compilation).
    cache: Option<wasmtime::Cache>,
    stop: Arc<AtomicBool>,
    ticker: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for PluginEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginEngine").finish_non_exhaustive()
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(ticker) = self.ticker.take() {
            let _ = ticker.join();
        }
    }
}

impl PluginEngine {
    /// Builds the engine. With `cache_dir`, compiled components are cached there (keyed by the
    /// component bytes and the engine configuration), so a restart does not recompile.
    pub fn new(cache_dir: Option<&Path>) -> anyhow::Result<Self> {
        let mut config = wasmtime::Config::new();
        let mut compilation_cache = None;
        config.wasm_component_model(true);
        config.epoch_interruption(true);
        // Guests never need huge reservations; keep virtual memory use modest per instance.
        config.memory_reservation(1 << 30);
        config.memory_guard_size(64 << 10);
        if let Some(dir) = cache_dir {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create cache directory {}", dir.display()))?;
            let mut cache_config = wasmtime::CacheConfig::new();
            cache_config.with_directory(dir);
            let cache = wasmtime::Cache::new(cache_config)
                .map_err(wt)
                .context("cannot set up the compilation cache")?;
            config.cache(Some(cache.clone()));
            compilation_cache = Some(cache);
        }
        let engine = wasmtime::Engine::new(&config)
            .map_err(wt)
            .context("cannot create the wasmtime engine")?;

        let mut linker = Linker::<PluginState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .map_err(wt)
            .context("cannot link WASI")?;
        FeedPlugin::add_to_linker::<PluginState, wasmtime::component::HasSelf<PluginState>>(
            &mut linker,
            |state| state,
        )
        .map_err(wt)
        .context("cannot link the feed capabilities")?;

        let stop = Arc::new(AtomicBool::new(false));
        let ticker = {
            let engine = engine.clone();
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .name("wasm-epoch".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(EPOCH_TICK);
                        engine.increment_epoch();
                    }
                })
                .context("cannot start the epoch ticker")?
        };
        Ok(Self {
            inner: Arc::new(Inner {
                engine,
                linker,
                cache: compilation_cache,
                stop,
                ticker: Some(ticker),
            }),
        })
    }

    /// The wasmtime engine.
    pub fn engine(&self) -> &wasmtime::Engine {
        &self.inner.engine
    }

    /// The linker with every import the `feed-plugin` world allows.
    pub fn linker(&self) -> &Linker<PluginState> {
        &self.inner.linker
    }

    /// Compiles (or loads from the cache) a component.
    pub fn compile(&self, bytes: &[u8]) -> wasmtime::Result<Component> {
        Component::new(&self.inner.engine, bytes)
    }

    /// Compilations served from the on-disk cache so far; `None` without a cache.
    pub fn cache_hits(&self) -> Option<usize> {
        self.inner.cache.as_ref().map(wasmtime::Cache::cache_hits)
    }

    /// Epoch ticks for a time budget (at least one).
    pub fn ticks_for(budget: Duration) -> u64 {
        let ticks = budget.as_micros().div_ceil(EPOCH_TICK.as_micros()).max(1);
        u64::try_from(ticks).unwrap_or(u64::MAX)
    }
}

/// wasmtime's error type into anyhow, keeping the message chain.
fn wt(error: wasmtime::Error) -> anyhow::Error {
    anyhow::anyhow!("{error:#}")
}
