//! What `register` and `status` share: the chain they talk to (the node config, as `run` reads it, or a local
//! devnet's RPC) and the entity's keys (environment variables first, then key files, then the `keys generate`
//! directory). Keys are never read from the config file's text and never printed: only their addresses are.

use std::path::{Path, PathBuf};

use alloy::primitives::Address;
use alloy::providers::{DynProvider, Provider as _, ProviderBuilder};
use anyhow::Context as _;
use clap::Args;
use ftso_chain::entity::{AddressRole, EntityReader};
use ftso_chain::keys::{KeyRole, PrivateKey};
use ftso_core::fast_updates::SortitionKey;
use ftso_system_client::{Contracts, ExpectedNetwork};
use serde::Serialize;

use crate::config::NodeConfig;

/// Environment variable of the identity key (as `fast-updates register` reads it).
pub const IDENTITY_KEY_ENV: &str = "IDENTITY_PRIVATE_KEY";
/// Environment variable of the delegation key.
pub const DELEGATION_KEY_ENV: &str = "DELEGATION_PRIVATE_KEY";

/// Which chain and contracts: the node config, like `run`.
#[derive(Debug, Args)]
pub struct ChainArgs {
    /// Node config file (chain.rpc_url, system_client.registry and keys, fast_updates); with `--network`, it
    /// overrides the network's built-in config key by key.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Start from the built-in config of a public network: flare, songbird, coston or coston2.
    #[arg(long, value_name = "NAME")]
    network: Option<String>,
    /// JSON-RPC URL of a local devnet (`ftso-node devnet` prints it); overrides chain.rpc_url.
    #[arg(long, value_name = "URL")]
    devnet_rpc: Option<String>,
}

impl ChainArgs {
    /// The config, with `--devnet-rpc` applied.
    pub fn load(&self) -> anyhow::Result<NodeConfig> {
        let mut config = NodeConfig::load(self.network.as_deref(), self.config.as_deref())?;
        if let Some(url) = &self.devnet_rpc {
            config.chain.rpc_url = Some(url.clone());
        }
        Ok(config)
    }
}

/// The chain, checked: the RPC serves the configured network's chain id and the registry resolves the FSP
/// contracts (`ftso_system_client::sanity::check`).
#[derive(Debug, Clone)]
pub struct Chain {
    /// The provider.
    pub provider: DynProvider,
    /// The chain id the RPC reports.
    pub chain_id: u64,
    /// FlareSystemsManager, VoterRegistry, Relay, Submission.
    pub contracts: Contracts,
    /// EntityManager, VoterRegistry, FlareSystemsCalculator and WNat reads.
    pub entity: EntityReader,
}

/// The network `config` names, when it has a fixed chain id.
pub fn expected_network(config: &NodeConfig) -> Option<ExpectedNetwork> {
    let name = config.node.network.as_deref()?;
    let chain_id = ftso_core::epoch::profile(name)?.chain_id?;
    Some(ExpectedNetwork {
        name: name.to_owned(),
        chain_id,
    })
}

/// Connects to `chain.rpc_url` and runs the start-up sanity checks.
pub async fn connect(config: &NodeConfig) -> anyhow::Result<Chain> {
    let rpc_url = config
        .chain
        .rpc_url
        .clone()
        .context("no RPC: set chain.rpc_url (or FTSO_NODE_RPC_URL, or --devnet-rpc)")?;
    let redacted = ftso_storage::redact_url(&rpc_url);
    let url = rpc_url
        .parse()
        .with_context(|| format!("invalid rpc_url {redacted}"))?;
    // The one process-wide rustls provider, before the first HTTPS-capable client is built.
    ftso_feeds::install_crypto_provider();
    let provider = ProviderBuilder::new().connect_http(url).erased();
    let (chain_id, contracts) = ftso_system_client::sanity::check(
        &provider,
        expected_network(config).as_ref(),
        config.system_client.registry,
    )
    .await
    .with_context(|| format!("chain sanity ({redacted})"))?;
    let entity = EntityReader::resolve(provider.clone(), config.system_client.registry)
        .await
        .context("resolving EntityManager, FlareSystemsCalculator and WNat")?;
    Ok(Chain {
        provider,
        chain_id,
        contracts,
        entity,
    })
}

/// Where the entity's keys are, besides the environment.
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// Key directory written by `ftso-node keys generate|import` (`<role>.key`, `sortition.key`). A role's
    /// environment variable, or a key file named in the config, wins over the directory.
    #[arg(long, value_name = "DIR")]
    keys: Option<PathBuf>,
}

/// An entity key role: the identity, or one of the four addresses it confirms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The cold identity (voter) key.
    Identity,
    /// A confirmed address role.
    Address(AddressRole),
}

impl Role {
    /// The identity, then the address roles in registration order.
    pub const ALL: [Role; 5] = [
        Role::Identity,
        Role::Address(AddressRole::Submit),
        Role::Address(AddressRole::SubmitSignatures),
        Role::Address(AddressRole::SigningPolicy),
        Role::Address(AddressRole::Delegation),
    ];

