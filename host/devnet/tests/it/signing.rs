//! Relay thresholds with five voters (13107 each, threshold 32768): the raised threshold (x1.2 = 39321) for a
//! round of a later reward epoch whose policy is not initialized; then, after epoch 2 starts, uptime-vote and
//! rewards signing for the finished epoch 1 by its voters (the initial epoch 0 never gets uptime voting).

use alloy::primitives::{B256, U256, aliases::U24, keccak256};
use alloy::sol_types::SolEvent;
use ftso_chain::{IFlareSystemsManager, topics};
use ftso_core::protocol_message::ProtocolMessageMerkleRoot;
use ftso_core::registration;
use ftso_devnet::{Devnet, DevnetConfig, scenario};

use crate::support::{
    assert_relay_reverts, is_finalized, send_and_decode_first_log, start_voting_round,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raised_threshold_and_uptime_and_rewards_signing() {
    crate::init_tracing();
    let config = DevnetConfig {
        entities: 5,
        ..DevnetConfig::default()
    };
    let first_round = config.first_reward_epoch_start_voting_round_id;
    let epoch_rounds = config.reward_epoch_voting_epochs;
    let devnet = Devnet::start(config).await.unwrap();
    let contracts = *devnet.contracts();
    let switch = scenario::complete_reward_epoch(&devnet).await.unwrap();
    assert_eq!(switch.signing_policy.weights, vec![13107; 5]);
    assert_eq!(switch.signing_policy.threshold, 32768);
    let e: Vec<_> = devnet.entities().iter().collect();

    // Round of epoch 1: 3 of 5 (39321 > 32768) finalizes.
    let start = start_voting_round(&devnet, 1).await;
    let message = |round: u32| ProtocolMessageMerkleRoot {
        protocol_id: 200,
        voting_round_id: round,
        is_secure_random: false,
        merkle_root: keccak256(round.to_be_bytes()),
    };
    scenario::relay_message(&devnet, 1, &message(start), &[e[0], e[1], e[2]])
        .await
        .expect("3 of 5 in epoch 1");

    // Round of epoch 2 under policy 1 (policy 2 not initialized): 39321 is not above 39321.
    let later = first_round + 2 * epoch_rounds;
    assert!(later > start);
    let input = scenario::relay_input(
        &switch.signing_policy_bytes,
        &message(later),
        &[e[0], e[1], e[2]],
    )
    .unwrap();
    assert_relay_reverts(
        &devnet,
        e[0].signing_policy_address(),
        input,
        "Not enough weight",
    )
    .await;
    scenario::relay_message(&devnet, 1, &message(later), &[e[0], e[1], e[2], e[3]])
        .await
        .expect("4 of 5 pass the raised threshold");
    assert!(is_finalized(&devnet, 200, later).await);

    // Epoch 2 starts; uptime voting for epoch 1 opens after the minimum duration into epoch 2.
    let second = scenario::complete_reward_epoch(&devnet).await.unwrap();
    assert_eq!(second.reward_epoch_id, 2);
    let enabled_early = second.daemonize_receipts.iter().any(|r| {
        r.inner
            .logs()
            .iter()
            .any(|l| l.topic0() == Some(&topics::SIGN_UPTIME_VOTE_ENABLED))
    });
    assert!(
        !enabled_early,
        "uptime voting opened before the minimum duration"
    );
    devnet
        .warp(devnet.config().submit_uptime_vote_min_duration.as_secs() + 1)
        .await
        .unwrap();
    let receipt = devnet.daemonize().await.unwrap();
    let enabled = receipt
        .inner
        .logs()
        .iter()
        .find(|l| l.topic0() == Some(&topics::SIGN_UPTIME_VOTE_ENABLED))
        .map(|l| IFlareSystemsManager::SignUptimeVoteEnabled::decode_log_data(l.data()).unwrap());
    assert_eq!(
        enabled.expect("SignUptimeVoteEnabled").rewardEpochId,
        U24::from(1u32)
    );

    let fsm = contracts.flare_systems_manager;
    let epoch = U24::from(1u32);
    let uptime_hash = keccak256([0u8; 32]);
    let mut reached = Vec::new();
    for entity in &e[..3] {
        let signed =
            registration::sign_uptime_vote(&entity.signing_policy, 1, &uptime_hash).unwrap();
        let call = IFlareSystemsManager::signUptimeVoteCall {
            _rewardEpochId: epoch,
            _uptimeVoteHash: uptime_hash,
            _signature: scenario::fsm_signature(&signed.signature),
        };
        let event: IFlareSystemsManager::UptimeVoteSigned =
            send_and_decode_first_log(&devnet, entity.signing_policy_address(), fsm, &call).await;
        assert_eq!(event.voter, entity.identity_address());
        reached.push(event.thresholdReached);
    }
    assert_eq!(reached, vec![false, false, true]);
    let stored = devnet
        .call(
            fsm,
            &IFlareSystemsManager::uptimeVoteHashCall {
                _rewardEpochId: U256::from(1),
            },
        )
        .await
        .unwrap();
    assert_eq!(stored, uptime_hash);

    // Rewards for epoch 1 (reward manager id = chain id); needs epoch 2's policy signed, which it is.
    let rewards_hash = B256::repeat_byte(0x5a);
    let chain_id = devnet.chain_id();
    let mut reached = Vec::new();
    for entity in &e[..3] {
        let signed =
            registration::sign_rewards(&entity.signing_policy, 1, chain_id, 7, &rewards_hash)
                .unwrap();
        let call = IFlareSystemsManager::signRewardsCall {
            _rewardEpochId: epoch,
            _noOfWeightBasedClaims: vec![IFlareSystemsManager::NumberOfWeightBasedClaims {
                rewardManagerId: U256::from(chain_id),
                noOfWeightBasedClaims: U256::from(7),
            }],
            _rewardsHash: rewards_hash,
            _signature: scenario::fsm_signature(&signed.signature),
        };
        let event: IFlareSystemsManager::RewardsSigned =
            send_and_decode_first_log(&devnet, entity.signing_policy_address(), fsm, &call).await;
        reached.push(event.thresholdReached);
    }
    assert_eq!(reached, vec![false, false, true]);
    let stored = devnet
        .call(
            fsm,
            &IFlareSystemsManager::rewardsHashCall {
                _rewardEpochId: U256::from(1),
            },
        )
        .await
        .unwrap();
    assert_eq!(stored, rewards_hash);
    let claims = devnet
        .call(
            fsm,
            &IFlareSystemsManager::noOfWeightBasedClaimsCall {
                _rewardEpochId: U256::from(1),
                _rewardManagerId: U256::from(chain_id),
            },
        )
        .await
        .unwrap();
    assert_eq!(claims, U256::from(7));
}
