//! The reference HTTP API through the real server on loopback: every route's statuses, HTTP
//! codes and bodies (data-provider.md §1), bad input, the API-key guard, the base path and the
//! OpenAPI document. The database holds the §12.7 scenario, so round 1005's answers are the
//! digest's.

use std::{sync::Arc, time::Duration};

use ftso_data_provider::{DataProvider, DataProviderConfig};
use ftso_feeds::{FeedValueSource, source::HttpFeedValues};
use ftso_storage::testing::{TestBackend, TestDb};
use serde_json::{Value, json};

use crate::api_support::{KEY, TestApi, data_bytes, fixed_registry, scenario_db};

const UNAUTHORIZED: &str = r#"{"message":"Unauthorized","statusCode":401}"#;
const BAD_ROUND: &str = r#"{"message":"Validation failed (numeric string is expected)","error":"Bad Request","statusCode":400}"#;
const INTERNAL: &str = r#"{"statusCode":500,"message":"Internal server error"}"#;
const NOT_AVAILABLE: &str = r#"{"status":"NOT_AVAILABLE"}"#;
const TOO_EARLY: &str = r#"{"status":"TOO_EARLY"}"#;
/// §12.7: the message of round 1005.
const MESSAGE_1005: &str =
    "0x64000003ed00593b974fb2bfa02512a223d027933de2b23b32fe9f9909fb85ee6bf99fd76791";
const BTC: &str = "0x014254432f55534400000000000000000000000000";

/// Our values from a feed-values server that is not there: any commit that gets as far as
/// asking for values fails.
fn unreachable_values() -> Arc<dyn FeedValueSource> {
    Arc::new(HttpFeedValues::new("http://127.0.0.1:9", Duration::from_secs(2)).unwrap())
}

async fn scenario_api(config: DataProviderConfig, keys: &str) -> (TestDb, TestApi) {
    let db = scenario_db(TestBackend::Sqlite).await.expect("sqlite");
    let api = TestApi::start(config, keys, db.storage.clone(), unreachable_values()).await;
    (db, api)
}

/// One path per guarded route.
const GUARDED: [&str; 8] = [
    "/submit1/1009/0x3131313131313131313131313131313131313131",
    "/submit2/1009/0x3131313131313131313131313131313131313131",
    "/submitSignatures/1005/0x4141414141414141414141414141414141414141",
    "/submit3/1005/0x3131313131313131313131313131313131313131",
    "/data/1005",
    "/specific-feed/0x014254432f55534400000000000000000000000000/1005",
    "/data-abis",
    "/medianCalculationResults/1005",
];

#[tokio::test]
async fn every_route_but_the_api_doc_needs_a_known_key() {
    let (_db, api) = scenario_api(DataProviderConfig::default(), "k1,k2").await;
    for path in GUARDED {
        assert_eq!(
            api.get_with(path, None).await,
            (401, UNAUTHORIZED.to_owned()),
            "{path}"
        );
        assert_eq!(
            api.get_with(path, Some("k3")).await,
            (401, UNAUTHORIZED.to_owned()),
            "{path}"
        );
        assert_eq!(
            api.get_with(path, Some("K1")).await.0,
            401,
            "{path}: exact match"
        );
        assert_eq!(
            api.get_with(path, Some("k1,k2")).await.0,
            401,
            "{path}: one key"
        );
    }
    assert_eq!(api.get_with("/data-abis", Some("k2")).await.0, 200);
    assert_eq!(api.get_with("/api-doc", None).await.0, 200);
    assert_eq!(api.get_with("/api-doc-json", None).await.0, 200);

    // No key configured: everything guarded is refused, whatever the request sends.
    let (_db, closed) = scenario_api(DataProviderConfig::default(), "").await;
    for path in GUARDED {
        assert_eq!(closed.get_with(path, Some("")).await.0, 401, "{path}");
        assert_eq!(closed.get_with(path, Some(KEY)).await.0, 401, "{path}");
    }
}

