//! One full FTSO round: 100 voters × 60 feeds.
//!
//! `round/decode+calculate`: decode every voter's submit2 payload against the feed order, then
//! compute the 60 weighted medians, the round random, the Merkle tree and its root.
//! `round/decode+verify+calculate` also checks every reveal against its commit hash.
//!
//! Run with `cargo bench -p ftso-core --bench round`.

use std::hint::black_box;

use alloy_primitives::{Address, B256, U256, keccak256};
use criterion::{Criterion, criterion_group, criterion_main};
use ftso_core::{
    commit::Reveal,
    feed::FeedId,
    round::{self, FeedDefinition, Voter, VoterSubmission},
    value,
};

const VOTERS: usize = 100;
const FEEDS: usize = 60;

/// A deterministic pseudo-random stream (keccak in counter mode).
fn pseudo(seed: u64) -> u64 {
    let hash = keccak256(seed.to_be_bytes());
    u64::from_be_bytes([
        hash[0], hash[1], hash[2], hash[3], hash[4], hash[5], hash[6], hash[7],
    ])
}

struct Input {
    feeds: Vec<FeedDefinition>,
    /// (submit address, weight, submit2 payload, commit hash)
    voters: Vec<(Address, U256, Vec<u8>, B256)>,
}

fn input(round_id: u32) -> Input {
    let feeds: Vec<FeedDefinition> = (0..FEEDS)
        .map(|i| FeedDefinition {
            id: FeedId::new(1, &format!("F{i:03}/USD")).unwrap_or_default(),
            decimals: i8::try_from(i % 9).unwrap_or(0),
        })
        .collect();
    let voters = (0..VOTERS)
        .map(|v| {
            let seed = u64::try_from(v).unwrap_or(0) * 1_000;
            let values: Vec<Option<i32>> = (0..FEEDS)
                .map(|f| {
                    let r = pseudo(seed + u64::try_from(f).unwrap_or(0));
                    // About 5 % missing; otherwise a price within ±0.5 % of a per-feed base.
                    (!r.is_multiple_of(20)).then(|| {
                        let base = 1_000_000 + 10_000 * i32::try_from(f).unwrap_or(0);
                        base + i32::try_from(r % 10_000).unwrap_or(0) - 5_000
                    })
                })
                .collect();
            let reveal = Reveal {
                random: keccak256(seed.to_be_bytes()),
                encoded_values: value::encode_scaled(&values),
            };
            let address = Address::from_word(keccak256((seed + 7).to_be_bytes()));
            let weight = U256::from(pseudo(seed + 999) % (1u64 << 40));
            let commit = reveal.commit_hash(address, round_id);
            (address, weight, reveal.payload(), commit)
        })
        .collect();
    Input { feeds, voters }
}

fn decode_voters(input: &Input, round_id: u32, verify: bool) -> Vec<Voter> {
    input
        .voters
        .iter()
        .map(|(address, weight, payload, commit)| {
            let submission = match Reveal::decode(payload, input.feeds.len()) {
                Ok(decoded) if !verify || decoded.reveal.matches(commit, *address, round_id) => {
                    VoterSubmission::Valid {
                        random: decoded.reveal.random,
                        values: decoded.values,
                    }
                }
                _ => VoterSubmission::Offender,
            };
            Voter {
                submit_address: *address,
                weight: *weight,
                submission,
                benched: false,
            }
        })
        .collect()
}

fn bench_round(c: &mut Criterion) {
    let round_id = 1_000_000;
    let input = input(round_id);
    // The benchmarked work must succeed: every voter's reveal is valid and all feeds have results.
    let voters = decode_voters(&input, round_id, true);
    assert!(
        voters
            .iter()
            .all(|v| matches!(v.submission, VoterSubmission::Valid { .. }))
    );
    let result = round::calculate_round(round_id, &input.feeds, &voters);
    assert!(
        result.is_ok_and(
            |r| r.feeds.len() == FEEDS && r.feeds.iter().all(|f| f.median.median.is_some())
        )
    );
    let mut group = c.benchmark_group("round");
    for (name, verify) in [
        ("decode+calculate", false),
        ("decode+verify+calculate", true),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let voters = decode_voters(black_box(&input), round_id, verify);
                let result = round::calculate_round(round_id, &input.feeds, &voters);
                black_box(result.map(|r| r.merkle_root))
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_round);
criterion_main!(benches);
