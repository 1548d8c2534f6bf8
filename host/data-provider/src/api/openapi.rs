//! The OpenAPI document of the reference HTTP API (served at `api-doc-json`, rendered at
//! `api-doc` by the same page as the feed-values REST's document).

#![allow(
    dead_code,
    reason = "the functions below only carry the path documentation"
)]

use std::sync::OnceLock;

use utoipa::{
    Modify, OpenApi,
    openapi::security::{ApiKey, ApiKeyValue, SecurityScheme},
};

use super::model::{
    AbiData, AbiDefinition, AbiDefinitionsResponse, ErrorResponse, ExternalStatus, FeedDescription,
    FeedLeaf, FeedWithProof, FeedWithProofResponse, InternalErrorResponse, MedianCalculationResult,
    MedianResponse, MedianSummary, MerkleTreeResponse, RandomLeaf, StatusOnly, TreeLeaf,
    UnauthorizedResponse, ValueWithDecimals,
};
use crate::provider::{ProviderAnswer, ProviderStatus};

/// The page that renders the document (shared with the feed-values REST).
pub use ftso_feeds::rest::openapi::API_DOC_HTML;

const PDP: &str = "FTSO Protocol data provider";
const EXTERNAL: &str = "External User Facing API";

/// Commit: `PayloadMessage(100, round, commitHash)` for `submitAddress`; the reveal data is
/// stored before the answer. Repeated calls for the same round and address spelling give the same
/// commit.
#[utoipa::path(
    get,
    path = "/submit1/{votingRoundId}/{submitAddress}",
    operation_id = "submit1",
    tag = PDP,
    params(
        ("votingRoundId" = i64, Path, description = "Voting round id (`-?\\d+`)"),
        ("submitAddress" = String, Path, description = "Submit address, any letter case; the reveal is keyed by this exact spelling"),
    ),
    responses(
        (status = 200, description = "`OK` with the 39-byte PayloadMessage, or `NOT_AVAILABLE` during shutdown", body = ProviderAnswer),
        (status = 400, description = "votingRoundId is not an integer", body = ErrorResponse),
        (status = 401, description = "Missing or unknown X-API-KEY", body = UnauthorizedResponse),
        (status = 500, description = "No values, no reward epoch for the round, invalid address or value out of range", body = InternalErrorResponse),
    ),
    security(("X-API-KEY" = []))
)]
fn submit1() {}

/// Reveal: `PayloadMessage(100, round, random ‖ encodedValues)` of the commit stored for this
/// round and address spelling.
#[utoipa::path(
    get,
    path = "/submit2/{votingRoundId}/{submitAddress}",
    operation_id = "submit2",
    tag = PDP,
    params(
        ("votingRoundId" = i64, Path, description = "Voting round id (`-?\\d+`)"),
        ("submitAddress" = String, Path, description = "Submit address, spelled as at submit1"),
    ),
    responses(
        (status = 200, description = "`OK` with the PayloadMessage, or `NOT_AVAILABLE` when nothing was committed", body = ProviderAnswer),
        (status = 400, description = "votingRoundId is not an integer", body = ErrorResponse),
        (status = 401, description = "Missing or unknown X-API-KEY", body = UnauthorizedResponse),
        (status = 500, description = "Storage failure", body = InternalErrorResponse),
    ),
    security(("X-API-KEY" = []))
)]
fn submit2() {}

/// The round's 38-byte ProtocolMessageMerkleRoot to sign (bare, not a PayloadMessage).
#[utoipa::path(
    get,
    path = "/submitSignatures/{votingRoundId}/{submitSignaturesAddress}",
    operation_id = "submitSignatures",
    tag = PDP,
    params(
        ("votingRoundId" = i64, Path, description = "Voting round id (`-?\\d+`)"),
        ("submitSignaturesAddress" = String, Path, description = "Ignored"),
    ),
    responses(
        (status = 200, description = "`OK` with the message, or `NOT_AVAILABLE` while the indexed data does not cover the round", body = ProviderAnswer),
        (status = 400, description = "votingRoundId is not an integer", body = ErrorResponse),
        (status = 401, description = "Missing or unknown X-API-KEY", body = UnauthorizedResponse),
        (status = 500, description = "`Unable to calculate result for epoch N` (e.g. no valid reveal)", body = ErrorResponse),
    ),
    security(("X-API-KEY" = []))
)]
fn submit_signatures() {}

/// Not used by the FTSO protocol: always HTTP 500.
#[utoipa::path(
    get,
    path = "/submit3/{votingRoundId}/{submitAddress}",
    operation_id = "submit3",
    tag = PDP,
    params(
        ("votingRoundId" = i64, Path, description = "Voting round id (`-?\\d+`)"),
        ("submitAddress" = String, Path, description = "Ignored"),
    ),
    responses(
        (status = 400, description = "votingRoundId is not an integer", body = ErrorResponse),
        (status = 401, description = "Missing or unknown X-API-KEY", body = UnauthorizedResponse),
        (status = 500, description = "`Not used in FTSO protocol`", body = ErrorResponse),
    ),
    security(("X-API-KEY" = []))
)]
fn submit3() {}

