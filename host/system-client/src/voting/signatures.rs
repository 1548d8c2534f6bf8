//! submitSignatures (system-client digest §3.4–3.5): the round's 38-byte protocol message from each data
//! provider, signed with the signing-policy key (EIP-191 over its keccak256, `v ‖ r ‖ s`), sent as type 0 (message
//! and signature) or type 1 (signature only) payloads in one transaction, and handed to the finalizer in process.
//!
//! Phase A, until the step's deadline: every protocol is asked, at most once a second, until it answers `OK` or
//! `EMPTY`; then one transaction carries every signed payload. If it fails (or there was nothing but `EMPTY`),
//! every protocol is asked again in phase B. Phase B: up to `max_cycles` cycles, each asking the protocols still
//! pending and sending a new transaction with what they answered.

use std::collections::BTreeSet;
use std::time::Duration;

use alloy::signers::local::PrivateKeySigner;
use anyhow::Context as _;
use ftso_core::protocol_message::ProtocolMessageMerkleRoot;
use ftso_core::submit_signatures::{SignaturePayload, submit_signatures_calldata};
use tokio::sync::mpsc::error::TrySendError;

use super::clock::Clock;
use super::config::SignaturesStepConfig;
use super::protocols::{Answer, Route, SubProtocol};
use super::submitter::{Outcome, Step, Submitter, count};
use crate::handoff::OwnMessageSender;

/// Least time between two requests to one data provider before the deadline.
const ATTEMPT_SPACING: Duration = Duration::from_secs(1);

/// The signed payload of `protocol` for `round` over `message` (the data provider's 38 bytes), with its
/// additional data, as the protocol's payload type says.
pub fn sign_payload(
    signer: &PrivateKeySigner,
    protocol: &SubProtocol,
    round: u32,
    message: &[u8],
    additional_data: &[u8],
) -> anyhow::Result<SignaturePayload> {
    SignaturePayload::sign(
        signer,
        protocol.id,
        round,
        protocol.signature_type,
        message,
        additional_data,
    )
    .with_context(|| {
        format!(
            "signing protocol {}'s message of round {round}",
            protocol.id
        )
    })
}

/// What the submitSignatures step needs.
#[derive(Debug)]
pub struct SignatureStep<'a> {
    /// The submit-signatures key's submitter.
    pub submitter: &'a Submitter,
    /// The sub-protocols in config order.
    pub protocols: &'a [SubProtocol],
    /// The signing-policy key.
    pub signer: &'a PrivateKeySigner,
    /// The finalizer's hand-off, when a finalizer runs.
    pub own_messages: Option<&'a OwnMessageSender>,
    /// The step's configuration.
    pub config: &'a SignaturesStepConfig,
    /// The scheduler's clock.
    pub clock: Clock,
}

