//! The signed update: its message, the ECDSA signature over it, and the calldata that carries it.
//!
//! `FastUpdater` recovers the submitter from
//! `toEthSignedMessageHash(sha256(abi.encode(sortitionBlock, credential, deltas)))`, where the
//! three values are encoded as a parameter list (first word `sortitionBlock`, seventh word the
//! offset `0xe0`), not as one tuple. A wrong layout is no signature error: it recovers another
//! address and the registry lookup reverts. The signature is the signing-policy key's, with
//! `v ∈ {27, 28}` and low `s` (OpenZeppelin ECDSA rejects anything else).

use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{SolCall, SolValue};
use sha2::{Digest, Sha256};

use super::abi;
use super::credential::Credential;
use super::curve::PointWords;
use crate::signing::{self, SignatureError};

/// Half the secp256k1 group order: OpenZeppelin rejects `s` above it.
const SECP256K1_HALF_ORDER: U256 = U256::from_limbs([
    0xdfe9_2f46_681b_20a0,
    0x5d57_6e73_57a4_501d,
    0xffff_ffff_ffff_ffff,
    0x7fff_ffff_ffff_ffff,
]);

/// Why an update could not be signed, recovered or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    /// The local signer failed.
    #[error(transparent)]
    Signing(#[from] SignatureError),
    /// OpenZeppelin `ECDSAInvalidSignature()`: `v` not 27/28, or `ecrecover` yields no address.
    #[error("invalid ECDSA signature")]
    InvalidSignature,
    /// OpenZeppelin `ECDSAInvalidSignatureS(bytes32)`: `s` in the upper half.
    #[error("ECDSA signature s is in the upper half of the order")]
    InvalidSignatureS,
    /// The calldata does not start with the expected selector.
    #[error("calldata does not start with selector 0x{}", alloy_primitives::hex::encode(.0))]
    Selector([u8; 4]),
    /// The calldata is not a valid ABI encoding of the call.
    #[error("malformed calldata: {0}")]
    Calldata(String),
}

/// The ECDSA signature as the contract's `Signature{uint8 v; bytes32 r; bytes32 s}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UpdateSignature {
    /// 27 or 28 for signatures made here; any byte when decoded.
    pub v: u8,
    /// `r`.
    pub r: B256,
    /// `s`.
    pub s: B256,
}

impl UpdateSignature {
    /// From an alloy signature: `v = 27 + parity`.
    pub fn from_alloy(signature: &alloy_primitives::Signature) -> Self {
        Self {
            v: 27 + u8::from(signature.v()),
            r: B256::from(signature.r()),
            s: B256::from(signature.s()),
        }
    }

    fn to_sol(self) -> abi::Signature {
        abi::Signature {
            v: self.v,
            r: self.r,
            s: self.s,
        }
    }

    fn from_sol(value: &abi::Signature) -> Self {
        Self {
            v: value.v,
            r: value.r,
            s: value.s,
        }
    }
}

/// One update before signing: the ticket's block, its credential and the packed deltas.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FastUpdate {
    /// The block whose sortition the credential won.
    pub sortition_block: U256,
    /// The credential.
    pub credential: Credential,
    /// The packed deltas (see [`super::delta::encode`]).
    pub deltas: Bytes,
}

impl FastUpdate {
    /// `abi.encode(uint256 sortitionBlock, SortitionCredential credential, bytes deltas)` as a
    /// parameter list: seven head words (`0xe0` last), the length, the padded deltas.
    pub fn message(&self) -> Vec<u8> {
        (
            self.sortition_block,
            self.credential.to_sol(),
            self.deltas.clone(),
        )
            .abi_encode_params()
    }

    /// `sha256(message)`: the 32 bytes the signing-policy key signs as an EIP-191 message.
    pub fn message_sha256(&self) -> B256 {
        B256::from_slice(&Sha256::digest(self.message()))
    }

    /// `keccak256("\x19Ethereum Signed Message:\n32" ‖ sha256(message))`.
    pub fn eth_signed_message_hash(&self) -> B256 {
        signing::eip191_digest(&self.message_sha256())
    }

    /// Signs with the signing-policy key (RFC 6979, low `s`, `v ∈ {27, 28}`).
    pub fn sign(&self, signer: &PrivateKeySigner) -> Result<SignedUpdate, UpdateError> {
        let signature = signing::sign_eip191(signer, &self.message_sha256())?;
        Ok(SignedUpdate {
            update: self.clone(),
            signature: UpdateSignature::from_alloy(&signature),
        })
    }

