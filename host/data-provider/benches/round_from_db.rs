//! The cost of one round from the database: 100 voters × 60 feeds of indexed submit1/submit2 rows
//! → `RoundResults` computes (reading the epoch-cached reward epoch, the submissions of the
//! benching window, checking every reveal, medians, tree) and stores the results. SQLite always;
//! PostgreSQL when `FTSO_TEST_POSTGRES_URL` (or `tools/env.sh`) names a cluster.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    missing_docs,
    reason = "benchmark"
)]

#[path = "../tests/it/rows.rs"]
#[allow(dead_code, reason = "shared with the integration tests")]
mod rows;

use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy_primitives::aliases::U24;
use alloy_primitives::{Address, Bytes, U256};
use criterion::{Criterion, criterion_group, criterion_main};
use ftso_chain::{
    IFlareSystemsCalculator, IFlareSystemsManager, IFtsoRewardOffersManager, IRelay, IVoterRegistry,
};
use ftso_core::epoch::EpochSettings;
use ftso_core::feed::FeedId;
use ftso_data_provider::chain::{ChainReader, ContractAddresses, ProtocolParams};
use ftso_data_provider::round::{RoundResults, RoundStatus};
use ftso_storage::testing::TestBackend;
use rows::{Rows, word};

const VOTERS: u32 = 100;
const FEEDS: usize = 60;
const ROUND: u32 = 1010;
const SETTINGS: EpochSettings = EpochSettings {
    first_voting_round_start_ts: 1_707_110_090,
    voting_epoch_duration_seconds: 20,
    first_reward_epoch_start_voting_round_id: 1000,
    reward_epoch_duration_in_voting_epochs: 5,
    reveal_deadline_seconds: 10,
};

fn voter(i: u32, role: u8) -> Address {
    let mut bytes = [role; 20];
    bytes[16..].copy_from_slice(&i.to_be_bytes());
    Address::from(bytes)
}

