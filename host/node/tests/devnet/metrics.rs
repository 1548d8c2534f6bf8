//! `/metrics` of a real devnet node, scraped over HTTP, against what happened on chain; and its JSON logs.
//!
//! The test runs `ftso-node --log-format json run --devnet --config config/local.toml` (the fixed and random
//! plugins, the devnet's one entity voting and fast-updating) with its admin server on a free port. It polls the
//! scrape until it agrees with the chain: the indexer's last block is the devnet's head and it counted every block
//! from where it started; the data provider computed `FTSO_TEST_METRICS_ROUNDS` rounds (default 2) and none
//! failed; the fast updates it counted as accepted are the FastUpdateFeedsSubmitted events on chain; the roles are
//! up; the plugins answered. Every log line is then parsed as JSON. How long to wait for each of these:
//! `FTSO_TEST_START_TIMEOUT_SECS` (default 600).

use std::time::{Duration, Instant};

use crate::support::process::Process;
use crate::support::{self, http, plugins};

fn timeout() -> Duration {
    support::timeout("FTSO_TEST_START_TIMEOUT_SECS", 600)
}

/// How many voting rounds the data provider must have computed before the round counters are checked.
fn rounds() -> u64 {
    std::env::var("FTSO_TEST_METRICS_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2)
}

/// The `fields` of the first JSON log line whose message is `message`, waiting for it.
fn wait_for_message(node: &mut Process, message: &str) -> serde_json::Value {
    node.wait_until(message, Instant::now() + timeout(), |line| {
        let event = serde_json::from_str::<serde_json::Value>(line).ok()?;
        (event["fields"]["message"] == message).then(|| event["fields"].clone())
    })
}

/// `GET /metrics`; `None` when the server does not answer.
fn scrape(admin: &str) -> Option<String> {
    http::get_ok(admin, "/metrics")
}

/// The value of the sample `name` whose labels include every `labels` pair; `None` when there is none.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (series_name, series_labels) = match series.split_once('{') {
                Some((n, l)) => (n, l),
                None => (series, ""),
            };
            let matches = series_name == name
                && labels
                    .iter()
                    .all(|(k, v)| series_labels.contains(&format!("{k}=\"{v}\"")));
            matches.then(|| value.parse().ok()).flatten()
        })
}

/// A JSON-RPC call to the devnet.
fn rpc(url: &str, method: &str, params: serde_json::Value) -> serde_json::Value {
    let authority = url.trim_start_matches("http://").trim_end_matches('/');
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        .to_string();
    let (code, body) = http::post_json(authority, "/", &body).expect("an answer from the devnet");
    assert_eq!(code, 200, "{method}: {body}");
    let answer: serde_json::Value = serde_json::from_str(&body).expect("JSON-RPC answer");
    answer["result"].clone()
}

fn hex_number(value: &serde_json::Value) -> u64 {
    u64::from_str_radix(value.as_str().expect("hex").trim_start_matches("0x"), 16)
        .expect("hex number")
}