    /// The role's name (the key file is `<name>.key`).
    pub fn name(self) -> &'static str {
        match self {
            Role::Identity => "identity",
            Role::Address(role) => role.name(),
        }
    }
}

/// Where a loaded key came from (shown; the key never is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyOrigin {
    /// An environment variable.
    Env(String),
    /// A key file.
    File(PathBuf),
}

impl std::fmt::Display for KeyOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyOrigin::Env(var) => write!(f, "${var}"),
            KeyOrigin::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// One loaded key.
#[derive(Debug, Clone)]
pub struct LoadedKey {
    /// The key (its `Debug` shows the address only).
    pub key: PrivateKey,
    /// Where it came from.
    pub origin: KeyOrigin,
}

/// The entity's keys that could be found; a key that is absent is `None`, a key that is present but invalid is
/// an error.
#[derive(Debug, Clone, Default)]
pub struct EntityKeys {
    /// Identity, submit, submit signatures, signing policy, delegation, in [`Role::ALL`] order.
    pub roles: Vec<(Role, Option<LoadedKey>)>,
    /// The fast-updates sortition key and where it came from.
    pub sortition: Option<(SortitionKey, KeyOrigin)>,
    /// The system client's sender key, when configured (it may be one of the role keys).
    pub system_client_sender: Option<LoadedKey>,
}

impl EntityKeys {
    /// Loads every key `config` and `args` point at.
    pub fn load(config: &NodeConfig, args: &KeyArgs) -> anyhow::Result<Self> {
        let dir_file = |name: &str| {
            args.keys
                .as_ref()
                .map(|dir| dir.join(format!("{name}.key")))
        };
        let sources = &config.system_client.keys;
        let mut roles = Vec::new();
        for role in Role::ALL {
            let (env, configured_file) = match role {
                Role::Identity => (IDENTITY_KEY_ENV.to_owned(), None),
                Role::Address(AddressRole::Delegation) => (DELEGATION_KEY_ENV.to_owned(), None),
                Role::Address(address_role) => {
                    let key_role = match address_role {
                        AddressRole::Submit => KeyRole::Submit,
                        AddressRole::SubmitSignatures => KeyRole::SubmitSignatures,
                        _ => KeyRole::SigningPolicy,
                    };
                    let source = sources.source(key_role);
                    (source.env_var(key_role).to_owned(), source.file.clone())
                }
            };
            let file = configured_file.or_else(|| dir_file(role.name()));
            let key = load_key(&env, file.as_deref())
                .with_context(|| format!("the {} key", role.name()))?;
            roles.push((role, key));
        }
        let sender_source = sources.source(KeyRole::SystemClientSender);
        let system_client_sender = if sender_source.is_configured(KeyRole::SystemClientSender) {
            load_key(
                sender_source.env_var(KeyRole::SystemClientSender),
                sender_source.file.as_deref(),
            )
            .context("the system-client sender key")?
        } else {
            None
        };
        Ok(Self {
            roles,
            sortition: load_sortition(config, dir_file("sortition").as_deref())?,
            system_client_sender,
        })
    }

    /// The key of `role`, if found.
    pub fn key(&self, role: Role) -> Option<&LoadedKey> {
        self.roles
            .iter()
            .find(|(r, _)| *r == role)
            .and_then(|(_, key)| key.as_ref())
    }

    /// The identity address: its key's, else `system_client.identity`.
    pub fn identity(&self, config: &NodeConfig) -> Option<Address> {
        self.key(Role::Identity)
            .map(|key| key.key.address())
            .or(config.system_client.identity)
    }
}

/// The key in environment variable `env` (when set), else in `file` (when it exists).
fn load_key(env: &str, file: Option<&Path>) -> anyhow::Result<Option<LoadedKey>> {
    if let Some(key) = PrivateKey::from_env(env)? {
        return Ok(Some(LoadedKey {
            key,
            origin: KeyOrigin::Env(env.to_owned()),
        }));
    }
    match file {
        Some(path) if path.exists() => Ok(Some(LoadedKey {
            key: PrivateKey::from_file(path)?,
            origin: KeyOrigin::File(path.to_path_buf()),
        })),
        _ => Ok(None),
    }
}

/// The sortition key of `[fast_updates]` (its variable, else its file), else the key directory's.
fn load_sortition(
    config: &NodeConfig,
    dir_file: Option<&Path>,
) -> anyhow::Result<Option<(SortitionKey, KeyOrigin)>> {
    let source = &config.fast_updates.sortition_key;
    let env = source
        .env
        .as_deref()
        .unwrap_or(ftso_fast_updates::config::SORTITION_KEY_ENV);
    let env_set = std::env::var(env).is_ok_and(|value| !value.trim().is_empty());
    let file = source.file.as_deref().or(dir_file);
    let origin = match file {
        _ if env_set => KeyOrigin::Env(env.to_owned()),
        Some(path) if path.exists() => KeyOrigin::File(path.to_path_buf()),
        _ => return Ok(None),
    };
    let key = ftso_fast_updates::keys::load_sortition_key(env, file)?;
    Ok(Some((key, origin)))
}
