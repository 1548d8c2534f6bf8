//! `ftso-node fast-updates keygen|register`: the sortition key of the fast-updates client (fast-updates digest §3,
//! §7).
//!
//! `keygen` prints the key as the reference keygen does (`{"PublicKeyX":…,"PublicKeyY":…,"PrivateKey":…}`), or
//! writes the private key to a 0600 file and prints only the public key; with `--identity` it also prints the
//! `registerPublicKey` verification data (`s ‖ R.x ‖ R.y`, the reference's "Signature generated"). `register`
//! sends `EntityManager.registerPublicKey` from the identity key; the key counts from the next reward epoch whose
//! signing-policy snapshot follows it.

use std::path::PathBuf;

use alloy::primitives::Address;
use alloy::providers::{Provider as _, ProviderBuilder};
use anyhow::Context as _;
use clap::{Args, Subcommand};
use ftso_chain::keys::PrivateKey;
use ftso_core::fast_updates::{SortitionKey, key_registration};

use crate::config::NodeConfig;
use crate::secret_file::write_private;

/// The fast-updates sortition key.
#[derive(Debug, Args)]
pub struct FastUpdatesCommand {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Generates a sortition key.
    Keygen {
        /// Write the private key (0x-hex) to this file, mode 0600, and print only the public key.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Overwrite `--out` if it exists.
        #[arg(long)]
        force: bool,
        /// Also print the registration proof for this identity address (`registerPublicKey`'s verification data).
        #[arg(long, value_name = "ADDRESS")]
        identity: Option<Address>,
    },
    /// Registers the sortition key of `[fast_updates]` (`EntityManager.registerPublicKey`) from the identity key.
    Register {
        /// Node config file (chain.rpc_url, fast_updates.sortition_key, fast_updates.contracts.registry).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Environment variable holding the identity key (hex).
        #[arg(long, default_value = "IDENTITY_PRIVATE_KEY")]
        identity_key_env: String,
        /// File holding the identity key (hex), used when the variable is unset.
        #[arg(long)]
        identity_key_file: Option<PathBuf>,
    },
}

impl FastUpdatesCommand {
    /// Runs the action.
    pub fn execute(self) -> anyhow::Result<()> {
        match self.action {
            Action::Keygen {
                out,
                force,
                identity,
            } => keygen(out, force, identity),
            Action::Register {
                config,
                identity_key_env,
                identity_key_file,
            } => {
                let config = NodeConfig::load(None, config.as_deref())?;
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .context("cannot start the tokio runtime")?
                    .block_on(register(config, identity_key_env, identity_key_file))
            }
        }
    }
}

fn keygen(out: Option<PathBuf>, force: bool, identity: Option<Address>) -> anyhow::Result<()> {
    let mut randomness = Ok(());
    let key = SortitionKey::generate(|bytes| {
        if let Err(error) = getrandom::fill(bytes) {
            randomness = Err(error);
        }
    });
    randomness.map_err(|error| anyhow::anyhow!("no randomness for the key: {error}"))?;
    let public = key.public_words();
    let x = format!("{:#066x}", public.x);
    let y = format!("{:#066x}", public.y);
    let private = format!("{:#066x}", key.secret_word());
    match &out {
        Some(path) => {
            write_private(path, &format!("{private}\n"), force)?;
            println!("Key generated: {{\"PublicKeyX\":\"{x}\",\"PublicKeyY\":\"{y}\"}}");
            println!("private key written to {} (mode 0600)", path.display());
        }
        None => println!(
            "Key generated: {{\"PublicKeyX\":\"{x}\",\"PublicKeyY\":\"{y}\",\"PrivateKey\":\"{private}\"}}"
        ),
    }
    if let Some(identity) = identity {
        let calldata = ftso_fast_updates::registration::registration_calldata(&key, &identity)?;
        let data = calldata
            .get(calldata.len() - key_registration::VERIFICATION_DATA_LEN..)
            .context("registration calldata too short")?;
        println!("Signature generated: 0x{}", hex::encode(data));
    }
    Ok(())
}

async fn register(
    config: NodeConfig,
    identity_key_env: String,
    identity_key_file: Option<PathBuf>,
) -> anyhow::Result<()> {
    let fu = &config.fast_updates;
    let key_env = fu
        .sortition_key
        .env
        .as_deref()
        .unwrap_or(ftso_fast_updates::config::SORTITION_KEY_ENV);
    let key =
        ftso_fast_updates::keys::load_sortition_key(key_env, fu.sortition_key.file.as_deref())?;
    let identity = load_identity(&identity_key_env, identity_key_file)?;
    let rpc_url = config
        .chain
        .rpc_url
        .clone()
        .context("register needs chain.rpc_url (or FTSO_NODE_RPC_URL)")?;
    let url = rpc_url
        .parse()
        .with_context(|| format!("invalid rpc_url {}", ftso_storage::redact_url(&rpc_url)))?;
    // The one process-wide rustls provider, before the first HTTPS-capable client is built.
    ftso_feeds::install_crypto_provider();
    let provider = ProviderBuilder::new().connect_http(url).erased();
    let chain_id = provider
        .get_chain_id()
        .await
        .context("cannot read the chain id")?;
    let sender = ftso_chain::tx::Senders::new(provider.clone(), chain_id).sender(&identity);
    let entity_manager =
        ftso_fast_updates::registration::entity_manager(&provider, fu.contracts.registry).await?;
    let options = ftso_chain::tx::SendOptions::new(fu.fees.clone());
    let receipt = ftso_fast_updates::registration::register_sortition_key(
        &sender,
        entity_manager,
        &key,
        &options,
    )
    .await
    .context("registerPublicKey")?;
    let public = key.public_words();
    println!(
        "registered sortition public key ({:#066x}, {:#066x}) for identity {} in block {}",
        public.x,
        public.y,
        identity.address(),
        receipt.block_number.unwrap_or_default()
    );
    Ok(())
}

fn load_identity(env: &str, file: Option<PathBuf>) -> anyhow::Result<PrivateKey> {
    if let Some(key) = PrivateKey::from_env(env)? {
        return Ok(key);
    }
    match &file {
        Some(path) => Ok(PrivateKey::from_file(path)?),
        None => anyhow::bail!("no identity key: set ${env} or --identity-key-file"),
    }
}
