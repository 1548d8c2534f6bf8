//! Private keys: loaded from the environment or from a key file, never from a configuration file's text, and
//! never shown. [`PrivateKey`]'s `Debug` prints only the address; [`KeyError`] names where a key was looked for
//! (a variable name, a path) and what was wrong with it, never the key itself.
//!
//! The reference system client uses four keys, one per [`KeyRole`]; the same key may serve several roles (the
//! reference deployment uses the signing-policy key as the system-client sender). [`KeySource`] is the piece of
//! configuration that says where one key comes from: an environment variable (the reference's names by default)
//! or a file holding the key as hex (with or without `0x`). A key file readable by group or others is used, with
//! a warning.

use std::fmt;
use std::path::{Path, PathBuf};

use alloy::primitives::{Address, B256};
use alloy::signers::local::PrivateKeySigner;
use serde::{Deserialize, Serialize};

/// Why a key could not be loaded. The texts never contain key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Neither the environment variable nor a key file provides the key.
    #[error("no {role} key: environment variable {env} is not set and no key file is configured")]
    NotConfigured {
        /// The key's role.
        role: KeyRole,
        /// The environment variable that was checked.
        env: String,
    },
    /// The environment variable does not hold a valid key.
    #[error("environment variable {var}: {problem}")]
    InvalidInEnv {
        /// The variable's name.
        var: String,
        /// What is wrong with its value.
        problem: KeyProblem,
    },
    /// The key file could not be read.
    #[error("reading key file {}: {source}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The key file does not hold a valid key.
    #[error("key file {}: {problem}", path.display())]
    InvalidInFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with its contents.
        problem: KeyProblem,
    },
}

/// What is wrong with a key's text (described without repeating it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyProblem {
    /// Not 64 hex digits (after trimming and an optional `0x`).
    #[error("expected 64 hex digits (32 bytes, optional 0x), found {0} characters")]
    WrongLength(usize),
    /// Contains a character that is not a hex digit.
    #[error("not hexadecimal")]
    NotHex,
    /// 32 bytes that are not a valid secp256k1 secret (zero, or not below the curve order).
    #[error("not a valid secp256k1 private key")]
    OutOfRange,
}

/// A secp256k1 private key and its address. `Debug` shows the address only.
#[derive(Clone)]
pub struct PrivateKey {
    signer: PrivateKeySigner,
}

impl PrivateKey {
    /// Parses 32 bytes of hex, with or without `0x`, ignoring surrounding whitespace.
    pub fn from_hex(text: &str) -> Result<Self, KeyProblem> {
        let trimmed = text.trim();
        let digits = trimmed
            .strip_prefix("0x")
            .or_else(|| trimmed.strip_prefix("0X"))
            .unwrap_or(trimmed);
        if digits.len() != 64 {
            return Err(KeyProblem::WrongLength(digits.chars().count()));
        }
        let mut bytes = [0u8; 32];
        alloy::hex::decode_to_slice(digits, &mut bytes).map_err(|_| KeyProblem::NotHex)?;
        let signer =
            PrivateKeySigner::from_bytes(&B256::from(bytes)).map_err(|_| KeyProblem::OutOfRange)?;
        Ok(Self { signer })
    }

    /// Reads the key from environment variable `var`; `Ok(None)` when it is unset or empty.
    pub fn from_env(var: &str) -> Result<Option<Self>, KeyError> {
        match std::env::var(var) {
            Ok(value) if !value.trim().is_empty() => {
                Self::from_hex(&value)
                    .map(Some)
                    .map_err(|problem| KeyError::InvalidInEnv {
                        var: var.to_string(),
                        problem,
                    })
            }
            Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(KeyError::InvalidInEnv {
                var: var.to_string(),
                problem: KeyProblem::NotHex,
            }),
        }
    }

    /// Reads the key from a file holding it as hex; warns when the file is readable by group or others.
    pub fn from_file(path: &Path) -> Result<Self, KeyError> {
        let text = std::fs::read_to_string(path).map_err(|source| KeyError::ReadFile {
            path: path.to_path_buf(),
            source,
        })?;
        warn_if_readable_by_others(path);
        Self::from_hex(&text).map_err(|problem| KeyError::InvalidInFile {
            path: path.to_path_buf(),
            problem,
        })
    }

