//! Signed plugins: an ed25519 signature over the SHA-256 digest of the component bytes.
//!
//! The signature lives beside the component in `<component>.sig`, a small JSON document:
//!
//! ```json
//! {
//!   "format": "ftso-plugin-signature/1",
//!   "algorithm": "ed25519",
//!   "digest": "sha256:<64 hex digits of SHA-256(component bytes)>",
//!   "publicKey": "<64 hex digits: the publisher's ed25519 public key>",
//!   "signature": "<128 hex digits: ed25519 signature of the 32 raw digest bytes>"
//! }
//! ```
//!
//! A key file holds the 32-byte ed25519 secret seed as 64 hex digits and one newline; it is written
//! with mode 0600 and never printed.

use std::path::{Path, PathBuf};

use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// The `format` value of version 1 signature files.
pub const SIGNATURE_FORMAT: &str = "ftso-plugin-signature/1";

/// Why a component's signature was refused.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    /// There is no `<component>.sig`.
    #[error("unsigned: no signature file {0}")]
    Missing(PathBuf),
    /// The signature file is not a valid document.
    #[error("malformed signature file {path}: {reason}")]
    Malformed {
        /// The signature file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The digest in the signature file is not the digest of the component: the bytes were changed.
    #[error("tampered: the component's digest {actual} differs from the signed digest {signed}")]
    DigestMismatch {
        /// Digest written in the signature file.
        signed: String,
        /// Digest of the bytes on disk.
        actual: String,
    },
    /// The signature does not verify under the stated public key.
    #[error("tampered: the signature does not verify for publisher {publisher}")]
    BadSignature {
        /// The stated publisher key (hex).
        publisher: String,
    },
    /// The signature is valid but the publisher is not in `trusted_publishers`.
    #[error("untrusted publisher {publisher}")]
    Untrusted {
        /// The publisher key (hex).
        publisher: String,
    },
}

impl SignatureError {
    /// The component has no signature at all (as opposed to a wrong one).
    pub fn is_unsigned(&self) -> bool {
        matches!(self, Self::Missing(_))
    }

    /// The bytes or the signature were altered.
    pub fn is_tampered(&self) -> bool {
        matches!(
            self,
            Self::DigestMismatch { .. } | Self::BadSignature { .. }
        )
    }
}

/// The on-disk signature document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignatureFile {
    /// Always [`SIGNATURE_FORMAT`].
    pub format: String,
    /// Always `ed25519`.
    pub algorithm: String,
    /// `sha256:<hex>` of the component bytes.
    pub digest: String,
    /// The publisher's public key, hex.
    pub public_key: String,
    /// The signature over the 32 digest bytes, hex.
    pub signature: String,
}

/// A component that passed (or was let through) the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// Signed by this trusted publisher (hex public key).
    Signed {
        /// The publisher's public key, hex.
        publisher: String,
    },
    /// Not signed by a trusted publisher, accepted because `allow_unsigned = true`.
    Unverified {
        /// Why it did not verify.
        reason: String,
    },
}

/// `<component>.sig`.
pub fn signature_path(component: &Path) -> PathBuf {
    let mut name = component.as_os_str().to_owned();
    name.push(".sig");
    PathBuf::from(name)
}

/// SHA-256 of the component bytes.
pub fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// `sha256:<hex>` of the component bytes.
pub fn digest_string(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(digest(bytes)))
}

/// Parses a hex ed25519 public key (an optional `0x` prefix is accepted).
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, String> {
    let raw = hex::decode(text.trim().trim_start_matches("0x")).map_err(|e| e.to_string())?;
    let bytes: [u8; 32] = raw
        .try_into()
        .map_err(|_| "an ed25519 public key is 32 bytes".to_owned())?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| e.to_string())
}

/// Creates a new random signing key.
pub fn generate_key() -> std::io::Result<SigningKey> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(std::io::Error::other)?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Parses a key file's content (64 hex digits).
pub fn parse_signing_key(text: &str) -> Result<SigningKey, String> {
    let raw = hex::decode(text.trim()).map_err(|_| "the key file is not hex".to_owned())?;
    let seed: [u8; 32] = raw
        .try_into()
        .map_err(|_| "the key file must hold 32 bytes".to_owned())?;
    Ok(SigningKey::from_bytes(&seed))
}

/// The key file's content for `key`.
pub fn signing_key_text(key: &SigningKey) -> String {
    format!("{}\n", hex::encode(key.to_bytes()))
}

/// Signs the component bytes.
pub fn sign(key: &SigningKey, component: &[u8]) -> SignatureFile {
    let digest = digest(component);
    SignatureFile {
        format: SIGNATURE_FORMAT.to_owned(),
        algorithm: "ed25519".to_owned(),
        digest: format!("sha256:{}", hex::encode(digest)),
        public_key: hex::encode(key.verifying_key().to_bytes()),
        signature: hex::encode(key.sign(&digest).to_bytes()),
    }
}

