//! The FSP defaults on the project's devnet: contract names resolved through the registry at its fixed address,
//! submissions with payloads from the registered entities, the FSP events of the deployment, and the old (uint24)
//! event layouts, compared with what was sent and with what the node returns.

use std::time::Duration;

use alloy::providers::Provider;
use alloy::rpc::types::Filter;
use alloy_primitives::{Address, B256, Bytes};
use ftso_chain::{IFlareSystemsManager, selectors, topics};
use ftso_devnet::admin::ILegacyEventEmitter;
use ftso_devnet::{Devnet, DevnetConfig};
use ftso_indexer::{ContractRef, IndexerConfig, LogCollector};
use ftso_storage::testing::TestBackend;
use ftso_storage::{BlockWindow, TimeWindow};

use crate::chain::{assert_blocks_contiguous, spawn_indexer, state, wait_indexed};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fsp_defaults_collect_submissions_and_events_from_the_devnet() {
    let devnet = Devnet::start(DevnetConfig::default()).await.unwrap();
    let c = *devnet.contracts();

    // Submissions with payloads from every entity.
    let mut sent: Vec<(B256, [u8; 4], Address, Vec<u8>)> = Vec::new();
    for (i, entity) in devnet.entities().iter().enumerate() {
        for (selector, from) in [
            (selectors::SUBMIT1, entity.submit_address()),
            (selectors::SUBMIT2, entity.submit_address()),
            (
                selectors::SUBMIT_SIGNATURES,
                entity.submit_signatures_address(),
            ),
        ] {
            let mut input = selector.to_vec();
            input.extend((0..(38 + i)).map(|b| (b as u8).wrapping_mul(7) ^ selector[0]));
            let receipt = devnet
                .send_raw(from, c.submission, Bytes::from(input.clone()))
                .await
                .unwrap();
            sent.push((receipt.transaction_hash, selector, from, input));
        }
    }
    // Old-layout registration events, from a contract that is not in the registry: collected by a user entry.
    let entity = &devnet.entities()[0];
    let gov = devnet.deployer().address();
    let legacy = ILegacyEventEmitter::emitVoterRegisteredCall {
        _voter: entity.identity_address(),
        _rewardEpochId: alloy_primitives::aliases::U24::from(5u32),
        _signingPolicyAddress: entity.signing_policy_address(),
        _submitAddress: entity.submit_address(),
        _submitSignaturesAddress: entity.submit_signatures_address(),
        _publicKeyPart1: B256::repeat_byte(1),
        _publicKeyPart2: B256::repeat_byte(2),
        _registrationWeight: alloy_primitives::U256::from(1234),
    };
    devnet
        .send(gov, c.legacy_event_emitter, &legacy)
        .await
        .unwrap();
    // Move the reward epoch towards its end so the daemon starts random acquisition (and, later, selects the vote
    // power block).
    let end: u64 = devnet
        .call(
            c.flare_systems_manager,
            &IFlareSystemsManager::currentRewardEpochExpectedEndTsCall {},
        )
        .await
        .unwrap();
    devnet
        .warp_to(end - devnet.config().signing_policy_init_lead.as_secs())
        .await
        .unwrap();
    devnet.daemonize().await.unwrap();
    devnet.warp(60).await.unwrap();
    devnet.mine(3).await.unwrap();
    devnet.daemonize().await.unwrap();

    let db = TestBackend::Sqlite.fresh().await.unwrap();
    let config = IndexerConfig {
        confirmations: 0,
        batch_size: 200,
        new_block_poll_interval: Duration::from_millis(20),
        collect_logs: vec![LogCollector {
            contract: ContractRef {
                contract_address: Some(c.legacy_event_emitter),
                ..ContractRef::default()
            },
            topic: Some(format!("{:x}", topics::VOTER_REGISTERED_V1)),
        }],
        ..IndexerConfig::default()
    };
    let tip = devnet.provider().get_block_number().await.unwrap();
    let indexer = spawn_indexer(config, &db.storage, devnet.rpc_url());
    wait_indexed(&db.storage, tip, Duration::from_secs(60)).await;
    assert_blocks_contiguous(&db.storage, tip).await;

    // Submissions: every one, with its payload, sender and status 2 (no receipt in FSP mode).
    let all = TimeWindow {
        from: 0,
        to: u64::MAX >> 1,
    };
    for selector in [
        selectors::SUBMIT1,
        selectors::SUBMIT2,
        selectors::SUBMIT_SIGNATURES,
    ] {
        let rows = db
            .storage
            .transactions_in_time(c.submission, selector, all)
            .await
            .unwrap();
        let expected: Vec<_> = sent.iter().filter(|s| s.1 == selector).collect();
        assert_eq!(rows.len(), expected.len());
        for (row, (hash, _, from, input)) in rows.iter().zip(expected) {
            assert_eq!(row.hash, hex::encode(hash));
            assert_eq!(row.input, hex::encode(input));
            assert_eq!(row.from().unwrap(), *from);
            assert_eq!(row.status, 2);
            assert_eq!(row.payload().unwrap(), input[4..]);
        }
    }

    // Events: for every (contract, topic0) of the FSP defaults, exactly what the node has.
    let pairs: Vec<(Address, B256)> = vec![
        (c.flare_systems_manager, topics::VOTE_POWER_BLOCK_SELECTED),
        (c.flare_systems_manager, topics::RANDOM_ACQUISITION_STARTED),
        (c.flare_systems_manager, topics::REWARD_EPOCH_STARTED),
        (c.voter_registry, topics::VOTER_REGISTERED),
        (c.voter_registry, topics::VOTER_REGISTERED_V1),
        (c.flare_systems_calculator, topics::VOTER_REGISTRATION_INFO),
        (c.relay, topics::SIGNING_POLICY_INITIALIZED),
        (
            c.ftso_reward_offers_manager,
            topics::FTSO_INFLATION_REWARDS_OFFERED,
        ),
        (c.ftso_reward_offers_manager, topics::REWARDS_OFFERED),
        (c.legacy_event_emitter, topics::VOTER_REGISTERED_V1),
    ];
    let mut non_empty = 0;
    for (address, topic) in pairs {
        let node = devnet
            .provider()
            .get_logs(
                &Filter::new()
                    .address(address)
                    .event_signature(topic)
                    .from_block(0u64)
                    .to_block(tip),
            )
            .await
            .unwrap();
        let stored = db
            .storage
            .logs_in_blocks(address, topic, BlockWindow { from: 0, to: tip })
            .await
            .unwrap();
        assert_eq!(stored.len(), node.len(), "{address} {topic}");
        for (row, log) in stored.iter().zip(&node) {
            assert_eq!(
                row.transaction_hash,
                hex::encode(log.transaction_hash.unwrap())
            );
            assert_eq!(row.log_index, log.log_index.unwrap());
            assert_eq!(row.block_number, log.block_number.unwrap());
            assert_eq!(row.data_bytes().unwrap(), log.data().data.to_vec());
            assert_eq!(row.topics().unwrap(), log.topics().to_vec());
            assert_eq!(row.address, hex::encode(address));
            assert_eq!(
                row.transaction_id, None,
                "filter logs have no transaction link"
            );
        }
        non_empty += usize::from(!node.is_empty());
    }
    assert!(
        non_empty >= 3,
        "the deployment emits registration, policy and epoch events ({non_empty})"
    );
    indexer.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fsp_mode_starts_an_hour_back_and_backfills_epoch_events() {
    use ftso_storage::StateName;
    use sqlx::Row;

    let devnet = Devnet::start(DevnetConfig::default()).await.unwrap();
    let c = *devnet.contracts();
    let entity = &devnet.entities()[0];
    let early = [&selectors::SUBMIT1[..], &[1, 2, 3]].concat();
    devnet
        .send_raw(entity.submit_address(), c.submission, Bytes::from(early))
        .await
        .unwrap();
    // Two hours later: the deployment's events are older than the full-block lookback (1 h).
    devnet.warp(7200).await.unwrap();
    let full_start = devnet.provider().get_block_number().await.unwrap();
    let late = [&selectors::SUBMIT1[..], &[4, 5, 6]].concat();
    devnet
        .send_raw(
            entity.submit_address(),
            c.submission,
            Bytes::from(late.clone()),
        )
        .await
        .unwrap();
    devnet.mine(5).await.unwrap();
    let tip = devnet.provider().get_block_number().await.unwrap();

    let db = TestBackend::Sqlite.fresh().await.unwrap();
    let config = IndexerConfig {
        mode: ftso_indexer::IndexerMode::Fsp,
        confirmations: 0,
        new_block_poll_interval: Duration::from_millis(20),
        history_drop_interval: Duration::from_millis(50),
        ..IndexerConfig::default()
    };
    let indexer = spawn_indexer(config, &db.storage, devnet.rpc_url());
    wait_indexed(&db.storage, tip, Duration::from_secs(60)).await;

    let first = state(&db.storage, StateName::FirstDatabaseBlock).await;
    assert_eq!(
        first.index, full_start,
        "full blocks start at the first block within one hour of the tip"
    );
    let numbers: Vec<i64> = sqlx::query("SELECT number FROM blocks ORDER BY number")
        .fetch_all(db.storage.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("number"))
        .collect();
    assert_eq!(
        numbers,
        (full_start as i64..=tip as i64).collect::<Vec<_>>()
    );
    let submissions = db
        .storage
        .transactions_in_time(
            c.submission,
            selectors::SUBMIT1,
            TimeWindow {
                from: 0,
                to: u64::MAX >> 1,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        submissions.len(),
        1,
        "only submissions inside the full-block range"
    );
    assert_eq!(submissions[0].input, hex::encode(&late));

    // The deployment's metadata events were back-filled below the full-block floor, without transaction links.
    let log_floor = state(&db.storage, StateName::FirstDatabaseLogBlock).await;
    assert!(log_floor.index < full_start);
    let node = devnet
        .provider()
        .get_logs(
            &Filter::new()
                .address(c.ftso_reward_offers_manager)
                .event_signature(topics::REWARDS_OFFERED)
                .from_block(0u64)
                .to_block(tip),
        )
        .await
        .unwrap();
    assert!(!node.is_empty());
    let stored = db
        .storage
        .logs_in_blocks(
            c.ftso_reward_offers_manager,
            topics::REWARDS_OFFERED,
            BlockWindow { from: 0, to: tip },
        )
        .await
        .unwrap();
    assert_eq!(stored.len(), node.len());
    for (row, log) in stored.iter().zip(&node) {
        assert_eq!(
            row.transaction_hash,
            hex::encode(log.transaction_hash.unwrap())
        );
        assert_eq!(row.log_index, log.log_index.unwrap());
        assert_eq!(row.data_bytes().unwrap(), log.data().data.to_vec());
        assert!(row.block_number < full_start && row.block_number >= log_floor.index);
        assert_eq!(row.transaction_id, None);
    }
    indexer.stop().await;
}