    /// The address `FastUpdater` recovers for `signature`, with OpenZeppelin ECDSA's rules: high
    /// `s` is rejected first, then `v` other than 27/28 and anything `ecrecover` cannot recover.
    pub fn recover_signer(&self, signature: &UpdateSignature) -> Result<Address, UpdateError> {
        let s = U256::from_be_bytes(signature.s.0);
        if s > SECP256K1_HALF_ORDER {
            return Err(UpdateError::InvalidSignatureS);
        }
        let parity = match signature.v {
            27 => false,
            28 => true,
            _ => return Err(UpdateError::InvalidSignature),
        };
        let r = U256::from_be_bytes(signature.r.0);
        if r.is_zero() || s.is_zero() {
            return Err(UpdateError::InvalidSignature);
        }
        let alloy_signature = alloy_primitives::Signature::new(r, s, parity);
        signing::recover_eip191(&alloy_signature, &self.message_sha256())
            .map_err(|_| UpdateError::InvalidSignature)
    }
}

/// An update with its signature: what `submitUpdates` takes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SignedUpdate {
    /// The update.
    pub update: FastUpdate,
    /// The signing-policy key's signature over it.
    pub signature: UpdateSignature,
}

impl SignedUpdate {
    fn to_sol(&self) -> abi::FastUpdates {
        abi::FastUpdates {
            sortitionBlock: self.update.sortition_block,
            sortitionCredential: self.update.credential.to_sol(),
            deltas: self.update.deltas.clone(),
            signature: self.signature.to_sol(),
        }
    }

    /// `submitUpdates(FastUpdates)` calldata (selector `0x470e91df`, then the tuple starting
    /// with its `0x20` offset word).
    pub fn submit_updates_calldata(&self) -> Vec<u8> {
        abi::submitUpdatesCall {
            _updates: self.to_sol(),
        }
        .abi_encode()
    }

    /// `Submission.submitAndPass(bytes)` calldata whose `_data` is the `submitUpdates` calldata
    /// without its selector.
    pub fn submit_and_pass_calldata(&self) -> Vec<u8> {
        let mut inner = Vec::new();
        abi::submitUpdatesCall {
            _updates: self.to_sol(),
        }
        .abi_encode_raw(&mut inner);
        submit_and_pass_calldata(inner)
    }

    /// Decodes `submitUpdates` calldata. Decoding is validating (non-canonical encodings, such
    /// as dirty padding, are rejected), and never panics on any input.
    pub fn decode_submit_updates(calldata: &[u8]) -> Result<Self, UpdateError> {
        check_selector(calldata, abi::submitUpdatesCall::SELECTOR)?;
        let call = abi::submitUpdatesCall::abi_decode_validate(calldata)
            .map_err(|e| UpdateError::Calldata(e.to_string()))?;
        let updates = call._updates;
        Ok(Self {
            update: FastUpdate {
                sortition_block: updates.sortitionBlock,
                credential: Credential::from_sol(&updates.sortitionCredential),
                deltas: updates.deltas,
            },
            signature: UpdateSignature::from_sol(&updates.signature),
        })
    }
}

/// The submission window on every Flare network (`FastUpdater.submissionWindow()`).
pub const DEFAULT_SUBMISSION_WINDOW: u64 = 10;

/// Why `FastUpdater` would refuse an update for its inclusion block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    /// "Updates not yet available for the given block": included before the sortition block.
    #[error("updates not yet available for block {sortition_block} at block {inclusion_block}")]
    TooEarly {
        /// The ticket's block.
        sortition_block: u64,
        /// The block the transaction executes in.
        inclusion_block: u64,
    },
    /// "Updates no longer accepted for the given block": `inclusion ≥ sortition + window`.
    #[error("updates no longer accepted for block {sortition_block} at block {inclusion_block}")]
    TooLate {
        /// The ticket's block.
        sortition_block: u64,
        /// The block the transaction executes in.
        inclusion_block: u64,
    },
}

/// `sortition_block ≤ inclusion_block < sortition_block + window`.
pub fn check_window(
    sortition_block: u64,
    inclusion_block: u64,
    window: u64,
) -> Result<(), WindowError> {
    if inclusion_block < sortition_block {
        Err(WindowError::TooEarly {
            sortition_block,
            inclusion_block,
        })
    } else if inclusion_block - sortition_block >= window {
        Err(WindowError::TooLate {
            sortition_block,
            inclusion_block,
        })
    } else {
        Ok(())
    }
}

/// The key `FastUpdater` uses to accept a ticket once:
/// `sha256(abi.encode(pk, sortitionBlock, replicate))`. Re-proving the same ticket with another
/// nonce or other deltas, or sending it from another account, gives the same key.
pub fn ticket_key(public_key: &PointWords, sortition_block: U256, replicate: U256) -> B256 {
    let mut hasher = Sha256::new();
    hasher.update(public_key.to_bytes());
    hasher.update(sortition_block.to_be_bytes::<32>());
    hasher.update(replicate.to_be_bytes::<32>());
    B256::from_slice(&hasher.finalize())
}

/// `Submission.submitAndPass(bytes _data)` calldata for any `_data`.
pub fn submit_and_pass_calldata(inner: Vec<u8>) -> Vec<u8> {
    abi::submitAndPassCall {
        _data: inner.into(),
    }
    .abi_encode()
}

