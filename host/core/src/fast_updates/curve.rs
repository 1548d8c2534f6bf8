//! BN254 (alt_bn128) G1 as the EVM precompiles see it: affine points as two big-endian words.
//!
//! The contract hands points around as `(uint256 x, uint256 y)`, canonical (each `< p`), with the
//! point at infinity written `(0, 0)`. Scalars are arbitrary `uint256`s that `ecMul` reduces
//! modulo the group order `q`. These helpers convert between that view and arkworks types.

use alloy_primitives::U256;
use ark_bn254::{Fq, Fr, G1Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, PrimeField};

/// The base-field modulus `p` of BN254.
pub const FIELD_MODULUS: U256 = U256::from_limbs([
    0x3c20_8c16_d87c_fd47,
    0x9781_6a91_6871_ca8d,
    0xb850_45b6_8181_585d,
    0x3064_4e72_e131_a029,
]);

/// The order `q` of the BN254 G1 group (the scalar-field modulus).
pub const GROUP_ORDER: U256 = U256::from_limbs([
    0x43e1_f593_f000_0001,
    0x2833_e848_79b9_7091,
    0xb850_45b6_8181_585d,
    0x3064_4e72_e131_a029,
]);

/// Why bytes or words are not a usable G1 point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CurveError {
    /// A coordinate is `≥ p`: the precompiles reject it.
    #[error("point coordinate is not below the field modulus")]
    CoordinateOutOfRange,
    /// The words do not satisfy `y² = x³ + 3` (this includes `(0, 0)`).
    #[error("point is not on the curve")]
    NotOnCurve,
}

/// An affine G1 point as the contract stores it: two 256-bit words, `(0, 0)` for infinity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PointWords {
    /// The x coordinate.
    pub x: U256,
    /// The y coordinate.
    pub y: U256,
}

impl PointWords {
    /// The words of an arkworks point (canonical, not Montgomery; infinity is `(0, 0)`).
    pub fn from_affine(point: &G1Affine) -> Self {
        match point.xy() {
            Some((x, y)) => Self {
                x: fq_to_u256(&x),
                y: fq_to_u256(&y),
            },
            None => Self::default(),
        }
    }

    /// The point, if both words are canonical and satisfy the curve equation.
    ///
    /// `(0, 0)` is rejected: the contract's `isG1PointOnCurve` check fails for it.
    pub fn to_affine(&self) -> Result<G1Affine, CurveError> {
        // arkworks reads (0, 0) as the point at infinity; the contract's curve check rejects it.
        if self.x.is_zero() && self.y.is_zero() {
            return Err(CurveError::NotOnCurve);
        }
        let x = u256_to_fq(self.x).ok_or(CurveError::CoordinateOutOfRange)?;
        let y = u256_to_fq(self.y).ok_or(CurveError::CoordinateOutOfRange)?;
        let point = G1Affine::new_unchecked(x, y);
        // BN254 G1 has cofactor 1: being on the curve is being in the group.
        if point.is_on_curve() {
            Ok(point)
        } else {
            Err(CurveError::NotOnCurve)
        }
    }

    /// The 64 bytes `x ‖ y`, big-endian.
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&self.x.to_be_bytes::<32>());
        out[32..].copy_from_slice(&self.y.to_be_bytes::<32>());
        out
    }
}

/// A base-field element as a canonical big-endian word.
pub fn fq_to_u256(value: &Fq) -> U256 {
    U256::from_limbs(value.into_bigint().0)
}

/// A word as a base-field element, if it is below `p`.
pub fn u256_to_fq(value: U256) -> Option<Fq> {
    Fq::from_bigint(BigInt(value.into_limbs()))
}

/// A scalar as a canonical big-endian word.
pub fn fr_to_u256(value: &Fr) -> U256 {
    U256::from_limbs(value.into_bigint().0)
}

/// A word as a scalar, reduced modulo `q` (what `ecMul` does with its scalar).
pub fn u256_to_fr_reduced(value: U256) -> Fr {
    Fr::from_be_bytes_mod_order(&value.to_be_bytes::<32>())
}

/// The generator `G = (1, 2)` the contract uses.
pub fn generator() -> G1Affine {
    G1Affine::generator()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::CurveGroup;
    use ark_ff::{Field, One};

    #[test]
    fn constants_match_arkworks_moduli() {
        assert_eq!(FIELD_MODULUS, U256::from_limbs(Fq::MODULUS.0));
        assert_eq!(GROUP_ORDER, U256::from_limbs(Fr::MODULUS.0));
    }

    #[test]
    fn generator_is_one_two() {
        let g = PointWords::from_affine(&generator());
        assert_eq!(g.x, U256::from(1));
        assert_eq!(g.y, U256::from(2));
        assert_eq!(g.to_affine(), Ok(generator()));
    }

    #[test]
    fn doubling_the_generator_matches_the_reference() {
        let two_g = (generator() + generator()).into_affine();
        let words = PointWords::from_affine(&two_g);
        let want_x: U256 =
            "1368015179489954701390400359078579693043519447331113978918064868415326638035"
                .parse()
                .unwrap();
        let want_y: U256 =
            "9918110051302171585080402603319702774565515993150576347155970296011118125764"
                .parse()
                .unwrap();
        assert_eq!((words.x, words.y), (want_x, want_y));
    }

    #[test]
    fn rejects_out_of_range_and_off_curve_words() {
        let g = PointWords::from_affine(&generator());
        let shifted = PointWords {
            x: g.x + FIELD_MODULUS,
            y: g.y,
        };
        assert_eq!(shifted.to_affine(), Err(CurveError::CoordinateOutOfRange));
        let off = PointWords {
            x: g.x,
            y: g.y + U256::from(1),
        };
        assert_eq!(off.to_affine(), Err(CurveError::NotOnCurve));
        assert_eq!(
            PointWords::default().to_affine(),
            Err(CurveError::NotOnCurve)
        );
        assert_eq!(
            PointWords::from_affine(&G1Affine::identity()),
            PointWords::default()
        );
        assert!(Fq::one().square().is_one());
    }

    #[test]
    fn scalars_reduce_modulo_the_group_order() {
        assert_eq!(
            u256_to_fr_reduced(GROUP_ORDER + U256::from(5)),
            Fr::from(5u64)
        );
    }
}
