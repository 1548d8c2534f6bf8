//! submit1 and submit2 (system-client digest §3.3): every sub-protocol's data provider is asked at once, the
//! PayloadMessages they answer are appended to the selector unchanged, in config order, and sent as one
//! transaction. A protocol that does not answer is left out (WARN); `EMPTY` adds nothing; a transaction of only
//! the selector is not sent.

use ftso_core::payload::{SUBMIT1_SELECTOR, SUBMIT2_SELECTOR};

use super::config::{StepConfig, StepDefault};
use super::protocols::{Answer, Route, SubProtocol};
use super::scheduler::ChainStart;
use super::submitter::{Outcome, Step, Submitter, count};

/// The selector followed by each `Data` answer's bytes, in the given order; and the protocols whose data is in
/// it.
pub fn concatenate(selector: [u8; 4], answers: &[(u8, Answer)]) -> (Vec<u8>, Vec<u8>) {
    let mut calldata = selector.to_vec();
    let mut included = Vec::new();
    for (protocol, answer) in answers {
        if let Answer::Data { data, .. } = answer {
            calldata.extend_from_slice(data);
            included.push(*protocol);
        }
    }
    (calldata, included)
}

/// Runs submit1 (`step` [`Step::Submit1`]) or submit2 of `round`, valid until unix second `valid_until`. In a
/// chain started at start-up, a reveal the data provider has no data for is expected (nothing was committed before
/// the restart) and logged at INFO.
pub(super) async fn submit_payloads<D: StepDefault>(
    submitter: &Submitter,
    protocols: &[SubProtocol],
    config: &StepConfig<D>,
    round: u32,
    valid_until: u64,
    start: ChainStart,
) -> Outcome {
    let step = submitter.step;
    let (route, selector) = match step {
        Step::Submit1 => (Route::Submit1, SUBMIT1_SELECTOR),
        Step::Submit2 | Step::SubmitSignatures => (Route::Submit2, SUBMIT2_SELECTOR),
    };
    let address = submitter.sender.address();
    let asked = futures::future::join_all(protocols.iter().map(|protocol| {
        protocol.ask_with_retries(
            route,
            round,
            address,
            config.data_fetch_retries,
            config.data_fetch_timeout,
        )
    }))
    .await;
    let mut answers = Vec::with_capacity(protocols.len());
    for (protocol, answer) in protocols.iter().zip(asked) {
        match answer {
            Ok(Answer::Empty) => {
                tracing::info!(
                    round,
                    protocol = protocol.id,
                    "submitter {step}: EMPTY answer"
                );
                count(step, &[protocol.id], Outcome::Skipped);
            }
            Ok(answer) => answers.push((protocol.id, answer)),
            Err(error) if start == ChainStart::Recovery && step == Step::Submit2 => {
                tracing::info!(
                    round,
                    protocol = protocol.id,
                    "submitter {step}: nothing to reveal from before the start ({error:#})"
                );
                count(step, &[protocol.id], Outcome::Skipped);
            }
            Err(error) => {
                tracing::warn!(
                    round,
                    protocol = protocol.id,
                    "submitter {step}: no data from the data provider: {error:#}"
                );
                count(step, &[protocol.id], Outcome::Failed);
            }
        }
    }
    let (calldata, included) = concatenate(selector, &answers);
    let outcome = submitter
        .send(round, calldata, &included, valid_until)
        .await;
    count(step, &included, outcome);
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_appended_unchanged_in_config_order() {
        let data = |bytes: &[u8]| Answer::Data {
            data: bytes.to_vec(),
            additional_data: vec![9],
        };
        let answers = [
            (200, data(&[0xc8, 1])),
            (7, Answer::Empty),
            (100, data(&[0x64, 2, 3])),
        ];
        let (calldata, included) = concatenate(SUBMIT2_SELECTOR, &answers);
        assert_eq!(
            calldata,
            [&SUBMIT2_SELECTOR[..], &[0xc8, 1, 0x64, 2, 3]].concat()
        );
        assert_eq!(included, [200, 100]);
        let (only_selector, none) = concatenate(SUBMIT1_SELECTOR, &[(7, Answer::Empty)]);
        assert_eq!(only_selector, SUBMIT1_SELECTOR);
        assert!(none.is_empty());
    }
}
