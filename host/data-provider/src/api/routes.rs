//! The routes, dispatched by hand to behave as the reference's NestJS/Express server:
//! case-insensitive paths under the base path, one tolerated trailing slash, the API-key guard
//! before the round-id pipe, Nest's status codes and error bodies, 404 for anything else.

use std::{
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

use axum::{
    extract::{Request, State},
    http::{HeaderMap, Method, StatusCode},
    response::Response,
};
use ftso_feeds::rest::routes::{
    bad_numeric, error_4xx, html, internal_error, json, not_found, parse_int,
};
use serde::Serialize;

use super::{
    ApiState, abis,
    model::{
        ExternalStatus, FeedWithProof, FeedWithProofResponse, MedianCalculationResult,
        MedianResponse, MerkleTreeResponse, StatusOnly,
    },
    openapi,
};
use crate::{
    provider::{ProviderAnswer, ProviderError},
    round::{RoundRecord, RoundStatus},
};

/// The header carrying the API key (matched case-insensitively, as any HTTP header).
pub const API_KEY_HEADER: &str = "x-api-key";

/// The entry point of the listener.
pub async fn dispatch(State(state): State<ApiState>, request: Request) -> Response {
    let method = request.method().clone();
    let original = request
        .uri()
        .path_and_query()
        .map_or_else(|| request.uri().path().to_owned(), |p| p.to_string());
    if method != Method::GET && method != Method::HEAD {
        return not_found(&method, &original);
    }
    let Some(segments) = route_segments(request.uri().path(), &state.base_path) else {
        return not_found(&method, &original);
    };
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let Some((route, params)) = segments.split_first() else {
        return not_found(&method, &original);
    };
    let route = route.to_ascii_lowercase();
    match (route.as_str(), params) {
        ("api-doc", []) => return html(openapi::API_DOC_HTML),
        ("api-doc-json", []) => return json(StatusCode::OK, openapi::document_json()),
        ("submit1" | "submit2" | "submitsignatures" | "submit3" | "specific-feed", [_, _])
        | ("data" | "mediancalculationresults", [_])
        | ("data-abis", []) => {}
        _ => return not_found(&method, &original),
    }
    if !authorised(&state, request.headers()) {
        return unauthorised();
    }
    match (route.as_str(), params) {
        ("submit1", [round, address]) => counted(
            "submit1",
            with_round(round, |round| submit1(&state, round, address)).await,
        ),
        ("submit2", [round, address]) => counted(
            "submit2",
            with_round(round, |round| submit2(&state, round, address)).await,
        ),
        ("submitsignatures", [round, _]) => counted(
            "submitSignatures",
            with_round(round, |round| submit_signatures(&state, round)).await,
        ),
        ("submit3", [round, _]) => {
            with_round(round, |_| async {
                error_4xx(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Not used in FTSO protocol",
                )
            })
            .await
        }
        ("data", [round]) => with_round(round, |round| data(&state, round)).await,
        ("specific-feed", [feed_id, round]) => {
            with_round(round, |round| specific_feed(&state, round, feed_id)).await
        }
        ("mediancalculationresults", [round]) => {
            with_round(round, |round| median_results(&state, round)).await
        }
        _ => body(StatusCode::OK, abis::definitions()),
    }
}

/// The path's segments after the base path (case-insensitive), with one trailing slash dropped;
/// `None` when the path is not under the base path or has an empty segment.
fn route_segments(path: &str, base_path: &str) -> Option<Vec<String>> {
    let rest = if base_path.is_empty() {
        path
    } else {
        let prefix = path.get(..base_path.len())?;
        if !prefix.eq_ignore_ascii_case(base_path) {
            return None;
        }
        path.get(base_path.len()..)?
    };
    let rest = rest.strip_prefix('/')?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let segments: Vec<String> = rest.split('/').map(str::to_owned).collect();
    segments
        .iter()
        .all(|segment| !segment.is_empty())
        .then_some(segments)
}

/// Whether the request carries one of the accepted keys (none accepted: every request fails).
fn authorised(state: &ApiState, headers: &HeaderMap) -> bool {
    headers
        .get(API_KEY_HEADER)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|key| state.keys.accepts(key))
}

