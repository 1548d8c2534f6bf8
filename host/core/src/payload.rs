//! FSP PayloadMessages and the `Submission` contract selectors.
//!
//! Every protocol message sent to `Submission` travels as extra calldata after the 4-byte
//! selector of a zero-argument function. The calldata after the selector is a concatenation of
//! PayloadMessages, one per protocol:
//!
//! ```text
//! protocolId u8 ‖ votingRoundId u32 BE ‖ payloadLength u16 BE ‖ payload (payloadLength bytes)
//! ```
//!
//! Decoding follows the reference (`PayloadMessage.decode`): messages are read while bytes
//! remain; fewer than 7 trailing bytes, or a payload that runs past the end, fail the whole
//! concatenation.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

/// `submit1()`: FTSO commit (and other protocols' first-phase messages).
pub const SUBMIT1_SELECTOR: [u8; 4] = [0x6c, 0x53, 0x2f, 0xae];
/// `submit2()`: FTSO reveal.
pub const SUBMIT2_SELECTOR: [u8; 4] = [0x9d, 0x00, 0xc9, 0xfd];
/// `submit3()`: reserved; the reference client computes it but never sends it.
pub const SUBMIT3_SELECTOR: [u8; 4] = [0xe1, 0xb1, 0x57, 0xe7];
/// `submitSignatures()`: signature payloads for the round's protocol messages.
pub const SUBMIT_SIGNATURES_SELECTOR: [u8; 4] = [0x57, 0xee, 0xd5, 0x80];
/// `submitAndPass(bytes)`: forwards `submitAndPassSelector ‖ data` to the FastUpdater.
pub const SUBMIT_AND_PASS_SELECTOR: [u8; 4] = [0x83, 0x3b, 0xf6, 0xc0];

/// Length of the PayloadMessage header: protocol id, voting round id, payload length.
pub const HEADER_LEN: usize = 7;

/// Largest payload a PayloadMessage can carry (the u16 length field).
pub const MAX_PAYLOAD_LEN: usize = u16::MAX as usize;

/// Why a PayloadMessage could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// The payload is longer than the u16 length field can express.
    #[error("payload of {len} bytes exceeds the maximum of {MAX_PAYLOAD_LEN}")]
    PayloadTooLong {
        /// Length of the payload that was to be encoded.
        len: usize,
    },
    /// Fewer than [`HEADER_LEN`] bytes remain where a message header should start.
    #[error("truncated header at offset {offset}: {remaining} byte(s) left, 7 needed")]
    TruncatedHeader {
        /// Offset of the incomplete header in the decoded bytes.
        offset: usize,
        /// Bytes left from that offset.
        remaining: usize,
    },
    /// A message's declared payload length runs past the end of the input.
    #[error("payload at offset {offset} declares {declared} byte(s) but only {available} remain")]
    PayloadOverrun {
        /// Offset of the message header.
        offset: usize,
        /// Payload length from the header.
        declared: usize,
        /// Bytes actually left after the header.
        available: usize,
    },
}

/// One protocol's message in a `Submission` transaction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PayloadMessage {
    /// Sub-protocol id (FTSO = 100, FDC = 200).
    pub protocol_id: u8,
    /// Voting round the message is for.
    pub voting_round_id: u32,
    /// Protocol-specific payload.
    pub payload: Vec<u8>,
}

impl PayloadMessage {
    /// Encodes `protocolId ‖ votingRoundId ‖ length ‖ payload`.
    pub fn encode(&self) -> Result<Vec<u8>, PayloadError> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.payload.len());
        self.encode_into(&mut out)?;
        Ok(out)
    }

    /// Appends the encoded message to `out` (for building multi-protocol calldata).
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), PayloadError> {
        let len = u16::try_from(self.payload.len()).map_err(|_| PayloadError::PayloadTooLong {
            len: self.payload.len(),
        })?;
        out.push(self.protocol_id);
        out.extend_from_slice(&self.voting_round_id.to_be_bytes());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&self.payload);
        Ok(())
    }

    /// Length of the encoded message.
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN + self.payload.len()
    }
}

/// Encodes several messages back to back (the calldata after the selector).
pub fn encode_concatenated(messages: &[PayloadMessage]) -> Result<Vec<u8>, PayloadError> {
    let mut out = Vec::with_capacity(messages.iter().map(PayloadMessage::encoded_len).sum());
    for message in messages {
        message.encode_into(&mut out)?;
    }
    Ok(out)
}

/// Decodes a concatenation of PayloadMessages (the calldata after the 4-byte selector).
///
/// Empty input gives no messages. Any truncation fails the whole input, as in the reference.
pub fn decode_concatenated(bytes: &[u8]) -> Result<Vec<PayloadMessage>, PayloadError> {
    let mut messages = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let offset = bytes.len() - rest.len();
        let (header, after) =
            rest.split_first_chunk::<HEADER_LEN>()
                .ok_or(PayloadError::TruncatedHeader {
                    offset,
                    remaining: rest.len(),
                })?;
        let [protocol_id, r0, r1, r2, r3, l0, l1] = *header;
        let declared = usize::from(u16::from_be_bytes([l0, l1]));
        let (payload, tail) =
            after
                .split_at_checked(declared)
                .ok_or(PayloadError::PayloadOverrun {
                    offset,
                    declared,
                    available: after.len(),
                })?;
        messages.push(PayloadMessage {
            protocol_id,
            voting_round_id: u32::from_be_bytes([r0, r1, r2, r3]),
            payload: payload.to_vec(),
        });
        rest = tail;
    }
    Ok(messages)
}