#[tokio::test]
async fn round_ids_go_through_parse_int_after_the_guard() {
    let (_db, api) = scenario_api(DataProviderConfig::default(), KEY).await;
    for bad in ["abc", "1.5", "+1", "1e3", "0x10", "%20"] {
        for path in [
            format!("/submit1/{bad}/0x3131313131313131313131313131313131313131"),
            format!("/submit2/{bad}/x"),
            format!("/submitSignatures/{bad}/x"),
            format!("/submit3/{bad}/x"),
            format!("/data/{bad}"),
            format!("/specific-feed/{BTC}/{bad}"),
            format!("/medianCalculationResults/{bad}"),
        ] {
            assert_eq!(api.get(&path).await, (400, BAD_ROUND.to_owned()), "{path}");
            assert_eq!(api.get_with(&path, Some("wrong")).await.0, 401, "{path}");
        }
    }
    assert_eq!(
        api.get("/nope").await,
        (
            404,
            r#"{"message":"Cannot GET /nope","error":"Not Found","statusCode":404}"#.to_owned()
        )
    );
    assert_eq!(api.get("/data").await.0, 404);
    assert_eq!(api.get("/data/1/2").await.0, 404);
    let post = api
        .client
        .post(format!("http://{}/data-abis", api.addr))
        .header("X-API-KEY", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(post.status().as_u16(), 404);
}

#[tokio::test]
async fn protocol_routes_answer_with_the_reference_statuses() {
    let (_db, api) = scenario_api(DataProviderConfig::default(), KEY).await;
    let voter = "0x3131313131313131313131313131313131313131";

    // submit2 without a commit, for any round.
    for round in ["1009", "-1", "99999999999"] {
        assert_eq!(
            api.get(&format!("/submit2/{round}/{voter}")).await,
            (200, NOT_AVAILABLE.to_owned()),
            "{round}"
        );
    }
    // submit1 for a round without a reward epoch, a negative round, a malformed address, or with
    // the value provider down: the reference's commit throws.
    for path in [
        format!("/submit1/4000000000/{voter}"),
        format!("/submit1/99999999999/{voter}"),
        format!("/submit1/-5/{voter}"),
        "/submit1/1009/0x31".to_owned(),
        "/submit1/1009/not-an-address".to_owned(),
        format!("/submit1/1009/{voter}"),
    ] {
        assert_eq!(api.get(&path).await, (500, INTERNAL.to_owned()), "{path}");
    }
    assert_eq!(
        api.get(&format!("/submit3/1005/{voter}")).await,
        (
            500,
            r#"{"message":"Not used in FTSO protocol","error":"Internal Server Error","statusCode":500}"#
                .to_owned()
        )
    );

    // submitSignatures: the bare 38-byte message of a covered round, NOT_AVAILABLE otherwise.
    let answer = api.get_json("/submitSignatures/1005/0xanything").await;
    assert_eq!(answer, json!({"status": "OK", "data": MESSAGE_1005}));
    assert_eq!(data_bytes(&answer).len(), 38);
    for round in ["1500", "4294967296", "-3"] {
        assert_eq!(
            api.get(&format!("/submitSignatures/{round}/x")).await,
            (200, NOT_AVAILABLE.to_owned()),
            "{round}"
        );
    }
}

#[tokio::test]
async fn user_routes_answer_with_the_reference_bodies() {
    let (_db, api) = scenario_api(DataProviderConfig::default(), KEY).await;

    // Rounds whose reveal deadline is ahead.
    for path in [
        "/data/99999999999",
        "/specific-feed/0x00/99999999",
        "/medianCalculationResults/4294967296",
    ] {
        assert_eq!(api.get(path).await, (200, TOO_EARLY.to_owned()), "{path}");
    }
    // Rounds the database can never cover.
    assert_eq!(api.get("/data/-1").await, (200, NOT_AVAILABLE.to_owned()));
    assert_eq!(
        api.get("/medianCalculationResults/-1").await,
        (
            200,
            r#"{"status":"NOT_AVAILABLE","votingRoundId":-1}"#.to_owned()
        )
    );

    // data/1005: §12.7.
    let data = api.get_json("/data/1005").await;
    let keys: Vec<&String> = data.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "isSecureRandom",
            "merkleRoot",
            "protocolId",
            "status",
            "tree",
            "votingRoundId"
        ],
        "no keys beyond the reference's"
    );
    let (_, raw) = api.get("/data/1005").await;
    assert!(raw.starts_with(
        r#"{"status":"OK","protocolId":100,"votingRoundId":1005,"merkleRoot":"0x593b974fb2bfa02512a223d027933de2b23b32fe9f9909fb85ee6bf99fd76791","isSecureRandom":false,"tree":[{"votingRoundId":1005,"value":"0x499bf","isSecure":false},{"votingRoundId":1005,"id":"0x014254432f55534400000000000000000000000000","value":3857688,"turnoutBIPS":6000,"decimals":2},"#
    ), "{raw}");
    assert_eq!(data["tree"].as_array().unwrap().len(), 4);

    // specific-feed: leaf and proof; the id must be spelled exactly as the reference stores it.
    let feed = api.get_json(&format!("/specific-feed/{BTC}/1005")).await;
    assert_eq!(feed["status"], "OK");
    assert_eq!(feed["feedWithProof"]["body"]["value"], 3857688);
    let proof = feed["feedWithProof"]["proof"].as_array().unwrap();
    assert_eq!(proof.len(), 2);
    assert!(proof[0].as_str().unwrap().starts_with("0x911cd807"));
    assert_eq!(
        proof[1],
        "0x6827f12ec60018e1c046dfe7780177ee9d253b251d0f0ff7b5578f367353d8c2"
    );
    for unknown in [
        "0x01444f47452f555344000000000000000000000000".to_owned(),
        BTC.to_uppercase().replace("0X", "0x"),
        BTC.trim_start_matches("0x").to_owned(),
    ] {
        assert_eq!(
            api.get(&format!("/specific-feed/{unknown}/1005")).await,
            (200, NOT_AVAILABLE.to_owned()),
            "{unknown}"
        );
    }

    // medianCalculationResults/1005.
    let median = api.get_json("/medianCalculationResults/1005").await;
    assert_eq!(median["status"], "OK");
    assert_eq!(median["votingRoundId"], 1005);
    let btc = &median["medianData"][0];
    assert_eq!(btc["feed"], json!({"id": BTC, "decimals": 2}));
    assert_eq!(btc["data"]["participatingWeight"], "6000");
    assert_eq!(btc["weights"], json!(["1000", "2000", "3000", "4000", "0"]));
    assert_eq!(btc["totalVotingWeight"], "10000");
    assert_eq!(
        btc["votersSubmitAddresses"][0],
        "0x3131313131313131313131313131313131313131"
    );
    assert_eq!(
        btc["feedValues"][3],
        json!({"isEmpty": true, "value": 0, "decimals": 2})
    );
    assert_eq!(
        btc["data"]["finalMedian"],
        json!({"isEmpty": false, "value": 3857688, "decimals": 2})
    );

    // data-abis.
    let abis = api.get_json("/data-abis").await;
    assert_eq!(abis["status"], "OK");
    let names: Vec<&str> = abis["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["abiName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["randomStruct", "feedStruct", "feedWithProofStruct"]);
}

