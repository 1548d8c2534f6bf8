//! The one interface through which a system client asks a data provider for its round data.
//!
//! It mirrors the reference's protocol-data-provider routes (`submit1`, `submit2`,
//! `submitSignatures`) and their JSON answer, so the in-process role ([`crate::DataProviderRole`],
//! no HTTP hop) and a client of a remote reference API are interchangeable: an HTTP client
//! implementation GETs `{url}/{route}/{round}/{address}` and deserialises a [`ProviderAnswer`].

use alloy_primitives::Address;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A data provider for one sub-protocol, as the system client drives it.
pub trait DataProvider: Send + Sync + std::fmt::Debug {
    /// The commit (submit1) PayloadMessage of `voting_round_id` for `submit_address`.
    fn submit1(
        &self,
        voting_round_id: u32,
        submit_address: Address,
    ) -> BoxFuture<'_, Result<ProviderAnswer, ProviderError>>;

    /// The reveal (submit2) PayloadMessage of `voting_round_id` for `submit_address`.
    fn submit2(
        &self,
        voting_round_id: u32,
        submit_address: Address,
    ) -> BoxFuture<'_, Result<ProviderAnswer, ProviderError>>;

    /// The 38-byte message to sign for `voting_round_id` (a bare ProtocolMessageMerkleRoot).
    fn submit_signatures(
        &self,
        voting_round_id: u32,
        submit_signatures_address: Address,
    ) -> BoxFuture<'_, Result<ProviderAnswer, ProviderError>>;
}

/// The `status` of an answer. The reference FTSO provider answers `OK` or `NOT_AVAILABLE`;
/// `EMPTY` and `RETRY` are the other statuses the Go system client knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProviderStatus {
    /// `data` holds the answer.
    Ok,
    /// Nothing to send this time (the Go client sends nothing for the protocol).
    Empty,
    /// Not ready: ask again.
    Retry,
    /// The reference's "not (yet) available"; the Go client retries it as an unknown status.
    NotAvailable,
}

/// An answer, serialised exactly as the reference's PDP JSON: `status`, and `data` /
/// `additionalData` as lowercase `0x` hex when present (absent keys, never `null`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProviderAnswer {
    /// The status.
    pub status: ProviderStatus,
    /// The payload when `status` is `OK`.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "hex_bytes")]
    #[schema(value_type = Option<String>, example = "0x64000003e800205a26…")]
    pub data: Option<Vec<u8>>,
    /// Extra bytes appended to a signature payload (never set by the FTSO provider).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "hex_bytes")]
    #[schema(value_type = Option<String>)]
    pub additional_data: Option<Vec<u8>>,
}

impl ProviderAnswer {
    /// `{"status":"OK","data":…}`.
    pub fn ok(data: Vec<u8>) -> Self {
        Self {
            status: ProviderStatus::Ok,
            data: Some(data),
            additional_data: None,
        }
    }

    /// `{"status":"NOT_AVAILABLE"}`.
    pub fn not_available() -> Self {
        Self {
            status: ProviderStatus::NotAvailable,
            data: None,
            additional_data: None,
        }
    }
}

/// Why a data provider could not answer at all (the reference's HTTP 500).
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The answer could not be computed (values unavailable, unknown reward epoch, database...).
    #[error("data provider failed")]
    Failed(#[from] anyhow::Error),
}

/// `Option<Vec<u8>>` as `0x` hex; reading accepts hex with or without `0x`, as the Go client.
mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub(super) fn serialize<S: Serializer>(
        bytes: &Option<Vec<u8>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(bytes) => serializer.serialize_str(&format!("0x{}", hex::encode(bytes))),
            None => serializer.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        let Some(text) = Option::<String>::deserialize(deserializer)? else {
            return Ok(None);
        };
        let digits = text.strip_prefix("0x").unwrap_or(&text);
        hex::decode(digits).map(Some).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_serialise_as_the_reference_json() {
        let ok = ProviderAnswer::ok(vec![0x64, 0xab]);
        assert_eq!(
            serde_json::to_string(&ok).unwrap(),
            r#"{"status":"OK","data":"0x64ab"}"#
        );
        assert_eq!(
            serde_json::to_string(&ProviderAnswer::not_available()).unwrap(),
            r#"{"status":"NOT_AVAILABLE"}"#
        );
        let parsed: ProviderAnswer =
            serde_json::from_str(r#"{"status":"OK","data":"64AB","additionalData":"0x"}"#).unwrap();
        assert_eq!(parsed.data, Some(vec![0x64, 0xab]));
        assert_eq!(parsed.additional_data, Some(vec![]));
        assert!(serde_json::from_str::<ProviderAnswer>(r#"{"status":"OK","extra":1}"#).is_err());
    }
}