/// Polls until `check` holds on a scrape; panics with the last scrape after the timeout.
fn eventually(admin: &str, what: &str, mut check: impl FnMut(&str) -> bool) -> String {
    let deadline = Instant::now() + timeout();
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Some(text) = scrape(admin) {
            if check(&text) {
                return text;
            }
            last = text;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    panic!("{what}: not seen before the timeout; last scrape:\n{last}");
}

#[test]
fn metrics_of_a_devnet_node_match_the_chain_and_logs_are_json_lines() {
    plugins::build();
    let dir = tempfile::tempdir().unwrap();
    let config = support::workspace_file("config/local.toml");
    let mut node = Process::node(
        &[
            "--log-format",
            "json",
            "run",
            "--devnet",
            "--config",
            &config,
        ],
        dir.path(),
    );
    let devnet = wait_for_message(&mut node, "devnet running");
    let rpc_url = devnet["rpc_url"].as_str().expect("rpc_url").to_owned();
    let admin = wait_for_message(&mut node, "admin API listening (/metrics)")["addr"]
        .as_str()
        .expect("admin addr")
        .to_owned();
    let from = wait_for_message(&mut node, "indexing")["from"]
        .as_u64()
        .expect("from");

    // The indexer: caught up with the devnet's head, every block from `from` counted once.
    eventually(&admin, "the indexer at the chain head", |text| {
        let head = hex_number(&rpc(&rpc_url, "eth_blockNumber", serde_json::json!([])));
        let last = sample(text, "ftso_node_indexer_last_block", &[]);
        let indexed = sample(text, "ftso_node_indexer_blocks_indexed_total", &[]);
        let lag = sample(text, "ftso_node_indexer_lag_blocks", &[]);
        match (last, indexed, lag) {
            (Some(last), Some(indexed), Some(lag)) => {
                assert_eq!(
                    indexed,
                    last - from as f64 + 1.0,
                    "blocks indexed from {from} to {last}"
                );
                assert!(last <= head as f64, "indexed {last} past the head {head}");
                head as f64 - last <= 2.0 && lag <= 2.0
            }
            _ => false,
        }
    });

    // The data provider: closed rounds computed (results ready, or failed when no reveal came in: whether the
    // devnet's votes make it is the voting tests' business), each counted once, as its log line says.
    let wanted = rounds() as f64;
    let computed = |text: &str| {
        ["ready", "failed"]
            .iter()
            .filter_map(|outcome| {
                sample(
                    text,
                    "ftso_node_data_provider_rounds_total",
                    &[("outcome", outcome)],
                )
            })
            .sum::<f64>()
    };
    let text = eventually(&admin, "data provider rounds", |text| {
        computed(text) >= wanted
    });
    let logged = node
        .lines()
        .iter()
        .filter(|l| {
            l.contains("\"message\":\"round results ready\"")
                || l.contains("\"message\":\"round results failed\"")
        })
        .count() as f64;
    // The counter moves just before the log line is written: at most one round apart.
    assert!(
        (logged - computed(&text)).abs() <= 1.0,
        "{logged} rounds logged as computed, {} counted",
        computed(&text)
    );

    // The reference's health probe.
    assert_eq!(http::get_ok(&admin, "/health").as_deref(), Some("true"));

    // Roles up; plugins answered and are up.
    for role in [
        "indexer",
        "feeds",
        "data-provider",
        "admin",
        "fast-updates",
        "system-client",
    ] {
        assert_eq!(
            sample(&text, "ftso_node_role_up", &[("role", role)]),
            Some(1.0),
            "role {role} up"
        );
    }
    for plugin in ["fixed", "random"] {
        assert_eq!(
            sample(&text, "ftso_node_plugin_up", &[("plugin", plugin)]),
            Some(1.0),
            "plugin {plugin} up"
        );
        let calls = sample(
            &text,
            "ftso_node_plugin_calls_total",
            &[("plugin", plugin), ("call", "values"), ("outcome", "ok")],
        );
        assert!(
            calls.is_some_and(|c| c >= 1.0),
            "plugin {plugin} answered values calls"
        );
        assert!(
            sample(
                &text,
                "ftso_node_plugin_last_value_timestamp_seconds",
                &[("plugin", plugin)]
            )
            .is_some(),
            "plugin {plugin} gave a value"
        );
    }

    // Fast updates: every FastUpdateFeedsSubmitted event on chain (one entity: all ours) is counted as accepted,
    // and nothing else is. The client counts an update after its receipt, so the count catches up with the events
    // seen earlier and never passes the events seen later.
    let topic =
        alloy::primitives::keccak256("FastUpdateFeedsSubmitted(uint32,address)").to_string();
    let events = || {
        let logs = rpc(
            &rpc_url,
            "eth_getLogs",
            serde_json::json!([{"fromBlock": "0x0", "toBlock": "latest", "topics": [topic]}]),
        );
        logs.as_array().map_or(0, Vec::len) as f64
    };
    eventually(&admin, "a fast update on chain", |_| events() >= 1.0);
    let before = events();
    let text = eventually(&admin, "fast updates accepted = events on chain", |text| {
        let accepted = sample(text, "ftso_node_fast_updates_accepted_total", &[]).unwrap_or(0.0);
        let after = events();
        assert!(
            accepted <= after,
            "{accepted} updates counted accepted, {after} on chain"
        );
        accepted >= before
    });
    assert!(
        sample(&text, "ftso_node_fast_updates_blocks_scanned_total", &[]).is_some_and(|n| n >= 1.0)
    );
    let submitted = sample(&text, "ftso_node_fast_updates_submitted_total", &[]).unwrap_or(0.0);
    let accepted = sample(&text, "ftso_node_fast_updates_accepted_total", &[]).unwrap_or(0.0);
    assert!(
        submitted >= accepted,
        "submitted {submitted} ≥ accepted {accepted}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("ftso_node_transactions_total{")
                && l.contains("outcome=\"mined\"")),
        "mined transactions counted per account"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("ftso_node_account_nonce{address=\"0x")),
        "nonces per account"
    );

    // Finalization: the node is the devnet's only voter, so every ProtocolMessageRelayed on chain is a relay it
    // sent (from reward epoch 1 on), counted as relayed once its receipt is in; the last finalized round is the
    // newest event's.
    let relayed_topic = ftso_chain::topics::PROTOCOL_MESSAGE_RELAYED.to_string();
    let relays = || {
        let logs = rpc(
            &rpc_url,
            "eth_getLogs",
            serde_json::json!([{"fromBlock": "0x0", "toBlock": "latest", "topics": [relayed_topic]}]),
        );
        let rounds: Vec<u64> = logs
            .as_array()
            .map(|logs| {
                logs.iter()
                    .map(|log| hex_number(&log["topics"][2]))
                    .collect()
            })
            .unwrap_or_default();
        rounds
    };
    eventually(&admin, "a round finalized on chain", |_| {
        !relays().is_empty()
    });
    let before = relays().len() as f64;
    let text = eventually(&admin, "rounds relayed = relays on chain", |text| {
        let relayed = sample(
            text,
            "ftso_node_finalizations_total",
            &[("protocol", "100"), ("outcome", "relayed")],
        )
        .unwrap_or(0.0);
        let after = relays().len() as f64;
        assert!(
            relayed <= after,
            "{relayed} rounds counted relayed, {after} on chain"
        );
        relayed >= before
    });
    let last_round = sample(&text, "ftso_node_finalizer_last_round", &[]).expect("last round");
    assert!(
        relays().contains(&(last_round as u64)),
        "the last finalized round {last_round} is relayed on chain"
    );

    // Every line the node logged is a JSON object with the subscriber's fields.
    let lines = node.lines();
    assert!(!lines.is_empty());
    for line in &lines {
        let event: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        for field in ["timestamp", "level", "target"] {
            assert!(event.get(field).is_some(), "no {field} in {line}");
        }
        assert!(
            event["fields"]["message"].is_string(),
            "no message in {line}"
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\"message\":\"round results ready\"")),
        "the data provider's milestone is a JSON line"
    );
}
