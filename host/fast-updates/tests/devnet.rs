//! The fast-updates client against the devnet's FastUpdater (anvil, the project's contracts, the daemon driver):
//! a client with a third of the weight is selected within a bounded number of blocks, its updates are accepted
//! (`FastUpdateFeedsSubmitted` for its signing-policy address, the feeds move by exactly the steps it sent), every
//! transaction it sends is accepted (nothing ineligible, duplicate or late), and the log shows the reference's
//! milestones.
//!
//! `FTSO_FU_TEST_UPDATES` sets how many accepted updates to wait for (default 3).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use alloy::primitives::{Address, B256, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::Filter;
use alloy::sol_types::SolEvent;
use ftso_chain::IFastUpdater;
use ftso_chain::keys::KeySource;
use ftso_chain::tx::Senders;
use ftso_core::fast_updates::delta::{self, Delta};
use ftso_devnet::{Devnet, DevnetConfig, Entity, scenario};
use ftso_fast_updates::config::{AccountsConfig, ContractsConfig};
use ftso_fast_updates::{FastUpdatesClient, FastUpdatesConfig, SubmitVia};
use ftso_feeds::FeedValueSource;
use ftso_feeds::registry::FeedKey;
use futures::future::BoxFuture;
use tokio_util::sync::CancellationToken;

/// Our value for every feed: a fixed factor above the devnet's anchor, so every delta is '+'.
#[derive(Debug)]
struct AboveChain {
    value: f64,
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
struct Captured(Arc<Mutex<Vec<u8>>>);

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
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

fn updates_wanted() -> usize {
    std::env::var("FTSO_FU_TEST_UPDATES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

fn write_key(dir: &Path, name: &str, hex: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, hex).unwrap();
    path
}

/// A key source reading only `file` (the variable is one no environment sets).
fn file_source(file: std::path::PathBuf) -> KeySource {
    KeySource {
        env: Some("FTSO_FU_TEST_NO_SUCH_VARIABLE".into()),
        file: Some(file),
    }
}

/// The client config of `entity` on `devnet`, keys in `dir`, submitting from `account`.
fn client_config(
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
async fn accepted(
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

#[tokio::test(flavor = "current_thread")]
async fn a_selected_client_gets_its_updates_accepted() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_env_filter("ftso_fast_updates=debug")
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // Interval mining (a block a second), as a real chain: transactions share blocks.
    let devnet = Devnet::start(DevnetConfig {
        block_time: Some(Duration::from_secs(1)),
        ..DevnetConfig::default()
    })
    .await
    .unwrap();
    // Reward epoch 0 has no seed: fast updates start in epoch 1.
    scenario::complete_reward_epoch(&devnet).await.unwrap();
    devnet.daemonize_fast_updater().await.unwrap();
    let entity = &devnet.entities()[0];
    let account = alloy::signers::local::PrivateKeySigner::random();
    devnet
        .set_balance(account.address(), U256::from(10u64).pow(U256::from(21u64)))
        .await
        .unwrap();
    let before = devnet.fast_update_feeds().await.unwrap();

    let provider = ProviderBuilder::new()
        .connect_http(devnet.rpc_url().parse().unwrap())
        .erased();
    let senders = Senders::new(provider.clone(), devnet.chain_id())
        .with_receipt_poll(Duration::from_millis(100));
    let dir = tempfile::tempdir().unwrap();
    let config = client_config(&devnet, entity, &account, dir.path());
    // 10 % above the chain: every feed moves up by one step per update.
    let anchor =
        ftso_core::fast_updates::scaling::chain_value_to_f64(before._feeds[0], before._decimals[0]);
    let values = Arc::new(AboveChain {
        value: anchor * 1.1,
    });
    let client = FastUpdatesClient::start(&config, provider.clone(), &senders, values)
        .await
        .unwrap();
    let start_block = provider.get_block_number().await.unwrap();

    // FlareSystemsManager and FastUpdater daemonized every block, as the network's daemon does.
    let _driver = devnet.spawn_daemon_driver(Duration::from_millis(50));
    let cancel = CancellationToken::new();
    let running = tokio::spawn(client.run(cancel.clone()));
    let wanted = updates_wanted();
    let fast_updater = devnet.contracts().fast_updater;
    let signer = entity.signing_policy_address();
    // A third of the weight wins 0.5 tickets per block: fewer than 3 updates in 400 blocks has negligible
    // probability.
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let count = accepted(&provider, fast_updater, signer, start_block).await;
        let head = provider.get_block_number().await.unwrap();
        if count >= wanted {
            break;
        }
        assert!(
            head < start_block + 400 * 3,
            "only {count} accepted updates in {} blocks\n{}",
            head - start_block,
            captured.text()
        );
        assert!(
            Instant::now() < deadline,
            "only {count} accepted updates before the timeout\n{}",
            captured.text()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    cancel.cancel();
    running.await.unwrap().unwrap();
    // Jobs that were in flight may still land: wait past every window, then count.
    let settled = provider.get_block_number().await.unwrap() + 12;
    while provider.get_block_number().await.unwrap() < settled {
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let count = accepted(&provider, fast_updater, signer, start_block).await;
    assert!(count >= wanted);

    // Every transaction the client sent was accepted: nothing ineligible, duplicate or late.
    let sent = provider
        .get_transaction_count(account.address())
        .await
        .unwrap();
    assert_eq!(
        sent as usize,
        count,
        "sent {sent} transactions, {count} accepted\n{}",
        captured.text()
    );

    // Every accepted update moved every feed up by exactly one step.
    let after = devnet.fast_update_feeds().await.unwrap();
    let scale = devnet
        .call(
            devnet.contracts().fast_update_incentive_manager,
            &ftso_chain::IFastUpdateIncentiveManager::getScaleCall {},
        )
        .await
        .unwrap();
    for (index, value) in before._feeds.iter().enumerate() {
        assert_eq!(after._decimals[index], before._decimals[index]);
        let mut expected = *value;
        for _ in 0..count {
            expected = delta::apply(expected, Delta::Up, scale.to::<u128>());
        }
        assert_eq!(
            after._feeds[index], expected,
            "feed {index} after {count} updates"
        );
    }

    let log = captured.text();
    let plus = "+".repeat(before._feeds.len());
    assert!(log.contains(&format!("deltas: {plus}")), "{log}");
    assert!(log.contains("scheduling update for block"), "{log}");
    assert!(log.contains("submitting update for block"), "{log}");
    let successes = log.matches("successful update for block").count();
    assert_eq!(successes, count, "{log}");
    assert!(!log.contains("skipping submission"), "{log}");
}