/// The round's whole result tree: the random leaf, then the feed leaves in canonical order.
#[utoipa::path(
    get,
    path = "/data/{votingRoundId}",
    operation_id = "data",
    tag = EXTERNAL,
    params(("votingRoundId" = i64, Path, description = "Voting round id (`-?\\d+`)")),
    responses(
        (status = 200, description = "`OK` with the tree; `TOO_EARLY` before the reveal deadline plus 1 s; `NOT_AVAILABLE` when not covered", body = MerkleTreeResponse),
        (status = 400, description = "votingRoundId is not an integer", body = ErrorResponse),
        (status = 401, description = "Missing or unknown X-API-KEY", body = UnauthorizedResponse),
        (status = 500, description = "`Unable to calculate result for epoch N`", body = ErrorResponse),
    ),
    security(("X-API-KEY" = []))
)]
fn data() {}

/// One feed's leaf with its Merkle proof.
#[utoipa::path(
    get,
    path = "/specific-feed/{feedId}/{votingRoundId}",
    operation_id = "specificFeed",
    tag = EXTERNAL,
    params(
        ("feedId" = String, Path, description = "Feed id exactly as `0x` and 42 lowercase hex digits"),
        ("votingRoundId" = i64, Path, description = "Voting round id (`-?\\d+`)"),
    ),
    responses(
        (status = 200, description = "`OK` with the leaf and proof; `TOO_EARLY`; `NOT_AVAILABLE` (also for a feed not in the round)", body = FeedWithProofResponse),
        (status = 400, description = "votingRoundId is not an integer", body = ErrorResponse),
        (status = 401, description = "Missing or unknown X-API-KEY", body = UnauthorizedResponse),
        (status = 500, description = "`Unable to calculate result for epoch N`", body = ErrorResponse),
    ),
    security(("X-API-KEY" = []))
)]
fn specific_feed() {}

/// The ABI of the result tree's structs.
#[utoipa::path(
    get,
    path = "/data-abis",
    operation_id = "dataAbis",
    tag = EXTERNAL,
    responses(
        (status = 200, description = "`randomStruct`, `feedStruct`, `feedWithProofStruct`", body = AbiDefinitionsResponse),
        (status = 401, description = "Missing or unknown X-API-KEY", body = UnauthorizedResponse),
    ),
    security(("X-API-KEY" = []))
)]
fn data_abis() {}

/// Every feed's median calculation: voters, their values and weights, median and quartiles.
#[utoipa::path(
    get,
    path = "/medianCalculationResults/{votingRoundId}",
    operation_id = "medianCalculationResults",
    tag = EXTERNAL,
    params(("votingRoundId" = i64, Path, description = "Voting round id (`-?\\d+`)")),
    responses(
        (status = 200, description = "`OK` with `medianData`; `TOO_EARLY` (alone); `NOT_AVAILABLE` with `votingRoundId`", body = MedianResponse),
        (status = 400, description = "votingRoundId is not an integer", body = ErrorResponse),
        (status = 401, description = "Missing or unknown X-API-KEY", body = UnauthorizedResponse),
        (status = 500, description = "`Unable to calculate result for epoch N`", body = ErrorResponse),
    ),
    security(("X-API-KEY" = []))
)]
fn median_calculation_results() {}

/// Declares the `X-API-KEY` header scheme.
struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "X-API-KEY",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-KEY"))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "FTSO data provider API",
        description = "The FTSO protocol data provider's routes (used by the system client) and the user-facing round data, as the reference ftso-data-provider serves them. Every route needs an `X-API-KEY` header; paths are under the configured base path.",
        version = "1.0"
    ),
    paths(
        submit1,
        submit2,
        submit_signatures,
        submit3,
        data,
        specific_feed,
        data_abis,
        median_calculation_results
    ),
    components(schemas(
        ProviderAnswer,
        ProviderStatus,
        ExternalStatus,
        StatusOnly,
        MerkleTreeResponse,
        TreeLeaf,
        RandomLeaf,
        FeedLeaf,
        FeedWithProofResponse,
        FeedWithProof,
        MedianResponse,
        MedianCalculationResult,
        FeedDescription,
        ValueWithDecimals,
        MedianSummary,
        AbiDefinitionsResponse,
        AbiDefinition,
        AbiData,
        ErrorResponse,
        UnauthorizedResponse,
        InternalErrorResponse
    )),
    modifiers(&ApiKeyScheme),
    tags(
        (name = PDP, description = "Commit, reveal and the message to sign, for the system client"),
        (name = EXTERNAL, description = "Round results for anyone with a key")
    )
)]
struct ApiDoc;

/// The OpenAPI document as JSON (built once).
pub fn document_json() -> String {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .unwrap_or_else(|_| "{}".to_owned())
    })
    .clone()
}
