//! What `ftso-node plugin inspect` shows about a component: its WIT imports and exports, size,
//! digest, signer, and the plugin's own `info()`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::{
    capability::{AllowList, Capabilities, log::RecentLogs},
    engine::PluginEngine,
    sandbox::{Limits, Prepared, Sandbox},
    signature::{SignatureFile, digest_string, signature_path},
};

/// The facts about one component file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Inspection {
    /// The file.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// `sha256:<hex>`.
    pub digest: String,
    /// The interfaces it imports (`flare:feeds/log@0.1.0`, `wasi:random/random@0.2.x`, ...).
    pub imports: Vec<String>,
    /// The interfaces it exports.
    pub exports: Vec<String>,
    /// The signer's public key if `<file>.sig` verifies, or why not.
    pub signer: Result<String, String>,
    /// `info()`: name, version, SDK version.
    pub info: Option<(String, String, Option<String>)>,
    /// Why `info()` could not be called, if it could not.
    pub info_error: Option<String>,
}

/// Inspects a component. Must run inside a tokio runtime (it instantiates the plugin to call
/// `info()`, which needs the capability plumbing) but off its async threads.
pub fn inspect(path: &Path, runtime: tokio::runtime::Handle) -> anyhow::Result<Inspection> {
    crate::install_crypto_provider();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let engine = PluginEngine::new(None)?;
    let component = engine
        .compile(&bytes)
        .map_err(|e| anyhow::anyhow!("not a valid component: {e:#}"))?;
    let ty = component.component_type();
    let imports = ty
        .imports(engine.engine())
        .map(|(name, _)| name.to_owned())
        .collect();
    let exports = ty
        .exports(engine.engine())
        .map(|(name, _)| name.to_owned())
        .collect();

    let sig_path = signature_path(path);
    let signer = match std::fs::read_to_string(&sig_path) {
        Ok(text) => SignatureFile::parse(&text, &sig_path)
            .and_then(|file| file.verify(&bytes, &sig_path))
            .map_err(|e| e.to_string()),
        Err(_) => Err(format!("unsigned (no {})", sig_path.display())),
    };

    let (info, info_error) = match call_info(&engine, &bytes, runtime) {
        Ok(info) => (Some(info), None),
        Err(error) => (None, Some(format!("{error:#}"))),
    };
    Ok(Inspection {
        path: path.to_owned(),
        size: bytes.len() as u64,
        digest: digest_string(&bytes),
        imports,
        exports,
        signer,
        info,
        info_error,
    })
}

fn call_info(
    engine: &PluginEngine,
    bytes: &[u8],
    runtime: tokio::runtime::Handle,
) -> anyhow::Result<(String, String, Option<String>)> {
    let prepared = Prepared::new(engine, "inspect", bytes)?;
    let (events, _) = std::sync::mpsc::channel();
    let caps = Capabilities {
        plugin: "inspect".to_owned(),
        allow_list: AllowList::default(),
        http: reqwest::Client::new(),
        http_timeout: std::time::Duration::from_secs(1),
        http_max_body_bytes: 0,
        websocket_max_connections: 0,
        websocket_open: 0,
        runtime,
        events,
        log_budget: Default::default(),
        recent_logs: RecentLogs::default(),
        prices: Default::default(),
        activity: Default::default(),
    };
    let limits = Limits {
        call_timeout: std::time::Duration::from_secs(1),
        init_timeout: std::time::Duration::from_secs(1),
        memory_limit_bytes: 64 << 20,
    };
    let mut sandbox = Sandbox::instantiate(engine, &prepared, caps, limits)?;
    let info = sandbox.info()?;
    Ok((info.name, info.version, info.sdk_version))
}
