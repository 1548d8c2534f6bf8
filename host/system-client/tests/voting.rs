//! The voting-round scheduler on the devnet, with the node's own indexer (SQLite) and in-process data provider
//! (the `fixed` feed plugin): for a few rounds of reward epoch 1 it sends submit1, submit2 and submitSignatures
//! from a registered entity's keys; the Submission contract accepts them (status 1 in the indexed transactions),
//! the data provider's results of those rounds count our reveal with our values, the signed messages reach the
//! finalizer hand-off, and a shutdown lets every started round finish its reveal. The data provider's HTTP API
//! answers the HTTP client exactly as the role answers in process. An identity that is not registered sends
//! nothing and waits.
//!
//! `FTSO_SCHEDULER_TEST_ROUNDS` (default 3) sets how many rounds are checked.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: failures should abort the test"
)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alloy::primitives::Address;
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::signers::local::PrivateKeySigner;
use ftso_chain::keys::{KeySource, RoleKeySources};
use ftso_core::epoch::EpochSettings;
use ftso_core::payload::{
    SUBMIT_SIGNATURES_SELECTOR, SUBMIT1_SELECTOR, SUBMIT2_SELECTOR, decode_calldata,
};
use ftso_core::protocol_message::ProtocolMessageMerkleRoot;
use ftso_data_provider::chain::{ChainReader, ContractAddresses, ProtocolParams};
use ftso_data_provider::config::ApiKeys;
use ftso_data_provider::round::RoundStatus;
use ftso_data_provider::{
    DataProvider, DataProviderConfig, DataProviderHost, DataProviderRole, HttpDataProvider,
};
use ftso_devnet::{Devnet, DevnetConfig, Entity, scenario};
use ftso_feeds::{FeedsConfig, FeedsHost, PluginConfig};
use ftso_storage::BlockWindow;
use ftso_storage::{StateName, Storage};
use ftso_system_client::voting::{Clock, SchedulerState, VotingConfig, build_protocols};
use ftso_system_client::{ExpectedNetwork, SystemClientConfig, VotingScheduler, handoff, sanity};
use tokio_util::sync::CancellationToken;

/// A variable no test environment sets, so the key files are used.
const UNSET_ENV: &str = "FTSO_VOTING_TEST_UNSET_KEY";
/// The API key of the data provider's HTTP API in the test.
const API_KEY: &str = "voting-test-key";
/// The value the fixed plugin answers for every feed, and as the devnet's 5-decimal feeds encode it.
const FIXED_VALUE: f64 = 1.25;
const FIXED_SCALED: i32 = 125_000;
/// Generous bound for anything a loaded CI machine does in a few seconds.
const PATIENCE: Duration = Duration::from_secs(180);

/// Logs to the test output, filtered by `RUST_LOG` (e.g. `ftso_system_client=info`).
fn log_to_test_output() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

