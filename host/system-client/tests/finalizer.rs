//! The finalizer on the devnet, reading the indexer database the node's indexer writes:
//!
//! 1. two voters send type-0 submitSignatures for a round; a selected finalizer relays it, and the Relay emits
//!    ProtocolMessageRelayed with the signed root;
//! 2. a second finalizer (its own indexer and database: PostgreSQL when available) sees the Relay's root and
//!    sends nothing;
//! 3. two voters send type-1 signatures for the next round; a finalizer that is not selected completes them with
//!    its own message from the scheduler's hand-off, stores the finalization (after a database error that
//!    loses nothing) and waits for the grace period; it is stopped, and a new instance on the same database relays the stored finalization once the grace period is
//!    over.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail the test on any unexpected error"
)]

use std::time::Duration;

use alloy::primitives::{Address, B256, Bytes, U256, keccak256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::Filter;
use alloy_sol_types::SolEvent;
use ftso_chain::IRelay;
use ftso_chain::keys::PrivateKey;
use ftso_chain::tx::{FeePolicy, SendOptions, Senders};
use ftso_core::epoch::EpochSettings;
use ftso_core::protocol_message::ProtocolMessageMerkleRoot;
use ftso_core::submit_signatures::{
    SignaturePayload, SignaturePayloadType, submit_signatures_calldata,
};
use ftso_devnet::{Devnet, DevnetConfig, Entity, scenario};
use ftso_storage::testing::{TestBackend, TestDb, sqlite};
use ftso_storage::{Finalization, FinalizationStatus, StateName, Storage};
use ftso_system_client::finalizer::{Finalizer, RelayRules, Relayer};
use ftso_system_client::fsp::FspReader;
use ftso_system_client::{Contracts, FinalizerConfig, handoff};
use tokio_util::sync::CancellationToken;

const FTSO: u8 = 100;
/// How long the indexer or the finalizer may take to get somewhere (a slow, loaded CI machine).
const TIMEOUT: Duration = Duration::from_secs(180);

fn plain_provider(devnet: &Devnet) -> DynProvider {
    ProviderBuilder::new()
        .connect_http(devnet.rpc_url().parse().unwrap())
        .erased()
}

fn contracts(devnet: &Devnet) -> Contracts {
    let c = devnet.contracts();
    Contracts {
        flare_systems_manager: c.flare_systems_manager,
        voter_registry: c.voter_registry,
        relay: c.relay,
        submission: c.submission,
    }
}

fn fsp(devnet: &Devnet) -> FspReader {
    FspReader::new(plain_provider(devnet), contracts(devnet))
}

/// A relayer sending from `entity`'s signing-policy key.
fn relayer(devnet: &Devnet, entity: &Entity) -> Relayer {
    let senders = Senders::new(plain_provider(devnet), devnet.chain_id())
        .with_receipt_poll(Duration::from_millis(100));
    let key = PrivateKey::from_hex(&entity.signing_policy.to_bytes().to_string()).unwrap();
    Relayer::new(
        fsp(devnet),
        senders.sender(&key),
        SendOptions::new(FeePolicy::default()).attempts(3, Duration::from_secs(30)),
    )
}

/// Runs an indexer into `storage` until the token is cancelled.
fn start_indexer(devnet: &Devnet, storage: &Storage) -> CancellationToken {
    let cancel = CancellationToken::new();
    let config = ftso_indexer::IndexerConfig {
        confirmations: 0,
        new_block_poll_interval: Duration::from_millis(50),
        ..ftso_indexer::IndexerConfig::default()
    };
    tokio::spawn(ftso_indexer::run(
        config,
        storage.clone(),
        plain_provider(devnet),
        cancel.clone(),
    ));
    cancel
}

/// Waits until `storage` holds the devnet's latest block.
async fn wait_indexed(devnet: &Devnet, storage: &Storage) {
    let block = devnet.provider().get_block_number().await.unwrap();
    poll_until("the indexer reaches the latest block", async || {
        storage
            .state(StateName::LastDatabaseBlock)
            .await
            .unwrap()
            .is_some_and(|s| s.index >= block)
    })
    .await;
}

async fn poll_until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    while !done().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn message(round: u32, label: &str) -> ProtocolMessageMerkleRoot {
    ProtocolMessageMerkleRoot {
        protocol_id: FTSO,
        voting_round_id: round,
        is_secure_random: true,
        merkle_root: keccak256(label.as_bytes()),
    }
}

/// `entity` sends submitSignatures for `message` from its submit-signatures address.
async fn submit_signatures(
    devnet: &Devnet,
    entity: &Entity,
    message: &ProtocolMessageMerkleRoot,
    payload_type: SignaturePayloadType,
) {
    let payload = SignaturePayload::sign(
        &entity.signing_policy,
        message.protocol_id,
        message.voting_round_id,
        payload_type,
        &message.encode(),
        &[],
    )
    .unwrap();
    let input = submit_signatures_calldata(&[payload]).unwrap();
    devnet
        .send_raw(
            entity.submit_signatures_address(),
            devnet.contracts().submission,
            Bytes::from(input),
        )
        .await
        .unwrap();
}

async fn relayed_root(devnet: &Devnet, round: u32) -> B256 {
    fsp(devnet).relayed_merkle_root(FTSO, round).await.unwrap()
}

/// The ProtocolMessageRelayed events of (FTSO, `round`).
async fn relayed_events(devnet: &Devnet, round: u32) -> Vec<IRelay::ProtocolMessageRelayed> {
    let filter = Filter::new()
        .address(devnet.contracts().relay)
        .event_signature(IRelay::ProtocolMessageRelayed::SIGNATURE_HASH)
        .topic1(B256::from(U256::from(FTSO)))
        .topic2(B256::from(U256::from(round)))
        .from_block(0u64);
    devnet
        .provider()
        .get_logs(&filter)
        .await
        .unwrap()
        .iter()
        .map(|log| IRelay::ProtocolMessageRelayed::decode_log_data(log.data()).unwrap())
        .collect()
}

async fn nonce(devnet: &Devnet, address: Address) -> u64 {
    devnet
        .provider()
        .get_transaction_count(address)
        .await
        .unwrap()
}

async fn stored(storage: &Storage, round: u32) -> Option<Finalization> {
    storage
        .finalizations_since(round)
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.voting_round_id == round && f.protocol_id == FTSO)
}

