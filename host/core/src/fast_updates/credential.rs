//! The sortition credential: a Chaum–Pedersen DLEQ proof with a SHA-256 Fiat–Shamir challenge.
//!
//! This is the construction of `Sortition.sol` and the Go client's `VerifiableRandomness`, not
//! RFC 9381 ECVRF. For a ticket `(seed, block, replicate)` with `H = hash_to_g1(…)`:
//! `gamma = sk·H`, `U = k·G`, `V = k·H`,
//! `c = sha256(G ‖ H ‖ pk ‖ gamma ‖ U ‖ V) mod q` over twelve affine words, `s = (k − sk·c) mod q`.
//! The verifier recomputes `U' = c·pk + s·G`, `V' = c·gamma + s·H` and accepts iff the challenge
//! of those equals `c` (as an integer, so `c` must be reduced; `s` is only used as a scalar, so
//! `s + q` is accepted too).

use alloy_primitives::U256;
use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{PrimeField, Zero};
use sha2::{Digest, Sha256};

use super::abi;
use super::curve::{CurveError, PointWords, fr_to_u256, generator, u256_to_fr_reduced};
use super::hash_to_g1::sortition_point;
use super::key::SortitionKey;

/// Length of the ABI encoding of a [`Credential`] (five words).
pub const CREDENTIAL_ABI_LEN: usize = 160;

/// Length of the challenge preimage (twelve words).
pub const CHALLENGE_PREIMAGE_LEN: usize = 384;

/// Why a credential was rejected or could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// The public key is not a valid curve point (the contract reverts without data).
    #[error("public key: {0}")]
    PublicKey(CurveError),
    /// Gamma is not a valid curve point (the contract reverts without data).
    #[error("gamma: {0}")]
    Gamma(CurveError),
    /// The recomputed challenge differs from `c` ("sortition proof invalid").
    #[error("sortition proof invalid")]
    ProofInvalid,
    /// The encoded credential is not exactly five words.
    #[error("credential encoding must be {CREDENTIAL_ABI_LEN} bytes, got {0}")]
    Length(usize),
}

/// A `SortitionCredential` as `submitUpdates` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Credential {
    /// The replicate (ticket number) below the provider's weight.
    pub replicate: U256,
    /// The VRF output `sk·H`; `gamma.x` is the lottery score.
    pub gamma: PointWords,
    /// The challenge, reduced modulo `q`.
    pub c: U256,
    /// The response `(k − sk·c) mod q`.
    pub s: U256,
}

impl Credential {
    /// The ABI encoding of the static tuple: `replicate ‖ gamma.x ‖ gamma.y ‖ c ‖ s`.
    pub fn abi_encode(&self) -> [u8; CREDENTIAL_ABI_LEN] {
        let mut out = [0u8; CREDENTIAL_ABI_LEN];
        for (slot, word) in out.chunks_exact_mut(32).zip([
            self.replicate,
            self.gamma.x,
            self.gamma.y,
            self.c,
            self.s,
        ]) {
            slot.copy_from_slice(&word.to_be_bytes::<32>());
        }
        out
    }

    /// Decodes the five-word ABI encoding. Any 160 bytes decode (values are checked by
    /// [`verify`], not here); other lengths are an error.
    pub fn abi_decode(bytes: &[u8]) -> Result<Self, CredentialError> {
        if bytes.len() != CREDENTIAL_ABI_LEN {
            return Err(CredentialError::Length(bytes.len()));
        }
        let mut words = bytes.chunks_exact(32).map(U256::from_be_slice);
        let mut next = || words.next().unwrap_or_default();
        Ok(Self {
            replicate: next(),
            gamma: PointWords {
                x: next(),
                y: next(),
            },
            c: next(),
            s: next(),
        })
    }

    /// The credential as the generated Solidity struct.
    pub fn to_sol(&self) -> abi::SortitionCredential {
        abi::SortitionCredential {
            replicate: self.replicate,
            gamma: abi::G1Point {
                x: self.gamma.x,
                y: self.gamma.y,
            },
            c: self.c,
            s: self.s,
        }
    }

    /// The credential from the generated Solidity struct.
    pub fn from_sol(value: &abi::SortitionCredential) -> Self {
        Self {
            replicate: value.replicate,
            gamma: PointWords {
                x: value.gamma.x,
                y: value.gamma.y,
            },
            c: value.c,
            s: value.s,
        }
    }
}