fn rounds_to_check() -> u32 {
    std::env::var("FTSO_SCHEDULER_TEST_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1)
}

fn plain_provider(devnet: &Devnet) -> DynProvider {
    ProviderBuilder::new()
        .connect_http(devnet.rpc_url().parse().unwrap())
        .erased()
}

fn key_file(dir: &Path, name: &str, signer: &PrivateKeySigner) -> KeySource {
    let path = dir.join(name);
    std::fs::write(&path, format!("{}", signer.to_bytes())).unwrap();
    KeySource {
        env: Some(UNSET_ENV.into()),
        file: Some(path),
    }
}

/// The system client config of `identity` sending with `keys`' submit, submit-signatures and signing keys.
fn config_for(
    identity: Address,
    keys: &Entity,
    dir: &Path,
    voting: VotingConfig,
) -> SystemClientConfig {
    SystemClientConfig {
        identity: Some(identity),
        keys: RoleKeySources {
            signing_policy: key_file(dir, "signing", &keys.signing_policy),
            system_client_sender: key_file(dir, "sender", &keys.identity),
            submit: key_file(dir, "submit", &keys.submit),
            submit_signatures: key_file(dir, "signatures", &keys.submit_signatures),
        },
        voting,
        ..SystemClientConfig::default()
    }
}

fn epoch_settings(devnet: &Devnet) -> EpochSettings {
    let config = devnet.config();
    EpochSettings {
        first_voting_round_start_ts: devnet.first_voting_round_start_ts(),
        voting_epoch_duration_seconds: config.voting_epoch.as_secs(),
        first_reward_epoch_start_voting_round_id: config.first_reward_epoch_start_voting_round_id,
        reward_epoch_duration_in_voting_epochs: config.reward_epoch_voting_epochs,
        reveal_deadline_seconds: config.reveal_deadline.as_secs(),
    }
}

fn local_ms() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

/// A clock following the devnet's chain time (moved ahead of the local clock by the epoch switch's warps): the
/// offset is read when a new block appears, the block's second taken at its middle.
async fn chain_clock(devnet: &Devnet) -> Clock {
    let provider = devnet.provider();
    let first = provider.get_block_number().await.unwrap();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let latest = provider.get_block_number().await.unwrap();
        if latest > first {
            let seen = local_ms();
            let ts = devnet.latest_timestamp().await.unwrap();
            let chain_ms = i64::try_from(ts).unwrap() * 1000 + 500;
            return Clock::ahead_of_local_by_ms(chain_ms - seen);
        }
        assert!(tokio::time::Instant::now() < deadline, "no new block");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn wait_indexed(storage: &Storage, block: u64) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let indexed = storage
            .state(StateName::LastDatabaseBlock)
            .await
            .unwrap()
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

/// The feeds host serving the `fixed` plugin.
async fn fixed_values(cache_dir: &Path) -> ftso_feeds::Registry {
    let component = ftso_testkit::wasm_component("ftso-plugin-fixed").expect("fixed plugin builds");
    let mut settings = toml::Table::new();
    settings.insert("value".to_owned(), toml::Value::Float(FIXED_VALUE));
    let config = FeedsConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        admin_listen: None,
        cache: false,
        cache_dir: cache_dir.to_owned(),
        allow_unsigned: true,
        plugins: vec![PluginConfig {
            settings,
            ..PluginConfig::new("fixed", &component)
        }],
        ..FeedsConfig::default()
    };
    FeedsHost::start(config).await.unwrap().registry().clone()
}

/// Waits (polling the chain's time, with blocks every second) until unix second `ts` on the chain.
async fn wait_for_chain_time(devnet: &Devnet, ts: u64) {
    let deadline = tokio::time::Instant::now()
        + Duration::from_secs(ts.saturating_sub(devnet.latest_timestamp().await.unwrap()))
        + PATIENCE;
    while devnet.latest_timestamp().await.unwrap() < ts {
        assert!(
            tokio::time::Instant::now() < deadline,
            "chain time {ts} not reached"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Daemonizes until a receipt carries `topic0`, waiting for the chain instead of moving its time.
async fn daemonize_until(
    devnet: &Devnet,
    topic0: alloy::primitives::B256,
) -> alloy::rpc::types::TransactionReceipt {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let receipt = devnet.daemonize().await.unwrap();
        if receipt
            .inner
            .logs()
            .iter()
            .any(|l| l.topic0() == Some(&topic0))
        {
            return receipt;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "daemonize never emitted {topic0}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Reward epoch 0 → 1 with every entity registered (the devnet scenario's steps), in real time: the node's data
/// provider reads the time from the local clock, as the reference, so the chain's time must stay the local time
/// (the scenario's warps would move it ahead).
async fn switch_reward_epoch_in_real_time(devnet: &Devnet) {
    use alloy_sol_types::SolEvent as _;
    let (current, end) = scenario::current_reward_epoch(devnet).await.unwrap();
    wait_for_chain_time(
        devnet,
        end - devnet.config().signing_policy_init_lead.as_secs(),
    )
    .await;
    scenario::start_random_acquisition(devnet).await.unwrap();
    scenario::select_vote_power_block(devnet).await.unwrap();
    for entity in devnet.entities() {
        scenario::register_voter(devnet, entity, current + 1)
            .await
            .unwrap();
    }
    let registered = devnet.latest_timestamp().await.unwrap();
    wait_for_chain_time(
        devnet,
        registered + devnet.config().voter_registration_min_duration.as_secs() + 1,
    )
    .await;
    let receipt = daemonize_until(
        devnet,
        ftso_chain::IRelay::SigningPolicyInitialized::SIGNATURE_HASH,
    )
    .await;
    let log = receipt
        .inner
        .logs()
        .iter()
        .find(|l| l.topic0() == Some(&ftso_chain::IRelay::SigningPolicyInitialized::SIGNATURE_HASH))
        .unwrap();
    let bytes = ftso_chain::IRelay::SigningPolicyInitialized::decode_log_data(log.data())
        .unwrap()
        .signingPolicyBytes;
    scenario::sign_signing_policy(devnet, &bytes).await.unwrap();
    wait_for_chain_time(devnet, end).await;
    daemonize_until(
        devnet,
        ftso_chain::IFlareSystemsManager::RewardEpochStarted::SIGNATURE_HASH,
    )
    .await;
    assert_eq!(
        scenario::current_reward_epoch(devnet).await.unwrap().0,
        current + 1
    );
}

/// Our transactions to the Submission contract with `selector` from `from`, as the indexer stored them: (round of
/// the first payload, whether the chain's receipt says success). The indexer keeps no receipt for Submission
/// transactions (status 2), so the receipt is read from the RPC.
async fn indexed_submissions(
    devnet: &Devnet,
    storage: &Storage,
    selector: [u8; 4],
    from: Address,
) -> Vec<(u32, bool)> {
    let from = hex_lower(from);
    let rows = storage
        .transactions_in_blocks(
            devnet.contracts().submission,
            selector,
            BlockWindow {
                from: 0,
                to: u64::MAX >> 1,
            },
        )
        .await
        .unwrap();
    let mut sent = Vec::new();
    for tx in rows {
        if !tx
            .from_address
            .trim_start_matches("0x")
            .eq_ignore_ascii_case(&from)
        {
            continue;
        }
        let input = alloy::hex::decode(&tx.input).unwrap();
        let (_, messages) = decode_calldata(&input).unwrap();
        let hash: alloy::primitives::B256 = tx
            .hash
            .parse()
            .unwrap_or_else(|_| format!("0x{}", tx.hash).parse().unwrap());
        let receipt = devnet
            .provider()
            .get_transaction_receipt(hash)
            .await
            .unwrap()
            .expect("a mined transaction has a receipt");
        sent.push((messages[0].voting_round_id, receipt.status()));
    }
    sent
}

fn hex_lower(address: Address) -> String {
    alloy::hex::encode(address.as_slice())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_votes_every_round_on_the_devnet() {
    log_to_test_output();
    let rounds = rounds_to_check();
    let devnet = Devnet::start(DevnetConfig {
        block_time: Some(Duration::from_secs(1)),
        // Every checked round (and its reveal and signatures) in reward epoch 1.
        reward_epoch_voting_epochs: rounds + 4,
        ..DevnetConfig::default()
    })
    .await
    .unwrap();
    let db = ftso_storage::testing::sqlite().await;
    let cancel = CancellationToken::new();
    let indexer = tokio::spawn(ftso_indexer::run(
        ftso_indexer::IndexerConfig {
            confirmations: 0,
            new_block_poll_interval: Duration::from_millis(50),
            ..ftso_indexer::IndexerConfig::default()
        },
        db.storage.clone(),
        plain_provider(&devnet),
        cancel.clone(),
    ));
    switch_reward_epoch_in_real_time(&devnet).await;
    let epochs = epoch_settings(&devnet);
    let clock = chain_clock(&devnet).await;

    // The node's data provider: in process for the scheduler, and its HTTP API on loopback.
    let dir = tempfile::tempdir().unwrap();
    let registry = fixed_values(dir.path()).await;
    let c = *devnet.contracts();
    let reader = Arc::new(ChainReader::new(
        db.storage.clone(),
        ContractAddresses::resolve(|name| c.by_name(name)).unwrap(),
        ProtocolParams::new(epochs),
    ));
    let host = DataProviderHost::start(
        &DataProviderConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..DataProviderConfig::default()
        },
        ApiKeys::parse(Some(API_KEY)),
        reader,
        Arc::new(registry),
    )
    .await
    .unwrap();
    let api = format!("http://{}", host.local_addr().unwrap());
    let role: Arc<DataProviderRole> = host.role();
    let data_provider = tokio::spawn(host.serve(cancel.clone()));

    // The scheduler of entity 0, with the devnet's rounds' offsets and signature type 1.
    let ours = &devnet.entities()[0];
    let mut voting = VotingConfig::default().scaled_to(&epochs);
    voting.protocols[0].signature_type = 1;
    voting.submit_signatures.deadline = Duration::from_secs(18);
    let config = config_for(ours.identity_address(), ours, dir.path(), voting.clone());
    let provider = plain_provider(&devnet);
    let local = ExpectedNetwork {
        name: "local".into(),
        chain_id: devnet.chain_id(),
    };
    let (chain_id, contracts) = sanity::check(&provider, Some(&local), config.registry)
        .await
        .unwrap();
    let senders = ftso_chain::tx::Senders::new(provider, chain_id);
    let in_process: Arc<dyn DataProvider> = role.clone();
    let protocols = build_protocols(&voting, Some(in_process), Duration::from_secs(5)).unwrap();
    let (own_tx, mut own_rx) = handoff::own_messages();
    let scheduler = VotingScheduler::new(
        &config,
        &senders,
        contracts,
        epochs,
        protocols,
        Some(own_tx),
    )
    .unwrap()
    .with_clock(clock);
    let mut state = scheduler.state();
    let stop = CancellationToken::new();
    let running = tokio::spawn(scheduler.run(stop.clone()));

    let first = tokio::time::timeout(PATIENCE, async {
        loop {
            if let SchedulerState::Voting { first_round } = *state.borrow_and_update() {
                return first_round;
            }
            state.changed().await.unwrap();
        }
    })
    .await
    .expect("the scheduler starts voting");
    let checked: Vec<u32> = (first..first + rounds).collect();

    // Every checked round's signed message reaches the hand-off (after its reveal deadline).
    let round_time = devnet.config().voting_epoch;
    let mut messages = Vec::new();
    tokio::time::timeout(round_time * (rounds + 3) + PATIENCE, async {
        while messages.len() < checked.len() {
            let message: ProtocolMessageMerkleRoot = own_rx.recv().await.unwrap();
            if checked.contains(&message.voting_round_id) {
                messages.push(message);
            }
        }
    })
    .await
    .expect("a signed message of every checked round");

    // Let the submitSignatures transaction of the last checked round be mined, then stop: the rounds whose
    // commit was sent still reveal.
    let last_signatures_mined = tokio::time::timeout(PATIENCE, async {
        loop {
            let nonce = devnet
                .provider()
                .get_transaction_count(ours.submit_signatures_address())
                .await
                .unwrap();
            if nonce >= u64::from(rounds) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    assert!(
        last_signatures_mined.is_ok(),
        "submitSignatures transactions not mined"
    );
    stop.cancel();
    tokio::time::timeout(round_time * 3 + PATIENCE, running)
        .await
        .expect("the scheduler stops after its started rounds")
        .unwrap()
        .unwrap();
    assert_eq!(*state.borrow(), SchedulerState::Stopped);

    let latest = devnet.provider().get_block_number().await.unwrap();
    wait_indexed(&db.storage, latest).await;
    let commits = indexed_submissions(
        &devnet,
        &db.storage,
        SUBMIT1_SELECTOR,
        ours.submit_address(),
    )
    .await;
    let reveals = indexed_submissions(
        &devnet,
        &db.storage,
        SUBMIT2_SELECTOR,
        ours.submit_address(),
    )
    .await;
    let signatures = indexed_submissions(
        &devnet,
        &db.storage,
        SUBMIT_SIGNATURES_SELECTOR,
        ours.submit_signatures_address(),
    )
    .await;
    for round in &checked {
        for (name, sent) in [
            ("submit1", &commits),
            ("submit2", &reveals),
            ("submitSignatures", &signatures),
        ] {
            assert!(
                sent.contains(&(*round, true)),
                "round {round}: no successful {name} indexed: {sent:?}"
            );
        }
    }
    for (round, _) in &commits {
        assert!(
            reveals.iter().any(|(r, _)| r == round),
            "round {round} committed but not revealed (shutdown cut a started round)"
        );
    }
    for (round, success) in commits.iter().chain(&reveals).chain(&signatures) {
        assert!(*success, "round {round}: a reverted submission");
    }

    // The data provider's results count our reveal, with our values, and are the messages we signed.
    let http =
        HttpDataProvider::new(&api, Some(API_KEY.to_owned()), Duration::from_secs(10)).unwrap();
    for round in &checked {
        let RoundStatus::Ready(record) = role.round(*round).await.unwrap() else {
            panic!("round {round} has no results");
        };
        assert!(
            record
                .valid_eligible_reveals()
                .contains(&ours.submit_address()),
            "round {round}: our reveal is not counted"
        );
        let voter = record
            .voters
            .iter()
            .find(|v| v.submit_address == ours.submit_address())
            .unwrap();
        assert!(!voter.values.is_empty());
        assert!(
            voter.values.iter().all(|v| *v == Some(FIXED_SCALED)),
            "{:?}",
            voter.values
        );
        assert!(
            messages.contains(&record.message()),
            "round {round}: signed another message"
        );

        // The HTTP path answers as the in-process one.
        let address = ours.submit_address();
        assert_eq!(
            http.submit2(*round, address).await.unwrap(),
            role.submit2(*round, address).await.unwrap()
        );
        assert_eq!(
            http.submit_signatures(*round, ours.submit_signatures_address())
                .await
                .unwrap(),
            role.submit_signatures(*round, ours.submit_signatures_address())
                .await
                .unwrap()
        );
    }
    // A commit of the running round (the data provider refuses future rounds by the local clock): the HTTP
    // answer is the commit stored by the in-process one.
    let next = epochs
        .voting_round_at(u64::try_from(local_ms() / 1000).unwrap())
        .unwrap();
    let in_process = role.submit1(next, ours.submit_address()).await.unwrap();
    assert_eq!(
        http.submit1(next, ours.submit_address()).await.unwrap(),
        in_process
    );
    let wrong_key =
        HttpDataProvider::new(&api, Some("nope".into()), Duration::from_secs(10)).unwrap();
    assert!(
        wrong_key
            .submit2(checked[0], ours.submit_address())
            .await
            .is_err()
    );

    cancel.cancel();
    data_provider.await.unwrap().unwrap();
    indexer.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unregistered_identity_waits_and_sends_nothing() {
    log_to_test_output();
    let devnet = Devnet::start(DevnetConfig {
        block_time: Some(Duration::from_secs(1)),
        ..DevnetConfig::default()
    })
    .await
    .unwrap();
    let epochs = epoch_settings(&devnet);
    let dir = tempfile::tempdir().unwrap();
    // Entity 0's funded keys, for an identity nobody registered.
    let ours = &devnet.entities()[0];
    let stranger = PrivateKeySigner::random().address();
    let mut voting = VotingConfig::default().scaled_to(&epochs);
    voting.submit1.start_offset = Duration::from_secs(1);
    let config = config_for(stranger, ours, dir.path(), voting.clone());
    let provider = plain_provider(&devnet);
    let (chain_id, contracts) = sanity::check(&provider, None, config.registry)
        .await
        .unwrap();
    let senders = ftso_chain::tx::Senders::new(provider, chain_id);
    let remote = HttpDataProvider::new("http://127.0.0.1:9", None, Duration::from_secs(1)).unwrap();
    let protocols =
        build_protocols(&voting, Some(Arc::new(remote)), Duration::from_secs(1)).unwrap();
    let clock = chain_clock(&devnet).await;
    let scheduler = VotingScheduler::new(&config, &senders, contracts, epochs, protocols, None)
        .unwrap()
        .with_clock(clock);
    let mut state = scheduler.state();
    let stop = CancellationToken::new();
    let running = tokio::spawn(scheduler.run(stop.clone()));
    tokio::time::timeout(
        PATIENCE,
        state.wait_for(|s| *s == SchedulerState::NotRegistered { reward_epoch: 0 }),
    )
    .await
    .expect("the scheduler reports the missing registration")
    .unwrap();

    // Two round starts later (a scheduler without the gate would have committed 1 s after the first), nothing
    // was sent and the scheduler still waits.
    let mut nonces = Vec::new();
    for address in [ours.submit_address(), ours.submit_signatures_address()] {
        nonces.push(
            devnet
                .provider()
                .get_transaction_count(address)
                .await
                .unwrap(),
        );
    }
    let now = clock.now_secs();
    let round = epochs.voting_round_at(now).unwrap();
    let wait_until = epochs.voting_round_start(round + 2) + 3;
    tokio::time::timeout(PATIENCE, async {
        while clock.now_secs() < wait_until {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await
    .unwrap();
    for (address, nonce) in [ours.submit_address(), ours.submit_signatures_address()]
        .into_iter()
        .zip(nonces)
    {
        let now = devnet
            .provider()
            .get_transaction_count(address)
            .await
            .unwrap();
        assert_eq!(now, nonce, "{address} sent a transaction");
    }
    assert_eq!(
        *state.borrow(),
        SchedulerState::NotRegistered { reward_epoch: 0 }
    );
    assert!(!running.is_finished(), "the scheduler must wait, not exit");
    stop.cancel();
    tokio::time::timeout(PATIENCE, running)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(*state.borrow(), SchedulerState::Stopped);
}
