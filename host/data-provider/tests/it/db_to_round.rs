//! DB fixture → round results: every `db-to-round.json` (ours, and the one in `FTSO_VECTORS_DIR`
//! when present) loaded into fresh SQLite and PostgreSQL databases, every listed round computed
//! through `RoundResults` and compared field by field; then the stored results answered again
//! after a restart with the submissions deleted.

use std::sync::Arc;

use ftso_core::epoch::EpochSettings;
use ftso_data_provider::chain::{ChainReader, ContractAddresses, EpochView, ProtocolParams};
use ftso_data_provider::round::{RoundRecord, RoundResults, RoundStatus, VoterOutcome};
use ftso_storage::Storage;
use ftso_storage::testing::TestBackend;
use serde_json::{Map, Value, json};

use crate::fixture_file;
use crate::rows;

fn hex0x(bytes: impl AsRef<[u8]>) -> String {
    format!("0x{}", alloy_primitives::hex::encode(bytes))
}

/// `INITIAL_REWARD_EPOCH_ID` of the reference's networks.
fn initial_reward_epoch(network: &str) -> u32 {
    match network {
        "flare" => 223,
        "songbird" => 183,
        "coston" => 2466,
        "coston2" => 3110,
        _ => 0,
    }
}

fn settings(fixture: &Map<String, Value>) -> EpochSettings {
    let s = &fixture["epochSettings"];
    let int = |key: &str| {
        s[key]
            .as_u64()
            .unwrap_or_else(|| panic!("epochSettings.{key}"))
    };
    EpochSettings {
        first_voting_round_start_ts: int("firstVotingRoundStartTs"),
        voting_epoch_duration_seconds: int("votingEpochDurationSeconds"),
        first_reward_epoch_start_voting_round_id: u32::try_from(int(
            "firstRewardEpochStartVotingRoundId",
        ))
        .expect("u32"),
        reward_epoch_duration_in_voting_epochs: u32::try_from(int(
            "rewardEpochDurationInVotingEpochs",
        ))
        .expect("u32"),
        reveal_deadline_seconds: int("revealDeadlineSeconds"),
    }
}

/// The reader of a fixture's network over `storage`.
pub fn reader(storage: Storage, fixture: &Map<String, Value>) -> Arc<ChainReader> {
    let network = fixture["network"].as_str().expect("network");
    let mut params = ProtocolParams::new(settings(fixture));
    params.initial_reward_epoch_id = initial_reward_epoch(network);
    let contracts = ContractAddresses::for_network(network)
        .unwrap_or_else(|| panic!("unknown network {network}"));
    Arc::new(ChainReader::new(storage, contracts, params))
}

/// A round's results in the fixture's `rounds` shape.
pub fn round_json(record: &RoundRecord, epoch: &EpochView) -> Value {
    let addresses = |pick: &dyn Fn(&ftso_data_provider::round::VoterRecord) -> bool| {
        record
            .voters
            .iter()
            .filter(|v| pick(v))
            .map(|v| hex0x(v.submit_address))
            .collect::<Vec<_>>()
    };
    json!({
        "status": 0,
        "feedOrder": epoch.feeds.iter().map(|f| json!({"id": hex0x(f.id.0), "decimals": f.decimals})).collect::<Vec<_>>(),
        "validEligibleReveals": addresses(&|v| v.outcome == VoterOutcome::Revealed),
        "revealOffenders": addresses(&|v| v.outcome == VoterOutcome::Offender),
        "benched": addresses(&|v| v.benched),
        "weights": record.voters.iter().map(|v| json!([hex0x(v.submit_address), v.weight.to_string()])).collect::<Vec<_>>(),
        "random": format!("{:#x}", record.random),
        "isSecureRandom": record.is_secure_random,
        "feeds": record.feeds.iter().map(|f| json!({
            "votingRoundId": record.voting_round_id,
            "id": hex0x(f.id.0),
            "value": f.value,
            "turnoutBIPS": f.turnout_bips,
            "decimals": f.decimals,
            "q1": f.q1,
            "q3": f.q3,
            "participatingWeight": f.participating_weight.to_string(),
            "totalWeight": record.total_voting_weight.to_string(),
            "leaf": hex0x(f.leaf),
        })).collect::<Vec<_>>(),
        "randomLeaf": hex0x(record.random_leaf),
        "root": hex0x(record.merkle_root),
        "submitSignaturesData": hex0x(record.message().encode()),
    })
}

