//! Blocks per second of the sortition scan (the gamma of every replicate below the weight, for one block),
//! before and after the fixed-scalar speed-up, at the network's maximum weight and at a typical provider's.
//!
//! "before" is the previous scan: each `gamma = sk·H` by arkworks' generic affine multiplication (254
//! doublings, no GLV), batch-normalised. "after" is `eligibility::winning_tickets` (GLV split and NAF digits of
//! the key computed once, odd-multiple tables shared through the endomorphism, batch-normalised).
//!
//! Run with `cargo bench -p ftso-core --bench sortition_blocks`; `SORTITION_BENCH_SECONDS` sets the time per
//! figure (default 3).

#![allow(clippy::expect_used, reason = "benchmark fixture built from constants")]

use std::hint::black_box;
use std::time::{Duration, Instant};

use alloy_primitives::U256;
use ark_bn254::{G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ftso_core::fast_updates::{
    SortitionKey, curve::fq_to_u256, eligibility, hash_to_g1::sortition_point,
};

const FLARE_SAMPLE_SIZE: u128 = 0x0180_0000_0000_0000_0000_0000_0000_0000;
/// A typical provider's weight: about 1/64 of the network (normalised weight ≈ 1000/65535 gives 63).
const TYPICAL_WEIGHT: u64 = 63;

/// The previous scan: number of winners (so nothing is optimised away).
fn scan_before(key: &SortitionKey, seed: U256, block: U256, weight: u64, cutoff: U256) -> usize {
    let mut winners = 0;
    let mut start = 0;
    while start < weight {
        let end = weight.min(start + 128);
        let gammas: Vec<G1Projective> = (start..end)
            .map(|r| sortition_point(seed, block, U256::from(r)) * key.secret())
            .collect();
        for gamma in G1Projective::normalize_batch(&gammas) {
            let x = gamma.x().map(|x| fq_to_u256(&x)).unwrap_or(U256::MAX);
            winners += usize::from(eligibility::wins(x, cutoff));
        }
        start = end;
    }
    winners
}

fn scan_after(key: &SortitionKey, seed: U256, block: U256, weight: u64, cutoff: U256) -> usize {
    eligibility::winning_tickets(key, seed, block, 0..weight, cutoff).len()
}

/// Blocks per second of `scan` over consecutive blocks for about `budget`.
fn blocks_per_second(budget: Duration, mut scan: impl FnMut(U256) -> usize) -> (f64, u64, usize) {
    let started = Instant::now();
    let mut blocks = 0u64;
    let mut winners = 0;
    while started.elapsed() < budget || blocks == 0 {
        winners += black_box(scan(U256::from(12_345_678 + blocks)));
        blocks += 1;
    }
    (
        blocks as f64 / started.elapsed().as_secs_f64(),
        blocks,
        winners,
    )
}

fn main() {
    let seconds: u64 = std::env::var("SORTITION_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let budget = Duration::from_secs(seconds);
    let key = SortitionKey::from_be_bytes(&[0x42; 32]).expect("non-zero key");
    let seed = U256::from_be_bytes([0x17; 32]);
    let cutoff = eligibility::score_cutoff(FLARE_SAMPLE_SIZE);
    // Both scans find the same winners.
    for block in 0..4u64 {
        let block = U256::from(block);
        assert_eq!(
            scan_before(&key, seed, block, 512, cutoff),
            scan_after(&key, seed, block, 512, cutoff)
        );
    }
    let _ = G1Affine::generator();
    println!(
        "sortition scan, one core, {seconds} s per figure (blocks/s = scans of one block per second)"
    );
    for weight in [4096, TYPICAL_WEIGHT] {
        let (before, n_before, _) = blocks_per_second(budget, |block| {
            scan_before(&key, seed, block, weight, cutoff)
        });
        let (after, n_after, _) = blocks_per_second(budget, |block| {
            scan_after(&key, seed, block, weight, cutoff)
        });
        println!(
            "weight {weight:>4}: before {before:>8.2} blocks/s ({:>7.2} ms/block, {n_before} blocks), \
             after {after:>8.2} blocks/s ({:>7.2} ms/block, {n_after} blocks), speed-up x{:.2}",
            1000.0 / before,
            1000.0 / after,
            after / before
        );
    }
}
