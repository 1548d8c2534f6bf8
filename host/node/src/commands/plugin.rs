//! `ftso-node plugin keygen|sign|verify|inspect`: manage signed feed plugins.
//!
//! Secret keys are never printed; key files are created with mode 0600.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand};
use ftso_feeds::signature::{self, SignatureFile, TrustPolicy};

use crate::secret_file::write_private;

/// Manages signed feed plugins.
#[derive(Debug, Args)]
pub struct PluginCommand {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Creates a new ed25519 publisher key (file mode 0600) and prints its public key.
    Keygen {
        /// Where to write the secret key.
        #[arg(long)]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Signs a component: writes `<component>.sig` beside it.
    Sign {
        /// The publisher's secret key file (from `keygen`).
        #[arg(long)]
        key: PathBuf,
        /// The component (`.wasm`).
        component: PathBuf,
    },
    /// Checks a component's signature, and that the signer is trusted if keys are given.
    Verify {
        /// The component (`.wasm`).
        component: PathBuf,
        /// Trusted publisher public keys (hex); may be repeated.
        #[arg(long = "trusted")]
        trusted: Vec<String>,
        /// Take the trusted keys from the `[feeds]` section of this node config file.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Shows a component's WIT imports and exports, size, digest, signer and `info()`.
    Inspect {
        /// The component (`.wasm`).
        component: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

impl PluginCommand {
    /// Runs the chosen action.
    pub fn execute(self) -> anyhow::Result<()> {
        match self.action {
            Action::Keygen { out, force } => keygen(&out, force),
            Action::Sign { key, component } => sign(&key, &component),
            Action::Verify {
                component,
                trusted,
                config,
            } => verify(&component, trusted, config.as_deref()),
            Action::Inspect { component, json } => inspect(&component, json),
        }
    }
}

fn keygen(out: &Path, force: bool) -> anyhow::Result<()> {
    let key = signature::generate_key().context("cannot get randomness for the key")?;
    write_private(out, &signature::signing_key_text(&key), force)?;
    println!("secret key written to {} (mode 0600)", out.display());
    println!(
        "public key: {}",
        hex::encode(key.verifying_key().to_bytes())
    );
    Ok(())
}

fn sign(key_path: &Path, component: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(key_path)
        .with_context(|| format!("cannot read key {}", key_path.display()))?;
    let key = signature::parse_signing_key(&text)
        .map_err(|reason| anyhow::anyhow!("{}: {reason}", key_path.display()))?;
    let bytes =
        std::fs::read(component).with_context(|| format!("cannot read {}", component.display()))?;
    let file = signature::sign(&key, &bytes);
    let sig_path = signature::signature_path(component);
    std::fs::write(&sig_path, file.to_text())
        .with_context(|| format!("cannot write {}", sig_path.display()))?;
    println!("signed {}", component.display());
    println!("digest: {}", file.digest);
    println!("publisher: {}", file.public_key);
    println!("signature: {}", sig_path.display());
    Ok(())
}

fn verify(component: &Path, mut trusted: Vec<String>, config: Option<&Path>) -> anyhow::Result<()> {
    if let Some(config) = config {
        trusted.extend(
            crate::config::NodeConfig::from_file(config)?
                .feeds
                .trusted_publishers,
        );
    }
    let bytes =
        std::fs::read(component).with_context(|| format!("cannot read {}", component.display()))?;
    let sig_path = signature::signature_path(component);
    if trusted.is_empty() {
        let text = std::fs::read_to_string(&sig_path)
            .with_context(|| format!("unsigned: cannot read {}", sig_path.display()))?;
        let publisher = SignatureFile::parse(&text, &sig_path)?.verify(&bytes, &sig_path)?;
        println!("valid signature by {publisher} (no trusted keys given: trust not checked)");
        return Ok(());
    }
    for key in &trusted {
        signature::parse_public_key(key)
            .map_err(|reason| anyhow::anyhow!("trusted key {key:?}: {reason}"))?;
    }
    match TrustPolicy::new(&trusted, false).check(component, &bytes)? {
        signature::Provenance::Signed { publisher } => {
            println!("valid signature by trusted publisher {publisher}")
        }
        signature::Provenance::Unverified { reason } => anyhow::bail!("{reason}"),
    }
    Ok(())
}

fn inspect(component: &Path, json: bool) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")?;
    let handle = runtime.handle().clone();
    let report = ftso_feeds::inspect::inspect(component, handle)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!("component: {}", report.path.display());
    println!("size:      {} bytes", report.size);
    println!("digest:    {}", report.digest);
    match &report.signer {
        Ok(publisher) => println!("signer:    {publisher}"),
        Err(why) => println!("signer:    none ({why})"),
    }
    match (&report.info, &report.info_error) {
        (Some((name, version, sdk)), _) => println!(
            "info:      {name} {version} (sdk {})",
            sdk.as_deref().unwrap_or("unknown")
        ),
        (None, Some(error)) => println!("info:      unavailable: {error}"),
        (None, None) => {}
    }
    println!("imports:");
    for name in &report.imports {
        println!("  {name}");
    }
    println!("exports:");
    for name in &report.exports {
        println!("  {name}");
    }
    Ok(())
}
