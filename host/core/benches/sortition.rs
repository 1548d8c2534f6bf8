//! Sortition cost: one ticket (gamma, proof, contract-style verification and eligibility) and a
//! scan of a provider's replicates for one block.
//!
//! Run with `cargo bench -p ftso-core --bench sortition`.

#![allow(clippy::expect_used, reason = "benchmark fixture built from constants")]

use std::hint::black_box;

use alloy_primitives::U256;
use criterion::{Criterion, criterion_group, criterion_main};
use ftso_core::fast_updates::{
    SortitionKey,
    credential::{self, nonce_from_random_bytes},
    eligibility,
    hash_to_g1::sortition_point,
};

const FLARE_SAMPLE_SIZE: u128 = 0x0180_0000_0000_0000_0000_0000_0000_0000;

fn fixture() -> (SortitionKey, U256, U256) {
    let key = SortitionKey::from_be_bytes(&[0x42; 32]).expect("non-zero key");
    let seed = U256::from_be_bytes([0x17; 32]);
    (key, seed, U256::from(12_345_678u64))
}

fn single_ticket(c: &mut Criterion) {
    let (key, seed, block) = fixture();
    let k = nonce_from_random_bytes(&[0x5a; 64]);
    let cutoff = eligibility::score_cutoff(FLARE_SAMPLE_SIZE);
    let replicate = U256::from(7);
    let pk = key.public_words();
    c.bench_function("hash_to_g1", |b| {
        b.iter(|| sortition_point(black_box(seed), black_box(block), black_box(replicate)))
    });
    c.bench_function("gamma (score only)", |b| {
        b.iter(|| credential::gamma(&key, black_box(seed), black_box(block), replicate))
    });
    c.bench_function("credential + eligibility check", |b| {
        b.iter(|| {
            let proof = credential::prove_with_nonce(&key, seed, black_box(block), replicate, &k);
            eligibility::check_ticket(&pk, seed, block, &proof.credential, 4096, cutoff)
        })
    });
    let proof = credential::prove_with_nonce(&key, seed, block, replicate, &k);
    c.bench_function("verify (contract transcription)", |b| {
        b.iter(|| credential::verify(&pk, seed, block, black_box(&proof.credential)))
    });
}

fn replicate_scan(c: &mut Criterion) {
    let (key, seed, block) = fixture();
    let cutoff = eligibility::score_cutoff(FLARE_SAMPLE_SIZE);
    let mut group = c.benchmark_group("scan");
    group.sample_size(10);
    for replicates in [512u64, 4096] {
        group.bench_function(format!("{replicates} replicates"), |b| {
            b.iter(|| {
                eligibility::winning_tickets(&key, seed, black_box(block), 0..replicates, cutoff)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, single_ticket, replicate_scan);
criterion_main!(benches);