impl SignatureFile {
    /// Parses a signature document.
    pub fn parse(text: &str, path: &Path) -> Result<Self, SignatureError> {
        let file: Self = serde_json::from_str(text).map_err(|e| SignatureError::Malformed {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        if file.format != SIGNATURE_FORMAT || file.algorithm != "ed25519" {
            return Err(SignatureError::Malformed {
                path: path.to_owned(),
                reason: format!(
                    "unsupported format {:?} / algorithm {:?}",
                    file.format, file.algorithm
                ),
            });
        }
        Ok(file)
    }

    /// The document as pretty JSON with a trailing newline.
    pub fn to_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Checks that the signature is valid for `component` (not whether the publisher is trusted).
    /// Returns the publisher's key, hex.
    pub fn verify(&self, component: &[u8], path: &Path) -> Result<String, SignatureError> {
        let actual = digest_string(component);
        if !self.digest.eq_ignore_ascii_case(&actual) {
            return Err(SignatureError::DigestMismatch {
                signed: self.digest.clone(),
                actual,
            });
        }
        let malformed = |reason: String| SignatureError::Malformed {
            path: path.to_owned(),
            reason,
        };
        let key = parse_public_key(&self.public_key).map_err(malformed)?;
        let raw = hex::decode(&self.signature).map_err(|e| malformed(e.to_string()))?;
        let bytes: [u8; 64] = raw
            .try_into()
            .map_err(|_| malformed("an ed25519 signature is 64 bytes".to_owned()))?;
        let signature = ed25519_dalek::Signature::from_bytes(&bytes);
        key.verify_strict(&digest(component), &signature)
            .map_err(|_| SignatureError::BadSignature {
                publisher: self.public_key.clone(),
            })?;
        Ok(hex::encode(key.to_bytes()))
    }
}

/// Who may publish plugins.
#[derive(Debug, Clone, Default)]
pub struct TrustPolicy {
    trusted: Vec<[u8; 32]>,
    allow_unsigned: bool,
}

impl TrustPolicy {
    /// Builds the policy from hex keys (already validated by the config).
    pub fn new(trusted_publishers: &[String], allow_unsigned: bool) -> Self {
        let trusted = trusted_publishers
            .iter()
            .filter_map(|k| parse_public_key(k).ok())
            .map(|k| k.to_bytes())
            .collect();
        Self {
            trusted,
            allow_unsigned,
        }
    }

    /// Checks `component` (read from `path`) against its signature file. With `allow_unsigned`, any
    /// failure becomes [`Provenance::Unverified`] (and the caller logs a WARN).
    pub fn check(&self, path: &Path, component: &[u8]) -> Result<Provenance, SignatureError> {
        match self.check_strict(path, component) {
            Ok(publisher) => Ok(Provenance::Signed { publisher }),
            Err(error) if self.allow_unsigned => Ok(Provenance::Unverified {
                reason: error.to_string(),
            }),
            Err(error) => Err(error),
        }
    }

    fn check_strict(&self, path: &Path, component: &[u8]) -> Result<String, SignatureError> {
        let sig_path = signature_path(path);
        let text = match std::fs::read_to_string(&sig_path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(SignatureError::Missing(sig_path));
            }
            Err(e) => {
                return Err(SignatureError::Malformed {
                    path: sig_path,
                    reason: e.to_string(),
                });
            }
        };
        let file = SignatureFile::parse(&text, &sig_path)?;
        let publisher = file.verify(component, &sig_path)?;
        let key = parse_public_key(&publisher).map_err(|reason| SignatureError::Malformed {
            path: sig_path.clone(),
            reason,
        })?;
        if !self.trusted.contains(&key.to_bytes()) {
            return Err(SignatureError::Untrusted { publisher });
        }
        Ok(publisher)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn a_signature_round_trips_through_text() {
        let k = key(7);
        let file = sign(&k, b"component");
        let parsed = SignatureFile::parse(&file.to_text(), Path::new("x.sig")).unwrap();
        assert_eq!(parsed, file);
        assert_eq!(
            parsed.verify(b"component", Path::new("x.sig")).unwrap(),
            file.public_key
        );
    }

    #[test]
    fn changed_bytes_are_tampered() {
        let file = sign(&key(7), b"component");
        let err = file.verify(b"componenT", Path::new("x.sig")).unwrap_err();
        assert!(
            matches!(err, SignatureError::DigestMismatch { .. }),
            "{err}"
        );
        assert!(err.is_tampered());
    }

    #[test]
    fn a_forged_signature_is_tampered() {
        let mut file = sign(&key(7), b"component");
        file.public_key = hex::encode(key(8).verifying_key().to_bytes());
        let err = file.verify(b"component", Path::new("x.sig")).unwrap_err();
        assert!(matches!(err, SignatureError::BadSignature { .. }), "{err}");
    }

    #[test]
    fn policy_refuses_unsigned_and_untrusted_unless_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let wasm = dir.path().join("p.wasm");
        std::fs::write(&wasm, b"bytes").unwrap();
        let trusted = hex::encode(key(1).verifying_key().to_bytes());
        let strict = TrustPolicy::new(std::slice::from_ref(&trusted), false);
        assert!(strict.check(&wasm, b"bytes").unwrap_err().is_unsigned());

        std::fs::write(signature_path(&wasm), sign(&key(2), b"bytes").to_text()).unwrap();
        assert!(matches!(
            strict.check(&wasm, b"bytes").unwrap_err(),
            SignatureError::Untrusted { .. }
        ));

        std::fs::write(signature_path(&wasm), sign(&key(1), b"bytes").to_text()).unwrap();
        assert_eq!(
            strict.check(&wasm, b"bytes").unwrap(),
            Provenance::Signed {
                publisher: trusted.clone()
            }
        );

        let lax = TrustPolicy::new(&[trusted], true);
        assert!(matches!(
            lax.check(&wasm, b"other").unwrap(),
            Provenance::Unverified { .. }
        ));
    }

    #[test]
    fn key_text_round_trips() {
        let k = key(9);
        assert_eq!(
            parse_signing_key(&signing_key_text(&k)).unwrap().to_bytes(),
            k.to_bytes()
        );
    }
}
