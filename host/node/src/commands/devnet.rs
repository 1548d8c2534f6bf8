//! `ftso-node devnet`: start a local FSP chain (anvil + the project's FSP contracts), print its addresses, write
//! a config file the host can run against, and drive `daemonize()` until Ctrl-C. [`entity`]: the node as a
//! devnet entity (`run --devnet`); [`join`]: a node joining that file's devnet as one of its entities
//! (`run --join-devnet`).

pub mod entity;
pub mod join;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use ftso_devnet::{Devnet, DevnetConfig};

/// Start a local FSP devnet (anvil) with registered test entities.
#[derive(Debug, Args)]
pub struct DevnetCommand {
    /// Number of test entities.
    #[arg(long, default_value_t = 3)]
    entities: usize,
    /// Voting round length in seconds (at most 255).
    #[arg(long, default_value_t = 20)]
    voting_epoch_secs: u64,
    /// Reward epoch length in voting rounds.
    #[arg(long, default_value_t = 5)]
    reward_epoch_voting_epochs: u32,
    /// How long before a reward epoch ends the next one's signing policy is prepared (random acquisition starts),
    /// in seconds; shorter than a reward epoch. The longer, the more time the voters have to sign the new policy.
    #[arg(long, default_value_t = 40)]
    signing_policy_init_lead_secs: u64,
    /// How long voter registration stays open at least, in seconds (from the vote power block's selection to the
    /// signing policy's initialization).
    #[arg(long, default_value_t = 5)]
    voter_registration_min_duration_secs: u64,
    /// Chain id.
    #[arg(long, default_value_t = 31337)]
    chain_id: u64,
    /// Interval mining in seconds (0 = one block per transaction). Real-time clients want 1.
    #[arg(long, default_value_t = 1)]
    block_time_secs: u64,
    /// Where to write the devnet config (RPC URL, chain id, contract addresses, test-entity keys).
    #[arg(long, default_value = ".data/devnet.toml")]
    config_out: PathBuf,
}

impl DevnetCommand {
    /// Starts the devnet and runs until Ctrl-C or SIGTERM.
    pub fn execute(self) -> anyhow::Result<()> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("cannot start the tokio runtime")?;
        runtime.block_on(self.run())
    }

    async fn run(self) -> anyhow::Result<()> {
        let config = DevnetConfig {
            entities: self.entities,
            voting_epoch: Duration::from_secs(self.voting_epoch_secs),
            reward_epoch_voting_epochs: self.reward_epoch_voting_epochs,
            signing_policy_init_lead: Duration::from_secs(self.signing_policy_init_lead_secs),
            voter_registration_min_duration: Duration::from_secs(
                self.voter_registration_min_duration_secs,
            ),
            chain_id: self.chain_id,
            block_time: (self.block_time_secs > 0)
                .then(|| Duration::from_secs(self.block_time_secs)),
            ..DevnetConfig::default()
        };
        let devnet = Devnet::start(config).await.context("starting the devnet")?;
        let summary = render(&devnet);
        print!("{summary}");
        if let Some(parent) = self.config_out.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&self.config_out, &summary)
            .with_context(|| format!("writing {}", self.config_out.display()))?;
        println!(
            "# written to {}; driving daemonize() every block until Ctrl-C or SIGTERM",
            self.config_out.display()
        );
        let driver = devnet.spawn_daemon_driver(Duration::from_millis(250));
        crate::signal::shutdown_signal().await;
        drop(driver);
        tracing::info!("devnet stopped");
        Ok(())
    }
}

/// The devnet as TOML: RPC, chain id, timing, contract addresses and the test entities' keys.
fn render(devnet: &Devnet) -> String {
    let config = devnet.config();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# ftso-node devnet: TEST KEYS ONLY (anvil's well-known mnemonic); never use them elsewhere."
    );
    let _ = writeln!(out, "rpc_url = \"{}\"", devnet.rpc_url());
    let _ = writeln!(out, "chain_id = {}", devnet.chain_id());
    let _ = writeln!(
        out,
        "first_voting_round_start_ts = {}",
        devnet.first_voting_round_start_ts()
    );
    let _ = writeln!(
        out,
        "voting_epoch_duration_seconds = {}",
        config.voting_epoch.as_secs()
    );
    let _ = writeln!(
        out,
        "reveal_deadline_seconds = {}",
        config.reveal_deadline.as_secs()
    );
    let _ = writeln!(
        out,
        "first_reward_epoch_start_voting_round_id = {}",
        config.first_reward_epoch_start_voting_round_id
    );
    let _ = writeln!(
        out,
        "reward_epoch_duration_in_voting_epochs = {}",
        config.reward_epoch_voting_epochs
    );
    let _ = writeln!(out, "\n[contracts]");
    for (name, address) in devnet.contracts().all() {
        let _ = writeln!(out, "{name} = \"{address}\"");
    }
    let _ = writeln!(
        out,
        "LegacyEventEmitter = \"{}\"",
        devnet.contracts().legacy_event_emitter
    );
    for entity in devnet.entities() {
        let _ = writeln!(out, "\n[[entities]]");
        for (role, key) in [
            ("identity", &entity.identity),
            ("submit", &entity.submit),
            ("submit_signatures", &entity.submit_signatures),
            ("signing_policy", &entity.signing_policy),
            ("delegation", &entity.delegation),
        ] {
            let _ = writeln!(out, "{role}_address = \"{}\"", key.address());
            let _ = writeln!(
                out,
                "{role}_private_key = \"0x{}\"",
                hex::encode(key.to_bytes())
            );
        }
    }
    out
}
