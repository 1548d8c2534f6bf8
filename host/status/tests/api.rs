//! `/api/status` over HTTP for a devnet followed by the real indexer into SQLite and PostgreSQL: the clock's round and reward
//! epoch, our registration, and a round in which the three entities commit and reveal real Submission
//! transactions: committed, revealed, not finalized (nobody relays here), with its medians, quartiles and our
//! values, as the data provider computes them from the indexed rows.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use alloy::providers::{Provider, ProviderBuilder};
use alloy_primitives::{Address, B256, Bytes, U256};
use ftso_core::commit::{FTSO_PROTOCOL_ID, Reveal};
use ftso_core::epoch::EpochSettings;
use ftso_core::payload::{PayloadMessage, SUBMIT1_SELECTOR, SUBMIT2_SELECTOR, encode_concatenated};
use ftso_data_provider::chain::{ChainReader, ContractAddresses, ProtocolParams};
use ftso_devnet::{Devnet, DevnetConfig, scenario};
use ftso_status::model::EntityAddresses;
use ftso_status::{ChainParts, Clock, StatusParts, StatusSource};
use ftso_storage::StateName;
use ftso_storage::testing::TestBackend;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

/// How long the indexer and the data provider may take (a slow, loaded CI machine).
const TIMEOUT: Duration = Duration::from_secs(180);

/// The devnet's epoch settings, as the node derives them.
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

async fn submit(devnet: &Devnet, selector: [u8; 4], from: Address, message: PayloadMessage) {
    let mut input = selector.to_vec();
    input.extend(encode_concatenated(&[message]).expect("encode"));
    devnet
        .send_raw(from, devnet.contracts().submission, Bytes::from(input))
        .await
        .expect("submission");
}

/// Warps to `ts`, waits until the indexer has the head, and sets the status clock to the chain's time.
async fn warp_and_index(
    devnet: &Devnet,
    storage: &ftso_storage::Storage,
    clock: &AtomicU64,
    ts: u64,
) {
    devnet.warp_to(ts).await.expect("warp");
    let head = devnet.provider().get_block_number().await.expect("head");
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    while storage
        .state(StateName::LastDatabaseBlock)
        .await
        .expect("state")
        .is_none_or(|s| s.index < head)
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "block {head} not indexed in time"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    clock.store(
        devnet.latest_timestamp().await.expect("time"),
        Ordering::SeqCst,
    );
}

async fn get_status(base: &str) -> Value {
    reqwest::get(format!("{base}/api/status"))
        .await
        .expect("GET /api/status")
        .error_for_status()
        .expect("200")
        .json()
        .await
        .expect("JSON")
}