/// A proof with its transcript (for tests and diagnostics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    /// `H = hash_to_g1(abi.encode(seed, block, replicate))`.
    pub h: PointWords,
    /// `U = k·G`.
    pub u: PointWords,
    /// `V = k·H`.
    pub v: PointWords,
    /// The twelve words hashed for the challenge.
    pub challenge_preimage: [u8; CHALLENGE_PREIMAGE_LEN],
    /// The credential to submit.
    pub credential: Credential,
}

/// A proof nonce from 64 uniformly random bytes (reduced modulo `q`; the bias is negligible).
///
/// The production caller fills the bytes from a CSPRNG; the result is never zero in practice.
pub fn nonce_from_random_bytes(bytes: &[u8; 64]) -> Fr {
    Fr::from_be_bytes_mod_order(bytes)
}

/// Draws a non-zero proof or signature nonce: `fill_random` must fill the buffer from a CSPRNG
/// (it is called again in the negligible case that the bytes reduce to zero).
pub fn draw_nonce(mut fill_random: impl FnMut(&mut [u8; 64])) -> Fr {
    loop {
        let mut bytes = [0u8; 64];
        fill_random(&mut bytes);
        let nonce = nonce_from_random_bytes(&bytes);
        if !nonce.is_zero() {
            return nonce;
        }
    }
}

/// Proves a ticket with a fresh nonce from `fill_random` (a CSPRNG; see [`draw_nonce`]).
pub fn prove(
    key: &SortitionKey,
    seed: U256,
    block: U256,
    replicate: U256,
    fill_random: impl FnMut(&mut [u8; 64]),
) -> Proof {
    prove_with_nonce(key, seed, block, replicate, &draw_nonce(fill_random))
}

/// `gamma = sk·H(seed, block, replicate)`: the lottery score without the proof (one scalar
/// multiplication), enough to decide whether a ticket wins before proving it.
pub fn gamma(key: &SortitionKey, seed: U256, block: U256, replicate: U256) -> G1Affine {
    (sortition_point(seed, block, replicate) * key.secret()).into_affine()
}

/// Proves ticket `(seed, block, replicate)` with the nonce `k` (the Go client draws `k`
/// uniformly; inject it for reproducible output).
pub fn prove_with_nonce(
    key: &SortitionKey,
    seed: U256,
    block: U256,
    replicate: U256,
    k: &Fr,
) -> Proof {
    let h = sortition_point(seed, block, replicate);
    let gamma = (h * key.secret()).into_affine();
    prove_with_points(key, replicate, &h, &gamma, k)
}

/// Proves a ticket whose `H` and `gamma` are already known (see [`gamma`]).
pub fn prove_with_points(
    key: &SortitionKey,
    replicate: U256,
    h: &G1Affine,
    gamma: &G1Affine,
    k: &Fr,
) -> Proof {
    let u = PointWords::from_affine(&(generator() * k).into_affine());
    let v = PointWords::from_affine(&(*h * k).into_affine());
    let h = PointWords::from_affine(h);
    let gamma = PointWords::from_affine(gamma);
    let challenge_preimage = challenge_preimage(&h, &key.public_words(), &gamma, &u, &v);
    let c = challenge(&challenge_preimage);
    let s = *k - *key.secret() * c;
    Proof {
        h,
        u,
        v,
        challenge_preimage,
        credential: Credential {
            replicate,
            gamma,
            c: fr_to_u256(&c),
            s: fr_to_u256(&s),
        },
    }
}

/// The challenge preimage `G ‖ H ‖ pk ‖ gamma ‖ U ‖ V` (twelve big-endian words).
pub fn challenge_preimage(
    h: &PointWords,
    public_key: &PointWords,
    gamma: &PointWords,
    u: &PointWords,
    v: &PointWords,
) -> [u8; CHALLENGE_PREIMAGE_LEN] {
    let mut out = [0u8; CHALLENGE_PREIMAGE_LEN];
    let g = PointWords::from_affine(&generator());
    for (slot, point) in out
        .chunks_exact_mut(64)
        .zip([g, *h, *public_key, *gamma, *u, *v])
    {
        slot.copy_from_slice(&point.to_bytes());
    }
    out
}

/// `sha256(preimage) mod q`.
pub fn challenge(preimage: &[u8]) -> Fr {
    Fr::from_be_bytes_mod_order(&Sha256::digest(preimage))
}