fn unauthorised() -> Response {
    json(
        StatusCode::UNAUTHORIZED,
        r#"{"message":"Unauthorized","statusCode":401}"#.to_owned(),
    )
}

/// Nest's ParseIntPipe on the round id, then `handler` with the JavaScript number.
async fn with_round<F, Fut>(raw: &str, handler: F) -> Response
where
    F: FnOnce(f64) -> Fut,
    Fut: Future<Output = Response>,
{
    match parse_int(raw) {
        Some(round) => handler(round).await,
        None => bad_numeric(),
    }
}

/// The round as a `u32`, if it is one.
fn as_u32(round: f64) -> Option<u32> {
    (round >= 0.0 && round <= f64::from(u32::MAX)).then_some(round as u32)
}

fn body<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_string(value) {
        Ok(text) => json(status, text),
        Err(error) => internal_error(&format!("cannot serialise the answer: {error}")),
    }
}

fn pdp(answer: Result<ProviderAnswer, ProviderError>, route: &str, round: u32) -> Response {
    match answer {
        Ok(answer) => body(StatusCode::OK, &answer),
        Err(error) => internal_error(&format!(
            "{route} of voting round {round}: {:#}",
            anyhow::Error::from(error)
        )),
    }
}

/// Counts a protocol route's answer (see [`crate::telemetry::answered`]).
fn counted(route: &'static str, response: Response) -> Response {
    crate::telemetry::answered(route, response.status());
    response
}

async fn submit1(state: &ApiState, round: f64, address: &str) -> Response {
    // A round no u32 can hold has no reward epoch: the reference's commit throws.
    let Some(round) = as_u32(round) else {
        return internal_error(&format!("submit1 for voting round {round}: no such round"));
    };
    pdp(state.role.commit(round, address).await, "submit1", round)
}

async fn submit2(state: &ApiState, round: f64, address: &str) -> Response {
    let Some(round) = as_u32(round) else {
        return body(StatusCode::OK, &ProviderAnswer::not_available());
    };
    pdp(state.role.reveal(round, address).await, "submit2", round)
}

async fn submit_signatures(state: &ApiState, round: f64) -> Response {
    let Some(round) = as_u32(round) else {
        return body(StatusCode::OK, &ProviderAnswer::not_available());
    };
    match state.role.result_message(round).await {
        Ok(answer) => body(StatusCode::OK, &answer),
        Err(error) => unable_to_calculate(round, &anyhow::Error::from(error)),
    }
}

/// The reference's 500 when a covered round cannot be computed.
fn unable_to_calculate(round: u32, error: &anyhow::Error) -> Response {
    tracing::error!(
        voting_round_id = round,
        "cannot compute the round: {error:#}"
    );
    error_4xx(
        StatusCode::INTERNAL_SERVER_ERROR,
        &format!("Unable to calculate result for epoch {round}"),
    )
}

/// Whether a round's reveal deadline (plus the reference's one second of clock drift) is still
/// ahead: `now < (revealDeadlineSec(round + 1) + 1) · 1000`, in JavaScript doubles.
fn too_early(state: &ApiState, round: f64) -> bool {
    let epochs = &state.epochs;
    let reveal_deadline_sec = epochs.first_voting_round_start_ts as f64
        + (round + 1.0) * epochs.voting_epoch_duration_seconds as f64
        + epochs.reveal_deadline_seconds as f64
        - 1.0;
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_millis() as f64);
    now_ms < reveal_deadline_sec * 1000.0 + 1000.0
}

