//! The REST contract against the reference's captured responses (value-provider.md §1.3-1.4),
//! from a real HTTP client against the server on port 0.

use crate::common::{base_config, post_json, split, start};

const BTC: &str = r#"{"category":1,"name":"BTC/USD"}"#;

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

#[tokio::test]
async fn missing_values_leave_the_value_key_out_and_echo_the_feed_verbatim() {
    let dir = tempfile::tempdir().unwrap();
    let host = start(base_config(dir.path())).await;
    let body = r#"{"feeds":[{"category":1,"name":"BTC/USD"},{"category":1,"name":"NOPE/USD"}]}"#;
    let (status, content_type, text) =
        post_json(&client(), &host.url("/feed-values/5"), body).await;
    assert_eq!(status, 201);
    assert_eq!(content_type, "application/json; charset=utf-8");
    // Captured from the reference in ccxt mode with no data.
    assert_eq!(
        text,
        r#"{"votingRoundId":5,"data":[{"feed":{"category":1,"name":"BTC/USD"}},{"feed":{"category":1,"name":"NOPE/USD"}}]}"#
    );
}

#[tokio::test]
async fn extra_properties_and_string_categories_are_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let host = start(base_config(dir.path())).await;
    let body =
        r#"{"feeds":[{"category":"1","name":"BTC/USD","extra":true},{"name":"X","category":2.0}]}"#;
    let (status, _, text) = post_json(&client(), &host.url("/feed-values"), body).await;
    assert_eq!(status, 201);
    assert_eq!(
        text,
        r#"{"data":[{"feed":{"category":"1","name":"BTC/USD","extra":true}},{"feed":{"name":"X","category":2}}]}"#
    );
}