/// Reward epoch 1 (policy from round 1005) with its offers and registrations, then one commit and
/// one reveal per voter for round 1010.
fn rows(contracts: &ContractAddresses) -> Rows {
    let mut rows = Rows::default();
    let fsm = contracts.flare_systems_manager[0];
    let t = SETTINGS.voting_round_start(1000);
    let feeds: Vec<FeedId> = (0..FEEDS)
        .map(|f| FeedId::new(1, &format!("F{f:03}/USD")).unwrap())
        .collect();
    rows.event(
        contracts.ftso_reward_offers_manager[0],
        &IFtsoRewardOffersManager::InflationRewardsOffered {
            rewardEpochId: U24::from(1),
            feedIds: Bytes::from(feeds.iter().flat_map(|f| f.0.to_vec()).collect::<Vec<_>>()),
            decimals: Bytes::from(vec![5u8; FEEDS]),
            amount: U256::from(1u64),
            minRewardedTurnoutBIPS: 0,
            primaryBandRewardSharePPM: U24::from(0),
            secondaryBandWidthPPMs: Bytes::from(vec![0u8; 3 * FEEDS]),
            mode: 0,
        },
        t + 1,
    );
    rows.event(
        fsm,
        &IFlareSystemsManager::RandomAcquisitionStarted {
            rewardEpochId: U24::from(1),
            timestamp: t + 2,
        },
        t + 2,
    );
    rows.event(
        fsm,
        &IFlareSystemsManager::VotePowerBlockSelected {
            rewardEpochId: U24::from(1),
            votePowerBlock: 1,
            timestamp: t + 3,
        },
        t + 3,
    );
    for i in 0..VOTERS {
        let weight = U256::from(1000 + i);
        rows.event(
            contracts.flare_systems_calculator[0],
            &IFlareSystemsCalculator::VoterRegistrationInfo {
                voter: voter(i, 1),
                rewardEpochId: 1,
                delegationAddress: voter(i, 5),
                delegationFeeBIPS: 0,
                wNatWeight: weight,
                wNatCappedWeight: weight,
                nodeIds: vec![],
                nodeWeights: vec![],
            },
            t + 4,
        );
        rows.event(
            contracts.voter_registry[0],
            &IVoterRegistry::VoterRegistered {
                voter: voter(i, 1),
                rewardEpochId: 1,
                signingPolicyAddress: voter(i, 2),
                submitAddress: voter(i, 3),
                submitSignaturesAddress: voter(i, 4),
                publicKey: IVoterRegistry::PublicKey {
                    x: Default::default(),
                    y: Default::default(),
                },
                registrationWeight: weight,
                signature: IVoterRegistry::Signature {
                    v: 27,
                    r: Default::default(),
                    s: Default::default(),
                },
            },
            t + 4,
        );
    }
    rows.event(
        contracts.relay[0],
        &IRelay::SigningPolicyInitialized {
            rewardEpochId: U24::from(1),
            startVotingRoundId: 1005,
            threshold: 30_000,
            seed: U256::from(1),
            voters: (0..VOTERS).map(|i| voter(i, 2)).collect(),
            weights: (0..VOTERS).map(|_| 600).collect(),
            signingPolicyBytes: Bytes::new(),
            timestamp: t + 5,
        },
        t + 5,
    );
    let submission = contracts.submission[0];
    for i in 0..VOTERS {
        let values: Vec<Option<i32>> = (0..FEEDS)
            .map(|f| i32::try_from(1_000_000 + 37 * i as usize + f).ok())
            .collect();
        let encoded = ftso_core::value::encode_scaled(&values);
        let random = word(u64::from(i) + 1);
        let from = voter(i, 3);
        rows.commit(
            submission,
            from,
            ROUND,
            random,
            &encoded,
            SETTINGS.voting_round_start(ROUND) + 5,
        );
        rows.reveal(
            submission,
            from,
            ROUND,
            random,
            &encoded,
            SETTINGS.voting_round_start(ROUND + 1) + 3,
        );
    }
    rows
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let contracts = ContractAddresses::for_network("local-test").unwrap();
    let rows = rows(&contracts);
    let mut group = c.benchmark_group("round_from_db");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    for backend in [TestBackend::Sqlite, TestBackend::Postgres] {
        let Some(db) = runtime.block_on(backend.fresh()) else {
            continue;
        };
        runtime.block_on(async {
            rows::insert(
                &db.storage,
                "states",
                &rows::states(0, SETTINGS.voting_round_start(ROUND + 3)),
            )
            .await;
            rows::insert(&db.storage, "logs", &rows.logs).await;
            rows::insert(&db.storage, "transactions", &rows.transactions).await;
        });
        let mut params = ProtocolParams::new(SETTINGS);
        params.initial_reward_epoch_id = 0;
        let reader = Arc::new(ChainReader::new(
            db.storage.clone(),
            contracts.clone(),
            params,
        ));
        let service = RoundResults::new(reader);
        let name = format!("{backend:?}: {VOTERS} voters x {FEEDS} feeds, compute and store");
        group.bench_function(name, |b| {
            b.iter_custom(|iterations| {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    runtime.block_on(async {
                        sqlx::query("DELETE FROM ftso_round_voters").execute(db.storage.pool()).await.unwrap();
                        sqlx::query("DELETE FROM ftso_round_feeds").execute(db.storage.pool()).await.unwrap();
                        sqlx::query("DELETE FROM ftso_round_results").execute(db.storage.pool()).await.unwrap();
                        let started = Instant::now();
                        let status = service.results(ROUND).await.unwrap();
                        total += started.elapsed();
                        assert!(matches!(status, RoundStatus::Ready(ref r) if r.valid_eligible_reveals().len() == VOTERS as usize));
                    });
                }
                total
            });
        });
        let loaded = format!("{backend:?}: {VOTERS} voters x {FEEDS} feeds, answer from storage");
        group.bench_function(loaded, |b| {
            b.iter(|| runtime.block_on(service.results(ROUND)).unwrap());
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
