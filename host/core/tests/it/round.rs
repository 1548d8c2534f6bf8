//! Whole rounds: results are consistent with their parts for arbitrary voters.

use alloy_primitives::{Address, B256, U256};
use ftso_core::{
    feed::FeedId,
    median, merkle,
    random::{self, RandomParticipant},
    round::{self, FeedDefinition, RoundError, Voter, VoterSubmission},
};
use proptest::prelude::*;

const FEEDS: usize = 5;

fn submission() -> impl Strategy<Value = VoterSubmission> {
    prop_oneof![
        3 => (
            any::<[u8; 32]>(),
            proptest::collection::vec(proptest::option::weighted(0.8, -1000i32..1000), FEEDS),
        )
            .prop_map(|(random, values)| VoterSubmission::Valid { random: B256::from(random), values }),
        1 => Just(VoterSubmission::Offender),
        1 => Just(VoterSubmission::None),
    ]
}

fn voters() -> impl Strategy<Value = Vec<Voter>> {
    proptest::collection::vec(
        (
            submission(),
            prop_oneof![Just(0u64), 1u64..1_000_000],
            any::<bool>(),
        ),
        0..12,
    )
    .prop_map(|voters| {
        voters
            .into_iter()
            .enumerate()
            .map(|(i, (submission, weight, benched))| Voter {
                submit_address: Address::with_last_byte(u8::try_from(i).unwrap_or(u8::MAX)),
                weight: U256::from(weight),
                submission,
                benched,
            })
            .collect()
    })
}

fn feeds() -> Vec<FeedDefinition> {
    (0..FEEDS)
        .map(|i| FeedDefinition {
            id: FeedId::new(1, &format!("F{i}/USD")).unwrap_or_default(),
            decimals: i8::try_from(i).unwrap_or(0),
        })
        .collect()
}

proptest! {
    #![proptest_config(crate::fuzz_config())]

    #[test]
    fn results_agree_with_medians_random_and_tree(voters in voters(), round_id in any::<u32>()) {
        let feeds = feeds();
        let result = round::calculate_round(round_id, &feeds, &voters);
        let any_valid = voters.iter().any(|v| matches!(v.submission, VoterSubmission::Valid { .. }));
        let total: U256 = voters.iter().map(|v| v.weight).fold(U256::ZERO, |a, b| a + b);
        let result = match result {
            Err(RoundError::NoValidReveal { .. }) => {
                prop_assert!(!any_valid);
                return Ok(());
            }
            Err(RoundError::ZeroTotalWeight { .. }) => {
                prop_assert!(total.is_zero());
                return Ok(());
            }
            Err(RoundError::Median { source: median::MedianError::SingleZeroWeightValue, .. }) => return Ok(()),
            Err(other) => return Err(TestCaseError::fail(format!("unexpected error {other}"))),
            Ok(result) => result,
        };
        prop_assert!(any_valid && !total.is_zero());
        prop_assert_eq!(result.total_voting_weight, total);

        // Each feed's median is the median of the valid voters' values.
        for (index, feed) in result.feeds.iter().enumerate() {
            let (values, weights): (Vec<Option<i32>>, Vec<U256>) = voters
                .iter()
                .map(|v| match &v.submission {
                    VoterSubmission::Valid { values, .. } => (values[index], v.weight),
                    _ => (None, v.weight),
                })
                .unzip();
            prop_assert_eq!(feed.median, median::weighted_median(&values, &weights).unwrap());
            prop_assert!(feed.turnout_bips <= 10_000);
            prop_assert_eq!(feed.leaf.value, feed.median.median.unwrap_or(0));
            let proof = result.feed_proof(index).unwrap();
            prop_assert!(merkle::verify_proof(&feed.leaf_hash, &proof, &result.merkle_root));
        }

        // The random only depends on non-benched voters.
        let want = random::round_random(voters.iter().map(|v| match &v.submission {
            VoterSubmission::Valid { random, .. } => RandomParticipant::Revealed { random: *random, benched: v.benched },
            VoterSubmission::Offender => RandomParticipant::Offender { benched: v.benched },
            VoterSubmission::None => RandomParticipant::Absent,
        }));
        prop_assert_eq!(result.random, want);
        let random_proof = result.tree.proof(&result.random_leaf_hash).unwrap();
        prop_assert!(merkle::verify_proof(&result.random_leaf_hash, &random_proof, &result.merkle_root));
        let message = result.protocol_message();
        prop_assert_eq!(message.merkle_root, result.merkle_root);
        prop_assert_eq!(message.is_secure_random, result.random.is_secure);
    }
}
