//! The reference's JSON shapes (as schemas for the OpenAPI document) and the Nest error bodies.
//!
//! Responses are written by hand with [`super::json`] so that the request's feed objects are
//! echoed exactly; these types describe the same shapes.

#![allow(
    dead_code,
    reason = "schema-only types: they document the shapes the handlers write"
)]

use serde::Serialize;
use utoipa::ToSchema;

/// A feed as the FTSO names it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"category": 1, "name": "BTC/USD"}))]
pub struct FeedId {
    /// 1 crypto, 2 forex, 3 commodity, 4 stock. Echoed verbatim in responses (a string stays a string).
    pub category: u8,
    /// Feed name, e.g. "BTC/USD".
    pub name: String,
}

/// Request body of every route.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedValuesRequest {
    /// The feeds wanted; the response has one entry per feed, in this order.
    pub feeds: Vec<FeedId>,
}

/// One feed's value.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedValueData {
    /// The requested feed object, echoed verbatim (extra properties included).
    pub feed: FeedId,
    /// Value in base units as float. Absent (never null) when there is no value.
    #[schema(required = false)]
    pub value: Option<f64>,
}

/// Values for a voting round.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoundFeedValuesResponse {
    /// The voting round id from the path, echoed.
    pub voting_round_id: i64,
    /// One entry per requested feed, in request order.
    pub data: Vec<FeedValueData>,
}

/// Latest values.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedValuesResponse {
    /// One entry per requested feed, in request order.
    pub data: Vec<FeedValueData>,
}

/// Volume on one exchange.
#[derive(Debug, Serialize, ToSchema)]
pub struct Volume {
    /// Exchange (venue) name.
    pub exchange: String,
    /// Volume in USD (price × amount, summed) over the window.
    pub volume: f64,
}

/// One feed's volumes.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedVolumeData {
    /// The requested feed object, echoed verbatim.
    pub feed: FeedId,
    /// Per-venue volumes (may be empty).
    pub volumes: Vec<Volume>,
}

/// Volumes per feed. `data` is empty when no plugin reports volumes (as the reference's fixed and
/// random providers answer); otherwise it has one entry per requested feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedVolumesResponse {
    /// Entries per feed.
    pub data: Vec<FeedVolumeData>,
}

/// The error body of a 4xx status (NestJS's HttpException shape).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorResponse {
    /// What went wrong.
    pub message: String,
    /// The status text, e.g. "Bad Request".
    pub error: String,
    /// The HTTP status.
    pub status_code: u16,
}

/// The body of a 500 status.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InternalErrorResponse {
    /// 500.
    pub status_code: u16,
    /// "Internal server error".
    pub message: String,
}

/// `GET /health`.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    /// "ok" when every plugin has a live instance, "degraded" otherwise.
    pub status: String,
    /// Plugins loaded.
    pub plugins: usize,
    /// Plugins with a live instance.
    pub plugins_up: usize,
}
