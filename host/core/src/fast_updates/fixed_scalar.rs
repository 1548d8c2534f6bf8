//! Many points times one fixed scalar: the sortition scan's `gamma = sk·H` for every replicate.
//!
//! The scalar is the sortition key, the same for every replicate of every block, so what depends
//! only on it is computed once: the GLV split `sk ≡ k1 + λ·k2 (mod q)` with `|k1|, |k2| < 2^128`,
//! and the width-5 NAF digits of both halves. Each point then costs about 128 doublings and 43
//! mixed additions (plain double-and-add: 254 doublings and about 127 additions). The table of
//! odd multiples `H, 3H, …, 15H` serves both halves through the endomorphism
//! `φ(x, y) = (β·x, y) = λ·(x, y)`, and the tables and results of a whole batch are normalised to
//! affine with one shared field inversion each.

use ark_bn254::{Fr, G1Affine, G1Projective, g1::Config};
use ark_ec::{AdditiveGroup, CurveGroup, scalar_mul::glv::GLVConfig};
use ark_ff::{BigInteger, PrimeField, Zero};

/// The NAF window: digits are odd and in `(−2^(W−1), 2^(W−1))`.
const WINDOW: usize = 5;

/// Odd multiples `1, 3, …, 2^(W−1) − 1` of a point: one table entry per digit magnitude.
const TABLE_LEN: usize = 1 << (WINDOW - 2);

/// A scalar prepared for multiplying many points.
#[derive(Clone)]
pub struct FixedScalarMul {
    /// NAF digits of `|k1|`, least significant first, padded to the length of `k2_digits`.
    k1_digits: Vec<i8>,
    /// NAF digits of `|k2|`, least significant first, padded to the length of `k1_digits`.
    k2_digits: Vec<i8>,
    /// Whether `k1` is negative.
    k1_negative: bool,
    /// Whether `k2` is negative.
    k2_negative: bool,
}

// The digits are derived from the secret scalar: never print them.
impl std::fmt::Debug for FixedScalarMul {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FixedScalarMul(<redacted>)")
    }
}

impl FixedScalarMul {
    /// Prepares `scalar` (GLV split and NAF digits).
    pub fn new(scalar: &Fr) -> Self {
        let ((k1_positive, k1), (k2_positive, k2)) = Config::scalar_decomposition(*scalar);
        let mut k1_digits = naf_digits(&k1);
        let mut k2_digits = naf_digits(&k2);
        let len = k1_digits.len().max(k2_digits.len());
        k1_digits.resize(len, 0);
        k2_digits.resize(len, 0);
        Self {
            k1_digits,
            k2_digits,
            k1_negative: !k1_positive,
            k2_negative: !k2_positive,
        }
    }

    /// `scalar · point` for every point, in order, as affine points.
    pub fn mul_batch(&self, points: &[G1Affine]) -> Vec<G1Affine> {
        let tables = self.odd_multiple_tables(points);
        let products: Vec<G1Projective> = tables
            .chunks_exact(TABLE_LEN)
            .map(|table| self.mul_with_table(table))
            .collect();
        G1Projective::normalize_batch(&products)
    }

    /// For each point `P`, the affine multiples `±1·P, ±3·P, …` (sign of `k1`), `TABLE_LEN` each.
    fn odd_multiple_tables(&self, points: &[G1Affine]) -> Vec<G1Affine> {
        let mut multiples = Vec::with_capacity(points.len() * TABLE_LEN);
        for point in points {
            let base = if self.k1_negative { -*point } else { *point };
            let double = G1Projective::from(base).double();
            let mut multiple = G1Projective::from(base);
            multiples.push(multiple);
            for _ in 1..TABLE_LEN {
                multiple += double;
                multiples.push(multiple);
            }
        }
        G1Projective::normalize_batch(&multiples)
    }

