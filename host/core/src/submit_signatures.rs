//! `submitSignatures` signature payloads (types 0 and 1) and the multi-protocol calldata.
//!
//! Each protocol contributes one PayloadMessage whose payload is
//!
//! ```text
//! type u8 ‖ [type 0 only: message 38] ‖ signature v‖r‖s 65 ‖ additionalData
//! ```
//!
//! so the PayloadMessage length field counts type + message + signature + additionalData
//! (104 + additional for type 0, 66 + additional for type 1). The signature is the signing-policy
//! key's EIP-191 signature of `keccak256(message)` with `v ∈ {27, 28}`. The type defaults to 0
//! when a protocol's configuration omits it; FTSO and FDC use type 1, whose message the
//! finalizer must take from its own data provider.
//!
//! The calldata is the `submitSignatures()` selector followed by the PayloadMessages of every
//! protocol, concatenated. The finalizer decodes other voters' transactions with
//! [`decode_submit_signatures_calldata`]: a framing error drops the whole transaction, while a
//! malformed payload drops only that payload.

#![deny(clippy::indexing_slicing)]

use alloy_primitives::{Address, B256, keccak256};
use alloy_signer_local::PrivateKeySigner;

use crate::payload::{self, PayloadError, PayloadMessage, SUBMIT_SIGNATURES_SELECTOR};
use crate::protocol_message::PROTOCOL_MESSAGE_LEN;
use crate::signing::{self, SignatureError, VRS_SIGNATURE_LEN};

/// Largest PayloadMessage body (the u16 length field).
const MAX_BODY_LEN: usize = u16::MAX as usize;

/// Why a signature payload could not be built or decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SubmitSignaturesError {
    /// The payload body is empty: there is no type byte.
    #[error("signature payload is empty")]
    Empty,
    /// The type byte is neither 0 nor 1.
    #[error("unknown signature payload type {0}")]
    UnknownType(u8),
    /// The body is shorter than its type requires.
    #[error("signature payload of type {payload_type} needs at least {needed} bytes, got {len}")]
    Truncated {
        /// The payload type.
        payload_type: u8,
        /// Minimum body length for the type.
        needed: usize,
        /// Actual body length.
        len: usize,
    },
    /// The body would not fit the u16 length field.
    #[error("signature payload body of {0} bytes exceeds the 65535-byte length field")]
    TooLong(usize),
    /// The message to sign (type 0) is not the 38-byte protocol message.
    #[error("type 0 message must be {PROTOCOL_MESSAGE_LEN} bytes, got {0}")]
    MessageLength(usize),
    /// Signing or signature parsing failed.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The calldata framing is broken (the reference drops the whole transaction).
    #[error("submitSignatures calldata: {0}")]
    Framing(#[from] PayloadError),
    /// The calldata does not start with the `submitSignatures()` selector.
    #[error("calldata does not start with the submitSignatures selector")]
    Selector,
}

/// Signature payload type: 0 carries the message inline, 1 only the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignaturePayloadType {
    /// Deprecated but the default when a protocol's `type` is omitted: message included.
    #[default]
    Type0,
    /// Current (FTSO, FDC): signature only; the verifier supplies the message.
    Type1,
}

impl SignaturePayloadType {
    /// The type byte.
    pub fn as_u8(self) -> u8 {
        match self {
            Self::Type0 => 0,
            Self::Type1 => 1,
        }
    }

    /// Parses the type byte.
    pub fn from_u8(byte: u8) -> Result<Self, SubmitSignaturesError> {
        match byte {
            0 => Ok(Self::Type0),
            1 => Ok(Self::Type1),
            other => Err(SubmitSignaturesError::UnknownType(other)),
        }
    }

    /// Length of the fixed part of a body of this type (type + [message] + signature).
    pub fn fixed_len(self) -> usize {
        match self {
            Self::Type0 => 1 + PROTOCOL_MESSAGE_LEN + VRS_SIGNATURE_LEN,
            Self::Type1 => 1 + VRS_SIGNATURE_LEN,
        }
    }
}

/// The signed part of a payload: type 0 carries the 38-byte message, type 1 does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignedMessage {
    /// Type 0: the message travels with the signature.
    Inline([u8; PROTOCOL_MESSAGE_LEN]),
    /// Type 1: only the signature travels.
    Detached,
}

/// One protocol's `submitSignatures` PayloadMessage.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SignaturePayload {
    /// Sub-protocol id.
    pub protocol_id: u8,
    /// The submitter's voting round (the round of the request, not parsed from the message).
    pub voting_round_id: u32,
    /// Type 0 (inline message) or type 1 (detached).
    pub message: SignedMessage,
    /// The `v ‖ r ‖ s` signature as sent (v is 27 or 28 when made by us; decoding keeps any byte).
    pub signature: [u8; VRS_SIGNATURE_LEN],
    /// Unsigned extra data (FDC's consensus bit-vector); FTSO sends none.
    pub additional_data: Vec<u8>,
}