/// The `_data` of `submitAndPass` calldata. Never panics.
pub fn decode_submit_and_pass(calldata: &[u8]) -> Result<Bytes, UpdateError> {
    check_selector(calldata, abi::submitAndPassCall::SELECTOR)?;
    abi::submitAndPassCall::abi_decode_validate(calldata)
        .map(|call| call._data)
        .map_err(|e| UpdateError::Calldata(e.to_string()))
}

fn check_selector(calldata: &[u8], want: [u8; 4]) -> Result<(), UpdateError> {
    let got: [u8; 4] = calldata
        .get(..4)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| UpdateError::Calldata("shorter than a selector".to_owned()))?;
    if got == want {
        Ok(())
    } else {
        Err(UpdateError::Selector(got))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(hex: &str) -> U256 {
        U256::from_str_radix(hex.trim_start_matches("0x"), 16).unwrap()
    }

    fn worked_update(deltas: &[u8]) -> FastUpdate {
        FastUpdate {
            sortition_block: U256::from(12_345_678),
            credential: Credential {
                replicate: U256::from(7),
                gamma: PointWords {
                    x: word("0x102a6f976cbc0b908bdd585c397b4089e75524a7b8d148de247d9fbfa229c033"),
                    y: word("0x08391f218c9ad42c0fd63cdbcbdc8e10e0c290be48fce15fe8d4a76e611f979f"),
                },
                c: word("0x065a9d7e39d461dfb145332f7364fca66355eec4bc997f423ee07e7e0804c8a4"),
                s: word("0x1f35154f0b96c745bf548b49382c0a2cfc477a1681fa94e6b5752dcade22715a"),
            },
            deltas: Bytes::copy_from_slice(deltas),
        }
    }

    #[test]
    fn worked_example_signs_like_the_reference() {
        let signer: PrivateKeySigner =
            "0xd49743deccbccc5dc7baa8e69e5be03298da8688a15dd202e20f15d5e0e9a9fb"
                .parse()
                .unwrap();
        let update = worked_update(&[0x71]);
        let message = update.message();
        assert_eq!(message.len(), 9 * 32);
        assert_eq!(U256::from_be_slice(&message[192..224]), U256::from(0xe0));
        assert_eq!(
            update.message_sha256(),
            "0xaf1ab5b973801421fba0f726a3a6db96a48ab88feffe1e7ab3c1bec53890d7ab"
                .parse::<B256>()
                .unwrap()
        );
        let signed = update.sign(&signer).unwrap();
        assert_eq!(signed.signature.v, 27);
        assert_eq!(
            update.recover_signer(&signed.signature),
            Ok(signer.address())
        );

        let calldata = signed.submit_updates_calldata();
        assert_eq!(&calldata[..4], &[0x47, 0x0e, 0x91, 0xdf]);
        assert_eq!(
            SignedUpdate::decode_submit_updates(&calldata),
            Ok(signed.clone())
        );
        let outer = signed.submit_and_pass_calldata();
        assert_eq!(
            decode_submit_and_pass(&outer).unwrap().as_ref(),
            &calldata[4..]
        );
    }

    #[test]
    fn window_is_half_open() {
        assert!(check_window(100, 99, 10).is_err());
        assert_eq!(check_window(100, 100, 10), Ok(()));
        assert_eq!(check_window(100, 109, 10), Ok(()));
        assert!(matches!(
            check_window(100, 110, 10),
            Err(WindowError::TooLate { .. })
        ));
    }

    #[test]
    fn openzeppelin_rules_reject_bad_v_high_s_and_zero_r() {
        let signer = PrivateKeySigner::random();
        let update = worked_update(&[0x57, 0x10]);
        let good = update.sign(&signer).unwrap().signature;
        let bad_v = UpdateSignature {
            v: good.v - 27,
            ..good
        };
        assert_eq!(
            update.recover_signer(&bad_v),
            Err(UpdateError::InvalidSignature)
        );
        let zero_r = UpdateSignature {
            r: B256::ZERO,
            ..good
        };
        assert_eq!(
            update.recover_signer(&zero_r),
            Err(UpdateError::InvalidSignature)
        );
        let n = SECP256K1_HALF_ORDER * U256::from(2) + U256::from(1);
        let high_s = UpdateSignature {
            s: B256::from(n - U256::from_be_bytes(good.s.0)),
            v: if good.v == 27 { 28 } else { 27 },
            ..good
        };
        assert_eq!(
            update.recover_signer(&high_s),
            Err(UpdateError::InvalidSignatureS)
        );
        assert!(SignedUpdate::decode_submit_updates(&[0x47, 0x0e]).is_err());
        assert!(matches!(
            SignedUpdate::decode_submit_updates(&[0, 0, 0, 0, 1]),
            Err(UpdateError::Selector([0, 0, 0, 0]))
        ));
    }
}
