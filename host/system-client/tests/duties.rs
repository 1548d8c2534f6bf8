//! The reward-epoch duties on the devnet, from reward epoch 0 through two switches: one entity's duties run by
//! the system client (registration for epochs 1 and 2, both new policies signed, uptime and rewards of epoch 1
//! signed), the other entities signing from the test, the FlareSystemsManager moving on because of those
//! signatures, and every duty run again sending nothing. Start-up sanity against the same chain.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any unexpected error"
)]

use std::path::Path;

use alloy::primitives::aliases::U24;
use alloy::primitives::{Address, B256, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use ftso_chain::IFlareSystemsManager;
use ftso_chain::keys::{KeySource, RoleKeySources};
use ftso_core::registration::{self, ClaimType, RewardClaim};
use ftso_devnet::{Devnet, DevnetConfig, Entity, scenario};
use ftso_system_client::duties::Outcome;
use ftso_system_client::fsp::FspReader;
use ftso_system_client::{
    ExpectedNetwork, Pass, RegistrationMessage, SanityError, SystemClient, SystemClientConfig,
    sanity,
};

/// A variable no test environment sets, so the key files are used.
const UNSET_ENV: &str = "FTSO_SYSTEM_CLIENT_TEST_UNSET_KEY";

fn plain_provider(devnet: &Devnet) -> DynProvider {
    ProviderBuilder::new()
        .connect_http(devnet.rpc_url().parse().unwrap())
        .erased()
}

fn key_file(dir: &Path, name: &str, signer: &alloy::signers::local::PrivateKeySigner) -> KeySource {
    let path = dir.join(name);
    std::fs::write(&path, format!("{}", signer.to_bytes())).unwrap();
    KeySource {
        env: Some(UNSET_ENV.into()),
        file: Some(path),
    }
}

fn config_for(entity: &Entity, dir: &Path) -> SystemClientConfig {
    SystemClientConfig {
        identity: Some(entity.identity_address()),
        keys: RoleKeySources {
            signing_policy: key_file(dir, "signing", &entity.signing_policy),
            system_client_sender: key_file(dir, "sender", &entity.identity),
            ..RoleKeySources::default()
        },
        registration_message: RegistrationMessage::WithChainId,
        rewards: ftso_system_client::RewardsConfig {
            url_prefix: Some(dir.join("rewards").display().to_string()),
            retry_interval: std::time::Duration::ZERO,
            ..Default::default()
        },
        ..SystemClientConfig::default()
    }
}

fn local(devnet: &Devnet) -> ExpectedNetwork {
    ExpectedNetwork {
        name: "local".into(),
        chain_id: devnet.chain_id(),
    }
}

/// Runs the duties twice: the first pass must give `first`, the second must send nothing.
async fn pass_twice(
    client: &mut SystemClient,
    devnet: &Devnet,
    sender: Address,
    pick: fn(&Pass) -> &Option<Outcome>,
) -> Pass {
    let pass = client.run_duties().await.unwrap();
    assert!(
        matches!(pick(&pass), Some(Outcome::Sent { .. })),
        "expected a transaction: {pass:?}"
    );
    let nonce = devnet
        .provider()
        .get_transaction_count(sender)
        .await
        .unwrap();
    let again = client.run_duties().await.unwrap();
    assert_eq!(pick(&again), &Some(Outcome::AlreadyDone), "{again:?}");
    assert_eq!(
        devnet
            .provider()
            .get_transaction_count(sender)
            .await
            .unwrap(),
        nonce,
        "the second pass sent a transaction"
    );
    pass
}

fn fsm_signature(signed: &registration::SignedMessage) -> IFlareSystemsManager::Signature {
    scenario::fsm_signature(&signed.signature)
}

/// The other entities sign (`sign` builds the call) until `done` holds.
async fn others_sign_until<C, F, D>(devnet: &Devnet, others: &[Entity], sign: F, done: D)
where
    C: alloy_sol_types::SolCall,
    F: Fn(&Entity) -> C,
    D: AsyncFn() -> bool,
{
    for entity in others {
        if done().await {
            return;
        }
        devnet
            .send(
                entity.signing_policy_address(),
                devnet.contracts().flare_systems_manager,
                &sign(entity),
            )
            .await
            .unwrap();
    }
    assert!(done().await, "the signatures did not reach the threshold");
}

/// One reward-epoch switch with the client's entity doing its own registration and policy signing.
async fn switch_epoch(client: &mut SystemClient, devnet: &Devnet, fsp: &FspReader, ours: &Entity) {
    let others = &devnet.entities()[1..];
    let next = fsp.current_reward_epoch().await.unwrap() + 1;
    let idle = client.run_duties().await.unwrap();
    assert_eq!(idle.registration, Some(Outcome::NotDue), "{idle:?}");

    scenario::start_random_acquisition(devnet).await.unwrap();
    scenario::select_vote_power_block(devnet).await.unwrap();
    pass_twice(client, devnet, ours.identity_address(), |p| &p.registration).await;
    assert!(
        fsp.is_registered(ours.identity_address(), next)
            .await
            .unwrap()
    );
    for entity in others {
        scenario::register_voter(devnet, entity, next)
            .await
            .unwrap();
    }

    let (_, _, bytes) = scenario::initialize_signing_policy(devnet).await.unwrap();
    pass_twice(client, devnet, ours.identity_address(), |p| {
        &p.signing_policy
    })
    .await;
    assert_ne!(
        fsp.voter_signed_policy_at(next, ours.identity_address())
            .await
            .unwrap(),
        0
    );
    let hash = ftso_core::signing_policy::legacy_hash(&bytes);
    others_sign_until(
        devnet,
        others,
        |entity| IFlareSystemsManager::signNewSigningPolicyCall {
            _rewardEpochId: U24::from(next),
            _newSigningPolicyHash: hash,
            _signature: fsm_signature(
                &registration::sign_new_signing_policy(&entity.signing_policy, &hash).unwrap(),
            ),
        },
        async || fsp.policy_sign_window(next).await.unwrap().end_ts != 0,
    )
    .await;
    scenario::start_next_reward_epoch(devnet).await.unwrap();
    assert_eq!(fsp.current_reward_epoch().await.unwrap(), next);
}

/// Writes `<dir>/rewards/<epoch>/reward-distribution-data.json` paying every entity; returns the root.
fn write_reward_data(dir: &Path, epoch: u32, entities: &[Entity]) -> (B256, usize) {
    let claims: Vec<RewardClaim> = entities
        .iter()
        .enumerate()
        .map(|(i, e)| RewardClaim {
            reward_epoch_id: epoch,
            beneficiary: alloy::primitives::FixedBytes(e.identity_address().into_array()),
            amount: U256::from(1_000 + i),
            claim_type: if i == 0 {
                ClaimType::from_u8(0).unwrap()
            } else {
                ClaimType::from_u8(2).unwrap()
            },
        })
        .collect();
    let tree = registration::reward_claims_tree(&claims).unwrap();
    let root = tree.root().unwrap();
    let json_claims: Vec<serde_json::Value> = claims
        .iter()
        .map(|c| {
            serde_json::json!({
                "merkleProof": tree.proof(&c.leaf().unwrap()).unwrap(),
                "body": {
                    "rewardEpochId": epoch,
                    "beneficiary": c.beneficiary.to_string(),
                    "amount": c.amount.to_string(),
                    "claimType": c.claim_type.as_u8(),
                }
            })
        })
        .collect();
    let weight_based = registration::weight_based_claim_count(&claims);
    let document = serde_json::json!({
        "rewardEpochId": epoch,
        "network": "local",
        "rewardClaims": json_claims,
        "merkleRoot": root.to_string(),
        "noOfWeightBasedClaims": weight_based,
    });
    let folder = dir.join("rewards").join(epoch.to_string());
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("reward-distribution-data.json"),
        document.to_string(),
    )
    .unwrap();
    (root, weight_based)
}

