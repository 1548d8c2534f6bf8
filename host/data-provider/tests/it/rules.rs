//! The reference's counting rules on indexed rows: both registration-event layouts, an upgraded
//! contract indexed at two addresses, and a bad-hash reveal, a late reveal, a malformed message
//! and messages for the wrong round (data-provider §8.3, §8.8, trap 19).

use std::sync::Arc;

use ftso_core::payload::{SUBMIT1_SELECTOR, SUBMIT2_SELECTOR};
use ftso_data_provider::chain::{ChainError, ChainReader, ContractAddresses, ProtocolParams};
use ftso_data_provider::round::{RoundResults, RoundStatus};
use ftso_storage::Storage;
use ftso_storage::testing::{TestDb, sqlite};

use crate::rows::{self, Rows, message, word};
use crate::scenario::{self, LOCAL_TEST, Layout, Options, Role, address, encoded, random, start};

const ROOT_1005: &str = "0x593b974fb2bfa02512a223d027933de2b23b32fe9f9909fb85ee6bf99fd76791";

async fn database(rows: &Rows) -> TestDb {
    let db = sqlite().await;
    rows::insert(&db.storage, "states", &rows::states(0, scenario::top())).await;
    rows::insert(&db.storage, "logs", &rows.logs).await;
    rows::insert(&db.storage, "transactions", &rows.transactions).await;
    db
}

fn reader(storage: Storage, contracts: ContractAddresses) -> Arc<ChainReader> {
    Arc::new(ChainReader::new(
        storage,
        contracts,
        ProtocolParams::new(LOCAL_TEST),
    ))
}

fn local_test() -> ContractAddresses {
    ContractAddresses::for_network("local-test").expect("local-test")
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

async fn root_of_1005(reader: Arc<ChainReader>) -> String {
    let status = RoundResults::new(reader)
        .results(1005)
        .await
        .expect("round 1005");
    let RoundStatus::Ready(record) = status else {
        panic!("round 1005: {status:?}");
    };
    format!("{:#x}", record.merkle_root)
}

#[tokio::test]
async fn both_registration_layouts_give_the_same_epoch() {
    let next = database(&scenario::rows(&Options::default())).await;
    let v1 = database(&scenario::rows(&Options {
        layout: Layout::V1,
        ..Options::default()
    }))
    .await;
    let epoch_next = reader(next.storage.clone(), local_test())
        .epoch_of_round(1005, now())
        .await
        .expect("Next layout");
    let epoch_v1 = reader(v1.storage.clone(), local_test())
        .epoch_of_round(1005, now())
        .await
        .expect("uint24 layout");
    assert_eq!(epoch_next, epoch_v1);
    assert_eq!(epoch_v1.voters.len(), 5);
    assert_eq!(epoch_v1.voters[3].submit_address, address(4, Role::Submit));
    assert_eq!(
        root_of_1005(reader(v1.storage.clone(), local_test())).await,
        ROOT_1005
    );
}

#[tokio::test]
async fn an_upgraded_contract_is_read_at_both_addresses() {
    let plain = database(&scenario::rows(&Options::default())).await;
    let upgraded = database(&scenario::rows(&Options {
        upgraded: vec![2, 4],
        ..Options::default()
    }))
    .await;
    let expected = reader(plain.storage.clone(), local_test())
        .epoch_of_round(1005, now())
        .await
        .expect("epoch");
    let both = reader(
        upgraded.storage.clone(),
        scenario::contracts_with_upgrades(),
    );
    assert_eq!(
        *both.epoch_of_round(1005, now()).await.expect("epoch"),
        *expected
    );
    assert_eq!(root_of_1005(both).await, ROOT_1005);

    let old_only = reader(upgraded.storage.clone(), local_test());
    let error = old_only.epoch_of_round(1005, now()).await.unwrap_err();
    assert!(
        matches!(error, ChainError::InconsistentEpoch { .. }),
        "registrations missing at the second address fail the epoch: {error}"
    );
}

#[tokio::test]
async fn bad_hash_late_malformed_and_wrong_round_count_as_the_reference_counts_them() {
    let mut rows = scenario::rows(&Options::default());
    let submission = local_test().submission[0];
    let r = 1009;
    let commit_at = start(r) + 5;
    let reveal_at = start(r + 1) + 3;
    let submit = |i| address(i, Role::Submit);
    for i in 1..=4 {
        rows.commit(
            submission,
            submit(i),
            r,
            random(r, i),
            &encoded(r, i),
            commit_at,
        );
    }
    // Voter 5 commits in round 1009 a message for round 1008: ignored, so 5 is no committer.
    let hash = ftso_core::commit::commit_hash(submit(5), r, random(r, 5), &encoded(r, 5));
    rows.submit(
        submission,
        SUBMIT1_SELECTOR,
        submit(5),
        &[message(r - 1, hash.to_vec())],
        commit_at,
    );
    // Voter 1 reveals another random: the hash does not open the commit.
    rows.reveal(submission, submit(1), r, word(1), &encoded(r, 1), reveal_at);
    // Voter 2 reveals at the deadline (relative time 10 = R): too late.
    rows.reveal(
        submission,
        submit(2),
        r,
        random(r, 2),
        &encoded(r, 2),
        start(r + 1) + 10,
    );
    // Voter 3 reveals validly, then sends a transaction whose second message is truncated: the
    // whole transaction (and its otherwise valid-looking first message) is dropped.
    rows.reveal(
        submission,
        submit(3),
        r,
        random(r, 3),
        &encoded(r, 3),
        reveal_at,
    );
    let mut calldata = SUBMIT2_SELECTOR.to_vec();
    let bad_first = [word(7).as_slice(), &encoded(r, 3)].concat();
    calldata
        .extend(ftso_core::payload::encode_concatenated(&[message(r, bad_first)]).expect("encode"));
    calldata.extend([100, 0, 0, 3, 0xf1, 0, 40, 1, 2, 3]);
    rows.transaction(submit(3), submission, &calldata, reveal_at + 1);
    // Voter 4 reveals with the message for the wrong round: ignored, so 4 did not reveal.
    rows.reveal(
        submission,
        submit(4),
        r + 1,
        random(r, 4),
        &encoded(r, 4),
        reveal_at,
    );
    // Voter 5 reveals validly but never committed to round 1009.
    rows.reveal(
        submission,
        submit(5),
        r,
        random(r, 5),
        &encoded(r, 5),
        reveal_at,
    );

    let db = sqlite().await;
    rows::insert(&db.storage, "states", &rows::states(0, start(r + 2))).await;
    rows::insert(&db.storage, "logs", &rows.logs).await;
    rows::insert(&db.storage, "transactions", &rows.transactions).await;
    let service = RoundResults::new(reader(db.storage.clone(), local_test()));
    let RoundStatus::Ready(record) = service.results(r).await.expect("round 1009") else {
        panic!("round 1009 not ready");
    };
    assert_eq!(record.valid_eligible_reveals(), vec![submit(3)]);
    assert_eq!(
        record.reveal_offenders(),
        vec![submit(1), submit(2), submit(4)]
    );
    assert_eq!(
        record.benched(),
        vec![submit(4), submit(5)],
        "the offenders of round 1005 are in 1009's benching window"
    );
    assert_eq!(record.random, alloy_primitives::U256::from(100_902u64));
    assert!(
        !record.is_secure_random,
        "one non-benched revealer and unbenched offenders"
    );
    assert_eq!(
        record.feeds[0].value, 3_860_500,
        "voter 3's BTC value alone"
    );
    assert_eq!(record.feeds[0].turnout_bips, 3000);
}