/// Splits calldata into its 4-byte selector and the rest; `None` when shorter than 4 bytes.
pub fn split_selector(calldata: &[u8]) -> Option<([u8; 4], &[u8])> {
    calldata
        .split_first_chunk::<4>()
        .map(|(selector, rest)| (*selector, rest))
}

/// Decodes `Submission` calldata: the 4-byte selector and the PayloadMessages after it.
///
/// The reference (`IndexerClient`) drops the whole transaction when this fails.
pub fn decode_calldata(calldata: &[u8]) -> Result<([u8; 4], Vec<PayloadMessage>), PayloadError> {
    let (selector, rest) = split_selector(calldata).ok_or(PayloadError::TruncatedHeader {
        offset: 0,
        remaining: calldata.len(),
    })?;
    Ok((selector, decode_concatenated(rest)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;

    fn selector_of(signature: &str) -> [u8; 4] {
        let hash = keccak256(signature.as_bytes());
        [hash[0], hash[1], hash[2], hash[3]]
    }

    #[test]
    fn selectors_are_keccak_of_the_function_signatures() {
        assert_eq!(selector_of("submit1()"), SUBMIT1_SELECTOR);
        assert_eq!(selector_of("submit2()"), SUBMIT2_SELECTOR);
        assert_eq!(selector_of("submit3()"), SUBMIT3_SELECTOR);
        assert_eq!(
            selector_of("submitSignatures()"),
            SUBMIT_SIGNATURES_SELECTOR
        );
        assert_eq!(
            selector_of("submitAndPass(bytes)"),
            SUBMIT_AND_PASS_SELECTOR
        );
    }

    #[test]
    fn encodes_header_big_endian() {
        let message = PayloadMessage {
            protocol_id: 100,
            voting_round_id: 1000,
            payload: vec![0xaa; 32],
        };
        let bytes = message.encode().unwrap();
        assert_eq!(bytes[..7], [0x64, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x20]);
        assert_eq!(bytes.len(), 39);
    }

    #[test]
    fn decodes_several_protocols_in_order() {
        let messages = vec![
            PayloadMessage {
                protocol_id: 100,
                voting_round_id: 7,
                payload: vec![1, 2, 3],
            },
            PayloadMessage {
                protocol_id: 200,
                voting_round_id: 7,
                payload: vec![],
            },
            PayloadMessage {
                protocol_id: 100,
                voting_round_id: u32::MAX,
                payload: vec![9; 300],
            },
        ];
        let bytes = encode_concatenated(&messages).unwrap();
        assert_eq!(decode_concatenated(&bytes).unwrap(), messages);
        assert_eq!(decode_concatenated(&[]).unwrap(), vec![]);
    }

    #[test]
    fn rejects_short_header_and_overrun() {
        let good = PayloadMessage {
            protocol_id: 100,
            voting_round_id: 1,
            payload: vec![5; 4],
        }
        .encode()
        .unwrap();
        let mut trailing = good.clone();
        trailing.extend_from_slice(&[0x64, 0, 0]);
        assert_eq!(
            decode_concatenated(&trailing),
            Err(PayloadError::TruncatedHeader {
                offset: 11,
                remaining: 3
            })
        );
        assert_eq!(
            decode_concatenated(&good[..10]),
            Err(PayloadError::PayloadOverrun {
                offset: 0,
                declared: 4,
                available: 3
            })
        );
    }

    #[test]
    fn rejects_payload_over_u16() {
        let message = PayloadMessage {
            protocol_id: 1,
            voting_round_id: 1,
            payload: vec![0; MAX_PAYLOAD_LEN + 1],
        };
        assert_eq!(
            message.encode(),
            Err(PayloadError::PayloadTooLong {
                len: MAX_PAYLOAD_LEN + 1
            })
        );
    }

    #[test]
    fn decodes_calldata_after_the_selector() {
        let mut calldata = SUBMIT2_SELECTOR.to_vec();
        let message = PayloadMessage {
            protocol_id: 100,
            voting_round_id: 9,
            payload: vec![1; 36],
        };
        calldata.extend(message.encode().unwrap());
        assert_eq!(
            decode_calldata(&calldata),
            Ok((SUBMIT2_SELECTOR, vec![message]))
        );
        assert_eq!(
            decode_calldata(&SUBMIT1_SELECTOR),
            Ok((SUBMIT1_SELECTOR, vec![]))
        );
        assert!(decode_calldata(&[0x6c, 0x53]).is_err());
        assert!(decode_calldata(&calldata[..calldata.len() - 1]).is_err());
    }

    #[test]
    fn splits_selector() {
        let calldata = [0x6c, 0x53, 0x2f, 0xae, 1, 2];
        assert_eq!(
            split_selector(&calldata),
            Some((SUBMIT1_SELECTOR, &[1u8, 2][..]))
        );
        assert_eq!(split_selector(&[1, 2, 3]), None);
    }
}