/// Why a user-facing route gives no round data.
enum Denied {
    /// `TOO_EARLY` or `NOT_AVAILABLE`.
    Status(ExternalStatus),
    /// The round is covered but cannot be computed (HTTP 500).
    Failed(Response),
}

impl Denied {
    fn into_response(self) -> Response {
        match self {
            Denied::Status(status) => status_only(status),
            Denied::Failed(response) => response,
        }
    }
}

/// The round's results for a user-facing route.
async fn user_round(state: &ApiState, round: f64) -> Result<Arc<RoundRecord>, Denied> {
    if too_early(state, round) {
        return Err(Denied::Status(ExternalStatus::TooEarly));
    }
    let Some(round) = as_u32(round) else {
        return Err(Denied::Status(ExternalStatus::NotAvailable));
    };
    match state.role.round(round).await {
        Ok(RoundStatus::Ready(record)) => Ok(record),
        Ok(RoundStatus::TooEarly) => Err(Denied::Status(ExternalStatus::TooEarly)),
        Ok(RoundStatus::Pending | RoundStatus::Unavailable { .. }) => {
            Err(Denied::Status(ExternalStatus::NotAvailable))
        }
        Err(error) => Err(Denied::Failed(unable_to_calculate(round, &error))),
    }
}

fn status_only(status: ExternalStatus) -> Response {
    body(StatusCode::OK, &StatusOnly { status })
}

async fn data(state: &ApiState, round: f64) -> Response {
    match user_round(state, round).await {
        Ok(data) => body(StatusCode::OK, &MerkleTreeResponse::of(&data)),
        Err(denied) => denied.into_response(),
    }
}

async fn specific_feed(state: &ApiState, round: f64, feed_id: &str) -> Response {
    match user_round(state, round).await {
        Ok(data) => match FeedWithProof::find(&data, feed_id) {
            Some(feed_with_proof) => body(
                StatusCode::OK,
                &FeedWithProofResponse {
                    status: ExternalStatus::Ok,
                    feed_with_proof,
                },
            ),
            None => status_only(ExternalStatus::NotAvailable),
        },
        Err(denied) => denied.into_response(),
    }
}

async fn median_results(state: &ApiState, round: f64) -> Response {
    #[allow(
        clippy::cast_possible_truncation,
        reason = "an integer from ParseIntPipe, echoed"
    )]
    let voting_round_id = round as i64;
    let median_data = match user_round(state, round).await {
        Ok(data) => Some(MedianCalculationResult::all(&data)),
        Err(Denied::Status(ExternalStatus::NotAvailable)) => None,
        Err(denied) => return denied.into_response(),
    };
    let status = if median_data.is_some() {
        ExternalStatus::Ok
    } else {
        ExternalStatus::NotAvailable
    };
    body(
        StatusCode::OK,
        &MedianResponse {
            status,
            voting_round_id,
            median_data,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_follow_the_base_path_case_insensitively() {
        let seg = |path, base| route_segments(path, base);
        assert_eq!(
            seg("/submit1/5/0xab", ""),
            Some(vec!["submit1".into(), "5".into(), "0xab".into()])
        );
        assert_eq!(seg("/data/5/", ""), Some(vec!["data".into(), "5".into()]));
        assert_eq!(
            seg("/FTSO/data/5", "/ftso"),
            Some(vec!["data".into(), "5".into()])
        );
        assert_eq!(seg("/data/5", "/ftso"), None);
        assert_eq!(seg("/ftsox/data/5", "/ftso"), None);
        assert_eq!(seg("/data//5", ""), None);
        assert_eq!(seg("/", ""), None);
    }

    #[test]
    fn rounds_outside_u32_are_not_rounds() {
        assert_eq!(as_u32(0.0), Some(0));
        assert_eq!(as_u32(4_294_967_295.0), Some(u32::MAX));
        assert_eq!(as_u32(4_294_967_296.0), None);
        assert_eq!(as_u32(-1.0), None);
    }
}
