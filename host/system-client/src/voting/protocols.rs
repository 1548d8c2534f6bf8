//! The sub-protocols the scheduler speaks for, and how their data providers are asked (system-client digest
//! §3.1–3.2, §1.5): each answer is checked as the reference's verifiers do, failures are retried back to back.

use std::sync::Arc;
use std::time::Duration;

use alloy::primitives::Address;
use anyhow::Context as _;
use ftso_core::protocol_message::PROTOCOL_MESSAGE_LEN;
use ftso_core::submit_signatures::SignaturePayloadType;
use ftso_data_provider::{DataProvider, HttpDataProvider, ProviderAnswer, ProviderStatus};

use super::config::{SubProtocolConfig, VotingConfig};

/// Most `additionalData` a signature payload can carry next to a type-0 body (65535 − 104).
pub const MAX_ADDITIONAL_DATA: usize = u16::MAX as usize - 104;

/// One sub-protocol: its id, its data provider and its signature payload type.
#[derive(Debug, Clone)]
pub struct SubProtocol {
    /// The protocol id (FTSO 100, FDC 200).
    pub id: u8,
    /// Its data provider (in process or over HTTP).
    pub provider: Arc<dyn DataProvider>,
    /// The submitSignatures payload type.
    pub signature_type: SignaturePayloadType,
}

/// The configured sub-protocols in config order; `in_process` serves the `"in-process"` entries, and a URL entry
/// gets an HTTP client whose requests time out after `http_timeout`.
pub fn build_protocols(
    config: &VotingConfig,
    in_process: Option<Arc<dyn DataProvider>>,
    http_timeout: Duration,
) -> anyhow::Result<Vec<SubProtocol>> {
    config
        .protocols
        .iter()
        .map(|protocol| build_protocol(protocol, in_process.clone(), http_timeout))
        .collect()
}

fn build_protocol(
    config: &SubProtocolConfig,
    in_process: Option<Arc<dyn DataProvider>>,
    http_timeout: Duration,
) -> anyhow::Result<SubProtocol> {
    let provider: Arc<dyn DataProvider> = if config.is_in_process() {
        in_process.with_context(|| {
            format!(
                "system_client.voting: protocol {} uses the in-process data provider, which does not run here \
                 (enable node.data_provider or give a URL)",
                config.protocol_id
            )
        })?
    } else {
        Arc::new(
            HttpDataProvider::with_key_from_env(
                &config.data_provider,
                &config.api_key_env(),
                http_timeout,
            )
            .with_context(|| format!("system_client.voting: protocol {}", config.protocol_id))?,
        )
    };
    Ok(SubProtocol {
        id: config.protocol_id,
        provider,
        signature_type: config.payload_type()?,
    })
}

/// Which data-provider route is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `submit1`.
    Submit1,
    /// `submit2`.
    Submit2,
    /// `submitSignatures`.
    SubmitSignatures,
}

/// A usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// `OK`, with its data (and for submitSignatures the additional data).
    Data {
        /// `data`.
        data: Vec<u8>,
        /// `additionalData` (empty when absent).
        additional_data: Vec<u8>,
    },
    /// `EMPTY`: nothing to send for this protocol.
    Empty,
}

/// Checks an answer as the reference's verifiers: `OK` and `EMPTY` pass, any other status is an error to retry;
/// a submitSignatures `OK` needs a 38-byte message and at most [`MAX_ADDITIONAL_DATA`] additional bytes.
pub fn verify(route: Route, answer: ProviderAnswer) -> anyhow::Result<Answer> {
    match answer.status {
        ProviderStatus::Ok => {}
        ProviderStatus::Empty => return Ok(Answer::Empty),
        status => anyhow::bail!("status {status:?}"),
    }
    let data = answer.data.unwrap_or_default();
    let additional_data = answer.additional_data.unwrap_or_default();
    if route == Route::SubmitSignatures {
        anyhow::ensure!(
            data.len() == PROTOCOL_MESSAGE_LEN,
            "submitSignatures data of {} bytes (not {PROTOCOL_MESSAGE_LEN})",
            data.len()
        );
        anyhow::ensure!(
            additional_data.len() <= MAX_ADDITIONAL_DATA,
            "submitSignatures additionalData of {} bytes",
            additional_data.len()
        );
    }
    Ok(Answer::Data {
        data,
        additional_data,
    })
}

impl SubProtocol {
    /// One request of `route` for `round` and `address`, limited to `timeout`, checked by [`verify`].
    pub async fn ask(
        &self,
        route: Route,
        round: u32,
        address: Address,
        timeout: Duration,
    ) -> anyhow::Result<Answer> {
        let request = match route {
            Route::Submit1 => self.provider.submit1(round, address),
            Route::Submit2 => self.provider.submit2(round, address),
            Route::SubmitSignatures => self.provider.submit_signatures(round, address),
        };
        let answer = tokio::time::timeout(timeout, request)
            .await
            .map_err(|_| anyhow::anyhow!("no answer within {timeout:?}"))?
            .map_err(anyhow::Error::from)?;
        verify(route, answer)
    }

    /// Up to `attempts` requests back to back (the reference's `data_fetch_retries`, no delay); the last error
    /// when none succeeded.
    pub async fn ask_with_retries(
        &self,
        route: Route,
        round: u32,
        address: Address,
        attempts: u32,
        timeout: Duration,
    ) -> anyhow::Result<Answer> {
        let mut last = anyhow::anyhow!("no request made");
        for _ in 0..attempts.max(1) {
            match self.ask(route, round, address, timeout).await {
                Ok(answer) => return Ok(answer),
                Err(error) => {
                    tracing::debug!(protocol = self.id, round, ?route, "{error:#}");
                    last = error;
                }
            }
        }
        Err(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: ProviderStatus, data: Option<Vec<u8>>) -> ProviderAnswer {
        ProviderAnswer {
            status,
            data,
            additional_data: None,
        }
    }

    #[test]
    fn verification_follows_the_reference() {
        let ok = answer(ProviderStatus::Ok, Some(vec![1, 2]));
        assert!(matches!(
            verify(Route::Submit1, ok.clone()),
            Ok(Answer::Data { .. })
        ));
        assert!(verify(Route::SubmitSignatures, ok).is_err());
        let message = answer(ProviderStatus::Ok, Some(vec![0; 38]));
        assert!(verify(Route::SubmitSignatures, message).is_ok());
        assert_eq!(
            verify(Route::Submit2, answer(ProviderStatus::Empty, None)).unwrap(),
            Answer::Empty
        );
        assert!(verify(Route::Submit2, ProviderAnswer::not_available()).is_err());
        assert!(verify(Route::Submit1, answer(ProviderStatus::Retry, None)).is_err());
        let mut too_much = answer(ProviderStatus::Ok, Some(vec![0; 38]));
        too_much.additional_data = Some(vec![0; MAX_ADDITIONAL_DATA + 1]);
        assert!(verify(Route::SubmitSignatures, too_much).is_err());
    }
}
