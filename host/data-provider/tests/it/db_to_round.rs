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
    Some((rounds.len(), fields))
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