#[tokio::test]
async fn reveals_are_keyed_by_the_address_as_spelled() {
    let db = scenario_db(TestBackend::Sqlite).await.unwrap();
    let cache = tempfile::tempdir().unwrap();
    let values: Arc<dyn FeedValueSource> = Arc::new(fixed_registry(cache.path()).await);
    let api = TestApi::start(
        DataProviderConfig::default(),
        KEY,
        db.storage.clone(),
        values,
    )
    .await;
    // Any submit address commits; this one has letters, so its spellings differ.
    let submitter = alloy_primitives::address!("0x1234567890AbcdEF1234567890aBcdef12345678");
    let eip55 = submitter.to_checksum(None);
    let lower = format!("{submitter:#x}");
    assert_ne!(eip55, lower);

    let commit_upper = data_bytes(&api.get_json(&format!("/submit1/1009/{eip55}")).await);
    let commit_lower = data_bytes(&api.get_json(&format!("/submit1/1009/{lower}")).await);
    assert_eq!(commit_upper.len(), 39);
    assert_ne!(
        commit_upper, commit_lower,
        "two keys, two randoms (as the reference)"
    );
    let reveal_upper = data_bytes(&api.get_json(&format!("/submit2/1009/{eip55}")).await);
    let reveal_lower = data_bytes(&api.get_json(&format!("/submit2/1009/{lower}")).await);
    assert_ne!(reveal_upper, reveal_lower);
    assert_eq!(
        api.get(&format!("/submit2/1008/{eip55}")).await,
        (200, NOT_AVAILABLE.to_owned()),
        "another round"
    );

    // In process, the address is spelled as the Go client spells it in its URLs: EIP-55.
    let in_process = api.role.submit2(1009, submitter).await.unwrap();
    assert_eq!(in_process.data, Some(reveal_upper));
    let commit = api.role.submit1(1009, submitter).await.unwrap();
    assert_eq!(commit.data, Some(commit_upper));
    let message = api.role.submit_signatures(1005, submitter).await.unwrap();
    assert_eq!(
        format!("0x{}", alloy_primitives::hex::encode(message.data.unwrap())),
        MESSAGE_1005
    );
}