/// Verifies a credential exactly as `Sortition.verifySortitionProof` does (without the weight
/// and cutoff checks, see [`super::eligibility`]).
pub fn verify(
    public_key: &PointWords,
    seed: U256,
    block: U256,
    credential: &Credential,
) -> Result<(), CredentialError> {
    let pk = public_key.to_affine().map_err(CredentialError::PublicKey)?;
    let gamma = credential
        .gamma
        .to_affine()
        .map_err(CredentialError::Gamma)?;
    let c = u256_to_fr_reduced(credential.c);
    let s = u256_to_fr_reduced(credential.s);
    let h = sortition_point(seed, block, credential.replicate);
    let u = affine_words(pk * c + generator() * s);
    let v = affine_words(gamma * c + h * s);
    let preimage = challenge_preimage(
        &PointWords::from_affine(&h),
        public_key,
        &credential.gamma,
        &u,
        &v,
    );
    if fr_to_u256(&challenge(&preimage)) == credential.c {
        Ok(())
    } else {
        Err(CredentialError::ProofInvalid)
    }
}

fn affine_words(point: G1Projective) -> PointWords {
    let affine = point.into_affine();
    if affine.is_zero() {
        PointWords::default()
    } else {
        PointWords::from_affine(&affine)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_sol_types::SolValue;

    fn word(hex: &str) -> U256 {
        U256::from_str_radix(hex.trim_start_matches("0x"), 16).unwrap()
    }

    fn worked_example() -> (SortitionKey, U256, Proof) {
        let key = SortitionKey::parse(
            "0x01512de600a10a0aac01580dbfc080965b89ed2329a7b2bf538f4c7e09e34aa1",
        )
        .unwrap();
        let seed = word("0x2c7b6f1e4f2d3a1b0c9d8e7f6a5b4c3d2e1f00112233445566778899aabbccdd");
        let k = u256_to_fr_reduced(word(
            "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ));
        let proof = prove_with_nonce(&key, seed, U256::from(12_345_678), U256::from(7), &k);
        (key, seed, proof)
    }

    #[test]
    fn worked_example_b_matches_the_reference() {
        let (key, seed, proof) = worked_example();
        let cred = proof.credential;
        assert_eq!(
            cred.c,
            word("0x065a9d7e39d461dfb145332f7364fca66355eec4bc997f423ee07e7e0804c8a4")
        );
        assert_eq!(
            cred.s,
            word("0x1f35154f0b96c745bf548b49382c0a2cfc477a1681fa94e6b5752dcade22715a")
        );
        assert_eq!(
            verify(&key.public_words(), seed, U256::from(12_345_678), &cred),
            Ok(())
        );
        assert_eq!(cred.abi_encode().to_vec(), cred.to_sol().abi_encode());
        assert_eq!(Credential::abi_decode(&cred.abi_encode()), Ok(cred));
    }

    #[test]
    fn drawn_nonces_skip_zero_and_prove() {
        let (key, seed, _) = worked_example();
        let mut calls = 0;
        let nonce = draw_nonce(|bytes| {
            calls += 1;
            if calls > 1 {
                bytes.fill(0x33);
            }
        });
        assert_eq!(calls, 2);
        assert!(!nonce.is_zero());
        let proof = prove(&key, seed, U256::from(1), U256::from(2), |b| b.fill(0x44));
        let credential = proof.credential;
        assert_eq!(
            verify(&key.public_words(), seed, U256::from(1), &credential),
            Ok(())
        );
    }

    #[test]
    fn tampered_credentials_are_rejected_but_s_plus_q_is_accepted() {
        let (key, seed, proof) = worked_example();
        let pk = key.public_words();
        let block = U256::from(12_345_678);
        let cred = proof.credential;
        let bump_s = Credential {
            s: cred.s + U256::from(1),
            ..cred
        };
        assert_eq!(
            verify(&pk, seed, block, &bump_s),
            Err(CredentialError::ProofInvalid)
        );
        let c_plus_q = Credential {
            c: cred.c + super::super::curve::GROUP_ORDER,
            ..cred
        };
        assert_eq!(
            verify(&pk, seed, block, &c_plus_q),
            Err(CredentialError::ProofInvalid)
        );
        let s_plus_q = Credential {
            s: cred.s + super::super::curve::GROUP_ORDER,
            ..cred
        };
        assert_eq!(verify(&pk, seed, block, &s_plus_q), Ok(()));
        let off_curve = Credential {
            gamma: PointWords {
                x: cred.gamma.x,
                y: cred.gamma.y + U256::from(1),
            },
            ..cred
        };
        assert_eq!(
            verify(&pk, seed, block, &off_curve),
            Err(CredentialError::Gamma(CurveError::NotOnCurve))
        );
        assert_eq!(
            Credential::abi_decode(&[0u8; 3]),
            Err(CredentialError::Length(3))
        );
    }
}
