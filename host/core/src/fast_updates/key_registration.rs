//! Registering the sortition public key: the Schnorr signature `FastUpdater.verifyPublicKey`
//! checks when `EntityManager.registerPublicKey` is called from the identity address.
//!
//! `m = sha256(identity address, 20 raw bytes)`, `R = k·G`,
//! `e = keccak256(pk.x ‖ pk.y ‖ m ‖ R.x ‖ R.y)` (keccak here, unlike the VRF's sha256),
//! `s = (k − sk·e) mod q`; the contract accepts iff `s·G + (e mod q)·pk = R`.
//! `verificationData = abi.encode(uint256 s, uint256 R.x, uint256 R.y)`.

use alloy_primitives::{Address, B256, U256, keccak256};
use alloy_sol_types::SolCall;
use ark_bn254::Fr;
use ark_ec::CurveGroup;
use sha2::{Digest, Sha256};

use super::abi;
use super::credential::draw_nonce;
use super::curve::{CurveError, PointWords, fr_to_u256, generator, u256_to_fr_reduced};
use super::key::SortitionKey;

/// Length of `verificationData`.
pub const VERIFICATION_DATA_LEN: usize = 96;

/// Length of the Schnorr challenge preimage (five words).
pub const CHALLENGE_PREIMAGE_LEN: usize = 160;

/// Why a registration signature is rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    /// `verificationData` is shorter than three words.
    #[error("verification data must be at least {VERIFICATION_DATA_LEN} bytes, got {0}")]
    Length(usize),
    /// The public key is not a valid curve point (revert without data).
    #[error("public key: {0}")]
    PublicKey(CurveError),
    /// `R` is not a valid curve point (revert without data).
    #[error("signature point: {0}")]
    SignaturePoint(CurveError),
    /// `s·G + e·pk ≠ R` ("public key verification error").
    #[error("public key verification error")]
    VerificationFailed,
}

/// A registration signature with its transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The public key `(part1, part2)`.
    pub public_key: PointWords,
    /// `sha256(identity address)`.
    pub message: B256,
    /// `R = k·G`.
    pub r: PointWords,
    /// The five words hashed for the challenge.
    pub challenge_preimage: [u8; CHALLENGE_PREIMAGE_LEN],
    /// `keccak256(challenge_preimage)` as an integer, not reduced.
    pub e: U256,
    /// `(k − sk·e) mod q`.
    pub s: U256,
}

impl Registration {
    /// `abi.encode(s, R.x, R.y)`: the `verificationData` argument (and the keygen output).
    pub fn verification_data(&self) -> [u8; VERIFICATION_DATA_LEN] {
        let mut out = [0u8; VERIFICATION_DATA_LEN];
        out[..32].copy_from_slice(&self.s.to_be_bytes::<32>());
        out[32..].copy_from_slice(&self.r.to_bytes());
        out
    }

    /// The `registerPublicKey(bytes32, bytes32, bytes)` calldata.
    pub fn calldata(&self) -> Vec<u8> {
        abi::registerPublicKeyCall {
            _part1: B256::from(self.public_key.x),
            _part2: B256::from(self.public_key.y),
            _verificationData: self.verification_data().to_vec().into(),
        }
        .abi_encode()
    }
}

/// `sha256` of the 20 raw address bytes.
pub fn registration_message(identity: &Address) -> B256 {
    B256::from_slice(&Sha256::digest(identity.as_slice()))
}

/// `pk.x ‖ pk.y ‖ m ‖ R.x ‖ R.y`.
pub fn challenge_preimage(
    public_key: &PointWords,
    message: &B256,
    r: &PointWords,
) -> [u8; CHALLENGE_PREIMAGE_LEN] {
    let mut out = [0u8; CHALLENGE_PREIMAGE_LEN];
    out[..64].copy_from_slice(&public_key.to_bytes());
    out[64..96].copy_from_slice(message.as_slice());
    out[96..].copy_from_slice(&r.to_bytes());
    out
}

/// Signs the identity address with nonce `k` (random in the Go keygen; inject it for tests).
pub fn sign_with_nonce(key: &SortitionKey, identity: &Address, k: &Fr) -> Registration {
    let public_key = key.public_words();
    let message = registration_message(identity);
    let r = PointWords::from_affine(&(generator() * k).into_affine());
    let challenge_preimage = challenge_preimage(&public_key, &message, &r);
    let e = U256::from_be_bytes(keccak256(challenge_preimage).0);
    let s = *k - *key.secret() * u256_to_fr_reduced(e);
    Registration {
        public_key,
        message,
        r,
        challenge_preimage,
        e,
        s: fr_to_u256(&s),
    }
}

/// Signs the identity address with a fresh nonce from `fill_random` (a CSPRNG).
pub fn sign(
    key: &SortitionKey,
    identity: &Address,
    fill_random: impl FnMut(&mut [u8; 64]),
) -> Registration {
    sign_with_nonce(key, identity, &draw_nonce(fill_random))
}

/// Verifies `verificationData` for `public_key` and `identity` as `FastUpdater.verifyPublicKey`
/// does. Bytes beyond the three words are ignored, as `abi.decode` does.
pub fn verify(
    public_key: &PointWords,
    identity: &Address,
    verification_data: &[u8],
) -> Result<(), RegistrationError> {
    let words = verification_data
        .get(..VERIFICATION_DATA_LEN)
        .ok_or(RegistrationError::Length(verification_data.len()))?;
    let s = U256::from_be_slice(&words[..32]);
    let r = PointWords {
        x: U256::from_be_slice(&words[32..64]),
        y: U256::from_be_slice(&words[64..96]),
    };
    let pk = public_key
        .to_affine()
        .map_err(RegistrationError::PublicKey)?;
    let _on_curve = r.to_affine().map_err(RegistrationError::SignaturePoint)?;
    let message = registration_message(identity);
    let e = keccak256(challenge_preimage(public_key, &message, &r));
    let e = u256_to_fr_reduced(U256::from_be_bytes(e.0));
    let check = (generator() * u256_to_fr_reduced(s) + pk * e).into_affine();
    if PointWords::from_affine(&check) == r {
        Ok(())
    } else {
        Err(RegistrationError::VerificationFailed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_key_registration_matches_the_reference() {
        let key = SortitionKey::parse(
            "0x01512de600a10a0aac01580dbfc080965b89ed2329a7b2bf538f4c7e09e34aa1",
        )
        .unwrap();
        let identity: Address = "0xd4e934C2749CA8C1618659D02E7B28B074bf4df7"
            .parse()
            .unwrap();
        let k = u256_to_fr_reduced(
            "0x0fedcba9876543210fedcba9876543210fedcba9876543210fedcba987654321"
                .parse()
                .unwrap(),
        );
        let reg = sign_with_nonce(&key, &identity, &k);
        assert_eq!(
            format!("{:#066x}", reg.s),
            "0x0bb0ef85ad34ed6b2e37696db0616c393ba17c2459c8ea156dcb6d0c3460a759"
        );
        let data = reg.verification_data();
        assert_eq!(verify(&reg.public_key, &identity, &data), Ok(()));
        let mut bumped = data;
        bumped[31] ^= 1;
        assert_eq!(
            verify(&reg.public_key, &identity, &bumped),
            Err(RegistrationError::VerificationFailed)
        );
        assert_eq!(
            verify(&reg.public_key, &identity, &data[..95]),
            Err(RegistrationError::Length(95))
        );
        assert_eq!(&reg.calldata()[..4], &[0xb1, 0x86, 0x3c, 0xff]);
    }
}