    /// The key's address.
    pub fn address(&self) -> Address {
        self.signer.address()
    }

    /// The alloy signer, for signing messages and transactions.
    pub fn signer(&self) -> &PrivateKeySigner {
        &self.signer
    }
}

impl From<PrivateKeySigner> for PrivateKey {
    fn from(signer: PrivateKeySigner) -> Self {
        Self { signer }
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("address", &self.address())
            .field("secret", &"<redacted>")
            .finish()
    }
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(metadata) = std::fs::metadata(path) {
        let mode = metadata.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(
                path = %path.display(),
                mode = format_args!("{:o}", mode & 0o777),
                "key file is readable by group or others; restrict it with chmod 600"
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

/// The reference system client's four key roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyRole {
    /// Signs every protocol message (registration, policies, uptime, rewards, submitSignatures payloads) and
    /// sends `Relay.relay()`; its address is the entity's signing-policy address.
    SigningPolicy,
    /// Sends the reward-epoch transactions (registerVoter, signNewSigningPolicy, signUptimeVote, signRewards).
    SystemClientSender,
    /// Sends submit1 and submit2; the entity's submit address.
    Submit,
    /// Sends submitSignatures; the entity's submit-signatures address.
    SubmitSignatures,
}

impl KeyRole {
    /// Every role, in the reference's order.
    pub const ALL: [KeyRole; 4] = [
        KeyRole::SigningPolicy,
        KeyRole::SystemClientSender,
        KeyRole::Submit,
        KeyRole::SubmitSignatures,
    ];

    /// The environment variable the reference reads this role's key from.
    pub fn default_env(self) -> &'static str {
        match self {
            KeyRole::SigningPolicy => "SIGNING_POLICY_PRIVATE_KEY",
            KeyRole::SystemClientSender => "SYSTEM_CLIENT_SENDER_PRIVATE_KEY",
            KeyRole::Submit => "PROTOCOL_MANAGER_SUBMIT_PRIVATE_KEY",
            KeyRole::SubmitSignatures => "PROTOCOL_MANAGER_SUBMIT_SIGNATURES_PRIVATE_KEY",
        }
    }
}

impl fmt::Display for KeyRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyRole::SigningPolicy => "signing-policy",
            KeyRole::SystemClientSender => "system-client sender",
            KeyRole::Submit => "submit",
            KeyRole::SubmitSignatures => "submit-signatures",
        })
    }
}

/// Where one key comes from (a configuration entry). The environment variable wins over the file, as in the
/// reference; the environment variable defaults to the role's reference name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySource {
    /// Environment variable holding the key as hex (default: the role's reference name, e.g.
    /// `SIGNING_POLICY_PRIVATE_KEY`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    /// File holding the key as hex, used when the environment variable is unset or empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
}

impl KeySource {
    /// The environment variable this source reads for `role`.
    pub fn env_var(&self, role: KeyRole) -> &str {
        self.env.as_deref().unwrap_or(role.default_env())
    }

    /// Loads the key for `role`: the environment variable if set, else the file, else an error.
    pub fn load(&self, role: KeyRole) -> Result<PrivateKey, KeyError> {
        let env = self.env_var(role);
        if let Some(key) = PrivateKey::from_env(env)? {
            return Ok(key);
        }
        match &self.file {
            Some(path) => PrivateKey::from_file(path),
            None => Err(KeyError::NotConfigured {
                role,
                env: env.to_string(),
            }),
        }
    }

    /// Whether the key for `role` is available (its variable set, or a file configured).
    pub fn is_configured(&self, role: KeyRole) -> bool {
        self.file.is_some()
            || std::env::var(self.env_var(role)).is_ok_and(|value| !value.trim().is_empty())
    }
}

