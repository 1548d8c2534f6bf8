//! Hash-to-G1 of the `Bn256.g1HashToPoint` library: try-and-increment with the principal root.
//!
//! `x = uint256(sha256(m)) mod p`; while `x³ + 3` is zero or not a quadratic residue (Euler's
//! criterion), `x += 1`; then `y = (x³ + 3)^((p+1)/4)`. The root is never normalised (not even,
//! not smaller): a different root gives a different `gamma` and the contract rejects the proof.

use alloy_primitives::U256;
use ark_bn254::{Fq, G1Affine};
use ark_ff::{Field, One, PrimeField, Zero};
use sha2::{Digest, Sha256};

use super::curve::FIELD_MODULUS;

/// The 96-byte sortition message `abi.encode(uint256 seed, uint256 block, uint256 replicate)`.
pub fn sortition_message(seed: U256, block: U256, replicate: U256) -> [u8; 96] {
    let mut message = [0u8; 96];
    message[..32].copy_from_slice(&seed.to_be_bytes::<32>());
    message[32..64].copy_from_slice(&block.to_be_bytes::<32>());
    message[64..].copy_from_slice(&replicate.to_be_bytes::<32>());
    message
}

/// A hashed point with how it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashedPoint {
    /// The point on the curve.
    pub point: G1Affine,
    /// How many times `x` was incremented before `x³ + 3` had a square root.
    pub increments: u32,
}

/// `(p + 1) / 4`: the exponent of the principal square root for `p ≡ 3 (mod 4)`.
fn sqrt_exponent() -> [u64; 4] {
    let exponent: U256 = (FIELD_MODULUS + U256::from(1)) >> 2;
    exponent.into_limbs()
}

/// Maps an arbitrary message to G1 exactly as `Bn256.g1HashToPoint` does.
pub fn hash_to_g1_detailed(message: &[u8]) -> HashedPoint {
    let digest = Sha256::digest(message);
    let mut x = Fq::from_be_bytes_mod_order(&digest);
    let exponent = sqrt_exponent();
    let three = Fq::from(3u64);
    let mut increments = 0u32;
    loop {
        let y_squared = x.square() * x + three;
        if !y_squared.is_zero() {
            // For y² ≠ 0, Euler's criterion y²^((p−1)/2) = 1 holds exactly when the candidate
            // root r = y²^((p+1)/4) satisfies r² = y² (otherwise r² = −y²): one exponentiation
            // decides both, and r is the principal root the contract returns.
            let root = y_squared.pow(exponent);
            if root.square() == y_squared {
                return HashedPoint {
                    point: G1Affine::new_unchecked(x, root),
                    increments,
                };
            }
        }
        x += Fq::one();
        increments = increments.saturating_add(1);
    }
}

/// Maps an arbitrary message to G1 exactly as `Bn256.g1HashToPoint` does.
pub fn hash_to_g1(message: &[u8]) -> G1Affine {
    hash_to_g1_detailed(message).point
}

/// The sortition point `H(seed, block, replicate)`.
pub fn sortition_point(seed: U256, block: U256, replicate: U256) -> G1Affine {
    hash_to_g1(&sortition_message(seed, block, replicate))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fast_updates::curve::PointWords;

    fn word(hex: &str) -> U256 {
        U256::from_str_radix(hex.trim_start_matches("0x"), 16).unwrap()
    }

    #[test]
    fn all_zero_message_needs_no_increment() {
        let hashed = hash_to_g1_detailed(&sortition_message(U256::ZERO, U256::ZERO, U256::ZERO));
        assert_eq!(hashed.increments, 0);
        let words = PointWords::from_affine(&hashed.point);
        assert_eq!(
            words.x,
            word("0x2ea9ab9198d1638007400cd2c3bef1cc745b864b76011a0e1bc52180ac6452d4")
        );
        assert_eq!(
            words.y,
            word("0x0456849d112b09b973d8f75ca0df0fde56dd005c0f248076b8787423030e72ad")
        );
        assert!(hashed.point.is_on_curve());
    }

    #[test]
    fn digest_above_p_is_reduced_and_three_increments_are_counted() {
        let seed = word("0x2c7b6f1e4f2d3a1b0c9d8e7f6a5b4c3d2e1f00112233445566778899aabbccdd");
        let hashed =
            hash_to_g1_detailed(&sortition_message(seed, U256::from(12_345_678), U256::ZERO));
        assert_eq!(hashed.increments, 3);
        let words = PointWords::from_affine(&hashed.point);
        assert_eq!(
            words.y,
            word("0x10bdc0e5f6cac465feca1f151fd0c104fecc0c0721f21dfc1b53ef0ca893471e")
        );
        let reduced = sortition_point(U256::from(1), U256::from(2), U256::from(3));
        assert_eq!(
            PointWords::from_affine(&reduced).x,
            word("0x05d507f3dd4d0f02583514b14e53d8828a19e61e34f0cdab54540774d1ed8069")
        );
    }
}
