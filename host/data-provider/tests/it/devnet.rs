//! On the devnet: the node's indexer follows the chain into SQLite while the test moves to reward
//! epoch 1 and sends real submit1/submit2 transactions to the Submission contract; the round's
//! results computed from the indexed rows equal `ftso_core::round` over the values sent.

use std::time::Duration;

use alloy::providers::{Provider, ProviderBuilder};
use alloy_primitives::{Bytes, U256};
use ftso_core::commit::{FTSO_PROTOCOL_ID, Reveal};
use ftso_core::epoch::EpochSettings;
use ftso_core::payload::{PayloadMessage, SUBMIT1_SELECTOR, SUBMIT2_SELECTOR, encode_concatenated};
use ftso_core::round::{Voter, VoterSubmission, calculate_round};
use ftso_data_provider::chain::{ChainReader, ContractAddresses, ProtocolParams};
use ftso_data_provider::round::{RoundResults, RoundStatus};
use ftso_devnet::{Devnet, DevnetConfig, scenario as devnet_scenario};
use ftso_indexer::IndexerConfig;
use ftso_storage::StateName;
use ftso_storage::testing::sqlite;
use tokio_util::sync::CancellationToken;

use crate::rows::word;

/// How long the indexer may take to reach a block (a slow, loaded CI machine).
const INDEX_TIMEOUT: Duration = Duration::from_secs(180);

async fn send(
    devnet: &Devnet,
    selector: [u8; 4],
    from: alloy_primitives::Address,
    message: PayloadMessage,
) {
    let mut input = selector.to_vec();
    input.extend(encode_concatenated(&[message]).expect("encode"));
    devnet
        .send_raw(from, devnet.contracts().submission, Bytes::from(input))
        .await
        .expect("submission");
}

async fn wait_indexed(storage: &ftso_storage::Storage, block: u64) {
    let deadline = tokio::time::Instant::now() + INDEX_TIMEOUT;
    loop {
        let indexed = storage
            .state(StateName::LastDatabaseBlock)
            .await
            .expect("state")
            .is_some_and(|s| s.index >= block);
        if indexed {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "block {block} not indexed in time"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_devnet_round_is_computed_from_indexed_submissions() {
    let devnet = Devnet::start(DevnetConfig::default())
        .await
        .expect("devnet");
    let db = sqlite().await;
    let cancel = CancellationToken::new();
    let provider = ProviderBuilder::new()
        .connect_http(devnet.rpc_url().parse().expect("url"))
        .erased();
    let config = IndexerConfig {
        confirmations: 0,
        new_block_poll_interval: Duration::from_millis(50),
        ..IndexerConfig::default()
    };
    let indexer = tokio::spawn(ftso_indexer::run(
        config,
        db.storage.clone(),
        provider,
        cancel.clone(),
    ));

    devnet_scenario::complete_reward_epoch(&devnet)
        .await
        .expect("reward epoch 1");
    let c = *devnet.contracts();
    let settings = EpochSettings {
        first_voting_round_start_ts: devnet.first_voting_round_start_ts(),
        voting_epoch_duration_seconds: devnet.config().voting_epoch.as_secs(),
        first_reward_epoch_start_voting_round_id: devnet
            .config()
            .first_reward_epoch_start_voting_round_id,
        reward_epoch_duration_in_voting_epochs: devnet.config().reward_epoch_voting_epochs,
        reveal_deadline_seconds: devnet.config().reveal_deadline.as_secs(),
    };
    let contracts =
        ContractAddresses::resolve(|name| c.by_name(name)).expect("FSP contracts deployed");
    let reader = std::sync::Arc::new(ChainReader::new(
        db.storage.clone(),
        contracts,
        ProtocolParams::new(settings),
    ));

    // A round of reward epoch 1: wait for its policy to be indexed, then commit.
    let now = devnet.latest_timestamp().await.expect("time");
    let round = settings.voting_round_at(now).expect("round") + 1;
    devnet
        .warp_to(settings.voting_round_start(round) + 1)
        .await
        .expect("warp");
    let block = devnet.provider().get_block_number().await.expect("block");
    wait_indexed(&db.storage, block).await;
    let chain_now = devnet.latest_timestamp().await.expect("time");
    let epoch = reader
        .epoch_of_round(round, chain_now)
        .await
        .expect("epoch of the round");
    assert_eq!(epoch.reward_epoch_id, 1);
    assert_eq!(epoch.voters.len(), devnet.entities().len());

    let mut reveals = Vec::new();
    for (e, entity) in devnet.entities().iter().enumerate() {
        let values: Vec<Option<i32>> = (0..epoch.feeds.len())
            .map(|f| i32::try_from(100_000 * (e + 1) + f).ok())
            .collect();
        let reveal = Reveal {
            random: word(7_000 + e as u64),
            encoded_values: ftso_core::value::encode_scaled(&values),
        };
        let hash = reveal.commit_hash(entity.submit_address(), round);
        send(
            &devnet,
            SUBMIT1_SELECTOR,
            entity.submit_address(),
            PayloadMessage {
                protocol_id: FTSO_PROTOCOL_ID,
                voting_round_id: round,
                payload: hash.to_vec(),
            },
        )
        .await;
        reveals.push((entity.submit_address(), reveal, values));
    }
    devnet
        .warp_to(settings.voting_round_end(round) + 1)
        .await
        .expect("warp");
    for (from, reveal, _) in &reveals {
        send(
            &devnet,
            SUBMIT2_SELECTOR,
            *from,
            reveal.submit2_message(round).expect("reveal"),
        )
        .await;
    }
    devnet
        .warp_to(settings.reveal_deadline(round) + 1)
        .await
        .expect("warp");
    let block = devnet.provider().get_block_number().await.expect("block");
    wait_indexed(&db.storage, block).await;
    let chain_now = devnet.latest_timestamp().await.expect("time");

    let service = RoundResults::new(reader.clone());
    let status = service.results_at(round, chain_now).await.expect("results");
    let RoundStatus::Ready(record) = status else {
        panic!("round {round}: {status:?}");
    };
    let voters: Vec<Voter> = epoch
        .voters
        .iter()
        .map(|v| {
            let (_, reveal, values) = reveals
                .iter()
                .find(|(from, _, _)| *from == v.submit_address)
                .expect("every voter revealed");
            Voter {
                submit_address: v.submit_address,
                weight: v.median_weight,
                submission: VoterSubmission::Valid {
                    random: reveal.random,
                    values: values.clone(),
                },
                benched: false,
            }
        })
        .collect();
    let expected = calculate_round(round, &epoch.feeds, &voters).expect("core result");
    assert_eq!(
        record.valid_eligible_reveals().len(),
        devnet.entities().len()
    );
    assert!(record.reveal_offenders().is_empty());
    assert_eq!(record.random, U256::from(7_000 * 3 + 3));
    assert!(record.is_secure_random);
    assert_eq!(record.merkle_root, expected.merkle_root);
    let medians: Vec<i32> = record.feeds.iter().map(|f| f.value).collect();
    let middle: Vec<i32> = (0..epoch.feeds.len())
        .map(|f| i32::try_from(200_000 + f).expect("value"))
        .collect();
    assert_eq!(medians, middle, "three equal weights: the middle value");

    cancel.cancel();
    indexer.await.expect("indexer task").expect("indexer");
}
