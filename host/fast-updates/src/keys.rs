//! The client's keys, from the environment or key files (never from TOML, never shown): the sortition key,
//! the signing-policy key that signs every update, and the submission accounts.

use std::path::Path;

use anyhow::Context as _;
use ftso_chain::keys::{KeyRole, PrivateKey};
use ftso_core::fast_updates::SortitionKey;

use crate::config::{ACCOUNTS_ENV, FastUpdatesConfig, SORTITION_KEY_ENV};

/// Every key the client uses.
#[derive(Debug, Clone)]
pub struct ClientKeys {
    /// The sortition (VRF) key whose public key is registered in `EntityManager`.
    pub sortition: SortitionKey,
    /// The entity's signing-policy key: signs updates; its address selects weight and public key.
    pub signing_policy: PrivateKey,
    /// The gas-paying submission accounts, in rotation order.
    pub accounts: Vec<PrivateKey>,
}

impl ClientKeys {
    /// Loads the keys `config` points at.
    pub fn load(config: &FastUpdatesConfig) -> anyhow::Result<Self> {
        let sortition_env = config
            .sortition_key
            .env
            .as_deref()
            .unwrap_or(SORTITION_KEY_ENV);
        let sortition = load_sortition_key(sortition_env, config.sortition_key.file.as_deref())?;
        let signing_policy = config
            .signing_policy_key
            .load(KeyRole::SigningPolicy)
            .context("the fast-updates client signs updates with the signing-policy key")?;
        let accounts_env = config.accounts.env.as_deref().unwrap_or(ACCOUNTS_ENV);
        let mut accounts = accounts_from_env(accounts_env)?;
        for file in &config.accounts.files {
            accounts.push(PrivateKey::from_file(file)?);
        }
        anyhow::ensure!(
            !accounts.is_empty(),
            "no submission accounts: set {accounts_env} (comma-separated hex keys) or fast_updates.accounts.files"
        );
        Ok(Self {
            sortition,
            signing_policy,
            accounts,
        })
    }
}

/// The sortition key from environment variable `env` (when set and non-empty) or else from `file`. Hex needs
/// `0x` (a bare number is decimal, as the reference reads it). Errors never contain the key.
pub fn load_sortition_key(env: &str, file: Option<&Path>) -> anyhow::Result<SortitionKey> {
    match std::env::var(env) {
        Ok(text) if !text.trim().is_empty() => {
            return SortitionKey::parse(&text)
                .with_context(|| format!("invalid sortition key in ${env}"));
        }
        Ok(_) | Err(std::env::VarError::NotPresent) => {}
        Err(std::env::VarError::NotUnicode(_)) => anyhow::bail!("${env} is not valid UTF-8"),
    }
    let Some(path) = file else {
        anyhow::bail!(
            "the fast-updates client needs a sortition key: set ${env} or fast_updates.sortition_key.file \
             (`ftso-node fast-updates keygen` makes one)"
        );
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the sortition key file {}", path.display()))?;
    SortitionKey::parse(&text)
        .with_context(|| format!("invalid sortition key in {}", path.display()))
}

/// Comma-separated hex keys from `env` (unset or empty: none). Entries are trimmed; empty entries are skipped.
pub fn accounts_from_env(env: &str) -> anyhow::Result<Vec<PrivateKey>> {
    let text = match std::env::var(env) {
        Ok(text) => text,
        Err(std::env::VarError::NotPresent) => return Ok(Vec::new()),
        Err(std::env::VarError::NotUnicode(_)) => anyhow::bail!("${env} is not valid UTF-8"),
    };
    parse_accounts(&text).with_context(|| format!("invalid submission account key in ${env}"))
}

/// Comma-separated hex keys; the error names the entry's position, never its text.
pub fn parse_accounts(text: &str) -> anyhow::Result<Vec<PrivateKey>> {
    text.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .enumerate()
        .map(|(index, entry)| {
            PrivateKey::from_hex(entry).with_context(|| format!("entry {}", index + 1))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_split_on_commas_and_errors_hide_the_key() {
        let one = "0x".to_owned() + &"11".repeat(32);
        let two = "22".repeat(32);
        let keys = parse_accounts(&format!("{one}, {two},")).unwrap_or_default();
        assert_eq!(keys.len(), 2);
        assert_ne!(keys[0].address(), keys[1].address());
        let secret = "33".repeat(31);
        let error = parse_accounts(&format!("{one},{secret}"))
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(error.contains("entry 2"), "{error}");
        assert!(!error.contains(&secret));
    }

    #[test]
    fn sortition_key_from_a_file() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("sortition.key");
        std::fs::write(
            &path,
            "0x01512de600a10a0aac01580dbfc080965b89ed2329a7b2bf538f4c7e09e34aa1\n",
        )?;
        let key = load_sortition_key("FTSO_FU_TEST_UNSET_VARIABLE", Some(&path))?;
        assert_eq!(
            format!("{:#066x}", key.public_words().x),
            "0x2d51b65f7aae9bc2f0c6bd1d3187ff94fbc1cb26a9daf490c8045a61c4fc50d2"
        );
        std::fs::write(&path, "not a key")?;
        let error = load_sortition_key("FTSO_FU_TEST_UNSET_VARIABLE", Some(&path))
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(error.contains("invalid sortition key"));
        assert!(!error.contains("not a key"));
        assert!(load_sortition_key("FTSO_FU_TEST_UNSET_VARIABLE", None).is_err());
        Ok(())
    }
}
