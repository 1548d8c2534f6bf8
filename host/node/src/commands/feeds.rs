//! `ftso-node feeds --config <file>`: serve the feed-values REST contract from the configured
//! plugins, and nothing else.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use tokio_util::sync::CancellationToken;

/// Serves feed values from WebAssembly plugins (the value-provider role on its own).
#[derive(Debug, Args)]
pub struct FeedsCommand {
    /// A node config file; only its `[feeds]` section is served (see config/feeds.example.toml).
    #[arg(long)]
    config: PathBuf,
}

impl FeedsCommand {
    /// Runs until Ctrl-C / SIGTERM.
    pub fn execute(self) -> anyhow::Result<()> {
        let config = crate::config::NodeConfig::load(None, Some(&self.config))?.feeds;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("cannot start the tokio runtime")?;
        runtime.block_on(async move {
            let cancel = CancellationToken::new();
            crate::signal::cancel_on_shutdown_signal(cancel.clone());
            ftso_feeds::run(config, cancel).await
        })
    }
}