#[tokio::test]
async fn the_duties_carry_an_entity_through_two_reward_epochs_and_never_send_twice() {
    let devnet = Devnet::start(DevnetConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ours = devnet.entities()[0].clone();
    let others = devnet.entities()[1..].to_vec();
    let config = config_for(&ours, dir.path());
    let mut client = SystemClient::connect(&config, plain_provider(&devnet), Some(&local(&devnet)))
        .await
        .unwrap();
    let (_, contracts) = sanity::check(&plain_provider(&devnet), None, config.registry)
        .await
        .unwrap();
    let fsp = FspReader::new(plain_provider(&devnet), contracts);

    // Reward epochs 0 → 1 → 2, the entity registering and signing each new policy itself.
    switch_epoch(&mut client, &devnet, &fsp, &ours).await;
    switch_epoch(&mut client, &devnet, &fsp, &ours).await;

    // Uptime voting for epoch 1 opens a little into epoch 2.
    let before = client.run_duties().await.unwrap();
    assert_eq!(before.uptime_vote, Some(Outcome::NotDue), "{before:?}");
    devnet
        .warp(devnet.config().submit_uptime_vote_min_duration.as_secs() + 1)
        .await
        .unwrap();
    devnet.daemonize().await.unwrap();
    assert_ne!(fsp.uptime_sign_start(1).await.unwrap(), 0);
    pass_twice(&mut client, &devnet, ours.identity_address(), |p| {
        &p.uptime_vote
    })
    .await;
    let uptime_hash = alloy::primitives::keccak256([0u8; 32]);
    others_sign_until(
        &devnet,
        &others,
        |entity| IFlareSystemsManager::signUptimeVoteCall {
            _rewardEpochId: U24::from(1u32),
            _uptimeVoteHash: uptime_hash,
            _signature: fsm_signature(
                &registration::sign_uptime_vote(&entity.signing_policy, 1, &uptime_hash).unwrap(),
            ),
        },
        async || !fsp.uptime_vote_hash(1).await.unwrap().is_zero(),
    )
    .await;

    // Rewards of epoch 1: not before the data exist, then signed from the file.
    let waiting = client.run_duties().await.unwrap();
    assert_eq!(waiting.rewards, Some(Outcome::NotDue), "{waiting:?}");
    let (root, weight_based) = write_reward_data(dir.path(), 1, devnet.entities());
    pass_twice(&mut client, &devnet, ours.identity_address(), |p| {
        &p.rewards
    })
    .await;
    let chain_id = devnet.chain_id();
    others_sign_until(
        &devnet,
        &others,
        |entity| IFlareSystemsManager::signRewardsCall {
            _rewardEpochId: U24::from(1u32),
            _noOfWeightBasedClaims: vec![IFlareSystemsManager::NumberOfWeightBasedClaims {
                rewardManagerId: U256::from(chain_id),
                noOfWeightBasedClaims: U256::from(weight_based),
            }],
            _rewardsHash: root,
            _signature: fsm_signature(
                &registration::sign_rewards(
                    &entity.signing_policy,
                    1,
                    chain_id,
                    weight_based as u64,
                    &root,
                )
                .unwrap(),
            ),
        },
        async || !fsp.rewards_hash(1).await.unwrap().is_zero(),
    )
    .await;
    assert_eq!(fsp.rewards_hash(1).await.unwrap(), root);
}

#[tokio::test]
async fn start_up_sanity_refuses_a_wrong_chain_or_a_registry_without_the_contracts() {
    let devnet = Devnet::start(DevnetConfig {
        entities: 1,
        ..DevnetConfig::default()
    })
    .await
    .unwrap();
    let provider = plain_provider(&devnet);
    let registry = SystemClientConfig::default().registry;

    let flare = ExpectedNetwork {
        name: "flare".into(),
        chain_id: 14,
    };
    let error = sanity::check(&provider, Some(&flare), registry)
        .await
        .unwrap_err();
    assert!(
        matches!(error, SanityError::WrongChain { expected: 14, reported, .. } if reported == devnet.chain_id())
    );
    assert!(error.to_string().contains("chain id 31337"), "{error}");

    // A registry address without code, and a "registry" (another contract) resolving nothing.
    let nowhere = Address::repeat_byte(0x42);
    let error = sanity::check(&provider, Some(&local(&devnet)), nowhere)
        .await
        .unwrap_err();
    assert!(
        matches!(error, SanityError::NoRegistry(a) if a == nowhere),
        "{error}"
    );
    let not_a_registry = devnet.contracts().submission;
    let error = sanity::check(&provider, Some(&local(&devnet)), not_a_registry)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            SanityError::MissingContract {
                name: "FlareSystemsManager",
                ..
            }
        ),
        "{error}"
    );

    let (chain_id, contracts) = sanity::check(&provider, Some(&local(&devnet)), registry)
        .await
        .unwrap();
    assert_eq!(chain_id, devnet.chain_id());
    assert_eq!(
        contracts.flare_systems_manager,
        devnet.contracts().flare_systems_manager
    );
    assert_eq!(contracts.voter_registry, devnet.contracts().voter_registry);
    assert_eq!(contracts.relay, devnet.contracts().relay);
    assert_eq!(contracts.submission, devnet.contracts().submission);
}
