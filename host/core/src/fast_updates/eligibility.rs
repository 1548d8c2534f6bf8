//! Who may submit for a block: sortition weight, the client's replicate limit, the score cutoff,
//! and the scan over a provider's replicates.

use std::ops::Range;

use alloy_primitives::U256;
use ark_bn254::G1Affine;
use ark_ec::AffineRepr;

use super::credential::{self, Credential, CredentialError};
use super::curve::{FIELD_MODULUS, PointWords, fq_to_u256};
use super::fixed_scalar::FixedScalarMul;
use super::hash_to_g1::sortition_point;
use super::key::SortitionKey;

/// `1 << VIRTUAL_PROVIDER_BITS`: the total number of tickets per block over all providers.
pub const VIRTUAL_PROVIDERS: u64 = 4096;

/// The client's default replicate cap (`max_weight = 0` means this).
pub const DEFAULT_MAX_WEIGHT: u64 = 4096;

/// Why a ticket is not accepted, in the order `FastUpdater` checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EligibilityError {
    /// `normalisedWeightsSum` is zero (the contract's mulDivRoundUp reverts).
    #[error("normalised weight sum is zero")]
    ZeroWeightSum,
    /// "Credential's replicate value is not less than provider's weight".
    #[error("credential's replicate value is not less than provider's weight")]
    ReplicateNotBelowWeight,
    /// A point is invalid or the proof does not verify.
    #[error(transparent)]
    Credential(#[from] CredentialError),
    /// The proof is valid but `gamma.x` exceeds the cutoff (also "sortition proof invalid").
    #[error("sortition score above the block's cutoff")]
    AboveCutoff,
}

/// `FastUpdater.currentSortitionWeight`: `ceil(normW · 4096 / normSum)`.
pub fn sortition_weight(
    normalised_weight: u16,
    normalised_weights_sum: u16,
) -> Result<u64, EligibilityError> {
    if normalised_weights_sum == 0 {
        return Err(EligibilityError::ZeroWeightSum);
    }
    let numerator = u64::from(normalised_weight) * VIRTUAL_PROVIDERS;
    Ok(numerator.div_ceil(u64::from(normalised_weights_sum)))
}

/// The replicates the client tries: `min(weight, max_weight)`, with `max_weight = 0` meaning 4096.
pub fn replicate_limit(weight: u64, max_weight: u64) -> u64 {
    let cap = if max_weight == 0 {
        DEFAULT_MAX_WEIGHT
    } else {
        max_weight
    };
    weight.min(cap)
}

/// `FastUpdater._currentScoreCutoff` for an expected sample size `E` (8x120 fixed point):
/// `p · E / 2^132` computed in three 124-bit limbs of `p` (about a win chance of `E/4096`).
pub fn score_cutoff(expected_sample_size: u128) -> U256 {
    let mask = (U256::from(1) << 124) - U256::from(1);
    let small = FIELD_MODULUS & mask;
    let medium = (FIELD_MODULUS >> 124) & mask;
    let big = FIELD_MODULUS >> 248;
    let e = U256::from(expected_sample_size);
    // No term can overflow: big < 2^6, medium and small < 2^124, e < 2^128.
    ((big * e) << 116) + ((medium * e) >> 8) + ((small * e) >> 132)
}

/// Whether a score wins: `gamma.x ≤ cutoff` (the contract's `<=`).
pub fn wins(gamma_x: U256, cutoff: U256) -> bool {
    gamma_x <= cutoff
}

/// Checks a ticket the way `submitUpdates` does: replicate below weight, then the proof, then
/// the cutoff.
pub fn check_ticket(
    public_key: &PointWords,
    seed: U256,
    block: U256,
    credential: &Credential,
    weight: u64,
    cutoff: U256,
) -> Result<(), EligibilityError> {
    if credential.replicate >= U256::from(weight) {
        return Err(EligibilityError::ReplicateNotBelowWeight);
    }
    credential::verify(public_key, seed, block, credential)?;
    if wins(credential.gamma.x, cutoff) {
        Ok(())
    } else {
        Err(EligibilityError::AboveCutoff)
    }
}

/// A winning ticket found by [`winning_tickets`], ready to be proved with
/// [`credential::prove_with_points`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WinningTicket {
    /// The replicate.
    pub replicate: u64,
    /// `H(seed, block, replicate)`.
    pub h: G1Affine,
    /// `gamma = sk·H`.
    pub gamma: G1Affine,
}

impl WinningTicket {
    /// The score `gamma.x`.
    pub fn gamma_x(&self) -> U256 {
        PointWords::from_affine(&self.gamma).x
    }
}

/// How many replicates share one batch normalisation.
const BATCH: usize = 128;

