//! The finalizer's signing policies from indexed `SigningPolicyInitialized` rows, on SQLite and PostgreSQL:
//! consecutive policies are loaded once, a gap is skipped, a round takes the latest policy starting at or before
//! it, and a round past the last policy's expected end gets the Relay's raised threshold.

#![allow(clippy::unwrap_used, reason = "tests fail on any unexpected error")]

use alloy::primitives::aliases::U24;
use alloy::primitives::{Address, B256, Bytes, U256};
use alloy_sol_types::SolEvent;
use ftso_chain::IRelay;
use ftso_core::epoch::EpochSettings;
use ftso_core::signing_policy::SigningPolicy;
use ftso_storage::testing::TestBackend;
use ftso_storage::{NewLog, Storage};
use ftso_system_client::finalizer::{Policies, RelayRules};

const RELAY: Address = Address::repeat_byte(0x42);
/// Rounds of reward epoch E start at 1000 + 10·E.
const RULES: RelayRules = RelayRules {
    epochs: EpochSettings {
        first_voting_round_start_ts: 1_000_000,
        voting_epoch_duration_seconds: 90,
        first_reward_epoch_start_voting_round_id: 1000,
        reward_epoch_duration_in_voting_epochs: 10,
        reveal_deadline_seconds: 0,
    },
    threshold_increase_bips: 12_000,
};

fn policy(epoch: u32) -> SigningPolicy {
    SigningPolicy {
        reward_epoch_id: epoch,
        start_voting_round_id: 1000 + 10 * epoch,
        threshold: 500 + u16::try_from(epoch).unwrap(),
        seed: B256::repeat_byte(u8::try_from(epoch).unwrap()),
        voters: vec![Address::repeat_byte(1), Address::repeat_byte(2)],
        weights: vec![600, 400],
    }
}

fn log(policy: &SigningPolicy, index: u64) -> NewLog {
    let event = IRelay::SigningPolicyInitialized {
        rewardEpochId: U24::from(policy.reward_epoch_id),
        startVotingRoundId: policy.start_voting_round_id,
        threshold: policy.threshold,
        seed: U256::from_be_bytes(policy.seed.0),
        voters: policy.voters.clone(),
        weights: policy.weights.clone(),
        signingPolicyBytes: Bytes::from(policy.encode().unwrap()),
        timestamp: 1_000_000 + index,
    };
    let data = event.encode_log_data();
    NewLog {
        address: RELAY,
        data: data.data.to_vec(),
        topics: data.topics().to_vec(),
        transaction_hash: B256::with_last_byte(u8::try_from(index).unwrap()),
        log_index: 0,
        timestamp: 1_000_000 + index,
        block_number: 10 + index,
        from_receipt: false,
    }
}

async fn policies_follow_the_indexed_events(storage: &Storage) {
    storage
        .commit_logs(&[log(&policy(1), 1), log(&policy(2), 2)])
        .await
        .unwrap();
    let mut policies = Policies::new(RELAY, RULES, 0);
    assert!(policies.is_empty());
    assert_eq!(policies.refresh(storage).await.unwrap(), 2);
    // Read again from the last event's time: nothing new.
    assert_eq!(policies.refresh(storage).await.unwrap(), 0);
    assert_eq!(policies.for_round(1009), None);
    let first = policies.for_round(1015).unwrap();
    assert_eq!((first.policy, first.threshold), (policy(1), 501));
    // Epoch 2 is the last known one: its threshold is raised from round 1030, its expected end.
    assert_eq!(policies.for_round(1029).unwrap().threshold, 502);
    let late = policies.for_round(1030).unwrap();
    assert_eq!(late.policy, policy(2));
    assert_eq!(late.threshold, 502 * 12_000 / 10_000);

    // A gap (epoch 4 after 2) is skipped; epoch 3 then follows.
    storage.commit_logs(&[log(&policy(4), 4)]).await.unwrap();
    assert_eq!(policies.refresh(storage).await.unwrap(), 0);
    storage.commit_logs(&[log(&policy(3), 5)]).await.unwrap();
    assert_eq!(policies.refresh(storage).await.unwrap(), 1);
    assert_eq!(policies.for_round(1030).unwrap().threshold, 503);
    assert_eq!(policies.for_round(1029).unwrap().threshold, 502);
    policies.prune(1031);
    // Pruned below round 1031: epochs 1 and 2 can no longer sign a kept round.
    assert_eq!(policies.for_round(1029), None);
    assert_eq!(policies.for_round(1031).map(|p| p.policy), Some(policy(3)));
}

#[tokio::test]
async fn policies_on_sqlite() {
    let db = TestBackend::Sqlite.fresh().await.unwrap();
    policies_follow_the_indexed_events(&db.storage).await;
}

#[tokio::test]
async fn policies_on_postgres() {
    let Some(db) = TestBackend::Postgres.fresh().await else {
        return;
    };
    policies_follow_the_indexed_events(&db.storage).await;
}
