//! FastUpdater on the devnet judges fast updates as the network does: an eligible update sent through
//! `Submission.submitAndPass` moves the feeds by its deltas and emits `FastUpdateFeedsSubmitted`; a ticket used
//! twice, a block outside the submission window, a replicate at or above the weight, a signature over the wrong
//! layout and a key missing from the reward epoch's snapshot are rejected with the network's revert reasons.
//! Credentials, deltas and signatures are built with `ftso_core::fast_updates`.

use alloy::primitives::{Address, Bytes, U256};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionReceipt;
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::{SolCall, SolEvent, SolValue};
use ftso_chain::{
    IEntityManager, IFastUpdateIncentiveManager, IFastUpdater, IFastUpdatesConfiguration,
    IFeeCalculator,
};
use ftso_core::fast_updates::delta::{self, Delta};
use ftso_core::fast_updates::eligibility::{prove_winning_tickets, score_cutoff};
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

/// Sends `calldata` to `to` from an account unrelated to the entities (as the Go client's submission accounts are).
async fn submit(
    devnet: &Devnet,
    to: Address,
    calldata: Vec<u8>,
) -> anyhow::Result<TransactionReceipt> {
    let sender = devnet.deployer().address();
    devnet.send_raw(sender, to, Bytes::from(calldata)).await
}

/// `Submission.submitAndPass` (the production path).
async fn submit_and_pass(
    devnet: &Devnet,
    update: &SignedUpdate,
) -> anyhow::Result<TransactionReceipt> {
    let calldata = update.submit_and_pass_calldata();
    submit(devnet, devnet.contracts().submission, calldata).await
}

