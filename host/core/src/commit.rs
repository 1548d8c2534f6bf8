//! FTSO commit (submit1) and reveal (submit2): hashes, payloads, and decoding others' messages.
//!
//! ```text
//! commitHash = keccak256(abi.encode(address submitAddress, uint32 votingRoundId,
//!                                   uint256 random, bytes encodedValues))
//! submit1    = PayloadMessage(100, round, commitHash)               (32-byte payload)
//! submit2    = PayloadMessage(100, round, random ‖ encodedValues)   (32 + 4k bytes)
//! ```
//!
//! `encodedValues` are the exact bytes that are revealed (see [`crate::value`]: trailing empty
//! words stripped), so the commit covers the stripped encoding. The address is hashed as its 20
//! bytes, which is what the reference's lower-casing of the hex string amounts to.
//!
//! The data provider also decodes other voters' messages: a commit payload must be exactly 32
//! bytes, a reveal payload at least 32 bytes (the random) followed by whole 4-byte words, no more
//! than there are feeds. A reveal counts only if it hashes to the voter's commit.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_sol_types::SolValue;

use crate::payload::{PayloadError, PayloadMessage};
use crate::value::{self, ProviderValue, ValueDecodingError, ValueEncodingError};

/// The FTSO (anchor feeds) protocol id in PayloadMessages and protocol messages.
pub const FTSO_PROTOCOL_ID: u8 = 100;
/// Length of the reveal's random and of a commit hash.
pub const RANDOM_LEN: usize = 32;

/// Why a commit could not be built or decoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CommitError {
    /// A feed value could not be encoded.
    #[error("cannot encode feed values")]
    Values(#[from] ValueEncodingError),
    /// The reveal does not fit in a PayloadMessage.
    #[error("cannot frame the reveal as a PayloadMessage")]
    Payload(#[from] PayloadError),
    /// A commit payload is not exactly 32 bytes.
    #[error("commit payload must be 32 bytes, got {len}")]
    CommitLength {
        /// Length of the payload.
        len: usize,
    },
}

/// Why a reveal payload could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevealError {
    /// The payload is shorter than the 32-byte random.
    #[error("reveal of {len} bytes is missing the 32-byte random")]
    MissingRandom {
        /// Length of the payload.
        len: usize,
    },
    /// The value words after the random are malformed for the feed count.
    #[error("malformed revealed values")]
    Values(#[from] ValueDecodingError),
}

/// `abi.encode(address, uint32, uint256, bytes)`: the commit hash preimage.
pub fn commit_preimage(
    submit_address: Address,
    voting_round_id: u32,
    random: B256,
    encoded_values: &[u8],
) -> Vec<u8> {
    (
        submit_address,
        voting_round_id,
        U256::from_be_bytes(random.0),
        Bytes::copy_from_slice(encoded_values),
    )
        .abi_encode_params()
}

/// The commit hash: `keccak256` of [`commit_preimage`].
pub fn commit_hash(
    submit_address: Address,
    voting_round_id: u32,
    random: B256,
    encoded_values: &[u8],
) -> B256 {
    keccak256(commit_preimage(
        submit_address,
        voting_round_id,
        random,
        encoded_values,
    ))
}

/// The submit1 PayloadMessage carrying a commit hash.
pub fn submit1_message(voting_round_id: u32, commit_hash: B256) -> PayloadMessage {
    PayloadMessage {
        protocol_id: FTSO_PROTOCOL_ID,
        voting_round_id,
        payload: commit_hash.to_vec(),
    }
}

/// Decodes a submit1 payload: exactly the 32-byte commit hash.
pub fn decode_commit(payload: &[u8]) -> Result<B256, CommitError> {
    B256::try_from(payload).map_err(|_| CommitError::CommitLength { len: payload.len() })
}

/// A reveal: the voter's random and its encoded feed values, exactly as revealed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reveal {
    /// The 32-byte random committed to.
    pub random: B256,
    /// The value words (possibly fewer than the feeds, possibly none).
    pub encoded_values: Vec<u8>,
}

impl Reveal {
    /// Splits a submit2 payload into random and values; only the random's presence is checked.
    pub fn split(payload: &[u8]) -> Result<Self, RevealError> {
        let (random, rest) = payload
            .split_first_chunk::<RANDOM_LEN>()
            .ok_or(RevealError::MissingRandom { len: payload.len() })?;
        Ok(Self {
            random: B256::from(*random),
            encoded_values: rest.to_vec(),
        })
    }

    /// Decodes a submit2 payload as the reference does for a round with `feed_count` feeds:
    /// the values must be whole words, no more than the feeds.
    pub fn decode(payload: &[u8], feed_count: usize) -> Result<DecodedReveal, RevealError> {
        let reveal = Self::split(payload)?;
        let values = value::decode_values(&reveal.encoded_values, feed_count)?;
        Ok(DecodedReveal { reveal, values })
    }

    /// The submit2 payload: `random ‖ encodedValues`.
    pub fn payload(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(RANDOM_LEN + self.encoded_values.len());
        out.extend_from_slice(self.random.as_slice());
        out.extend_from_slice(&self.encoded_values);
        out
    }