fn round_of(status: &Value, round: u32) -> &Value {
    status["rounds"]
        .as_array()
        .expect("rounds")
        .iter()
        .find(|r| r["voting_round"] == round)
        .unwrap_or_else(|| panic!("round {round} not shown: {status}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_status_follows_a_devnet_round_to_its_medians_on_sqlite() {
    follows_a_devnet_round(TestBackend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_status_follows_a_devnet_round_to_its_medians_on_postgres() {
    follows_a_devnet_round(TestBackend::Postgres).await;
}

async fn follows_a_devnet_round(backend: TestBackend) {
    let Some(db) = backend.fresh().await else {
        eprintln!("SKIPPED: FTSO_TEST_POSTGRES_URL is not set");
        return;
    };
    let devnet = Devnet::start(DevnetConfig::default())
        .await
        .expect("devnet");
    let cancel = CancellationToken::new();
    let provider = ProviderBuilder::new()
        .connect_http(devnet.rpc_url().parse().expect("url"))
        .erased();
    let indexer_config = ftso_indexer::IndexerConfig {
        confirmations: 0,
        new_block_poll_interval: Duration::from_millis(50),
        ..ftso_indexer::IndexerConfig::default()
    };
    let indexer = tokio::spawn(ftso_indexer::run(
        indexer_config,
        db.storage.clone(),
        provider,
        cancel.clone(),
    ));
    scenario::complete_reward_epoch(&devnet)
        .await
        .expect("reward epoch 1");

    let settings = epoch_settings(&devnet);
    let contracts = ContractAddresses::resolve(|name| devnet.contracts().by_name(name))
        .expect("FSP contracts deployed");
    let reader = Arc::new(ChainReader::new(
        db.storage.clone(),
        contracts.clone(),
        ProtocolParams::new(settings),
    ));
    let us = &devnet.entities()[0];
    let chain_time = Arc::new(AtomicU64::new(
        devnet.latest_timestamp().await.expect("time"),
    ));
    let source = StatusSource::new(StatusParts {
        network: Some("local".into()),
        chain_id: Some(devnet.chain_id()),
        entity: EntityAddresses {
            identity: Some(us.identity_address()),
            submit: Some(us.submit_address()),
            submit_signatures: Some(us.submit_signatures_address()),
            signing_policy: Some(us.signing_policy_address()),
            sortition: None,
        },
        chain: Some(ChainParts { reader, contracts }),
        clock: Clock::new({
            let chain_time = chain_time.clone();
            move || chain_time.load(Ordering::SeqCst)
        }),
        ..StatusParts::default()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let server = tokio::spawn(async move {
        axum::serve(listener, ftso_status::router(source))
            .await
            .expect("serve")
    });

    // The page is the self-contained HTML that polls the JSON.
    let page = reqwest::get(format!("{base}/status"))
        .await
        .expect("GET /status");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("id=\"voting-round\"") && html.contains("fetch(\"api/status\""));
    let outside = html.replace("\"http://www.w3.org/2000/svg\"", "");
    assert!(
        !outside.contains("http://") && !outside.contains("https://") && !outside.contains("//cdn"),
        "nothing fetched from elsewhere (the SVG namespace is a name, not a fetch)"
    );

    // A round of reward epoch 1, once its signing policy is indexed.
    let now = devnet.latest_timestamp().await.expect("time");
    let round = settings.voting_round_at(now).expect("round") + 1;
    warp_and_index(
        &devnet,
        &db.storage,
        &chain_time,
        settings.voting_round_start(round) + 1,
    )
    .await;
    let before = get_status(&base).await;
    assert_eq!(before["node"]["network"], "local");
    assert_eq!(before["node"]["chain_id"], devnet.chain_id());
    assert_eq!(before["epoch"]["voting_round"], round);
    assert_eq!(before["epoch"]["reward_epoch"], 1);
    let identity = serde_json::to_value(us.identity_address()).expect("address");
    assert_eq!(before["entity"]["identity"], identity);
    assert_eq!(before["registration"]["current"]["reward_epoch"], 1);
    assert_eq!(before["registration"]["current"]["registered"], true);
    assert_eq!(before["registration"]["next"]["registered"], false);
    assert_eq!(before["fast_updates"]["configured"], false);
    assert_eq!(before["plugins"], Value::Array(vec![]));
    assert_eq!(round_of(&before, round)["committed"], false);
    assert_eq!(before["problems"], Value::Array(vec![]), "{before}");

    // Every entity commits, then reveals: values 100000·(e+1) + f at 5 decimals.
    let feeds = devnet.config().feeds.len();
    let mut reveals = Vec::new();
    for (e, entity) in devnet.entities().iter().enumerate() {
        let values: Vec<Option<i32>> = (0..feeds)
            .map(|f| i32::try_from(100_000 * (e + 1) + f).ok())
            .collect();
        let reveal = Reveal {
            random: B256::from(U256::from(9_000 + e)),
            encoded_values: ftso_core::value::encode_scaled(&values),
        };
        let message = PayloadMessage {
            protocol_id: FTSO_PROTOCOL_ID,
            voting_round_id: round,
            payload: reveal.commit_hash(entity.submit_address(), round).to_vec(),
        };
        submit(&devnet, SUBMIT1_SELECTOR, entity.submit_address(), message).await;
        reveals.push((entity.submit_address(), reveal));
    }
    warp_and_index(
        &devnet,
        &db.storage,
        &chain_time,
        settings.voting_round_end(round) + 1,
    )
    .await;
    let committed = get_status(&base).await;
    assert_eq!(
        committed["epoch"]["voting_round"],
        round + 1,
        "the round advances"
    );
    assert_eq!(round_of(&committed, round)["committed"], true);
    assert_eq!(round_of(&committed, round)["result"], "pending");

    for (from, reveal) in &reveals {
        let message = reveal.submit2_message(round).expect("reveal");
        submit(&devnet, SUBMIT2_SELECTOR, *from, message).await;
    }
    warp_and_index(
        &devnet,
        &db.storage,
        &chain_time,
        settings.reveal_deadline(round) + 1,
    )
    .await;
    let status = get_status(&base).await;
    let outcome = round_of(&status, round);
    assert_eq!(outcome["committed"], true);
    assert_eq!(outcome["revealed"], true);
    assert_eq!(outcome["finalized"], false, "nothing relays on this devnet");
    assert_eq!(outcome["result"], "ready", "{outcome}");
    let shown = outcome["feeds"].as_array().expect("feeds");
    assert_eq!(shown.len(), feeds);
    let mut labels: Vec<&str> = shown.iter().filter_map(|f| f["feed"].as_str()).collect();
    let mut offered: Vec<String> = devnet
        .config()
        .feeds
        .iter()
        .map(|(c, n)| format!("{c}/{n}"))
        .collect();
    labels.sort_unstable();
    offered.sort_unstable();
    assert_eq!(
        labels, offered,
        "the offered feeds (in the epoch's canonical order)"
    );
    // Values were given by position in the canonical order.
    for (f, feed) in shown.iter().enumerate() {
        let at = |v: usize| (v + f) as f64 / 100_000.0;
        assert_eq!(
            feed["median"].as_f64(),
            Some(at(200_000)),
            "the middle of three equal weights"
        );
        assert_eq!(feed["ours"].as_f64(), Some(at(100_000)));
        assert_eq!(feed["q1"].as_f64(), Some(at(100_000)));
        assert_eq!(feed["q3"].as_f64(), Some(at(300_000)));
        assert_eq!(feed["turnout_bips"], 10_000);
    }

    cancel.cancel();
    indexer.await.expect("indexer task").expect("indexer");
    server.abort();
}
