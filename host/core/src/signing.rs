//! EIP-191 signing and recovery, and the `v ‖ r ‖ s` signature layout used across the FSP.
//!
//! FSP signers sign a 32-byte message hash `h` as an Ethereum "personal message": the digest is
//! `keccak256("\x19Ethereum Signed Message:\n32" ‖ h)`. Signatures are deterministic (RFC 6979)
//! with low `s`, and travel as 65 bytes `v ‖ r ‖ s` with `v ∈ {27, 28}`.

use alloy_primitives::{Address, B256, Signature, U256, eip191_hash_message};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;

/// Length of a `v ‖ r ‖ s` signature.
pub const VRS_SIGNATURE_LEN: usize = 65;

/// Why a signature could not be made, parsed or recovered.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    /// The byte string is not 65 bytes long.
    #[error("signature must be {VRS_SIGNATURE_LEN} bytes, got {0}")]
    Length(usize),
    /// `v` is neither 27 nor 28.
    #[error("signature v must be 27 or 28, got {0}")]
    InvalidV(u8),
    /// Recovery failed (r or s out of range, or no point on the curve).
    #[error("signature does not recover to a public key")]
    Unrecoverable,
    /// The signer failed (should not happen with a local key).
    #[error("signing failed: {0}")]
    Signer(String),
}

/// The EIP-191 digest of a 32-byte message hash: what FSP keys actually sign.
pub fn eip191_digest(message_hash: &B256) -> B256 {
    eip191_hash_message(message_hash.as_slice())
}

/// Signs `message_hash` as an EIP-191 personal message.
pub fn sign_eip191(
    signer: &PrivateKeySigner,
    message_hash: &B256,
) -> Result<Signature, SignatureError> {
    signer
        .sign_hash_sync(&eip191_digest(message_hash))
        .map_err(|e| SignatureError::Signer(e.to_string()))
}

/// Recovers the address that signed `message_hash` as an EIP-191 personal message.
pub fn recover_eip191(
    signature: &Signature,
    message_hash: &B256,
) -> Result<Address, SignatureError> {
    signature
        .recover_address_from_prehash(&eip191_digest(message_hash))
        .map_err(|_| SignatureError::Unrecoverable)
}

/// Encodes a signature as `v ‖ r ‖ s` with `v = 27 + parity`.
pub fn to_vrs_bytes(signature: &Signature) -> [u8; VRS_SIGNATURE_LEN] {
    let mut out = [0u8; VRS_SIGNATURE_LEN];
    out[0] = 27 + u8::from(signature.v());
    out[1..33].copy_from_slice(&signature.r().to_be_bytes::<32>());
    out[33..65].copy_from_slice(&signature.s().to_be_bytes::<32>());
    out
}

/// The `(uint8 v, bytes32 r, bytes32 s)` tuple contract calls take (`v = 27 + parity`).
pub fn vrs_parts(signature: &Signature) -> (u8, B256, B256) {
    (
        27 + u8::from(signature.v()),
        B256::from(signature.r().to_be_bytes::<32>()),
        B256::from(signature.s().to_be_bytes::<32>()),
    )
}

/// Decodes a `v ‖ r ‖ s` signature; `v` must be 27 or 28.
pub fn from_vrs_bytes(bytes: &[u8]) -> Result<Signature, SignatureError> {
    let bytes: &[u8; VRS_SIGNATURE_LEN] = bytes
        .try_into()
        .map_err(|_| SignatureError::Length(bytes.len()))?;
    let [v, rs @ ..] = bytes;
    let parity = match v {
        27 => false,
        28 => true,
        other => return Err(SignatureError::InvalidV(*other)),
    };
    let (r, s) = rs.split_at(32);
    Ok(Signature::new(
        U256::from_be_slice(r),
        U256::from_be_slice(s),
        parity,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vrs_round_trip_recovers_the_signer() {
        let signer = PrivateKeySigner::random();
        let hash = B256::repeat_byte(0x42);
        let signature = sign_eip191(&signer, &hash).unwrap();
        let bytes = to_vrs_bytes(&signature);
        assert!(bytes[0] == 27 || bytes[0] == 28);
        let (v, r, s) = vrs_parts(&signature);
        assert_eq!(v, bytes[0]);
        assert_eq!(r.as_slice(), &bytes[1..33]);
        assert_eq!(s.as_slice(), &bytes[33..65]);
        let decoded = from_vrs_bytes(&bytes).unwrap();
        assert_eq!(recover_eip191(&decoded, &hash).unwrap(), signer.address());
    }

    #[test]
    fn high_s_signatures_recover_like_the_ecrecover_precompile() {
        // ecrecover accepts (r, n - s) with the other parity; the Relay relies on it.
        let signer = PrivateKeySigner::random();
        let hash = B256::repeat_byte(0x17);
        let signature = sign_eip191(&signer, &hash).unwrap();
        let n = U256::from_str_radix(
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
            16,
        )
        .unwrap();
        let high = Signature::new(signature.r(), n - signature.s(), !signature.v());
        assert_eq!(recover_eip191(&high, &hash).unwrap(), signer.address());
    }

    #[test]
    fn rejects_v_other_than_27_or_28() {
        let mut bytes = [0u8; 65];
        bytes[0] = 1;
        assert_eq!(from_vrs_bytes(&bytes), Err(SignatureError::InvalidV(1)));
        assert_eq!(
            from_vrs_bytes(&bytes[..64]),
            Err(SignatureError::Length(64))
        );
    }
}