/// Polls `finalizer` until the finalization of `round` is stored with `status`.
async fn poll_until_status(
    finalizer: &mut Finalizer,
    storage: &Storage,
    round: u32,
    status: FinalizationStatus,
) {
    poll_until("the finalization's status", async || {
        finalizer.poll().await.unwrap();
        stored(storage, round)
            .await
            .is_some_and(|f| f.status == status)
    })
    .await;
}

/// A finalizer relaying from `entity`'s signing-policy key, on `storage`.
async fn start_finalizer(
    devnet: &Devnet,
    storage: &Storage,
    entity: &Entity,
    config: FinalizerConfig,
    own_messages: Option<handoff::OwnMessageReceiver>,
) -> Finalizer {
    Finalizer::start(
        config,
        storage.clone(),
        devnet.contracts().submission,
        relayer(devnet, entity),
        own_messages,
    )
    .await
    .unwrap()
}

fn config(starting_round: u32, voter_threshold_bips: u16) -> FinalizerConfig {
    FinalizerConfig {
        starting_voting_round: Some(starting_round),
        voter_threshold_bips,
        poll_interval: Duration::from_millis(100),
        ..FinalizerConfig::default()
    }
}

async fn epochs(devnet: &Devnet) -> EpochSettings {
    RelayRules::from_state(&fsp(devnet).relay_state().await.unwrap()).epochs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finalizer_relays_once_waits_out_the_grace_period_and_resumes_after_a_restart() {
    ftso_devnet::install_crypto_provider();
    let devnet = Devnet::start(DevnetConfig::default()).await.unwrap();
    let [ours, first, second] = devnet.entities() else {
        panic!("the devnet has three entities");
    };
    let db = sqlite().await;
    let _indexer = start_indexer(&devnet, &db.storage).drop_guard();
    scenario::complete_reward_epoch(&devnet).await.unwrap();
    let epochs = epochs(&devnet).await;
    let policy_start = scenario::signing_policy_bytes(&devnet, 1).await.unwrap();
    let policy_start = ftso_core::signing_policy::SigningPolicy::decode(&policy_start)
        .unwrap()
        .start_voting_round_id;
    let now = devnet.latest_timestamp().await.unwrap();
    let round = epochs.voting_round_at(now).unwrap().max(policy_start);

    // 1. Type 0 from two of three voters, sent in the next round; we are a selected finalizer (10000 bips).
    devnet
        .warp_to(epochs.voting_round_start(round + 1) + 1)
        .await
        .unwrap();
    let first_message = message(round, "first");
    for entity in [first, second] {
        submit_signatures(&devnet, entity, &first_message, SignaturePayloadType::Type0).await;
    }
    wait_indexed(&devnet, &db.storage).await;
    let before = nonce(&devnet, ours.signing_policy_address()).await;
    let mut finalizer =
        start_finalizer(&devnet, &db.storage, ours, config(round, 10_000), None).await;
    poll_until_status(
        &mut finalizer,
        &db.storage,
        round,
        FinalizationStatus::Relayed,
    )
    .await;
    assert_eq!(
        relayed_root(&devnet, round).await,
        first_message.merkle_root
    );
    let events = relayed_events(&devnet, round).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].merkleRoot, first_message.merkle_root);
    assert_eq!(
        nonce(&devnet, ours.signing_policy_address()).await,
        before + 1
    );
    let row = stored(&db.storage, round).await.unwrap();
    assert!(row.selected);

    // 2. Another finalizer with its own indexer and database finds the round relayed and sends nothing.
    let other_db = match TestBackend::Postgres.fresh().await {
        Some(db) => db,
        None => sqlite().await,
    };
    second_finalizer_sends_nothing(&devnet, &other_db, first, round).await;
    assert_eq!(relayed_events(&devnet, round).await.len(), 1);

    // 3. Type 1 for the next round, completed with our own message from the hand-off; not selected (0 bips).
    let next = round + 1;
    devnet
        .warp_to(epochs.voting_round_start(next + 1) + 1)
        .await
        .unwrap();
    let next_message = message(next, "second");
    for entity in [first, second] {
        submit_signatures(&devnet, entity, &next_message, SignaturePayloadType::Type1).await;
    }
    wait_indexed(&devnet, &db.storage).await;
    drop(finalizer);
    let (own, own_messages) = handoff::own_messages();
    own.try_send(next_message).unwrap();
    let mut waiting = start_finalizer(
        &devnet,
        &db.storage,
        ours,
        config(round, 0),
        Some(own_messages),
    )
    .await;
    // A database error while the finalization is decided: nothing is lost, the cursor stays before the
    // signatures, and the finalization is stored once the database is back.
    let cursor = db.storage.finalizer_cursor().await.unwrap().unwrap();
    rename_table(&db.storage, "finalizations", "finalizations_away").await;
    for _ in 0..3 {
        waiting.poll().await.unwrap();
    }
    assert_eq!(db.storage.finalizer_cursor().await.unwrap(), Some(cursor));
    rename_table(&db.storage, "finalizations_away", "finalizations").await;
    poll_until_status(&mut waiting, &db.storage, next, FinalizationStatus::Pending).await;
    assert!(
        db.storage
            .finalizer_cursor()
            .await
            .unwrap()
            .unwrap()
            .block_number
            > cursor.block_number
    );
    let pending = stored(&db.storage, next).await.unwrap();
    assert!(!pending.selected);
    assert_eq!(
        pending.not_before,
        epochs.voting_round_start(next + 1)
            + FinalizerConfig::default().grace_period_end_offset.as_secs()
    );
    // Inside the grace period nothing is sent, however often it polls.
    devnet.warp_to(pending.not_before - 1).await.unwrap();
    wait_indexed(&devnet, &db.storage).await;
    for _ in 0..5 {
        waiting.poll().await.unwrap();
    }
    assert_eq!(relayed_root(&devnet, next).await, B256::ZERO);
    assert_eq!(
        nonce(&devnet, ours.signing_policy_address()).await,
        before + 1
    );
    drop(waiting);

    // A restart after the grace period relays the stored finalization.
    devnet.warp_to(pending.not_before + 1).await.unwrap();
    wait_indexed(&devnet, &db.storage).await;
    let mut restarted = start_finalizer(&devnet, &db.storage, ours, config(round, 0), None).await;
    poll_until_status(
        &mut restarted,
        &db.storage,
        next,
        FinalizationStatus::Relayed,
    )
    .await;
    assert_eq!(relayed_root(&devnet, next).await, next_message.merkle_root);
    assert_eq!(relayed_events(&devnet, next).await.len(), 1);
    assert_eq!(
        nonce(&devnet, ours.signing_policy_address()).await,
        before + 2
    );
    // The first round stays settled: nothing more is sent.
    for _ in 0..5 {
        restarted.poll().await.unwrap();
    }
    assert_eq!(
        nonce(&devnet, ours.signing_policy_address()).await,
        before + 2
    );
}

/// Makes `from` unavailable (or available again) under the name `to`: a database error for its users.
async fn rename_table(storage: &Storage, from: &str, to: &str) {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "ALTER TABLE {from} RENAME TO {to}"
    )))
    .execute(storage.pool())
    .await
    .unwrap();
}

/// A selected finalizer of `entity` on `db` (its own indexer) decides on `round`, finds it relayed and sends
/// nothing.
async fn second_finalizer_sends_nothing(devnet: &Devnet, db: &TestDb, entity: &Entity, round: u32) {
    let _indexer = start_indexer(devnet, &db.storage).drop_guard();
    wait_indexed(devnet, &db.storage).await;
    let before = nonce(devnet, entity.signing_policy_address()).await;
    let mut finalizer =
        start_finalizer(devnet, &db.storage, entity, config(round, 10_000), None).await;
    poll_until_status(
        &mut finalizer,
        &db.storage,
        round,
        FinalizationStatus::AlreadyRelayed,
    )
    .await;
    assert_eq!(nonce(devnet, entity.signing_policy_address()).await, before);
}
