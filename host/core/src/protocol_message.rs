//! The 38-byte `ProtocolMessageMerkleRoot`: what every FSP sub-protocol signs for a voting round.
//!
//! Layout (big-endian): `protocolId u8 ‖ votingRoundId u32 ‖ isSecureRandom u8 (0|1) ‖ merkleRoot 32`.
//! It is the `data` the FTSO provider returns from `submitSignatures`, the message signed in
//! signature payloads (through `keccak256` and EIP-191) and the message embedded in `relay()`
//! calldata.

#![deny(clippy::indexing_slicing)]

use alloy_primitives::{B256, keccak256};

/// Length of an encoded [`ProtocolMessageMerkleRoot`].
pub const PROTOCOL_MESSAGE_LEN: usize = 38;

/// Why bytes are not a valid protocol message.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProtocolMessageError {
    /// The byte string is not exactly 38 bytes long.
    #[error("protocol message must be {PROTOCOL_MESSAGE_LEN} bytes, got {0}")]
    Length(usize),
    /// The `isSecureRandom` byte is neither 0 nor 1.
    #[error("isSecureRandom byte must be 0 or 1, got {0}")]
    InvalidSecureRandomFlag(u8),
}

/// A sub-protocol's result for one voting round: the Merkle root it finalizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProtocolMessageMerkleRoot {
    /// Sub-protocol id (FTSO = 100, FDC = 200).
    pub protocol_id: u8,
    /// Voting round the root belongs to.
    pub voting_round_id: u32,
    /// Whether the round's random is secure (FTSO); other protocols set what their spec says.
    pub is_secure_random: bool,
    /// Root of the protocol's result Merkle tree.
    pub merkle_root: B256,
}

impl ProtocolMessageMerkleRoot {
    /// Encodes the 38-byte message.
    pub fn encode(&self) -> [u8; PROTOCOL_MESSAGE_LEN] {
        let mut out = [0u8; PROTOCOL_MESSAGE_LEN];
        out[0] = self.protocol_id;
        out[1..5].copy_from_slice(&self.voting_round_id.to_be_bytes());
        out[5] = u8::from(self.is_secure_random);
        out[6..].copy_from_slice(self.merkle_root.as_slice());
        out
    }

    /// Decodes exactly 38 bytes; the secure-random flag must be 0 or 1.
    pub fn decode(bytes: &[u8]) -> Result<Self, ProtocolMessageError> {
        let bytes: &[u8; PROTOCOL_MESSAGE_LEN] = bytes
            .try_into()
            .map_err(|_| ProtocolMessageError::Length(bytes.len()))?;
        let [protocol_id, r0, r1, r2, r3, flag, root @ ..] = bytes;
        let is_secure_random = match flag {
            0 => false,
            1 => true,
            other => return Err(ProtocolMessageError::InvalidSecureRandomFlag(*other)),
        };
        Ok(Self {
            protocol_id: *protocol_id,
            voting_round_id: u32::from_be_bytes([*r0, *r1, *r2, *r3]),
            is_secure_random,
            merkle_root: B256::from(*root),
        })
    }

    /// `keccak256` of the encoded message: the hash that is EIP-191 signed.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    reason = "tests index fixed-layout test data"
)]
mod tests {
    use super::*;

    fn sample() -> ProtocolMessageMerkleRoot {
        ProtocolMessageMerkleRoot {
            protocol_id: 100,
            voting_round_id: 1_038_240,
            is_secure_random: true,
            merkle_root: B256::repeat_byte(0xab),
        }
    }

    #[test]
    fn encodes_fields_big_endian_in_order() {
        let bytes = sample().encode();
        assert_eq!(bytes[..6], [0x64, 0x00, 0x0f, 0xd7, 0xa0, 0x01]);
        assert_eq!(bytes[6..], [0xab; 32]);
    }

    #[test]
    fn decode_inverts_encode() {
        let message = sample();
        assert_eq!(
            ProtocolMessageMerkleRoot::decode(&message.encode()),
            Ok(message)
        );
        assert_eq!(message.hash(), keccak256(message.encode()));
    }

    #[test]
    fn decode_rejects_bad_length_and_flag() {
        let mut bytes = sample().encode();
        assert_eq!(
            ProtocolMessageMerkleRoot::decode(&bytes[..37]),
            Err(ProtocolMessageError::Length(37))
        );
        bytes[5] = 2;
        assert_eq!(
            ProtocolMessageMerkleRoot::decode(&bytes),
            Err(ProtocolMessageError::InvalidSecureRandomFlag(2))
        );
    }
}