/// Compares every field of `expected`; returns how many fields were compared.
fn compare(context: &str, expected: &Value, actual: &Value) -> usize {
    let (Some(expected), Some(actual)) = (expected.as_object(), actual.as_object()) else {
        panic!("{context}: not objects");
    };
    for (key, want) in expected {
        let got = actual.get(key).unwrap_or(&Value::Null);
        if key == "feeds" {
            let (want, got) = (
                want.as_array().expect("feeds"),
                got.as_array().expect("feeds"),
            );
            assert_eq!(want.len(), got.len(), "{context}: number of feeds");
            for (i, (w, g)) in want.iter().zip(got).enumerate() {
                compare(&format!("{context} feed {i}"), w, g);
            }
            continue;
        }
        let normalise = |v: &Value| match v {
            Value::String(s) => Value::String(s.to_lowercase()),
            other => other.clone(),
        };
        assert_eq!(normalise(want), normalise(got), "{context}: {key}");
    }
    expected.len()
}

/// Checks one fixture on one backend; returns (rounds, fields) checked.
async fn check(
    fixture: &Map<String, Value>,
    backend: TestBackend,
    name: &str,
) -> Option<(usize, usize)> {
    let db = backend.fresh().await?;
    rows::load(&db.storage, fixture).await;
    let rounds = fixture["rounds"].as_object().expect("rounds");
    let reader = reader(db.storage.clone(), fixture);
    let service = RoundResults::new(reader.clone());
    let mut fields = 0;
    for (round, expected) in rounds {
        let round: u32 = round.parse().expect("round id");
        let context = format!("{name} {backend:?} round {round}");
        let status = service
            .results(round)
            .await
            .unwrap_or_else(|e| panic!("{context}: {e}"));
        let RoundStatus::Ready(record) = status else {
            panic!("{context}: {status:?}");
        };
        assert_eq!(
            expected["status"], 0,
            "{context}: only complete rounds are listed"
        );
        let epoch = reader
            .epoch_of_round(round, now())
            .await
            .unwrap_or_else(|e| panic!("{context}: {e}"));
        fields += compare(&context, expected, &round_json(&record, &epoch));
    }

    // A restarted node answers from storage: drop the submissions, reconnect, ask again.
    sqlx::query("DELETE FROM transactions")
        .execute(db.storage.pool())
        .await
        .expect("delete transactions");
    db.storage.close().await;
    let storage = Storage::open(&db.url).await.expect("reopen");
    let reader = reader_again(storage, fixture);
    let service = RoundResults::new(reader.clone());
    for (round, expected) in rounds {
        let round: u32 = round.parse().expect("round id");
        let context = format!("{name} {backend:?} round {round} after restart");
        let Ok(RoundStatus::Ready(record)) = service.results(round).await else {
            panic!("{context}: not answered from storage");
        };
        let epoch = reader.epoch_of_round(round, now()).await.expect("epoch");
        compare(&context, expected, &round_json(&record, &epoch));
    }
    let answers = if fixture["network"] == "local-test" && fixture.contains_key("http") {
        check_http(fixture, storage_for_http(&db.url).await, name).await
    } else {
        0
    };
    println!("db-to-round {name} on {backend:?}: {answers} HTTP answers checked");
    Some((rounds.len(), fields))
}

