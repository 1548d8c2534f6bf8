//! A full reward epoch on chain: start the devnet, move from epoch 0 to epoch 1 with all entities registered,
//! then relay a voting-round Merkle root under the new policy (accepted) and one with too little weight (rejected).

use std::time::Instant;

use alloy::primitives::{B256, U256, keccak256};
use alloy::providers::Provider;
use alloy::rpc::types::Filter;
use alloy::sol_types::SolEvent;
use ftso_chain::{
    IFlareContractRegistry, IFlareSystemsManager, IFtsoRewardOffersManager, IRelay, IVoterRegistry,
    names, topics,
};
use ftso_core::protocol_message::ProtocolMessageMerkleRoot;
use ftso_core::signing_policy::{SigningPolicy, legacy_hash};
use ftso_devnet::{Devnet, DevnetConfig, scenario};

use crate::support::{
    assert_relay_reverts, current_reward_epoch, is_finalized, signing_policy_hash,
    start_voting_round,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_reward_epoch_and_relay() {
    crate::init_tracing();
    let started = Instant::now();
    let devnet = Devnet::start(DevnetConfig::default())
        .await
        .expect("devnet starts");
    let startup = started.elapsed();
    tracing::info!(
        startup_ms = startup.as_millis(),
        deploy_ms = devnet.startup_time().as_millis(),
        "devnet startup"
    );
    println!(
        "devnet startup: {startup:?} (spawn + deploy + wire + register: {:?})",
        devnet.startup_time()
    );
    let contracts = *devnet.contracts();
    assert_eq!(devnet.entities().len(), 3);
    assert_eq!(devnet.chain_id(), 31337);

    // The registry answers at the network address.
    let relay_by_name = devnet
        .call(
            names::FLARE_CONTRACT_REGISTRY_ADDRESS,
            &IFlareContractRegistry::getContractAddressByNameCall {
                _name: "Relay".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(relay_by_name, contracts.relay);
    let all = devnet
        .call(
            names::FLARE_CONTRACT_REGISTRY_ADDRESS,
            &IFlareContractRegistry::getAllContractsCall {},
        )
        .await
        .unwrap();
    assert!(all._names.iter().any(|n| n == "FlareSystemsManager"));
    assert_eq!(all._names.len(), all._addresses.len());

    // The Relay holds the initial policy under the legacy chunked hash computed by ftso-core.
    let initial = devnet.initial_signing_policy().clone();
    let on_chain = signing_policy_hash(&devnet, 0).await;
    assert_eq!(on_chain, legacy_hash(&initial.encode().unwrap()));
    assert_eq!(current_reward_epoch(&devnet).await, 0);

    // Reward epoch 0 -> 1.
    let switch = scenario::complete_reward_epoch(&devnet)
        .await
        .expect("reward epoch switch");
    assert_eq!(switch.reward_epoch_id, 1);
    let expected_topics = [
        topics::RANDOM_ACQUISITION_STARTED,
        topics::VOTE_POWER_BLOCK_SELECTED,
        topics::SIGNING_POLICY_INITIALIZED,
        topics::REWARD_EPOCH_STARTED,
    ];
    for (receipt, topic) in switch.daemonize_receipts.iter().zip(expected_topics) {
        assert!(
            receipt
                .inner
                .logs()
                .iter()
                .any(|l| l.topic0() == Some(&topic)),
            "daemonize emitted {topic}"
        );
    }
    let started_receipt = switch.daemonize_receipts.last().unwrap();
    assert!(
        started_receipt
            .inner
            .logs()
            .iter()
            .any(|l| l.topic0() == Some(&topics::FTSO_INFLATION_REWARDS_OFFERED)),
        "InflationRewardsOffered for epoch 2 at the switchover"
    );
    for receipt in &switch.registration_receipts {
        let logs = receipt.inner.logs();
        assert!(
            logs.iter()
                .any(|l| l.topic0() == Some(&topics::VOTER_REGISTERED))
        );
        assert!(
            logs.iter()
                .any(|l| l.topic0() == Some(&topics::VOTER_REGISTRATION_INFO))
        );
    }
    let signed = switch
        .signing_receipts
        .last()
        .unwrap()
        .inner
        .logs()
        .iter()
        .find_map(|l| IFlareSystemsManager::SigningPolicySigned::decode_log_data(l.data()).ok());
    assert!(signed.expect("SigningPolicySigned").thresholdReached);

    // The new policy: 3 equal voters, 50% threshold; bytes and hash agree with ftso-core.
    let policy = &switch.signing_policy;
    assert_eq!(policy.weights, vec![21845, 21845, 21845]);
    assert_eq!(policy.threshold, 32768);
    assert_eq!(
        policy.voters,
        devnet
            .entities()
            .iter()
            .map(|e| e.signing_policy_address())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        policy.encode().unwrap(),
        switch.signing_policy_bytes.to_vec()
    );
    let hash = signing_policy_hash(&devnet, 1).await;
    assert_eq!(hash, legacy_hash(&switch.signing_policy_bytes));
    assert_eq!(current_reward_epoch(&devnet).await, 1);
    for entity in devnet.entities() {
        let registered = devnet
            .call(
                contracts.voter_registry,
                &IVoterRegistry::isVoterRegisteredCall {
                    _voter: entity.identity_address(),
                    _rewardEpochId: U256::from(1),
                },
            )
            .await
            .unwrap();
        assert!(registered);
    }
    let (random, secure, _) = {
        let r = devnet
            .call(contracts.relay, &IRelay::getRandomNumberCall {})
            .await
            .unwrap();
        (r._randomNumber, r._isSecureRandom, r._randomTimestamp)
    };
    assert!(
        secure && random != U256::ZERO,
        "secure random after the protocol-100 relay"
    );

    // The community offers for epoch 1 are on chain.
    let offers = devnet
        .provider()
        .get_logs(
            &Filter::new()
                .address(contracts.ftso_reward_offers_manager)
                .event_signature(topics::REWARDS_OFFERED)
                .from_block(0u64),
        )
        .await
        .unwrap();
    assert_eq!(offers.len(), 3);
    let first =
        IFtsoRewardOffersManager::RewardsOffered::decode_log_data(offers[0].data()).unwrap();
    assert_eq!(first.feedId.as_slice(), DevnetConfig::feed_id(1, "FLR/USD"));

    // A voting round of epoch 1 finalized by 2 of 3 (43690 > 32768).
    let start_round = start_voting_round(&devnet, 1).await;
    let round = start_round.max(devnet.voting_round_at(devnet.latest_timestamp().await.unwrap()));
    let entities: Vec<_> = devnet.entities().iter().collect();
    let message = ProtocolMessageMerkleRoot {
        protocol_id: 100,
        voting_round_id: round,
        is_secure_random: true,
        merkle_root: keccak256("round result"),
    };
    let receipt = scenario::relay_message(&devnet, 1, &message, &[entities[2], entities[0]])
        .await
        .expect("relay accepted");
    let relayed = receipt
        .inner
        .logs()
        .iter()
        .find_map(|l| IRelay::ProtocolMessageRelayed::decode_log_data(l.data()).ok())
        .expect("ProtocolMessageRelayed");
    assert_eq!(
        (
            relayed.protocolId,
            relayed.votingRoundId,
            relayed.merkleRoot
        ),
        (100, round, message.merkle_root)
    );
    assert!(is_finalized(&devnet, 100, round).await);
    let root = devnet
        .call(
            contracts.relay,
            &IRelay::merkleRootsCall {
                _protocolId: U256::from(100),
                _votingRoundId: U256::from(round),
            },
        )
        .await
        .unwrap();
    assert_eq!(root, message.merkle_root);

    // One signature (21845) is not above the threshold: the Relay rejects it.
    let weak = ProtocolMessageMerkleRoot {
        voting_round_id: round + 1,
        merkle_root: B256::repeat_byte(7),
        ..message
    };
    let input = scenario::relay_input(&switch.signing_policy_bytes, &weak, &[entities[1]]).unwrap();
    assert_relay_reverts(
        &devnet,
        entities[1].signing_policy_address(),
        input.clone(),
        "Not enough weight",
    )
    .await;
    assert!(
        devnet
            .send_raw(entities[1].signing_policy_address(), contracts.relay, input)
            .await
            .is_err()
    );

    // The epoch-0 policy can no longer finalize a round of epoch 1 ("Must use new sign policy").
    let old = scenario::relay_input(&initial.encode().unwrap(), &weak, &entities).unwrap();
    assert_relay_reverts(
        &devnet,
        entities[0].signing_policy_address(),
        old,
        "Must use new sign policy",
    )
    .await;

    // Bad signature order reverts too.
    let both = scenario::relay_input(
        &switch.signing_policy_bytes,
        &weak,
        &[entities[0], entities[1]],
    )
    .unwrap();
    let mut swapped = both.to_vec();
    let sigs = swapped.len() - 2 * 67;
    let (a, b) = (
        swapped[sigs..sigs + 67].to_vec(),
        swapped[sigs + 67..].to_vec(),
    );
    swapped[sigs..sigs + 67].copy_from_slice(&b);
    swapped[sigs + 67..].copy_from_slice(&a);
    assert_relay_reverts(
        &devnet,
        entities[0].signing_policy_address(),
        swapped.into(),
        "Index out of order",
    )
    .await;

    let decoded = SigningPolicy::decode(&switch.signing_policy_bytes).unwrap();
    assert_eq!(&decoded, policy);
}
