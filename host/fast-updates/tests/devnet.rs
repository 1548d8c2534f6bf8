//! The fast-updates client against the devnet's FastUpdater (anvil, the project's contracts, the daemon driver):
//! a client with a third of the weight is selected within a bounded number of blocks, its updates are accepted
//! (`FastUpdateFeedsSubmitted` for its signing-policy address, the feeds move by exactly the steps it sent), every
//! transaction it sends is accepted (nothing ineligible, duplicate or late), and the log shows the reference's
//! milestones.
//!
//! `FTSO_FU_TEST_UPDATES` sets how many accepted updates to wait for (default 3).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy::primitives::U256;
use alloy::providers::{Provider, ProviderBuilder};
use ftso_chain::tx::Senders;
use ftso_core::fast_updates::delta::{self, Delta};
use ftso_devnet::{Devnet, DevnetConfig, scenario};
use ftso_fast_updates::FastUpdatesClient;
use tokio_util::sync::CancellationToken;

mod support;

use support::*;

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