/// The four keys of the reference system client, loaded.
#[derive(Debug, Clone)]
pub struct RoleKeys {
    /// Signs protocol messages; sends relay transactions.
    pub signing_policy: PrivateKey,
    /// Sends the reward-epoch transactions.
    pub system_client_sender: PrivateKey,
    /// Sends submit1 and submit2.
    pub submit: PrivateKey,
    /// Sends submitSignatures.
    pub submit_signatures: PrivateKey,
}

/// Where each of the four keys comes from (the `keys` table of a role's configuration).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleKeySources {
    /// The signing-policy key.
    #[serde(default)]
    pub signing_policy: KeySource,
    /// The system-client sender key.
    #[serde(default)]
    pub system_client_sender: KeySource,
    /// The submit key.
    #[serde(default)]
    pub submit: KeySource,
    /// The submit-signatures key.
    #[serde(default)]
    pub submit_signatures: KeySource,
}

impl RoleKeySources {
    /// The source of `role`'s key.
    pub fn source(&self, role: KeyRole) -> &KeySource {
        match role {
            KeyRole::SigningPolicy => &self.signing_policy,
            KeyRole::SystemClientSender => &self.system_client_sender,
            KeyRole::Submit => &self.submit,
            KeyRole::SubmitSignatures => &self.submit_signatures,
        }
    }

    /// Loads the key of one role.
    pub fn load(&self, role: KeyRole) -> Result<PrivateKey, KeyError> {
        self.source(role).load(role)
    }

    /// Loads all four keys.
    pub fn load_all(&self) -> Result<RoleKeys, KeyError> {
        Ok(RoleKeys {
            signing_policy: self.load(KeyRole::SigningPolicy)?,
            system_client_sender: self.load(KeyRole::SystemClientSender)?,
            submit: self.load(KeyRole::Submit)?,
            submit_signatures: self.load(KeyRole::SubmitSignatures)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "4f65bffe3c8ed6c0b812e84d35402e949feea042061cc1635fe6ae83ed84df4a";

    #[test]
    fn parses_hex_with_and_without_prefix_and_whitespace() {
        let expected: Address = "0x78aa142e34c7d9019ac2e0c04f660cf1c544c86b"
            .parse()
            .unwrap_or_default();
        for text in [
            KEY.to_string(),
            format!("0x{KEY}"),
            format!("  0x{KEY}\n"),
            KEY.to_uppercase(),
        ] {
            assert_eq!(
                PrivateKey::from_hex(&text).map(|k| k.address()),
                Ok(expected)
            );
        }
    }

    #[test]
    fn rejects_bad_keys_without_echoing_them() {
        let short = &KEY[..40];
        assert_eq!(
            PrivateKey::from_hex(short).map(|k| k.address()),
            Err(KeyProblem::WrongLength(40))
        );
        let not_hex = format!("zz{}", &KEY[2..]);
        assert_eq!(
            PrivateKey::from_hex(&not_hex).map(|k| k.address()),
            Err(KeyProblem::NotHex)
        );
        let zero = "0".repeat(64);
        assert_eq!(
            PrivateKey::from_hex(&zero).map(|k| k.address()),
            Err(KeyProblem::OutOfRange)
        );
        for problem in [KeyProblem::WrongLength(40), KeyProblem::NotHex] {
            assert!(!problem.to_string().contains(&KEY[2..20]));
        }
    }

    #[test]
    fn debug_shows_the_address_not_the_secret() {
        let key = PrivateKey::from_hex(KEY).map_err(|e| e.to_string());
        let text = format!("{key:?}");
        assert!(
            text.contains("78aa142e34c7d9019ac2e0c04f660cf1c544c86b"),
            "{text}"
        );
        assert!(!text.to_lowercase().contains(&KEY[..16]), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }

    #[test]
    fn role_env_names_are_the_references() {
        let names: Vec<_> = KeyRole::ALL.iter().map(|r| r.default_env()).collect();
        assert_eq!(
            names,
            [
                "SIGNING_POLICY_PRIVATE_KEY",
                "SYSTEM_CLIENT_SENDER_PRIVATE_KEY",
                "PROTOCOL_MANAGER_SUBMIT_PRIVATE_KEY",
                "PROTOCOL_MANAGER_SUBMIT_SIGNATURES_PRIVATE_KEY"
            ]
        );
    }
}