impl SignaturePayload {
    /// Signs `message` (normally the 38-byte protocol message) for `protocol_id` and round.
    ///
    /// For type 0 the message must be exactly 38 bytes, since it is embedded.
    pub fn sign(
        signer: &PrivateKeySigner,
        protocol_id: u8,
        voting_round_id: u32,
        payload_type: SignaturePayloadType,
        message: &[u8],
        additional_data: &[u8],
    ) -> Result<Self, SubmitSignaturesError> {
        let message_field = match payload_type {
            SignaturePayloadType::Type0 => SignedMessage::Inline(
                message
                    .try_into()
                    .map_err(|_| SubmitSignaturesError::MessageLength(message.len()))?,
            ),
            SignaturePayloadType::Type1 => SignedMessage::Detached,
        };
        let signature = signing::sign_eip191(signer, &keccak256(message))?;
        let payload = Self {
            protocol_id,
            voting_round_id,
            message: message_field,
            signature: signing::to_vrs_bytes(&signature),
            additional_data: additional_data.to_vec(),
        };
        payload.check_len()?;
        Ok(payload)
    }

    /// The payload type.
    pub fn payload_type(&self) -> SignaturePayloadType {
        match self.message {
            SignedMessage::Inline(_) => SignaturePayloadType::Type0,
            SignedMessage::Detached => SignaturePayloadType::Type1,
        }
    }

    /// The inline message of a type-0 payload.
    pub fn inline_message(&self) -> Option<&[u8; PROTOCOL_MESSAGE_LEN]> {
        match &self.message {
            SignedMessage::Inline(message) => Some(message),
            SignedMessage::Detached => None,
        }
    }

    /// Length of the body (the PayloadMessage length field).
    pub fn body_len(&self) -> usize {
        self.payload_type().fixed_len() + self.additional_data.len()
    }

    fn check_len(&self) -> Result<(), SubmitSignaturesError> {
        let len = self.body_len();
        if len > MAX_BODY_LEN {
            return Err(SubmitSignaturesError::TooLong(len));
        }
        Ok(())
    }

    /// The PayloadMessage body: `type ‖ [message] ‖ v‖r‖s ‖ additionalData`.
    pub fn encode_body(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.body_len());
        out.push(self.payload_type().as_u8());
        if let SignedMessage::Inline(message) = &self.message {
            out.extend_from_slice(message);
        }
        out.extend_from_slice(&self.signature);
        out.extend_from_slice(&self.additional_data);
        out
    }

    /// The whole PayloadMessage: `protocolId ‖ votingRoundId ‖ length ‖ body`.
    pub fn encode(&self) -> Result<Vec<u8>, SubmitSignaturesError> {
        self.check_len()?;
        let body = self.encode_body();
        Ok(PayloadMessage {
            protocol_id: self.protocol_id,
            voting_round_id: self.voting_round_id,
            payload: body,
        }
        .encode()?)
    }

    /// Decodes a body as the reference finalizer does: type 0 needs 104 bytes, type 1 needs 66;
    /// whatever follows is additional data.
    pub fn decode_body(
        protocol_id: u8,
        voting_round_id: u32,
        body: &[u8],
    ) -> Result<Self, SubmitSignaturesError> {
        let (&type_byte, rest) = body.split_first().ok_or(SubmitSignaturesError::Empty)?;
        let payload_type = SignaturePayloadType::from_u8(type_byte)?;
        let needed = payload_type.fixed_len();
        let truncated = || SubmitSignaturesError::Truncated {
            payload_type: type_byte,
            needed,
            len: body.len(),
        };
        let (fixed, additional) = rest.split_at_checked(needed - 1).ok_or_else(truncated)?;
        let (message, signature) = match payload_type {
            SignaturePayloadType::Type0 => {
                let (message, signature) = fixed
                    .split_at_checked(PROTOCOL_MESSAGE_LEN)
                    .ok_or_else(truncated)?;
                (SignedMessage::Inline(array(message)?), signature)
            }
            SignaturePayloadType::Type1 => (SignedMessage::Detached, fixed),
        };
        Ok(Self {
            protocol_id,
            voting_round_id,
            message,
            signature: array(signature)?,
            additional_data: additional.to_vec(),
        })
    }

    /// Decodes one PayloadMessage's body as a signature payload.
    pub fn from_payload_message(message: &PayloadMessage) -> Result<Self, SubmitSignaturesError> {
        Self::decode_body(
            message.protocol_id,
            message.voting_round_id,
            &message.payload,
        )
    }

    /// Recovers the signer, given the hash of the message it signed (`keccak256(message38)`).
    pub fn recover_signer(&self, message_hash: &B256) -> Result<Address, SubmitSignaturesError> {
        let signature = signing::from_vrs_bytes(&self.signature)?;
        Ok(signing::recover_eip191(&signature, message_hash)?)
    }
}

/// Copies a slice of known length into an array (lengths are checked by the caller).
fn array<const N: usize>(bytes: &[u8]) -> Result<[u8; N], SubmitSignaturesError> {
    bytes
        .try_into()
        .map_err(|_| SubmitSignaturesError::Truncated {
            payload_type: 0,
            needed: N,
            len: bytes.len(),
        })
}

