//! FastUpdater on the devnet judges fast updates as the network does: an eligible update sent through
//! `Submission.submitAndPass` moves the feeds by its deltas and emits `FastUpdateFeedsSubmitted`; a ticket used
//! twice, a block outside the submission window, a replicate at or above the weight, a signature over the wrong
//! layout and a key missing from the reward epoch's snapshot are rejected with the network's revert reasons.
//! Credentials, deltas and signatures are built with `ftso_core::fast_updates`.

use alloy::primitives::{Address, Bytes, U256};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionReceipt;
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::{SolEvent, SolValue};
use ftso_chain::{IEntityManager, IFastUpdateIncentiveManager, IFastUpdater};
use ftso_core::fast_updates::delta::{self, Delta};
use ftso_core::fast_updates::eligibility::prove_winning_tickets;
use ftso_core::fast_updates::{Credential, FastUpdate, SignedUpdate, SortitionKey, credential};
use ftso_devnet::{Devnet, DevnetConfig, Entity, scenario};
use sha2::Digest;

/// Blocks scanned for a winning ticket before giving up: with the networks' expected sample size (1.5) an entity
/// holding a third of the weight wins 0.5 tickets per block, so 60 blocks all losing has probability e^-30.
const MAX_SCANNED_BLOCKS: u64 = 60;

/// A devnet in reward epoch 1 (the first epoch with a seed), FastUpdater daemonized into it.
async fn devnet_in_epoch_one() -> Devnet {
    let devnet = Devnet::start(DevnetConfig::default()).await.unwrap();
    epoch_one(&devnet).await;
    devnet
}

async fn epoch_one(devnet: &Devnet) {
    scenario::complete_reward_epoch(devnet).await.unwrap();
    devnet.daemonize_fast_updater().await.unwrap();
    let epoch = devnet
        .call(
            devnet.contracts().fast_updater,
            &IFastUpdater::currentRewardEpochIdCall {},
        )
        .await
        .unwrap();
    assert_eq!(epoch.to::<u32>(), 1);
}

async fn head(devnet: &Devnet) -> u64 {
    devnet.provider().get_block_number().await.unwrap()
}

fn fill_random(bytes: &mut [u8; 64]) {
    getrandom::fill(bytes).unwrap();
}

async fn weight(devnet: &Devnet, entity: &Entity) -> u64 {
    let call = IFastUpdater::currentSortitionWeightCall {
        _signingPolicyAddress: entity.signing_policy_address(),
    };
    let weight: U256 = devnet
        .call(devnet.contracts().fast_updater, &call)
        .await
        .unwrap();
    weight.to()
}

/// The first winning ticket of `entity` in some block from `from_block` on (the cutoff the daemon writes is
/// `currentScoreCutoff`; replicates `0..weight`): (sortition block, credential).
async fn winning_ticket(devnet: &Devnet, entity: &Entity, from_block: u64) -> (u64, Credential) {
    let key = entity.sortition_key().unwrap();
    let seed = devnet.sortition_seed(1).await.unwrap();
    let cutoff: U256 = devnet
        .call(
            devnet.contracts().fast_updater,
            &IFastUpdater::currentScoreCutoffCall {},
        )
        .await
        .unwrap();
    let weight = weight(devnet, entity).await;
    for block in from_block..from_block + MAX_SCANNED_BLOCKS {
        let winners = prove_winning_tickets(
            &key,
            seed,
            U256::from(block),
            0..weight,
            cutoff,
            fill_random,
        );
        if let Some(credential) = winners.into_iter().next() {
            return (block, credential);
        }
    }
    panic!("no winning ticket in {MAX_SCANNED_BLOCKS} blocks");
}

fn sign(
    block: u64,
    credential: Credential,
    deltas: &[Delta],
    signer: &PrivateKeySigner,
) -> SignedUpdate {
    FastUpdate {
        sortition_block: U256::from(block),
        credential,
        deltas: delta::encode(deltas).into(),
    }
    .sign(signer)
    .unwrap()
}

