//! Harness behaviour: the background daemon drives the state machine, the old event layouts can be emitted,
//! Submission enforces who may submit, and dropping the devnet stops anvil.

use std::time::{Duration, Instant};

use alloy::primitives::{Address, B256, Bytes, U256, aliases::U24};
use alloy::providers::Provider;
use alloy::rpc::types::Filter;
use alloy::sol_types::{SolCall, SolEvent};
use ftso_chain::legacy::{IFlareSystemsCalculatorV1, IVoterRegistryV1};
use ftso_chain::{IFlareSystemsManager, ISubmission, topics};
use ftso_devnet::admin::ILegacyEventEmitter;
use ftso_devnet::{Devnet, DevnetConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daemon_driver_starts_random_acquisition_on_its_own() {
    crate::init_tracing();
    let devnet = Devnet::start(DevnetConfig::default()).await.unwrap();
    let fsm = devnet.contracts().flare_systems_manager;
    let end: u64 = devnet
        .call(
            fsm,
            &IFlareSystemsManager::currentRewardEpochExpectedEndTsCall {},
        )
        .await
        .unwrap();
    let driver = devnet.spawn_daemon_driver(Duration::from_millis(50));
    // A block at the random-acquisition time, mined by someone else: the driver must react to it.
    devnet
        .warp_to(end - devnet.config().signing_policy_init_lead.as_secs())
        .await
        .unwrap();
    let filter = Filter::new()
        .address(fsm)
        .event_signature(topics::RANDOM_ACQUISITION_STARTED)
        .from_block(0u64);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let logs = devnet.provider().get_logs(&filter).await.unwrap();
        if !logs.is_empty() {
            let event =
                IFlareSystemsManager::RandomAcquisitionStarted::decode_log_data(logs[0].data())
                    .unwrap();
            assert_eq!(event.rewardEpochId, U24::from(1u32));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "driver did not daemonize within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!driver.is_finished());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_event_layouts_and_submission_rules() {
    crate::init_tracing();
    let devnet = Devnet::start(DevnetConfig::default()).await.unwrap();
    let emitter = devnet.contracts().legacy_event_emitter;
    let entity = &devnet.entities()[0];
    let gov = devnet.deployer().address();

    let call = ILegacyEventEmitter::emitVoterRegisteredCall {
        _voter: entity.identity_address(),
        _rewardEpochId: U24::from(5u32),
        _signingPolicyAddress: entity.signing_policy_address(),
        _submitAddress: entity.submit_address(),
        _submitSignaturesAddress: entity.submit_signatures_address(),
        _publicKeyPart1: B256::repeat_byte(1),
        _publicKeyPart2: B256::repeat_byte(2),
        _registrationWeight: U256::from(1234),
    };
    let receipt = devnet.send(gov, emitter, &call).await.unwrap();
    let log = &receipt.inner.logs()[0];
    assert_eq!(log.topic0(), Some(&topics::VOTER_REGISTERED_V1));
    let event = IVoterRegistryV1::VoterRegistered::decode_log_data(log.data()).unwrap();
    assert_eq!(
        (event.voter, event.rewardEpochId, event.registrationWeight),
        (entity.identity_address(), U24::from(5u32), U256::from(1234))
    );

    let call = ILegacyEventEmitter::emitVoterRegistrationInfoCall {
        _voter: entity.identity_address(),
        _rewardEpochId: U24::from(5u32),
        _delegationAddress: entity.delegation_address(),
        _delegationFeeBIPS: 2000,
        _wNatWeight: U256::from(10),
        _wNatCappedWeight: U256::from(9),
    };
    let receipt = devnet.send(gov, emitter, &call).await.unwrap();
    let log = &receipt.inner.logs()[0];
    assert_eq!(log.topic0(), Some(&topics::VOTER_REGISTRATION_INFO_V1));
    let event =
        IFlareSystemsCalculatorV1::VoterRegistrationInfo::decode_log_data(log.data()).unwrap();
    assert_eq!(
        (event.delegationFeeBIPS, event.wNatCappedWeight),
        (2000, U256::from(9))
    );

    // submit1 with a payload: true once for a registered submit address (epoch-0 voters), false otherwise.
    let submission = devnet.contracts().submission;
    let mut input = ISubmission::submit1Call {}.abi_encode();
    input.extend_from_slice(&[100, 0, 0, 3, 232, 0, 2, 0xab, 0xcd]);
    let input = Bytes::from(input);
    let yes = devnet
        .call_raw(entity.submit_address(), submission, input.clone())
        .await
        .unwrap();
    assert!(ISubmission::submit1Call::abi_decode_returns(&yes).unwrap());
    let stranger = Address::repeat_byte(0x42);
    let no = devnet
        .call_raw(stranger, submission, input.clone())
        .await
        .unwrap();
    assert!(!ISubmission::submit1Call::abi_decode_returns(&no).unwrap());
    let receipt = devnet
        .send_raw(entity.submit_address(), submission, input.clone())
        .await
        .unwrap();
    assert!(receipt.status());
    let again = devnet
        .call_raw(entity.submit_address(), submission, input)
        .await
        .unwrap();
    assert!(
        !ISubmission::submit1Call::abi_decode_returns(&again).unwrap(),
        "the flag is consumed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_devnet_stops_anvil() {
    let devnet = Devnet::start(DevnetConfig {
        entities: 1,
        ..DevnetConfig::default()
    })
    .await
    .unwrap();
    let port = devnet.port();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    drop(devnet);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(
            Instant::now() < deadline,
            "anvil still listening on {port} after drop"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