/// Every replicate in `replicates` whose score `gamma.x` is at most `cutoff`, ascending.
///
/// Computes only `gamma` (one scalar multiplication per replicate, with the key prepared once
/// by [`FixedScalarMul`]), not the proof. Callers that want parallelism split the range.
pub fn winning_tickets(
    key: &SortitionKey,
    seed: U256,
    block: U256,
    replicates: Range<u64>,
    cutoff: U256,
) -> Vec<WinningTicket> {
    let multiplier = FixedScalarMul::new(key.secret());
    let mut winners = Vec::new();
    let mut hs: Vec<G1Affine> = Vec::with_capacity(BATCH);
    let mut start = replicates.start;
    while start < replicates.end {
        let end = replicates.end.min(start.saturating_add(BATCH as u64));
        hs.clear();
        hs.extend(
            (start..end).map(|replicate| sortition_point(seed, block, U256::from(replicate))),
        );
        let gammas = multiplier.mul_batch(&hs);
        for ((replicate, h), gamma) in (start..end).zip(&hs).zip(gammas) {
            // gamma is never infinity (sk ≠ 0 and H has prime order), so x is its score.
            let x = gamma.x().map(|x| fq_to_u256(&x)).unwrap_or(U256::MAX);
            if wins(x, cutoff) {
                winners.push(WinningTicket {
                    replicate,
                    h: *h,
                    gamma,
                });
            }
        }
        start = end;
    }
    winners
}

/// Scans `replicates` and proves every winner with a fresh nonce from `fill_random` (a CSPRNG):
/// the credentials to submit for `block`, by ascending replicate.
pub fn prove_winning_tickets(
    key: &SortitionKey,
    seed: U256,
    block: U256,
    replicates: Range<u64>,
    cutoff: U256,
    mut fill_random: impl FnMut(&mut [u8; 64]),
) -> Vec<Credential> {
    winning_tickets(key, seed, block, replicates, cutoff)
        .iter()
        .map(|ticket| {
            let k = credential::draw_nonce(&mut fill_random);
            credential::prove_with_points(
                key,
                U256::from(ticket.replicate),
                &ticket.h,
                &ticket.gamma,
                &k,
            )
            .credential
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_round_up() {
        assert_eq!(sortition_weight(1000, 65535), Ok(63));
        assert_eq!(sortition_weight(6553, 65500), Ok(410));
        assert_eq!(sortition_weight(1, 60000), Ok(1));
        assert_eq!(sortition_weight(300, 65535), Ok(19));
        assert_eq!(sortition_weight(0, 65535), Ok(0));
        assert_eq!(sortition_weight(1, 0), Err(EligibilityError::ZeroWeightSum));
    }

    #[test]
    fn proved_winners_verify_and_pass_the_ticket_check() {
        let key = SortitionKey::from_be_bytes(&[7; 32]).unwrap();
        let seed = U256::from(99);
        let block = U256::from(1234);
        // A wide cutoff (the largest sample size, ~256 ⇒ ~1/16 of tickets win) keeps the test small.
        let cutoff = score_cutoff(u128::MAX);
        let winners = winning_tickets(&key, seed, block, 0..64, cutoff);
        let proved = prove_winning_tickets(&key, seed, block, 0..64, cutoff, |b| b.fill(9));
        assert!(!proved.is_empty());
        assert_eq!(winners.len(), proved.len());
        for (ticket, credential) in winners.iter().zip(&proved) {
            assert_eq!(credential.replicate, U256::from(ticket.replicate));
            assert_eq!(credential.gamma.x, ticket.gamma_x());
            let pk = key.public_words();
            assert_eq!(
                check_ticket(&pk, seed, block, credential, 64, cutoff),
                Ok(())
            );
        }
    }

    #[test]
    fn replicate_limit_uses_4096_for_zero() {
        assert_eq!(replicate_limit(4096, 0), 4096);
        assert_eq!(replicate_limit(4096, 512), 512);
        assert_eq!(replicate_limit(63, 512), 63);
    }

    #[test]
    fn cutoffs_match_the_reference_table() {
        let one = 1u128 << 120;
        assert_eq!(
            score_cutoff(one).to_string(),
            "5343809294882635552306251402650701925951247841137163980148690892247369679"
        );
        assert_eq!(
            score_cutoff(one + one / 2).to_string(),
            "8015713942323953328459377103976052888926871761705745970223036338371054519"
        );
        assert_eq!(
            score_cutoff(2 * one).to_string(),
            "10687618589765271104612502805301403851902495682274327960297381784494739359"
        );
        // The largest sample size does not overflow.
        assert!(score_cutoff(u128::MAX) > score_cutoff(2 * one));
    }
}
