//! Signed plugins: a trusted signature loads; unsigned and tampered components are refused unless
//! `allow_unsigned = true`.

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use ftso_feeds::{
    PluginEngine, PluginError, Registry,
    signature::{self, SignatureError},
};

use crate::common::{base_config, plugin};

pub fn publisher() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

pub fn publisher_hex() -> String {
    hex::encode(publisher().verifying_key().to_bytes())
}

/// Copies a component into `dir` under `name`, signed by the test publisher.
pub fn signed_copy(component: &Path, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let bytes = std::fs::read(component).unwrap();
    std::fs::write(&path, &bytes).unwrap();
    std::fs::write(
        signature::signature_path(&path),
        signature::sign(&publisher(), &bytes).to_text(),
    )
    .unwrap();
    path
}

async fn load(dir: &Path, component: &Path, allow_unsigned: bool) -> anyhow::Result<Registry> {
    let mut config = base_config(dir);
    config.allow_unsigned = allow_unsigned;
    config.trusted_publishers = vec![publisher_hex()];
    config.plugins = vec![plugin("fixed", component, toml::Table::new())];
    Registry::start(config, PluginEngine::new(None)?).await
}

fn signature_error(error: &anyhow::Error) -> &SignatureError {
    match error.downcast_ref::<PluginError>() {
        Some(PluginError::Signature { source, .. }) => source,
        _ => panic!("not a signature error: {error:#}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trusted_signature_loads() {
    let dir = tempfile::tempdir().unwrap();
    let fixed = ftso_testkit::wasm_component("ftso-plugin-fixed").unwrap();
    let path = signed_copy(&fixed, dir.path(), "fixed.wasm");
    let registry = load(dir.path(), &path, false).await.unwrap();
    let status = registry.status();
    assert_eq!(
        status[0].provenance.as_deref(),
        Some(format!("signed by {}", publisher_hex()).as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_component_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fixed = ftso_testkit::wasm_component("ftso-plugin-fixed").unwrap();
    let path = signed_copy(&fixed, dir.path(), "fixed.wasm");
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let error = load(dir.path(), &path, false).await.unwrap_err();
    let source = signature_error(&error);
    assert!(source.is_tampered(), "{source}");
    assert!(format!("{error:#}").contains("tampered"), "{error:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsigned_component_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let fixed = ftso_testkit::wasm_component("ftso-plugin-fixed").unwrap();
    let path = dir.path().join("unsigned.wasm");
    std::fs::copy(&fixed, &path).unwrap();

    let error = load(dir.path(), &path, false).await.unwrap_err();
    assert!(signature_error(&error).is_unsigned(), "{error:#}");

    let registry = load(dir.path(), &path, true).await.unwrap();
    let status = registry.status();
    assert!(
        status[0]
            .provenance
            .as_deref()
            .unwrap()
            .starts_with("UNVERIFIED"),
        "{status:?}"
    );
    assert!(status[0].up);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_publisher_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fixed = ftso_testkit::wasm_component("ftso-plugin-fixed").unwrap();
    let path = dir.path().join("other.wasm");
    let bytes = std::fs::read(&fixed).unwrap();
    std::fs::write(&path, &bytes).unwrap();
    let stranger = SigningKey::from_bytes(&[7; 32]);
    std::fs::write(
        signature::signature_path(&path),
        signature::sign(&stranger, &bytes).to_text(),
    )
    .unwrap();
    let error = load(dir.path(), &path, false).await.unwrap_err();
    assert!(
        matches!(signature_error(&error), SignatureError::Untrusted { .. }),
        "{error:#}"
    );
}
