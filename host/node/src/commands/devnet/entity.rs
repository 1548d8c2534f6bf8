//! `run --devnet` and `run --join-devnet`: the node acts as a devnet entity. Its keys (the four FSP roles, the sortition key and two
//! funded fast-updates submission accounts) are written to owner-only files under the data dir, and the system
//! client and the fast-updates client are configured to read them from there; no key goes into the TOML or a log
//! line. The files are removed when the devnet stops.

use std::path::{Path, PathBuf};

use alloy::primitives::{Address, U256};
use alloy::providers::{Provider as _, ProviderBuilder};
use alloy::signers::local::PrivateKeySigner;
use anyhow::Context as _;
use ftso_chain::keys::KeySource;
use ftso_devnet::Entity;
use ftso_system_client::RegistrationMessage;

use super::join::DevnetChain;
use crate::config::NodeConfig;
use crate::secret_file::{create_private_dir, write_private};

/// Fast-updates submission accounts created and funded for the node, used in rotation.
const FAST_UPDATES_ACCOUNTS: usize = 2;
/// What each of them is funded with: 1000 ETH.
const FAST_UPDATES_ACCOUNT_FUNDS_WEI: u128 = 1_000_000_000_000_000_000_000;

/// The directory holding the node's devnet keys; removed (best effort) on drop.
#[derive(Debug)]
pub struct EntityKeyFiles {
    dir: PathBuf,
}

impl Drop for EntityKeyFiles {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_dir_all(&self.dir) {
            tracing::warn!(dir = %self.dir.display(), %error, "cannot remove the devnet key files");
        }
    }
}

/// The addresses the node acts with, for the start-up log line (never a key).
#[derive(Debug)]
struct Addresses {
    identity: Address,
    submit: Address,
    submit_signatures: Address,
    signing_policy: Address,
    fast_updates_accounts: Vec<Address>,
}

/// Makes the node the devnet's entity `index`: writes its keys to `<data_dir>/devnet-keys/` (directory 0700, files
/// 0600), funds fresh fast-updates submission accounts (anvil's `anvil_setBalance`), and points `[system_client]`
/// and `[fast_updates]` at them (the roles' environment variables are not read: a devnet never takes a real key by
/// accident).
pub async fn act_as_entity(
    chain: &DevnetChain,
    entity: &Entity,
    index: usize,
    config: &mut NodeConfig,
) -> anyhow::Result<EntityKeyFiles> {
    let dir = config.node.data_dir.join("devnet-keys");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("cannot remove stale {}", dir.display()))?;
    }
    create_private_dir(&dir)?;
    let keys = EntityKeyFiles { dir };

    let accounts: Vec<PrivateKeySigner> = (0..FAST_UPDATES_ACCOUNTS)
        .map(|_| PrivateKeySigner::random())
        .collect();
    let url = chain.rpc_url.parse().context("invalid devnet rpc_url")?;
    let provider = ProviderBuilder::new().connect_http(url);
    for account in &accounts {
        let _: serde_json::Value = provider
            .raw_request(
                "anvil_setBalance".into(),
                (
                    account.address(),
                    U256::from(FAST_UPDATES_ACCOUNT_FUNDS_WEI),
                ),
            )
            .await
            .context("funding a fast-updates submission account")?;
    }
    configure_system_client(config, chain.registry, entity, &keys.dir)?;
    configure_fast_updates(config, chain.registry, entity, &accounts, &keys.dir)?;

    let addresses = Addresses {
        identity: entity.identity_address(),
        submit: entity.submit_address(),
        submit_signatures: entity.submit_signatures_address(),
        signing_policy: entity.signing_policy_address(),
        fast_updates_accounts: accounts.iter().map(PrivateKeySigner::address).collect(),
    };
    tracing::info!(
        identity = %addresses.identity,
        submit = %addresses.submit,
        submit_signatures = %addresses.submit_signatures,
        signing_policy = %addresses.signing_policy,
        fast_updates_accounts = ?addresses.fast_updates_accounts,
        keys = %keys.dir.display(),
        "the node is devnet entity {index}"
    );
    Ok(keys)
}

/// `[system_client]`: the entity's identity, its four role keys (the signing-policy key also sends the
/// reward-epoch transactions, as in the reference deployment), the devnet's registry and registration format.
fn configure_system_client(
    config: &mut NodeConfig,
    registry: Address,
    entity: &Entity,
    dir: &Path,
) -> anyhow::Result<()> {
    let signing_policy = key_file(dir, "signing-policy", &entity.signing_policy)?;
    let sc = &mut config.system_client;
    sc.identity = Some(entity.identity_address());
    sc.registry = registry;
    // The devnet's VoterRegistry always takes the chain-id message (its README).
    sc.registration_message = RegistrationMessage::WithChainId;
    sc.keys.signing_policy = signing_policy.clone();
    sc.keys.system_client_sender = signing_policy;
    sc.keys.submit = key_file(dir, "submit", &entity.submit)?;
    sc.keys.submit_signatures = key_file(dir, "submit-signatures", &entity.submit_signatures)?;
    Ok(())
}

/// `[fast_updates]` on: the entity's registered sortition key, its signing-policy key, and `accounts` (separate
/// from every system-client key, so the two roles never share a nonce sequence).
fn configure_fast_updates(
    config: &mut NodeConfig,
    registry: Address,
    entity: &Entity,
    accounts: &[PrivateKeySigner],
    dir: &Path,
) -> anyhow::Result<()> {
    let sortition = entity.sortition_key()?;
    let fu = &mut config.fast_updates;
    fu.sortition_key = file_only(write_key(
        dir,
        "sortition",
        &format!("{:#066x}", sortition.secret_word()),
    )?);
    fu.signing_policy_key = key_file(dir, "signing-policy", &entity.signing_policy)?;
    fu.accounts.env = Some(UNUSED_ENV.into());
    fu.accounts.files = accounts
        .iter()
        .enumerate()
        .map(|(i, account)| {
            let hex = format!("0x{}", alloy::hex::encode(account.to_bytes()));
            write_key(dir, &format!("fast-updates-account-{i}"), &hex)
        })
        .collect::<anyhow::Result<_>>()?;
    fu.contracts.registry = registry;
    config.node.fast_updates = true;
    Ok(())
}

/// The environment variable the devnet's key sources name: one nobody sets, so only the key files count.
const UNUSED_ENV: &str = "FTSO_NODE_DEVNET_KEYS_ARE_FILES";

/// Writes `key` to `<dir>/<name>.key` (0600, `0x` + hex) and returns a source reading only that file.
fn key_file(dir: &Path, name: &str, key: &PrivateKeySigner) -> anyhow::Result<KeySource> {
    let hex = format!("0x{}", alloy::hex::encode(key.to_bytes()));
    write_key(dir, name, &hex).map(file_only)
}

/// Writes `hex` to `<dir>/<name>.key`, readable by its owner only.
fn write_key(dir: &Path, name: &str, hex: &str) -> anyhow::Result<PathBuf> {
    let path = dir.join(format!("{name}.key"));
    write_private(&path, hex, true)?;
    Ok(path)
}

/// A key source that reads only `path`.
fn file_only(path: PathBuf) -> KeySource {
    KeySource {
        env: Some(UNUSED_ENV.into()),
        file: Some(path),
    }
}
