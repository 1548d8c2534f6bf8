//! Shared by the devnet tests: our values, log capture, key files, the client config of a devnet entity, and
//! the accepted-update and reverted-transaction counts.

#![allow(dead_code, reason = "each test binary uses part of the support")]

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alloy::primitives::{Address, B256};
use alloy::providers::{DynProvider, Provider};
use alloy::rpc::types::Filter;
use alloy::sol_types::SolEvent;
use ftso_chain::IFastUpdater;
use ftso_chain::keys::KeySource;
use ftso_devnet::{Devnet, Entity};
use ftso_fast_updates::config::{AccountsConfig, ContractsConfig};
use ftso_fast_updates::{FastUpdatesConfig, SubmitVia};
use ftso_feeds::FeedValueSource;
use ftso_feeds::registry::FeedKey;
use futures::future::BoxFuture;

/// Our value for every feed: a fixed factor above the devnet's anchor, so every delta is '+'.
#[derive(Debug)]
pub struct AboveChain {
    pub value: f64,
}

impl FeedValueSource for AboveChain {
    fn values<'a>(
        &'a self,
        _round: Option<u32>,
        feeds: &'a [FeedKey],
    ) -> BoxFuture<'a, anyhow::Result<Vec<Option<f64>>>> {
        Box::pin(async move { Ok(vec![Some(self.value); feeds.len()]) })
    }
}

/// Log lines, captured.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

pub fn updates_wanted() -> usize {
    std::env::var("FTSO_FU_TEST_UPDATES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

pub fn write_key(dir: &Path, name: &str, hex: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, hex).unwrap();
    path
}

/// A key source reading only `file` (the variable is one no environment sets).
pub fn file_source(file: std::path::PathBuf) -> KeySource {
    KeySource {
        env: Some("FTSO_FU_TEST_NO_SUCH_VARIABLE".into()),
        file: Some(file),
    }
}

/// The client config of `entity` on `devnet`, keys in `dir`, submitting from `account`.
pub fn client_config(
    devnet: &Devnet,
    entity: &Entity,
    account: &alloy::signers::local::PrivateKeySigner,
    dir: &Path,
) -> FastUpdatesConfig {
    let sortition = entity.sortition_key().unwrap();
    let sortition_file = write_key(
        dir,
        "sortition.key",
        &format!("{:#066x}", sortition.secret_word()),
    );
    let signing_file = write_key(
        dir,
        "signing.key",
        &alloy::hex::encode(entity.signing_policy.to_bytes()),
    );
    let account_file = write_key(dir, "account.key", &alloy::hex::encode(account.to_bytes()));
    FastUpdatesConfig {
        sortition_key: file_source(sortition_file),
        signing_policy_key: file_source(signing_file),
        accounts: AccountsConfig {
            env: Some("FTSO_FU_TEST_NO_SUCH_VARIABLE".into()),
            files: vec![account_file],
        },
        submit_via: SubmitVia::Submission,
        contracts: ContractsConfig {
            registry: devnet.contracts().flare_contract_registry,
            ..ContractsConfig::default()
        },
        poll_interval: Duration::from_millis(100),
        ..FastUpdatesConfig::default()
    }
}

/// `FastUpdateFeedsSubmitted` events of `signer` since `from`.
pub async fn accepted(
    provider: &DynProvider,
    fast_updater: Address,
    signer: Address,
    from: u64,
) -> usize {
    let filter = Filter::new()
        .address(fast_updater)
        .event_signature(IFastUpdater::FastUpdateFeedsSubmitted::SIGNATURE_HASH)
        .topic2(B256::left_padding_from(signer.as_slice()))
        .from_block(from);
    provider.get_logs(&filter).await.unwrap().len()
}

/// The transactions sent by `senders` in blocks `from..=latest` that reverted, as (block, hash).
pub async fn reverted(
    provider: &DynProvider,
    senders: &[Address],
    from: u64,
) -> Vec<(u64, alloy::primitives::TxHash)> {
    let latest = provider.get_block_number().await.unwrap();
    let mut failed = Vec::new();
    for block in from..=latest {
        let receipts = provider
            .get_block_receipts(block.into())
            .await
            .unwrap()
            .unwrap_or_default();
        failed.extend(
            receipts
                .iter()
                .filter(|r| senders.contains(&r.from) && !r.status())
                .map(|r| (block, r.transaction_hash)),
        );
    }
    failed
}