    /// The submit2 PayloadMessage.
    pub fn submit2_message(&self, voting_round_id: u32) -> Result<PayloadMessage, CommitError> {
        let message = PayloadMessage {
            protocol_id: FTSO_PROTOCOL_ID,
            voting_round_id,
            payload: self.payload(),
        };
        if message.payload.len() > crate::payload::MAX_PAYLOAD_LEN {
            return Err(PayloadError::PayloadTooLong {
                len: message.payload.len(),
            }
            .into());
        }
        Ok(message)
    }

    /// The commit hash this reveal corresponds to for a submit address and round.
    pub fn commit_hash(&self, submit_address: Address, voting_round_id: u32) -> B256 {
        commit_hash(
            submit_address,
            voting_round_id,
            self.random,
            &self.encoded_values,
        )
    }

    /// Whether this reveal opens `commit` for the given submit address and round.
    pub fn matches(&self, commit: &B256, submit_address: Address, voting_round_id: u32) -> bool {
        self.commit_hash(submit_address, voting_round_id) == *commit
    }
}

/// A reveal with its values decoded against a round's feed order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DecodedReveal {
    /// The reveal as received.
    pub reveal: Reveal,
    /// One entry per feed, in feed order: `None` for an empty or missing word.
    pub values: Vec<Option<i32>>,
}

/// Everything a voter produces for one round: what submit1 commits to and submit2 reveals.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CommitReveal {
    /// Voting round.
    pub voting_round_id: u32,
    /// The voter's submit address.
    pub submit_address: Address,
    /// The reveal (random and encoded values).
    pub reveal: Reveal,
    /// The commit hash.
    pub commit_hash: B256,
}

impl CommitReveal {
    /// Encodes `values` (one per feed, with each feed's decimals) and commits to them.
    pub fn new(
        submit_address: Address,
        voting_round_id: u32,
        random: B256,
        values: &[ProviderValue],
        decimals: &[i8],
    ) -> Result<Self, CommitError> {
        let encoded_values = value::encode_values(values, decimals)?;
        let reveal = Reveal {
            random,
            encoded_values,
        };
        Ok(Self {
            voting_round_id,
            submit_address,
            commit_hash: reveal.commit_hash(submit_address, voting_round_id),
            reveal,
        })
    }

    /// The submit1 PayloadMessage.
    pub fn submit1_message(&self) -> PayloadMessage {
        submit1_message(self.voting_round_id, self.commit_hash)
    }

    /// The submit2 PayloadMessage.
    pub fn submit2_message(&self) -> Result<PayloadMessage, CommitError> {
        self.reveal.submit2_message(self.voting_round_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, b256, hex};

    fn digest_example() -> CommitReveal {
        let n = ProviderValue::Number;
        CommitReveal::new(
            address!("1234567890AbcdEF1234567890aBcdef12345678"),
            1000,
            B256::repeat_byte(0xab),
            &[n(38573.26), n(2175.125), n(0.02042)],
            &[2, 2, 7],
        )
        .unwrap()
    }

    #[test]
    fn matches_the_digest_commit_and_reveal() {
        let cr = digest_example();
        assert_eq!(
            cr.commit_hash,
            b256!("5a264867ec971f423103fe470c10d59aeba0909f88305e12f256f30cf822d610")
        );
        assert_eq!(
            hex::encode(cr.submit1_message().encode().unwrap()),
            "64000003e800205a264867ec971f423103fe470c10d59aeba0909f88305e12f256f30cf822d610"
        );
        let submit2 = cr.submit2_message().unwrap().encode().unwrap();
        assert_eq!(hex::encode(&submit2[..7]), "64000003e8002c");
        assert_eq!(hex::encode(&submit2[39..]), "803adbae800351a980031da8");
    }

    #[test]
    fn decoded_reveal_matches_its_commit_only() {
        let cr = digest_example();
        let decoded = Reveal::decode(&cr.reveal.payload(), 4).unwrap();
        assert_eq!(
            decoded.values,
            vec![Some(3_857_326), Some(217_513), Some(204_200), None]
        );
        assert!(
            decoded
                .reveal
                .matches(&cr.commit_hash, cr.submit_address, 1000)
        );
        assert!(
            !decoded
                .reveal
                .matches(&cr.commit_hash, cr.submit_address, 1001)
        );
        assert!(!decoded.reveal.matches(&cr.commit_hash, Address::ZERO, 1000));
    }

    #[test]
    fn rejects_malformed_reveals_and_commits() {
        assert_eq!(
            Reveal::decode(&[0; 31], 1),
            Err(RevealError::MissingRandom { len: 31 })
        );
        assert_eq!(
            Reveal::decode(&[1; 34], 1),
            Err(RevealError::Values(ValueDecodingError::Length { len: 2 }))
        );
        assert_eq!(
            Reveal::decode(&[1; 40], 1),
            Err(RevealError::Values(ValueDecodingError::TooManyValues {
                words: 2,
                feeds: 1
            }))
        );
        assert_eq!(
            Reveal::decode(&[1; 32], 2).unwrap().values,
            vec![None, None]
        );
        assert_eq!(
            decode_commit(&[0; 33]),
            Err(CommitError::CommitLength { len: 33 })
        );
        assert_eq!(decode_commit(&[7; 32]), Ok(B256::repeat_byte(7)));
    }
}