/// `submitSignatures()` calldata: the selector followed by every payload, in the given order.
pub fn submit_signatures_calldata(
    payloads: &[SignaturePayload],
) -> Result<Vec<u8>, SubmitSignaturesError> {
    let mut out = SUBMIT_SIGNATURES_SELECTOR.to_vec();
    for payload in payloads {
        out.extend_from_slice(&payload.encode()?);
    }
    Ok(out)
}

/// Decodes `submitSignatures()` calldata (selector included) as the reference finalizer does.
///
/// A framing error (truncated PayloadMessage) fails the whole transaction. Otherwise every
/// PayloadMessage yields its own result, so a payload with an unknown type or too short a body
/// is dropped on its own.
pub fn decode_submit_signatures_calldata(
    calldata: &[u8],
) -> Result<Vec<Result<SignaturePayload, SubmitSignaturesError>>, SubmitSignaturesError> {
    let rest = calldata
        .strip_prefix(SUBMIT_SIGNATURES_SELECTOR.as_slice())
        .ok_or(SubmitSignaturesError::Selector)?;
    let messages = payload::decode_concatenated(rest)?;
    Ok(messages
        .iter()
        .map(SignaturePayload::from_payload_message)
        .collect())
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    reason = "tests index fixed-layout test data"
)]
mod tests {
    use super::*;

    fn key() -> PrivateKeySigner {
        "4f65bffe3c8ed6c0b812e84d35402e949feea042061cc1635fe6ae83ed84df4a"
            .parse()
            .unwrap()
    }

    #[test]
    fn type_0_and_type_1_length_fields_count_everything_after_the_length() {
        let message = [0xffu8; 38];
        for (payload_type, len) in [
            (SignaturePayloadType::Type0, 0x6a),
            (SignaturePayloadType::Type1, 0x44),
        ] {
            let payload =
                SignaturePayload::sign(&key(), 100, 1, payload_type, &message, &[0x12, 0x34])
                    .unwrap();
            let bytes = payload.encode().unwrap();
            assert_eq!(bytes[5..7], [0x00, len]);
            assert_eq!(bytes.len(), 7 + len as usize);
            assert!(
                bytes[7 + payload_type.fixed_len() - 65] == 27
                    || bytes[7 + payload_type.fixed_len() - 65] == 28
            );
        }
    }

    #[test]
    fn decode_inverts_encode_and_recovers_the_signer() {
        let message = [7u8; 38];
        let payload =
            SignaturePayload::sign(&key(), 100, 9, SignaturePayloadType::Type0, &message, &[1])
                .unwrap();
        let calldata = submit_signatures_calldata(std::slice::from_ref(&payload)).unwrap();
        let decoded = decode_submit_signatures_calldata(&calldata).unwrap();
        assert_eq!(decoded, vec![Ok(payload.clone())]);
        assert_eq!(
            payload.recover_signer(&keccak256(message)).unwrap(),
            key().address()
        );
    }

    #[test]
    fn default_type_is_0() {
        assert_eq!(SignaturePayloadType::default(), SignaturePayloadType::Type0);
    }

    #[test]
    fn bad_payloads_are_dropped_individually_but_bad_framing_drops_the_tx() {
        let good =
            SignaturePayload::sign(&key(), 100, 1, SignaturePayloadType::Type1, &[0; 38], &[])
                .unwrap();
        let mut calldata = submit_signatures_calldata(std::slice::from_ref(&good)).unwrap();
        // An unknown type and a short type-0 body, each framed correctly.
        calldata.extend_from_slice(&[200, 0, 0, 0, 1, 0, 1, 2]);
        calldata.extend_from_slice(&[200, 0, 0, 0, 1, 0, 2, 0, 5]);
        let decoded = decode_submit_signatures_calldata(&calldata).unwrap();
        assert_eq!(decoded[0], Ok(good));
        assert_eq!(decoded[1], Err(SubmitSignaturesError::UnknownType(2)));
        assert!(matches!(
            decoded[2],
            Err(SubmitSignaturesError::Truncated {
                payload_type: 0,
                needed: 104,
                len: 2
            })
        ));
        calldata.push(1);
        assert!(matches!(
            decode_submit_signatures_calldata(&calldata),
            Err(SubmitSignaturesError::Framing(_))
        ));
        assert_eq!(
            decode_submit_signatures_calldata(&[1, 2, 3]),
            Err(SubmitSignaturesError::Selector)
        );
    }

    #[test]
    fn rejects_oversized_additional_data_and_short_type_0_message() {
        let too_long = vec![0u8; 65535 - 66 + 1];
        assert_eq!(
            SignaturePayload::sign(
                &key(),
                1,
                1,
                SignaturePayloadType::Type1,
                &[0; 38],
                &too_long
            ),
            Err(SubmitSignaturesError::TooLong(65536))
        );
        assert_eq!(
            SignaturePayload::sign(&key(), 1, 1, SignaturePayloadType::Type0, &[0; 37], &[]),
            Err(SubmitSignaturesError::MessageLength(37))
        );
    }
}