#[tokio::test]
async fn the_base_path_prefixes_every_route_case_insensitively() {
    let config = DataProviderConfig {
        base_path: "/ftso/".to_owned(),
        ..DataProviderConfig::default()
    };
    let (_db, api) = scenario_api(config, KEY).await;
    assert_eq!(api.get("/FTSO/Data-Abis/").await.0, 200);
    assert_eq!(
        api.get("/ftso/submitsignatures/1005/x").await.1,
        format!(r#"{{"status":"OK","data":"{MESSAGE_1005}"}}"#)
    );
    assert_eq!(api.get_with("/ftso/api-doc-json", None).await.0, 200);
    assert_eq!(api.get("/data-abis").await.0, 404);
    assert_eq!(api.get("/ftsodata-abis").await.0, 404);
}

#[tokio::test]
async fn answers_carry_the_reference_security_headers_and_content_type() {
    let (_db, api) = scenario_api(DataProviderConfig::default(), KEY).await;
    let response = api
        .client
        .get(format!("http://{}/data-abis", api.addr))
        .header("x-api-key", KEY)
        .send()
        .await
        .unwrap();
    let headers = response.headers();
    assert_eq!(headers["content-type"], "application/json; charset=utf-8");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "SAMEORIGIN");
    assert!(headers.get("x-powered-by").is_none());
}

/// Every `$ref` in `value` (recursively).
fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => out.push(target),
                    _ => refs(inner, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let (_db, api) = scenario_api(DataProviderConfig::default(), KEY).await;
    let (status, text) = api.get_with("/api-doc-json", None).await;
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&text).unwrap();
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    for route in [
        "/submit1/{votingRoundId}/{submitAddress}",
        "/submit2/{votingRoundId}/{submitAddress}",
        "/submitSignatures/{votingRoundId}/{submitSignaturesAddress}",
        "/submit3/{votingRoundId}/{submitAddress}",
        "/data/{votingRoundId}",
        "/specific-feed/{feedId}/{votingRoundId}",
        "/data-abis",
        "/medianCalculationResults/{votingRoundId}",
    ] {
        let path = &doc["paths"][route]["get"];
        assert!(path.is_object(), "{route} missing from {paths:?}");
        assert!(
            path["responses"]["200"].is_object() || route.starts_with("/submit3"),
            "{route}"
        );
        assert!(path["responses"]["401"].is_object(), "{route}");
        assert_eq!(path["security"], json!([{"X-API-KEY": []}]), "{route}");
    }
    assert_eq!(paths.len(), 8);
    assert_eq!(
        doc["components"]["securitySchemes"]["X-API-KEY"],
        json!({"type": "apiKey", "in": "header", "name": "X-API-KEY"})
    );
    let mut targets = Vec::new();
    refs(&doc, &mut targets);
    assert!(targets.len() > 20);
    for target in targets {
        let name = target.trim_start_matches("#/components/schemas/");
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{target} does not resolve"
        );
    }
    let (status, page) = api.get_with("/api-doc", None).await;
    assert_eq!(status, 200);
    assert!(page.contains("api-doc-json"));
}

#[tokio::test]
async fn new_commits_are_refused_once_shutdown_begins_but_reveals_go_on() {
    let db = scenario_db(TestBackend::Sqlite).await.unwrap();
    let cache = tempfile::tempdir().unwrap();
    let values: Arc<dyn FeedValueSource> = Arc::new(fixed_registry(cache.path()).await);
    let api = TestApi::start(
        DataProviderConfig::default(),
        KEY,
        db.storage.clone(),
        values,
    )
    .await;
    let submitter = alloy_primitives::address!("0x1234567890AbcdEF1234567890aBcdef12345678");
    let committed = api.role.submit1(1009, submitter).await.unwrap();
    assert_eq!(committed.data.map(|d| d.len()), Some(39));

    api.role.begin_shutdown();
    let spelled = submitter.to_checksum(None);
    assert_eq!(
        api.get(&format!("/submit1/1008/{spelled}")).await,
        (200, NOT_AVAILABLE.to_owned())
    );
    let revealed = api.get_json(&format!("/submit2/1009/{spelled}")).await;
    assert_eq!(revealed["status"], "OK");
}