/// The database again, for the HTTP check (results are answered from storage by now).
async fn storage_for_http(url: &str) -> Storage {
    Storage::open(url).await.expect("reopen")
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

fn reader_again(storage: Storage, fixture: &Map<String, Value>) -> Arc<ChainReader> {
    reader(storage, fixture)
}

fn fixtures() -> Vec<(String, Map<String, Value>)> {
    let mut paths = vec![fixture_file::path()];
    if let Some(dir) = std::env::var_os("FTSO_VECTORS_DIR") {
        let theirs = std::path::PathBuf::from(dir).join("db-to-round.json");
        if theirs.exists() {
            paths.push(theirs);
        }
    }
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let value: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let Value::Object(object) = value else {
                panic!("{}: not an object", path.display());
            };
            (path.display().to_string(), object)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn db_fixture_gives_every_round_result_on_sqlite_and_postgres() {
    for (name, fixture) in fixtures() {
        for backend in [TestBackend::Sqlite, TestBackend::Postgres] {
            if let Some((rounds, fields)) = check(&fixture, backend, &name).await {
                println!(
                    "db-to-round {name} on {backend:?}: {rounds} rounds, {fields} fields checked"
                );
            }
        }
    }
}

/// A feed-values server answering every round with the fixture's values: 38573.26, 2175.12 and
/// nothing (no `value` key) for the third feed.
async fn fixture_values() -> Arc<dyn ftso_feeds::FeedValueSource> {
    use axum::routing::post;
    let app = axum::Router::new().route(
        "/feed-values/{round}",
        post(
            |axum::extract::Path(round): axum::extract::Path<u32>| async move {
                axum::Json(json!({"votingRoundId": round, "data": [
                    {"feed": {"category": 1, "name": "BTC/USD"}, "value": 38573.26},
                    {"feed": {"category": 1, "name": "ETH/USD"}, "value": 2175.12},
                    {"feed": {"category": 1, "name": "FLR/USD"}}
                ]}))
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    Arc::new(
        ftso_feeds::source::HttpFeedValues::new(
            &format!("http://{addr}"),
            std::time::Duration::from_secs(10),
        )
        .expect("client"),
    )
}

/// `expected` ⊆ `actual`: every key of an expected object is present and equal (arrays whole).
fn assert_subset(context: &str, expected: &Value, actual: &Value) {
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => {
            for (key, w) in want {
                let g = got
                    .get(key)
                    .unwrap_or_else(|| panic!("{context}: no {key} in {actual}"));
                assert_subset(&format!("{context}.{key}"), w, g);
            }
        }
        _ => assert_eq!(expected, actual, "{context}"),
    }
}

/// Serves the fixture's `http` expectations through the real HTTP API; returns answers checked.
async fn check_http(fixture: &Map<String, Value>, storage: Storage, name: &str) -> usize {
    use crate::api_support::TestApi;
    let http = &fixture["http"];
    let rounds = fixture["rounds"].as_object().expect("rounds");
    let first: u32 = rounds
        .keys()
        .next()
        .expect("a round")
        .parse()
        .expect("round id");
    let first_feed = rounds.values().next().expect("round")["feedOrder"][0]["id"]
        .as_str()
        .expect("feed id")
        .to_owned();
    let config: ftso_data_provider::DataProviderConfig = toml::from_str("").expect("defaults");
    let api = TestApi::start(
        config,
        crate::api_support::KEY,
        storage,
        fixture_values().await,
    )
    .await;
    let submit_signatures = address_of(1, crate::scenario::Role::SubmitSignatures);
    let unknown = http["submit2_unknown_address"]
        .as_str()
        .expect("address")
        .to_owned();
    let unknown_feed = http["specificFeedUnknownId"]
        .as_str()
        .expect("feed")
        .to_owned();
    let gets = [
        (
            "submitSignatures",
            format!("/submitSignatures/{first}/{submit_signatures}"),
        ),
        ("data", format!("/data/{first}")),
        (
            "specificFeed",
            format!("/specific-feed/{first_feed}/{first}"),
        ),
        (
            "specificFeedUnknown",
            format!("/specific-feed/{unknown_feed}/{first}"),
        ),
        ("submit2_unknown", format!("/submit2/{first}/{unknown}")),
    ];
    let mut answers = 0;
    for (key, path) in gets {
        let body = api.get_json(&path).await;
        assert_eq!(body, http[key], "{name} {path}");
        answers += 1;
    }
    let abis = api.get_json("/data-abis").await;
    assert_eq!(
        abis["data"].as_array().map(Vec::len),
        http["dataAbisCount"].as_u64().map(|n| n as usize)
    );
    let median = api
        .get_json(&format!("/medianCalculationResults/{first}"))
        .await;
    assert_subset(
        &format!("{name} median"),
        &http["median"],
        &median["medianData"][0],
    );
    answers += 2;

    // One commit and its reveal, four rounds after the first.
    let round = first + 4;
    let submit = address_of(1, crate::scenario::Role::Submit);
    let commit =
        crate::api_support::data_bytes(&api.get_json(&format!("/submit1/{round}/{submit}")).await);
    let reveal =
        crate::api_support::data_bytes(&api.get_json(&format!("/submit2/{round}/{submit}")).await);
    let expected_commit = hex_bytes(&http["submit1"]["data"]);
    let expected_reveal = hex_bytes(&http["submit2"]["data"]);
    assert_eq!(commit[..7], expected_commit[..7], "submit1 header");
    assert_eq!(reveal[..7], expected_reveal[..7], "submit2 header");
    assert_eq!(reveal[39..], expected_reveal[39..], "revealed value bytes");
    let random = alloy_primitives::B256::from_slice(&reveal[7..39]);
    let hash = ftso_core::commit::commit_hash(
        submit.parse().expect("address"),
        round,
        random,
        &reveal[39..],
    );
    assert_eq!(
        commit[7..],
        hash[..],
        "the commit is the hash of the reveal"
    );
    answers + 2
}

fn address_of(i: u8, role: crate::scenario::Role) -> String {
    alloy_primitives::Address::to_checksum(&crate::scenario::address(i, role), None)
}

fn hex_bytes(value: &Value) -> Vec<u8> {
    let text = value.as_str().expect("hex string");
    alloy_primitives::hex::decode(text.trim_start_matches("0x")).expect("hex")
}