/// Mines empty blocks until the next transaction lands in `block`.
async fn mine_until_next_is(devnet: &Devnet, block: u64) {
    let head = head(devnet).await;
    assert!(head < block, "head {head} already at or past {block}");
    if block - 1 > head {
        devnet.mine(block - 1 - head).await.unwrap();
    }
}

/// Sends `Submission.submitAndPass` from an account unrelated to the entity (as the Go client's submission
/// accounts are).
async fn submit_and_pass(
    devnet: &Devnet,
    update: &SignedUpdate,
) -> anyhow::Result<TransactionReceipt> {
    let sender = devnet.deployer().address();
    devnet
        .send_raw(
            sender,
            devnet.contracts().submission,
            Bytes::from(update.submit_and_pass_calldata()),
        )
        .await
}

/// Sends `FastUpdater.submitUpdates` directly.
async fn submit_directly(
    devnet: &Devnet,
    update: &SignedUpdate,
) -> anyhow::Result<TransactionReceipt> {
    let sender = devnet.deployer().address();
    devnet
        .send_raw(
            sender,
            devnet.contracts().fast_updater,
            Bytes::from(update.submit_updates_calldata()),
        )
        .await
}

fn assert_reverts_with(result: anyhow::Result<TransactionReceipt>, reason: &str) {
    let error = format!("{:#}", result.expect_err("the submission was accepted"));
    assert!(error.contains(reason), "expected {reason:?}, got: {error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_eligible_update_moves_the_feeds_by_its_deltas() {
    crate::init_tracing();
    let devnet = devnet_in_epoch_one().await;
    let entity = &devnet.entities()[0];
    // Three equal voters, each with a key: ceil(21845 · 4096 / 65535).
    assert_eq!(weight(&devnet, entity).await, 1366);

    let before = devnet.fast_update_feeds().await.unwrap();
    let scale: U256 = devnet
        .call(
            devnet.contracts().fast_update_incentive_manager,
            &IFastUpdateIncentiveManager::getScaleCall {},
        )
        .await
        .unwrap();
    let (block, credential) = winning_ticket(&devnet, entity, head(&devnet).await + 2).await;
    // As on the network: the daemon's transaction in block b - 1 writes the cutoff of block b.
    mine_until_next_is(&devnet, block - 1).await;
    let daemonized = devnet.daemonize_fast_updater().await.unwrap();
    assert_eq!(daemonized.block_number, Some(block - 1));
    let deltas = [Delta::Up, Delta::Down, Delta::Zero];
    let update = sign(block, credential, &deltas, &entity.signing_policy);
    let receipt = submit_and_pass(&devnet, &update).await.unwrap();
    assert_eq!(
        receipt.block_number,
        Some(block),
        "sortition block = inclusion block is accepted"
    );

    let log = receipt
        .inner
        .logs()
        .iter()
        .find(|log| log.topic0() == Some(&IFastUpdater::FastUpdateFeedsSubmitted::SIGNATURE_HASH))
        .expect("FastUpdateFeedsSubmitted");
    assert_eq!(log.address(), devnet.contracts().fast_updater);
    let event = IFastUpdater::FastUpdateFeedsSubmitted::decode_log_data(log.data()).unwrap();
    assert_eq!(event.signingPolicyAddress, entity.signing_policy_address());
    // The voting round FastUpdater saw at its last daemonize.
    let daemonized_at = devnet
        .provider()
        .get_block_by_number((block - 1).into())
        .await
        .unwrap()
        .unwrap()
        .header
        .timestamp;
    assert_eq!(event.votingRoundId, devnet.voting_round_at(daemonized_at));
    let timestamp = devnet.latest_timestamp().await.unwrap();

    let after = devnet.fast_update_feeds().await.unwrap();
    let scale = u128::try_from(scale).unwrap();
    for (i, d) in deltas.iter().enumerate() {
        assert_eq!(
            after._feeds[i],
            delta::apply(before._feeds[i], *d, scale),
            "feed {i}"
        );
        assert_eq!(after._decimals[i], before._decimals[i]);
    }
    assert!(after._feeds[0] > before._feeds[0] && after._feeds[1] < before._feeds[1]);
    assert_eq!(after._timestamp, timestamp);
    let count: U256 = devnet
        .call(
            devnet.contracts().fast_updater,
            &IFastUpdater::numberOfUpdatesInBlockCall {
                _blockNumber: U256::from(block),
            },
        )
        .await
        .unwrap();
    assert_eq!(count, U256::from(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_is_accepted_once() {
    crate::init_tracing();
    let devnet = devnet_in_epoch_one().await;
    let entity = &devnet.entities()[1];
    let (block, credential) = winning_ticket(&devnet, entity, head(&devnet).await + 1).await;
    mine_until_next_is(&devnet, block).await;
    submit_and_pass(
        &devnet,
        &sign(block, credential, &[Delta::Up], &entity.signing_policy),
    )
    .await
    .unwrap();

    // The same ticket re-proved with a fresh nonce, other deltas, sent directly from another account.
    let key = entity.sortition_key().unwrap();
    let seed = devnet.sortition_seed(1).await.unwrap();
    let again = credential::prove(
        &key,
        seed,
        U256::from(block),
        credential.replicate,
        fill_random,
    )
    .credential;
    assert_ne!(again.c, credential.c);
    let update = sign(block, again, &[Delta::Down], &entity.signing_policy);
    assert_reverts_with(
        submit_directly(&devnet, &update).await,
        "submission already provided",
    );
    assert_reverts_with(
        submit_and_pass(&devnet, &update).await,
        "submission already provided",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_are_accepted_only_inside_the_submission_window() {
    crate::init_tracing();
    let devnet = devnet_in_epoch_one().await;
    let entity = &devnet.entities()[0];
    let window = u64::from(devnet.config().fast_updates.submission_window);
    let (block, credential) = winning_ticket(&devnet, entity, head(&devnet).await + 2).await;
    let update = sign(block, credential, &[Delta::Up], &entity.signing_policy);

    // Too early: the next block is block - 1.
    mine_until_next_is(&devnet, block - 1).await;
    assert_reverts_with(
        submit_and_pass(&devnet, &update).await,
        "Updates not yet available for the given block",
    );
    // Too late: the next block is block + window.
    mine_until_next_is(&devnet, block + window).await;
    assert_reverts_with(
        submit_and_pass(&devnet, &update).await,
        "Updates no longer accepted for the given block",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_block_of_the_window_is_accepted() {
    crate::init_tracing();
    let devnet = devnet_in_epoch_one().await;
    let entity = &devnet.entities()[2];
    let window = u64::from(devnet.config().fast_updates.submission_window);
    let (block, credential) = winning_ticket(&devnet, entity, head(&devnet).await + 1).await;
    mine_until_next_is(&devnet, block + window - 1).await;
    let receipt = submit_and_pass(
        &devnet,
        &sign(block, credential, &[Delta::Up], &entity.signing_policy),
    )
    .await
    .unwrap();
    assert_eq!(receipt.block_number, Some(block + window - 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replicate_at_the_weight_is_rejected() {
    crate::init_tracing();
    let devnet = devnet_in_epoch_one().await;
    let entity = &devnet.entities()[0];
    let weight = weight(&devnet, entity).await;
    let key = entity.sortition_key().unwrap();
    let seed = devnet.sortition_seed(1).await.unwrap();
    let block = head(&devnet).await + 1;
    // A correct proof for replicate = weight: only the weight rule can reject it.
    let credential = credential::prove(
        &key,
        seed,
        U256::from(block),
        U256::from(weight),
        fill_random,
    )
    .credential;
    assert!(credential::verify(&key.public_words(), seed, U256::from(block), &credential).is_ok());
    let update = sign(block, credential, &[Delta::Up], &entity.signing_policy);
    assert_reverts_with(
        submit_and_pass(&devnet, &update).await,
        "Credential's replicate value is not less than provider's weight",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_over_the_tuple_layout_recovers_another_address() {
    crate::init_tracing();
    let devnet = devnet_in_epoch_one().await;
    let entity = &devnet.entities()[0];
    let (block, credential) = winning_ticket(&devnet, entity, head(&devnet).await + 1).await;
    mine_until_next_is(&devnet, block).await;
    let update = FastUpdate {
        sortition_block: U256::from(block),
        credential,
        deltas: delta::encode(&[Delta::Up]).into(),
    };
    // Trap 22: abi.encode of one tuple starts with a 0x20 offset word; the contract hashes the parameter list.
    let tuple = (
        U256::from(block),
        update.credential.to_sol(),
        update.deltas.clone(),
    )
        .abi_encode();
    assert_ne!(tuple, update.message());
    let digest: [u8; 32] = sha2::Sha256::digest(&tuple).into();
    let signature =
        ftso_core::signing::sign_eip191(&entity.signing_policy, &digest.into()).unwrap();
    let wrong = SignedUpdate {
        update: update.clone(),
        signature: ftso_core::fast_updates::UpdateSignature::from_alloy(&signature),
    };
    assert_reverts_with(
        submit_and_pass(&devnet, &wrong).await,
        "invalid signing policy address",
    );
    // The same ticket signed over the parameter list is accepted (the rejection was the layout's).
    submit_and_pass(&devnet, &update.sign(&entity.signing_policy).unwrap())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_missing_from_the_epoch_snapshot_is_rejected() {
    crate::init_tracing();
    let devnet = Devnet::start(DevnetConfig::default()).await.unwrap();
    let entity = &devnet.entities()[2];
    // Unregistered before reward epoch 1's snapshot: the entity votes in epoch 1 without a sortition key.
    devnet
        .send(
            entity.identity_address(),
            devnet.contracts().entity_manager,
            &IEntityManager::unregisterPublicKeyCall {},
        )
        .await
        .unwrap();
    epoch_one(&devnet).await;
    // The others now split the whole weight: ceil(21845 · 4096 / 43690) = 2048.
    assert_eq!(weight(&devnet, &devnet.entities()[0]).await, 2048);
    let key = entity.sortition_key().unwrap();
    let seed = devnet.sortition_seed(1).await.unwrap();
    let block = head(&devnet).await + 1;
    let credential =
        credential::prove(&key, seed, U256::from(block), U256::ZERO, fill_random).credential;
    let update = sign(block, credential, &[Delta::Up], &entity.signing_policy);
    assert_reverts_with(
        submit_and_pass(&devnet, &update).await,
        "Public key not registered",
    );
    // A signer that is no entity's signing-policy address.
    let stranger = PrivateKeySigner::random();
    let credential =
        credential::prove(&key, seed, U256::from(block), U256::ZERO, fill_random).credential;
    let update = sign(block, credential, &[Delta::Up], &stranger);
    assert_reverts_with(
        submit_and_pass(&devnet, &update).await,
        "invalid signing policy address",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reward_epoch_zero_has_no_seed() {
    crate::init_tracing();
    let devnet = Devnet::start(DevnetConfig::default()).await.unwrap();
    let error = devnet.sortition_seed(0).await.unwrap_err();
    assert!(
        format!("{error:#}").contains("seed not initialized yet"),
        "{error:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_registration_checks_the_schnorr_proof() {
    crate::init_tracing();
    let devnet = Devnet::start(DevnetConfig::default()).await.unwrap();
    let entity = &devnet.entities()[0];
    let key = SortitionKey::generate(fill_random);
    // A proof made for another identity does not verify for this one.
    let other: Address = devnet.entities()[1].identity_address();
    let registration = ftso_core::fast_updates::key_registration::sign(&key, &other, fill_random);
    let error = devnet
        .send_raw(
            entity.identity_address(),
            devnet.contracts().entity_manager,
            Bytes::from(registration.calldata()),
        )
        .await
        .unwrap_err();
    assert!(
        format!("{error:#}").contains("public key verification error"),
        "{error:#}"
    );
    devnet.register_sortition_key(entity, &key).await.unwrap();
    let error = devnet
        .register_sortition_key(&devnet.entities()[1], &key)
        .await
        .unwrap_err();
    assert!(
        format!("{error:#}").contains("public key already registered"),
        "{error:#}"
    );
}