/// `FastUpdater.submitUpdates` directly.
async fn submit_directly(
    devnet: &Devnet,
    update: &SignedUpdate,
) -> anyhow::Result<TransactionReceipt> {
    let calldata = update.submit_updates_calldata();
    submit(devnet, devnet.contracts().fast_updater, calldata).await
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
    // The network contract's own test bounds a submission at 300000 gas; clients send a fixed gas limit.
    tracing::info!(gas_used = receipt.gas_used, "submitAndPass accepted");
    assert!(receipt.gas_used < 300_000, "gas used {}", receipt.gas_used);

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signatures_follow_openzeppelin_ecdsa_rules() {
    crate::init_tracing();
    let devnet = devnet_in_epoch_one().await;
    let entity = &devnet.entities()[0];
    let block = head(&devnet).await + 1;
    let key = entity.sortition_key().unwrap();
    let seed = devnet.sortition_seed(1).await.unwrap();
    let credential =
        credential::prove(&key, seed, U256::from(block), U256::ZERO, fill_random).credential;
    let signed = sign(block, credential, &[Delta::Up], &entity.signing_policy);

    // v = 0/1 instead of 27/28: ECDSAInvalidSignature() (0xf645eedf).
    let mut raw_v = signed.clone();
    raw_v.signature.v -= 27;
    assert_reverts_with(submit_directly(&devnet, &raw_v).await, "f645eedf");
    // The same signature with s in the upper half: ECDSAInvalidSignatureS(bytes32) (0xd78bce0c).
    let order = U256::from_str_radix(
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        16,
    )
    .unwrap();
    let mut high_s = signed.clone();
    high_s.signature.s = (order - U256::from_be_bytes(signed.signature.s.0)).into();
    high_s.signature.v = if signed.signature.v == 27 { 28 } else { 27 };
    assert_reverts_with(submit_directly(&devnet, &high_s).await, "d78bce0c");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_deltas_than_feed_slots_are_rejected() {
    crate::init_tracing();
    let devnet = devnet_in_epoch_one().await;
    let entity = &devnet.entities()[0];
    let (block, credential) = winning_ticket(&devnet, entity, head(&devnet).await + 1).await;
    mine_until_next_is(&devnet, block).await;
    // Three feeds fill one 8-feed slot: at most 2 delta bytes.
    let too_many = sign(block, credential, &[Delta::Up; 9], &entity.signing_policy);
    assert_reverts_with(
        submit_and_pass(&devnet, &too_many).await,
        "More updates than available feeds",
    );
    let most = sign(block, credential, &[Delta::Down; 8], &entity.signing_policy);
    submit_and_pass(&devnet, &most).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_feeds_costs_the_fee_and_anchors_are_rescaled() {
    crate::init_tracing();
    let devnet = Devnet::start(DevnetConfig::default()).await.unwrap();
    let call = IFastUpdater::fetchCurrentFeedsCall {
        _indices: vec![U256::ZERO, U256::from(2)],
    };
    let reader = devnet.entities()[0].identity_address();
    let fast_updater = devnet.contracts().fast_updater;
    let input = Bytes::from(call.abi_encode());
    let unpaid = alloy::rpc::types::TransactionRequest::default()
        .from(reader)
        .to(fast_updater)
        .input(input.clone().into());
    let error = devnet.provider().call(unpaid.clone()).await.unwrap_err();
    assert!(error.to_string().contains("too low fee"), "{error}");
    let paid = unpaid.value(U256::from(2));
    let output = devnet.provider().call(paid).await.unwrap();
    let feeds = IFastUpdater::fetchCurrentFeedsCall::abi_decode_returns(&output).unwrap();
    // The default anchor 1.00000 is kept: one step (scale 1 + 2^-13) moves 100000 by 12 units.
    assert_eq!(feeds._feeds, vec![U256::from(100_000); 2]);
    assert_eq!(feeds._decimals, vec![5, 5]);

    // The network's observations: 2000000000 @ 0 is stored as 200000000 @ -1 (below 2^29), and 0.020000 with 6
    // decimals as 200000 @ 7 (a step must move the value by at least 8 units).
    devnet
        .reset_fast_update_feed(0, 2_000_000_000, 0)
        .await
        .unwrap();
    devnet.reset_fast_update_feed(1, 20_000, 6).await.unwrap();
    let feeds = devnet.fast_update_feeds().await.unwrap();
    assert_eq!(
        &feeds._feeds[..2],
        &[U256::from(200_000_000), U256::from(200_000)]
    );
    assert_eq!(&feeds._decimals[..2], &[-1, 7]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn score_cutoffs_follow_the_expected_sample_size() {
    crate::init_tracing();
    let devnet = Devnet::start(DevnetConfig::default()).await.unwrap();
    let fast_updater = devnet.contracts().fast_updater;
    let cutoff_of_next_block = || async {
        let call = IFastUpdater::blockScoreCutoffCall {
            _blockNum: U256::from(head(&devnet).await + 1),
        };
        devnet.call(fast_updater, &call).await.unwrap()
    };
    let sample_size = devnet.config().fast_updates.sample_size;
    assert_eq!(cutoff_of_next_block().await, score_cutoff(sample_size));
    let live: U256 = devnet
        .call(fast_updater, &IFastUpdater::currentScoreCutoffCall {})
        .await
        .unwrap();
    assert_eq!(live, score_cutoff(sample_size));

    devnet
        .set_fast_updates_sample_size(1 << 127, 1 << 114)
        .await
        .unwrap();
    assert_eq!(cutoff_of_next_block().await, score_cutoff(1 << 127));
    let scale: U256 = devnet
        .call(
            devnet.contracts().fast_update_incentive_manager,
            &IFastUpdateIncentiveManager::getScaleCall {},
        )
        .await
        .unwrap();
    assert_eq!(scale, (U256::from(1) << 127) + (U256::from(1) << 114));

    devnet.set_fast_updates_submission_window(3).await.unwrap();
    let window = devnet
        .call(fast_updater, &IFastUpdater::submissionWindowCall {})
        .await
        .unwrap();
    assert_eq!(window, 3);
    let stale = IFastUpdater::blockScoreCutoffCall {
        _blockNum: U256::from(head(&devnet).await - 3),
    };
    let error = devnet.call(fast_updater, &stale).await.unwrap_err();
    assert!(
        format!("{error:#}").contains("score cutoff not available for the given block"),
        "{error:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_driver_daemonizes_fast_updater() {
    crate::init_tracing();
    let devnet = Devnet::start(DevnetConfig::default()).await.unwrap();
    let _driver = devnet.spawn_daemon_driver(std::time::Duration::from_millis(50));
    // A new voting round: FastUpdater's next daemonize publishes the previous round's values.
    devnet
        .warp(devnet.config().voting_epoch.as_secs())
        .await
        .unwrap();
    let filter = alloy::rpc::types::Filter::new()
        .address(devnet.contracts().fast_updater)
        .event_signature(IFastUpdater::FastUpdateFeeds::SIGNATURE_HASH)
        .from_block(0u64);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let logs = loop {
        let logs = devnet.provider().get_logs(&filter).await.unwrap();
        if !logs.is_empty() {
            break logs;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no FastUpdateFeeds within 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let event = IFastUpdater::FastUpdateFeeds::decode_log_data(logs[0].data()).unwrap();
    assert_eq!(
        event.feeds,
        vec![U256::from(100_000); devnet.config().feeds.len()]
    );
    assert_eq!(event.decimals, vec![5; devnet.config().feeds.len()]);
}

#[test]
fn selectors_and_topics_match_the_network() {
    let selectors: [([u8; 4], &str); 12] = [
        (IFastUpdater::submitUpdatesCall::SELECTOR, "470e91df"),
        (IFastUpdater::fetchCurrentFeedsCall::SELECTOR, "45a15d3c"),
        (IFastUpdater::fetchAllCurrentFeedsCall::SELECTOR, "4691377f"),
        (
            IFastUpdater::currentSortitionWeightCall::SELECTOR,
            "a14634a7",
        ),
        (IFastUpdater::blockScoreCutoffCall::SELECTOR, "dcb1476e"),
        (IFastUpdater::currentRewardEpochIdCall::SELECTOR, "8e0e9f7c"),
        (IFastUpdater::verifyPublicKeyCall::SELECTOR, "70473f2f"),
        (
            IFastUpdatesConfiguration::getFeedIdsCall::SELECTOR,
            "0c518dce",
        ),
        (
            IFastUpdatesConfiguration::addFeedsCall::SELECTOR,
            "247c9cf7",
        ),
        (
            IFastUpdateIncentiveManager::getScaleCall::SELECTOR,
            "b5cddab8",
        ),
        (
            IFastUpdateIncentiveManager::getExpectedSampleSizeCall::SELECTOR,
            "6d62b413",
        ),
        (
            IFeeCalculator::calculateFeeByIndicesCall::SELECTOR,
            "e2f54db0",
        ),
    ];
    for (selector, expected) in selectors {
        assert_eq!(alloy::primitives::hex::encode(selector), expected);
    }
    let topics = [
        (
            IFastUpdater::FastUpdateFeedsSubmitted::SIGNATURE_HASH,
            "63db91b14b3d088c677f046180aefcea7a236649704d90ce810cde455d38d936",
        ),
        (
            IFastUpdater::FastUpdateFeeds::SIGNATURE_HASH,
            "7195d3bbca575b55b0f4b62da395f7224b75225d9c08741d216e6cf10a83eabe",
        ),
        (
            IFastUpdater::FastUpdateFeedReset::SIGNATURE_HASH,
            "fa800fadb5e7b72652da40bcd7ca9a96cd4e53c9ea4c68b8afbba027e77a7cf5",
        ),
        (
            IFastUpdater::FastUpdateFeedRemoved::SIGNATURE_HASH,
            "5a17f564b9fd53c971695a2e033e0cd39ee8ad08d8117242cdecad8b017335c8",
        ),
        (
            IFastUpdatesConfiguration::FeedAdded::SIGNATURE_HASH,
            "3ca318c85958cdc1745f9edcd68164b4579efa8050b27b9d634f5e0427e7e33a",
        ),
        (
            IFastUpdatesConfiguration::FeedUpdated::SIGNATURE_HASH,
            "317c7e03c79b6fcd22d6f17813b4e8e8a4a14104fdfb79431c6c73b550c7ca9d",
        ),
        (
            IFastUpdatesConfiguration::FeedRemoved::SIGNATURE_HASH,
            "bb4bc8e9bdadd13a82544df890de25d2c6403cd23a7655410eb2ad4f542425ab",
        ),
        (
            IFastUpdateIncentiveManager::IncentiveOffered::SIGNATURE_HASH,
            "1c5543607841f3a87aa841c3bfa973bf64f4d545b1d9c12af3cd5831ecf82603",
        ),
        (
            IFastUpdateIncentiveManager::InflationRewardsOffered::SIGNATURE_HASH,
            "58575ff9908663af0451165c3cefcb802da242d63261f6d9df3be0e05366e4da",
        ),
    ];
    for (topic, expected) in topics {
        assert_eq!(alloy::primitives::hex::encode(topic), expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_interval_mining_both_daemonize_calls_share_a_block() {
    crate::init_tracing();
    let devnet = Devnet::start(DevnetConfig {
        block_time: Some(std::time::Duration::from_secs(1)),
        ..DevnetConfig::default()
    })
    .await
    .unwrap();
    let _driver = devnet.spawn_daemon_driver(std::time::Duration::from_millis(100));
    let daemonized = [
        devnet.contracts().flare_systems_manager,
        devnet.contracts().fast_updater,
    ];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut checked = head(&devnet).await;
    loop {
        let latest = head(&devnet).await;
        for number in checked + 1..=latest {
            let block = devnet
                .provider()
                .get_block_by_number(number.into())
                .full()
                .await
                .unwrap()
                .unwrap();
            let targets: Vec<Address> = block
                .transactions
                .txns()
                .filter(|tx| tx.inner.signer() == devnet.daemon_account().address())
                .filter_map(alloy::consensus::Transaction::to)
                .collect();
            if targets == daemonized {
                return;
            }
        }
        checked = latest;
        assert!(
            std::time::Instant::now() < deadline,
            "no block with both daemonize calls within 60 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
