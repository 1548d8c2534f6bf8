//! Two fast-updates clients with different weights on the devnet through a reward-epoch change: their submission
//! counts follow their weights, both keep submitting after the change, and none of their transactions reverts.
//! `FTSO_FU_TEST_BLOCKS` sets the blocks per phase (default 40).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy::primitives::U256;
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use ftso_chain::IFastUpdater;
use ftso_devnet::{Devnet, DevnetConfig, scenario};
use ftso_fast_updates::FastUpdatesClient;
use support::*;
use tokio_util::sync::CancellationToken;

fn blocks_per_phase() -> u64 {
    std::env::var("FTSO_FU_TEST_BLOCKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40)
}

/// The expected sample size E the test runs at: 3.0 (8x120 fixed point), twice the networks' 1.5, with the range
/// doubled too (the same 2^-13 step per update). Twice the winners per block give the counts of 80 blocks at
/// E = 1.5 in 40 blocks: the same statistical power in half the time.
const SAMPLE_SIZE: u128 = 0x0300 << 112;
/// The range at [`SAMPLE_SIZE`]: 3·2^-13.
const RANGE: u128 = 0x1800 << 96;

/// Daemonizes FastUpdater once per block (as the network's daemon does) until the chain has advanced `blocks`
/// blocks. (FlareSystemsManager is left to the scenario's epoch steps.)
async fn daemonize_fast_updater_for(devnet: &Devnet, provider: &DynProvider, blocks: u64) {
    let mut last = provider.get_block_number().await.unwrap();
    let until = last + blocks;
    let deadline = Instant::now() + Duration::from_secs(blocks * 10 + 60);
    while last < until {
        assert!(
            Instant::now() < deadline,
            "the devnet stopped producing blocks"
        );
        let head = provider.get_block_number().await.unwrap();
        if head > last {
            // As the network's daemon, a failed step is retried at the next block.
            if let Err(error) = devnet.daemonize_fast_updater().await {
                eprintln!("FastUpdater daemonize failed: {error:#}");
            }
            last = head;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Two entities, one capped at 256 replicates (`max_weight`), the other with its full weight (1366 of 4096): the
/// submission counts follow the weights, and both keep submitting after a reward-epoch change. Expected counts per
/// phase of `FTSO_FU_TEST_BLOCKS` blocks (default 40) at E = 3: 40 and 7.5; the check (the full-weight client
/// submits more than 1.5 and less than 20 times as often as the capped one, each at least once after the change)
/// fails with a probability below 0.1 %.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_follow_their_weights_through_an_epoch_change() {
    let devnet = Devnet::start(DevnetConfig {
        block_time: Some(Duration::from_secs(1)),
        ..DevnetConfig::default()
    })
    .await
    .unwrap();
    devnet
        .set_fast_updates_sample_size(SAMPLE_SIZE, RANGE)
        .await
        .unwrap();
    scenario::complete_reward_epoch(&devnet).await.unwrap();
    devnet.daemonize_fast_updater().await.unwrap();
    let provider = ProviderBuilder::new()
        .connect_http(devnet.rpc_url().parse().unwrap())
        .erased();
    let anchor = {
        let feeds = devnet.fast_update_feeds().await.unwrap();
        ftso_core::fast_updates::scaling::chain_value_to_f64(feeds._feeds[0], feeds._decimals[0])
    };
    let cancel = CancellationToken::new();
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let mut runs = Vec::new();
    let mut accounts = Vec::new();
    for (index, max_weight) in [(0usize, 0u64), (1, 256)] {
        let entity = &devnet.entities()[index];
        let account = alloy::signers::local::PrivateKeySigner::random();
        accounts.push(account.address());
        devnet
            .set_balance(account.address(), U256::from(10u64).pow(U256::from(21u64)))
            .await
            .unwrap();
        let mut config = client_config(&devnet, entity, &account, dirs[index].path());
        config.max_weight = max_weight;
        let values = Arc::new(AboveChain {
            value: anchor * 1.1,
        });
        let client = FastUpdatesClient::connect(&config, provider.clone(), values)
            .await
            .unwrap();
        runs.push(tokio::spawn(client.run(cancel.clone())));
    }
    let fast_updater = devnet.contracts().fast_updater;
    let signers = [
        devnet.entities()[0].signing_policy_address(),
        devnet.entities()[1].signing_policy_address(),
    ];
    let start = provider.get_block_number().await.unwrap();

    daemonize_fast_updater_for(&devnet, &provider, blocks_per_phase()).await;
    scenario::complete_reward_epoch(&devnet).await.unwrap();
    let switched = provider.get_block_number().await.unwrap();
    daemonize_fast_updater_for(&devnet, &provider, blocks_per_phase()).await;
    cancel.cancel();
    for run in runs {
        run.await.unwrap().unwrap();
    }
    let epoch = devnet
        .call(fast_updater, &IFastUpdater::currentRewardEpochIdCall {})
        .await
        .unwrap();
    assert_eq!(epoch.to::<u32>(), 2);

    let mut totals = [0usize; 2];
    for (index, signer) in signers.iter().enumerate() {
        totals[index] = accepted(&provider, fast_updater, *signer, start).await;
        let after = accepted(&provider, fast_updater, *signer, switched + 1).await;
        assert!(
            after >= 1,
            "client {index} submitted nothing after the epoch change"
        );
    }
    // Tickets proved with epoch 1's seed and sent around the switch would revert "sortition proof invalid".
    let failed = reverted(&provider, &accounts, start).await;
    assert!(failed.is_empty(), "reverted submissions: {failed:?}");
    let [full, capped] = totals.map(|n| n as f64);
    eprintln!("accepted submissions: {full} (weight 1366), {capped} (weight 256 of 1366)");
    assert!(
        capped >= 1.0 && full > 1.5 * capped && full < 20.0 * capped,
        "submissions {full} (weight 1366) vs {capped} (weight 256)"
    );
}