impl SignatureStep<'_> {
    /// Runs submitSignatures of `round`: phase A until unix ms `deadline_ms`, then phase B; transactions valid
    /// until unix second `valid_until`. Returns the outcome of the last transaction.
    pub async fn run(&self, round: u32, deadline_ms: u64, valid_until: u64) -> Outcome {
        let all: Vec<usize> = (0..self.protocols.len()).collect();
        let asked = futures::future::join_all(
            all.iter()
                .map(|&i| self.ask_until(&self.protocols[i], round, deadline_ms)),
        )
        .await;
        let answered: Vec<(usize, Answer)> = all
            .iter()
            .zip(asked)
            .filter_map(|(&i, answer)| answer.map(|answer| (i, answer)))
            .collect();
        let mut pending: BTreeSet<usize> = all
            .iter()
            .filter(|i| !answered.iter().any(|(a, _)| a == *i))
            .copied()
            .collect();
        // Protocols whose outcome a transaction (or an EMPTY answer) already counted.
        let mut counted: BTreeSet<usize> = answered.iter().map(|(i, _)| *i).collect();
        let mut outcome = self.send(round, &answered, valid_until).await;
        if !matches!(outcome, Outcome::Sent { .. }) {
            // As the reference: a failed transaction (or nothing but EMPTY) puts every protocol back.
            pending.extend(all.iter().copied());
        }
        for cycle in 0..self.config.max_cycles {
            if pending.is_empty() {
                break;
            }
            let cycle_start = self.clock.now_ms();
            let indices: Vec<usize> = pending.iter().copied().collect();
            let asked = futures::future::join_all(indices.iter().map(|&i| {
                self.protocols[i].ask_with_retries(
                    Route::SubmitSignatures,
                    round,
                    self.submitter.sender.address(),
                    self.config.data_fetch_retries,
                    self.config.data_fetch_timeout,
                )
            }))
            .await;
            let mut answered = Vec::new();
            for (&i, answer) in indices.iter().zip(asked) {
                match answer {
                    Ok(answer) => answered.push((i, answer)),
                    Err(error) => tracing::debug!(
                        round,
                        cycle,
                        protocol = self.protocols[i].id,
                        "submitSignatures: {error:#}"
                    ),
                }
            }
            if !answered.is_empty() {
                counted.extend(answered.iter().map(|(i, _)| *i));
                outcome = self.send(round, &answered, valid_until).await;
                if matches!(outcome, Outcome::Sent { .. }) {
                    for (i, _) in &answered {
                        pending.remove(i);
                    }
                }
            }
            let cycle_duration = self.config.cycle_duration.max(Duration::from_secs(1));
            self.clock
                .sleep_until_ms(
                    cycle_start + u64::try_from(cycle_duration.as_millis()).unwrap_or(0),
                )
                .await;
        }
        for &i in &pending {
            let protocol = self.protocols[i].id;
            tracing::warn!(
                round,
                protocol,
                "submitSignatures: no signature sent for the protocol"
            );
        }
        let never_answered: Vec<u8> = pending
            .iter()
            .filter(|i| !counted.contains(i))
            .map(|&i| self.protocols[i].id)
            .collect();
        count(Step::SubmitSignatures, &never_answered, Outcome::Failed);
        outcome
    }

    /// Phase A for one protocol: asks until `OK` or `EMPTY`, or until the deadline (`None`).
    async fn ask_until(
        &self,
        protocol: &SubProtocol,
        round: u32,
        deadline_ms: u64,
    ) -> Option<Answer> {
        let address = self.submitter.sender.address();
        loop {
            let attempt_start = self.clock.now_ms();
            if attempt_start >= deadline_ms {
                return None;
            }
            let left = self.clock.until_ms(deadline_ms);
            let timeout = self.config.data_fetch_timeout.min(left);
            match protocol
                .ask(Route::SubmitSignatures, round, address, timeout)
                .await
            {
                Ok(answer) => return Some(answer),
                Err(error) => {
                    tracing::debug!(round, protocol = protocol.id, "submitSignatures: {error:#}")
                }
            }
            let spacing = u64::try_from(ATTEMPT_SPACING.as_millis()).unwrap_or(1000);
            self.clock.sleep_until_ms(attempt_start + spacing).await;
        }
    }

    /// Signs every `Data` answer, hands its message to the finalizer, and sends one transaction of the signed
    /// payloads.
    async fn send(&self, round: u32, answered: &[(usize, Answer)], valid_until: u64) -> Outcome {
        let mut payloads = Vec::new();
        let mut included = Vec::new();
        for (i, answer) in answered {
            let protocol = &self.protocols[*i];
            let Answer::Data {
                data,
                additional_data,
            } = answer
            else {
                tracing::warn!(
                    round,
                    protocol = protocol.id,
                    "submitSignatures: EMPTY answer"
                );
                count(Step::SubmitSignatures, &[protocol.id], Outcome::Skipped);
                continue;
            };
            match sign_payload(self.signer, protocol, round, data, additional_data) {
                Ok(payload) => {
                    self.hand_off(round, protocol.id, data);
                    payloads.push(payload);
                    included.push(protocol.id);
                }
                Err(error) => tracing::error!(round, "{error:#}"),
            }
        }
        let calldata = match submit_signatures_calldata(&payloads) {
            Ok(calldata) => calldata,
            Err(error) => {
                tracing::error!(round, "submitSignatures calldata: {error}");
                count(Step::SubmitSignatures, &included, Outcome::Failed);
                return Outcome::Failed;
            }
        };
        let outcome = self
            .submitter
            .send(round, calldata, &included, valid_until)
            .await;
        count(Step::SubmitSignatures, &included, outcome);
        outcome
    }

    /// Gives the signed message to the finalizer without waiting (WARN when its queue is full).
    fn hand_off(&self, round: u32, protocol: u8, message: &[u8]) {
        let Some(channel) = self.own_messages else {
            return;
        };
        let message = match ProtocolMessageMerkleRoot::decode(message) {
            Ok(message) => message,
            Err(error) => {
                tracing::warn!(round, protocol, "not handed to the finalizer: {error}");
                return;
            }
        };
        match channel.try_send(message) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                tracing::warn!(round, protocol, "finalizer queue full: own message dropped");
            }
            Err(TrySendError::Closed(_)) => {
                tracing::debug!(round, protocol, "no finalizer listening");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use alloy::primitives::{B256, keccak256};
    use ftso_core::payload::SUBMIT_SIGNATURES_SELECTOR;
    use ftso_core::submit_signatures::{
        SignaturePayloadType, SignedMessage, decode_submit_signatures_calldata,
    };

    use super::*;

    fn protocol(id: u8, signature_type: SignaturePayloadType) -> SubProtocol {
        SubProtocol {
            id,
            // A real client of an address nobody listens on: these tests never ask it.
            provider: Arc::new(
                ftso_data_provider::HttpDataProvider::new(
                    "http://127.0.0.1:9",
                    None,
                    Duration::from_secs(1),
                )
                .unwrap(),
            ),
            signature_type,
        }
    }

    #[test]
    fn type_0_and_type_1_payloads_are_the_core_encodings() {
        let signer = PrivateKeySigner::from_bytes(&B256::repeat_byte(0x11)).unwrap();
        let round = 1_038_240;
        let message = ProtocolMessageMerkleRoot {
            protocol_id: 100,
            voting_round_id: round,
            is_secure_random: true,
            merkle_root: B256::repeat_byte(0xab),
        }
        .encode();
        let ftso = protocol(100, SignaturePayloadType::Type1);
        let fdc = protocol(200, SignaturePayloadType::Type0);
        let type1 = sign_payload(&signer, &ftso, round, &message, &[]).unwrap();
        let type0 = sign_payload(&signer, &fdc, round, &message, &[0xc0, 0xde]).unwrap();

        let calldata = submit_signatures_calldata(&[type1.clone(), type0.clone()]).unwrap();
        // selector ‖ 100 ‖ round ‖ len 66 ‖ type 1 ‖ v r s ‖ 200 ‖ round ‖ len 106 ‖ type 0 ‖ message ‖ v r s ‖ c0de
        assert_eq!(calldata[..4], SUBMIT_SIGNATURES_SELECTOR);
        assert_eq!(calldata[4], 100);
        assert_eq!(calldata[5..9], round.to_be_bytes());
        assert_eq!(calldata[9..11], 66u16.to_be_bytes());
        assert_eq!(calldata[11], 1);
        assert!(matches!(calldata[12], 27 | 28));
        let second = 4 + 7 + 66;
        assert_eq!(calldata[second], 200);
        assert_eq!(calldata[second + 5..second + 7], 106u16.to_be_bytes());
        assert_eq!(calldata[second + 7], 0);
        assert_eq!(calldata[second + 8..second + 8 + 38], message);
        assert_eq!(calldata.len(), second + 7 + 106);
        assert_eq!(calldata[calldata.len() - 2..], [0xc0, 0xde]);

        let decoded = decode_submit_signatures_calldata(&calldata).unwrap();
        let decoded: Vec<SignaturePayload> = decoded.into_iter().map(Result::unwrap).collect();
        assert_eq!(decoded, [type1.clone(), type0.clone()]);
        assert_eq!(decoded[0].message, SignedMessage::Detached);
        // Both signatures are the signing key's over keccak256(message), the same bytes for both types.
        let hash = keccak256(message);
        assert_eq!(decoded[0].recover_signer(&hash).unwrap(), signer.address());
        assert_eq!(decoded[1].recover_signer(&hash).unwrap(), signer.address());
        assert_eq!(type1.signature, type0.signature);
        let expected = ftso_core::signing::to_vrs_bytes(
            &ftso_core::signing::sign_eip191(&signer, &hash).unwrap(),
        );
        assert_eq!(type1.signature, expected);
    }

    #[test]
    fn a_type_0_payload_needs_the_38_byte_message() {
        let signer = PrivateKeySigner::from_bytes(&B256::repeat_byte(0x22)).unwrap();
        let fdc = protocol(200, SignaturePayloadType::Type0);
        assert!(sign_payload(&signer, &fdc, 5, &[0u8; 37], &[]).is_err());
    }

    #[tokio::test]
    async fn the_hand_off_passes_the_message_and_never_blocks() {
        let (tx, mut rx) = tokio::sync::mpsc::channel(1);
        let signer = PrivateKeySigner::from_bytes(&B256::repeat_byte(0x33)).unwrap();
        let submitter = test_submitter(&signer);
        let protocols = [protocol(100, SignaturePayloadType::Type1)];
        let config = SignaturesStepConfig::default();
        let step = SignatureStep {
            submitter: &submitter,
            protocols: &protocols,
            signer: &signer,
            own_messages: Some(&tx),
            config: &config,
            clock: Clock::local(),
        };
        let message = ProtocolMessageMerkleRoot {
            protocol_id: 100,
            voting_round_id: 9,
            is_secure_random: false,
            merkle_root: B256::repeat_byte(1),
        };
        step.hand_off(9, 100, &message.encode());
        step.hand_off(10, 100, &message.encode()); // full: dropped, not blocking
        step.hand_off(11, 100, &[0u8; 12]); // not a message: not handed
        assert_eq!(rx.recv().await, Some(message));
        assert!(rx.try_recv().is_err());
    }

    fn test_submitter(signer: &PrivateKeySigner) -> Submitter {
        ftso_feeds::install_crypto_provider();
        let provider = alloy::providers::ProviderBuilder::new()
            .connect_http("http://127.0.0.1:9".parse().unwrap());
        let provider = alloy::providers::Provider::erased(provider);
        let key = ftso_chain::keys::PrivateKey::from(signer.clone());
        Submitter {
            step: Step::SubmitSignatures,
            sender: ftso_chain::tx::TxSender::new(provider, &key, 1),
            submission: alloy::primitives::Address::ZERO,
            fees: ftso_chain::tx::FeePolicy::default(),
            tx_attempts: 1,
            tx_attempt_timeout: Duration::from_secs(1),
            clock: Clock::local(),
        }
    }
}
