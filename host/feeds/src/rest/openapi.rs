//! The OpenAPI document (same paths and operationIds as the reference, with the rich schemas of
//! FTSO-Scaling's api-spec.json plus volumes) and a self-contained page that renders it.

#![allow(
    dead_code,
    reason = "the functions below only carry the path documentation"
)]

use std::sync::OnceLock;

use utoipa::OpenApi;

use super::model::{
    ErrorResponse, FeedId, FeedValueData, FeedValuesRequest, FeedValuesResponse, FeedVolumeData,
    FeedVolumesResponse, HealthResponse, InternalErrorResponse, RoundFeedValuesResponse, Volume,
};

const TAG: &str = "Feed Value Provider API";

/// Values of the requested feeds for a voting round.
#[utoipa::path(
    post,
    path = "/feed-values/{votingRoundId}",
    operation_id = "getFeedValues",
    tag = TAG,
    params(("votingRoundId" = i64, Path, description = "Voting round id (an integer, `-?\\d+`); echoed in the response")),
    request_body = FeedValuesRequest,
    responses(
        (status = 201, description = "One entry per requested feed, in request order", body = RoundFeedValuesResponse),
        (status = 400, description = "votingRoundId is not an integer, or the body is malformed JSON", body = ErrorResponse),
        (status = 413, description = "Body over 100 kB", body = ErrorResponse),
        (status = 500, description = "Body without a `feeds` array, or not application/json", body = InternalErrorResponse),
    )
)]
fn get_feed_values() {}

/// Latest values of the requested feeds.
#[utoipa::path(
    post,
    path = "/feed-values",
    operation_id = "getCurrentFeedValues",
    tag = TAG,
    request_body = FeedValuesRequest,
    responses(
        (status = 201, description = "One entry per requested feed, in request order", body = FeedValuesResponse),
        (status = 400, description = "Malformed JSON", body = ErrorResponse),
        (status = 413, description = "Body over 100 kB", body = ErrorResponse),
        (status = 500, description = "Body without a `feeds` array, or not application/json", body = InternalErrorResponse),
    )
)]
fn get_current_feed_values() {}

/// Traded volume per venue of the requested feeds over a window.
#[utoipa::path(
    post,
    path = "/volumes",
    operation_id = "getFeedVolumes",
    tag = TAG,
    params(("window" = Option<i64>, Query, description = "Window in seconds (default 60, at most 3600)")),
    request_body = FeedValuesRequest,
    responses(
        (status = 201, description = "Volumes per feed (empty `data` when no plugin reports volumes)", body = FeedVolumesResponse),
        (status = 400, description = "window is not an integer, or malformed JSON", body = ErrorResponse),
        (status = 500, description = "Bad body, or window over 3600 with volume data present", body = InternalErrorResponse),
    )
)]
fn get_feed_volumes() {}

/// Liveness of the host and its plugins.
#[utoipa::path(
    get,
    path = "/health",
    operation_id = "getHealth",
    tag = "Health",
    responses((status = 200, description = "Plugin counts", body = HealthResponse))
)]
fn get_health() {}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Simple Feed Value Provider API interface",
        description = "This server is used by the FTSO protocol data provider.",
        version = "1.0"
    ),
    paths(get_feed_values, get_current_feed_values, get_feed_volumes, get_health),
    components(schemas(
        FeedId,
        FeedValuesRequest,
        FeedValueData,
        RoundFeedValuesResponse,
        FeedValuesResponse,
        Volume,
        FeedVolumeData,
        FeedVolumesResponse,
        ErrorResponse,
        InternalErrorResponse,
        HealthResponse
    )),
    tags((name = TAG, description = "The feed-values contract of the FTSOv2 example value provider"))
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

/// A self-contained page that fetches `api-doc-json` and renders the operations and schemas.
pub const API_DOC_HTML: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Feed Value Provider API</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#222}
h1{font-size:1.5em}.op{border:1px solid #ccc;border-radius:6px;margin:1em 0;padding:.6em 1em}
.m{font-weight:bold;color:#fff;background:#49cc90;padding:.1em .5em;border-radius:3px;margin-right:.5em}
.m.get{background:#61affe}code,pre{background:#f5f5f5;padding:.1em .3em;border-radius:3px}
pre{padding:.6em;overflow:auto}small{color:#666}
</style></head><body>
<h1 id="title">Feed Value Provider API</h1><p id="desc"></p>
<div id="ops"></div><h2>Schemas</h2><div id="schemas"></div>
<script>
const base = location.pathname.replace(/\/?api-doc\/?$/i, "");
fetch(base + "/api-doc-json").then(r => r.json()).then(doc => {
  const el = (t, c, h) => { const e = document.createElement(t); if (c) e.className = c; if (h !== undefined) e.textContent = h; return e; };
  document.getElementById("title").textContent = doc.info.title + " " + doc.info.version;
  document.getElementById("desc").textContent = doc.info.description || "";
  const ops = document.getElementById("ops");
  for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) {
    const d = el("div", "op"); const h = el("div");
    h.append(el("span", "m " + method, method.toUpperCase()), el("code", "", path), el("small", "", "  operationId: " + op.operationId));
    d.append(h, el("p", "", op.description || op.summary || ""));
    for (const p of op.parameters || []) d.append(el("div", "", "parameter " + p.name + " (" + p.in + "): " + (p.description || "")));
    if (op.requestBody) d.append(el("div", "", "body: " + JSON.stringify(op.requestBody.content["application/json"].schema)));
    for (const [code, r] of Object.entries(op.responses)) {
      const c = r.content && r.content["application/json"];
      d.append(el("div", "", code + " " + r.description + (c ? " → " + JSON.stringify(c.schema) : "")));
    }
    ops.append(d);
  }
  const schemas = document.getElementById("schemas");
  for (const [name, s] of Object.entries((doc.components || {}).schemas || {})) {
    schemas.append(el("h3", "", name), el("pre", "", JSON.stringify(s, null, 2)));
  }
}).catch(e => { document.getElementById("desc").textContent = "cannot load api-doc-json: " + e; });
</script></body></html>
"#;