#[tokio::test]
async fn routes_tolerate_case_trailing_slashes_and_round_zero() {
    let dir = tempfile::tempdir().unwrap();
    let host = start(base_config(dir.path())).await;
    let body = format!(r#"{{"feeds":[{BTC}]}}"#);
    let cases = [
        (
            "/feed-values/0",
            format!(r#"{{"votingRoundId":0,"data":[{{"feed":{BTC}}}]}}"#),
        ),
        (
            "/Feed-Values/7/",
            format!(r#"{{"votingRoundId":7,"data":[{{"feed":{BTC}}}]}}"#),
        ),
        (
            "/feed-values/-5",
            format!(r#"{{"votingRoundId":-5,"data":[{{"feed":{BTC}}}]}}"#),
        ),
        (
            "/feed-values/01",
            format!(r#"{{"votingRoundId":1,"data":[{{"feed":{BTC}}}]}}"#),
        ),
        (
            "/feed-values/99999999999999999999",
            format!(r#"{{"votingRoundId":100000000000000000000,"data":[{{"feed":{BTC}}}]}}"#),
        ),
        ("/feed-values", format!(r#"{{"data":[{{"feed":{BTC}}}]}}"#)),
        ("/feed-values/", format!(r#"{{"data":[{{"feed":{BTC}}}]}}"#)),
        (
            "/feed-values?x=1",
            format!(r#"{{"data":[{{"feed":{BTC}}}]}}"#),
        ),
        ("/volumes", r#"{"data":[]}"#.to_owned()),
        ("/volumes/?window=120", r#"{"data":[]}"#.to_owned()),
    ];
    for (path, want) in cases {
        let (status, _, text) = post_json(&client(), &host.url(path), &body).await;
        assert_eq!((status, text.as_str()), (201, want.as_str()), "{path}");
    }
}

#[tokio::test]
async fn errors_have_the_reference_statuses_and_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let host = start(base_config(dir.path())).await;
    let numeric = r#"{"message":"Validation failed (numeric string is expected)","error":"Bad Request","statusCode":400}"#;
    let no_feeds = r#"{"message":"feeds must be an array","error":"Bad Request","statusCode":400}"#;
    let not_json = r#"{"message":"Content-Type must be application/json","error":"Unsupported Media Type","statusCode":415}"#;
    let feeds = format!(r#"{{"feeds":[{BTC}]}}"#);
    let cases: Vec<(&str, &str, String, u16, Option<&str>)> = vec![
        // TC1-4: round id and window must match -?\d+.
        (
            "/feed-values/+1",
            "application/json",
            feeds.clone(),
            400,
            Some(numeric),
        ),
        (
            "/feed-values/1.5",
            "application/json",
            feeds.clone(),
            400,
            Some(numeric),
        ),
        (
            "/feed-values/abc",
            "application/json",
            feeds.clone(),
            400,
            Some(numeric),
        ),
        (
            "/volumes?window=1e3",
            "application/json",
            feeds.clone(),
            400,
            Some(numeric),
        ),
        // TC5-8: bodies the handler cannot map. The reference crashes (500); they are the client's fault: 400/415.
        (
            "/feed-values/1",
            "application/json",
            "{}".to_owned(),
            400,
            Some(no_feeds),
        ),
        (
            "/feed-values/1",
            "application/json",
            String::new(),
            400,
            Some(no_feeds),
        ),
        (
            "/feed-values/1",
            "application/json",
            r#"{"feeds":{}}"#.to_owned(),
            400,
            Some(no_feeds),
        ),
        (
            "/feed-values/1",
            "text/plain",
            feeds.clone(),
            415,
            Some(not_json),
        ),
        ("/volumes", "", feeds.clone(), 415, Some(not_json)),
        // TC9: malformed JSON is a 400 with the parser's message.
        (
            "/feed-values/1",
            "application/json",
            r#"{"feeds":"#.to_owned(),
            400,
            None,
        ),
    ];
    for (path, content_type, body, want_status, want_body) in cases {
        let response = client()
            .post(host.url(path))
            .header("content-type", content_type)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let (status, _, text) = split(response).await;
        assert_eq!(status, want_status, "{path} {body}");
        match want_body {
            Some(want) => assert_eq!(text, want, "{path} {body}"),
            None => {
                let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                assert_eq!(v["error"], "Bad Request");
                assert_eq!(v["statusCode"], 400);
                assert_eq!(v["message"], "Unexpected end of JSON input");
            }
        }
    }
}

#[tokio::test]
async fn every_response_carries_the_reference_security_headers() {
    let dir = tempfile::tempdir().unwrap();
    let host = start(base_config(dir.path())).await;
    let ok = client()
        .post(host.url("/feed-values"))
        .header("content-type", "application/json")
        .body(format!(r#"{{"feeds":[{BTC}]}}"#))
        .send()
        .await
        .unwrap();
    let not_found = client().get(host.url("/nowhere")).send().await.unwrap();
    let unsupported = client()
        .post(host.url("/feed-values"))
        .body("x")
        .send()
        .await
        .unwrap();
    for response in [ok, not_found, unsupported] {
        let headers = response.headers();
        for (name, value) in ftso_feeds::rest::security_headers::HEADERS {
            assert_eq!(headers[name], value, "{name} on {}", response.status());
        }
        assert!(!headers.contains_key("x-powered-by"));
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_are_404_with_the_nest_body() {
    let dir = tempfile::tempdir().unwrap();
    let host = start(base_config(dir.path())).await;
    let (status, _, text) = split(
        client()
            .get(host.url("/feed-values/7"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, text.as_str()),
        (
            404,
            r#"{"message":"Cannot GET /feed-values/7","error":"Not Found","statusCode":404}"#
        )
    );
    let (status, _, text) = post_json(&client(), &host.url("/"), "{}").await;
    assert_eq!(
        (status, text.as_str()),
        (
            404,
            r#"{"message":"Cannot POST /","error":"Not Found","statusCode":404}"#
        )
    );
    let response = client()
        .request(reqwest::Method::OPTIONS, host.url("/feed-values"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
}

#[tokio::test]
async fn bodies_over_100_kb_are_413() {
    let dir = tempfile::tempdir().unwrap();
    let host = start(base_config(dir.path())).await;
    let feed = format!("{BTC},");
    let mut body = String::from(r#"{"feeds":["#);
    while body.len() < 101 * 1024 {
        body.push_str(&feed);
    }
    body.push_str(BTC);
    body.push_str("]}");
    let (status, _, text) = post_json(&client(), &host.url("/feed-values/1"), &body).await;
    assert_eq!(status, 413);
    assert_eq!(
        text,
        r#"{"message":"request entity too large","error":"Payload Too Large","statusCode":413}"#
    );
    // About 2900 feeds still fit.
    let mut body = String::from(r#"{"feeds":["#);
    for _ in 0..2900 {
        body.push_str(&feed);
    }
    body.push_str(BTC);
    body.push_str("]}");
    assert!(body.len() < 100 * 1024);
    let (status, _, _) = post_json(&client(), &host.url("/feed-values/1"), &body).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn the_openapi_document_has_the_reference_paths_and_operation_ids() {
    let dir = tempfile::tempdir().unwrap();
    let host = start(base_config(dir.path())).await;
    let (status, _, text) = split(
        client()
            .get(host.url("/api-doc-json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        doc["info"]["title"],
        "Simple Feed Value Provider API interface"
    );
    assert_eq!(
        doc["paths"]["/feed-values/{votingRoundId}"]["post"]["operationId"],
        "getFeedValues"
    );
    assert_eq!(
        doc["paths"]["/feed-values"]["post"]["operationId"],
        "getCurrentFeedValues"
    );
    assert_eq!(
        doc["paths"]["/volumes"]["post"]["operationId"],
        "getFeedVolumes"
    );
    let schemas = &doc["components"]["schemas"];
    for name in [
        "FeedId",
        "FeedValuesRequest",
        "FeedValueData",
        "RoundFeedValuesResponse",
        "FeedVolumesResponse",
    ] {
        assert!(schemas[name].is_object(), "schema {name} missing");
    }
    assert!(schemas["FeedValueData"]["properties"]["value"].is_object());

    let (status, content_type, page) =
        split(client().get(host.url("/api-doc")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"));
    assert!(
        page.contains("api-doc-json") && !page.contains("https://"),
        "self-contained page"
    );

    let (status, _, health) = split(client().get(host.url("/health")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(health.contains("\"status\":\"ok\""), "{health}");
    host.stop().await.unwrap();
}