    /// Interleaved double-and-add over both halves with one point's table.
    fn mul_with_table(&self, k1_table: &[G1Affine]) -> G1Projective {
        // φ(±m·P) = ±m·λ·P: the k2 table is the k1 table under the endomorphism, negated when
        // the two halves have different signs.
        let flip = self.k1_negative != self.k2_negative;
        let mut k2_table = [G1Affine::identity(); TABLE_LEN];
        for (entry, multiple) in k2_table.iter_mut().zip(k1_table) {
            let image = Config::endomorphism_affine(multiple);
            *entry = if flip { -image } else { image };
        }
        let mut acc = G1Projective::zero();
        for (d1, d2) in self.k1_digits.iter().zip(&self.k2_digits).rev() {
            acc.double_in_place();
            add_digit(&mut acc, *d1, k1_table);
            add_digit(&mut acc, *d2, &k2_table);
        }
        acc
    }
}

/// `acc += digit · P` for an odd digit (or nothing for 0), with `table[j] = (2j+1)·P`.
fn add_digit(acc: &mut G1Projective, digit: i8, table: &[G1Affine]) {
    let index = usize::from(digit.unsigned_abs() / 2);
    match (digit.signum(), table.get(index)) {
        (1, Some(multiple)) => *acc += multiple,
        (-1, Some(multiple)) => *acc -= multiple,
        _ => {}
    }
}

/// Width-`WINDOW` NAF digits of a non-negative scalar, least significant first.
fn naf_digits(value: &Fr) -> Vec<i8> {
    // The digits of a width-5 NAF are odd and in (−16, 16): they fit an i8.
    value
        .into_bigint()
        .find_wnaf(WINDOW)
        .unwrap_or_default()
        .into_iter()
        .map(|digit| i8::try_from(digit).unwrap_or(0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fast_updates::{
        curve::{GROUP_ORDER, u256_to_fr_reduced},
        hash_to_g1::sortition_point,
    };
    use alloy_primitives::U256;
    use ark_ec::AffineRepr;
    use proptest::prelude::*;

    fn points(count: u64) -> Vec<G1Affine> {
        (0..count)
            .map(|r| sortition_point(U256::from(5), U256::from(77), U256::from(r)))
            .collect()
    }

    fn check(scalar: Fr) {
        let pts = points(9);
        let fast = FixedScalarMul::new(&scalar).mul_batch(&pts);
        let plain: Vec<G1Affine> = pts.iter().map(|p| (*p * scalar).into_affine()).collect();
        assert_eq!(fast, plain);
    }

    #[test]
    fn matches_plain_multiplication_at_the_edges() {
        for scalar in [
            Fr::from(1u64),
            Fr::from(2u64),
            Fr::from(15u64),
            Fr::from(16u64),
            -Fr::from(1u64),
            u256_to_fr_reduced(GROUP_ORDER - U256::from(2)),
            u256_to_fr_reduced(U256::MAX),
        ] {
            check(scalar);
        }
        // Zero and the empty batch are well defined.
        let zero = FixedScalarMul::new(&Fr::zero()).mul_batch(&points(2));
        assert!(zero.iter().all(|p| p.is_zero()));
        assert!(
            FixedScalarMul::new(&Fr::from(3u64))
                .mul_batch(&[])
                .is_empty()
        );
    }

    #[test]
    fn glv_halves_are_short() {
        let multiplier = FixedScalarMul::new(&u256_to_fr_reduced(U256::MAX >> 2));
        assert!(multiplier.k1_digits.len() <= 130);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn matches_plain_multiplication(bytes in proptest::array::uniform32(any::<u8>())) {
            check(Fr::from_be_bytes_mod_order(&bytes));
        }
    }

    #[test]
    fn generator_multiple_is_right() {
        let product = FixedScalarMul::new(&Fr::from(6u64)).mul_batch(&[G1Affine::generator()]);
        assert_eq!(
            product[0],
            (G1Affine::generator() * Fr::from(6u64)).into_affine()
        );
    }
}
