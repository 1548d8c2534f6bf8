//! A commit survives the loss of the process: commit, drop the role with its connection pool,
//! start a new one on the same database, reveal the same bytes. On SQLite and PostgreSQL.

use std::sync::Arc;

use ftso_core::{
    commit::{Reveal, submit1_message},
    value::{ProviderValue, encode_values},
};
use ftso_data_provider::DataProviderConfig;
use ftso_feeds::FeedValueSource;
use ftso_storage::{Storage, testing::TestBackend};

use crate::{
    api_support::{FIXED_VALUE, KEY, TestApi, data_bytes, fixed_registry, scenario_db},
    scenario::{Role, address},
};

/// A round of the scenario's reward epoch 1 (rounds 1005 to 1009).
const ROUND: u32 = 1009;

async fn reveal_after_restart(backend: TestBackend) {
    let Some(db) = scenario_db(backend).await else {
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    let values: Arc<dyn FeedValueSource> = Arc::new(fixed_registry(cache.path()).await);
    let submitter = address(1, Role::Submit);
    let spelled = submitter.to_checksum(None);

    let api = TestApi::start(
        DataProviderConfig::default(),
        KEY,
        db.storage.clone(),
        values.clone(),
    )
    .await;
    let commit = data_bytes(&api.get_json(&format!("/submit1/{ROUND}/{spelled}")).await);
    api.stop().await;
    // Everything the first role had in memory is gone, and so is its connection pool.
    db.storage.close().await;

    let storage = Storage::open(&db.url).await.unwrap();
    let api = TestApi::start(DataProviderConfig::default(), KEY, storage.clone(), values).await;
    let revealed = data_bytes(&api.get_json(&format!("/submit2/{ROUND}/{spelled}")).await);
    let (header, payload) = revealed.split_at(7);
    let mut expected_header = vec![100];
    expected_header.extend(ROUND.to_be_bytes());
    expected_header.extend(u16::try_from(payload.len()).unwrap().to_be_bytes());
    assert_eq!(header, expected_header);

    let reveal = Reveal::split(payload).unwrap();
    let fixed = [ProviderValue::Number(FIXED_VALUE); 3];
    assert_eq!(
        reveal.encoded_values,
        encode_values(&fixed, &[2, 2, 7]).unwrap(),
        "our values for BTC, ETH, FLR (decimals 2, 2, 7)"
    );
    assert_ne!(reveal.random, alloy_primitives::B256::ZERO);
    let opened = submit1_message(ROUND, reveal.commit_hash(submitter, ROUND))
        .encode()
        .unwrap();
    assert_eq!(
        commit, opened,
        "the reveal opens the commit made before the restart"
    );

    // submit1 after the restart answers the same commit (the stored random, not a new one).
    let again = data_bytes(&api.get_json(&format!("/submit1/{ROUND}/{spelled}")).await);
    assert_eq!(again, commit);
    api.stop().await;
    storage.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_is_revealed_after_a_restart_on_sqlite() {
    reveal_after_restart(TestBackend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_is_revealed_after_a_restart_on_postgres() {
    reveal_after_restart(TestBackend::Postgres).await;
}
