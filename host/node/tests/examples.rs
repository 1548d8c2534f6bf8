//! The example configs start as shipped and serve; the binary stops cleanly on SIGTERM and says an error once.
//!
//! Each test runs the real `ftso-node` binary. The examples' listen addresses are moved to free ports with
//! `FTSO_NODE__FEEDS__LISTEN`, `FTSO_NODE__FEEDS__ADMIN_LISTEN` and `FTSO_NODE__ADMIN__LISTEN` (anything else is the
//! file as shipped) and the data dir to a temporary one. How long to wait for a start: `FTSO_TEST_START_TIMEOUT_SECS`
//! (default 600, a slow CI machine compiling the plugins and deploying the devnet).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::process::Process;
use support::{NODE, http, plugins};

fn start_timeout() -> Duration {
    support::timeout("FTSO_TEST_START_TIMEOUT_SECS", 600)
}

/// `ftso-node ARGS` in `data_dir`, waited for with [`start_timeout`].
fn start(args: &[&str], data_dir: &Path) -> (Process, Instant) {
    (
        Process::node(args, data_dir),
        Instant::now() + start_timeout(),
    )
}

/// The address in the REST listener's log line.
fn rest_addr(node: &mut Process, deadline: Instant) -> String {
    support::log_field(&node.wait_for("REST API listening", deadline), "addr")
}

/// SIGTERM; true when the node then exits cleanly within the timeout.
fn stops_cleanly(mut node: Process) -> bool {
    node.terminate(Instant::now() + start_timeout()).success()
}

fn assert_serves_a_value(addr: &str) {
    let request = r#"{"feeds":[{"category":1,"name":"FLR/USD"}]}"#;
    let (status, body) =
        http::post_json(addr, "/feed-values/1", request).expect("an answer from the feeds REST");
    assert_eq!(status, 201, "{body}");
    assert!(
        body.contains(r#""feed":{"category":1,"name":"FLR/USD"},"value":"#),
        "{body}"
    );
}

fn example(name: &str) -> String {
    support::workspace_file(&format!("config/{name}"))
}

#[test]
fn the_feeds_example_serves_signed_plugins_as_shipped() {
    plugins::build();
    let dir = tempfile::tempdir().unwrap();
    let (mut node, deadline) = start(
        &["feeds", "--config", &example("feeds.example.toml")],
        dir.path(),
    );
    assert_serves_a_value(&rest_addr(&mut node, deadline));
    assert!(stops_cleanly(node));
    assert!(
        dir.path().join("wasm-cache").is_dir(),
        "the plugin cache is in the data dir"
    );
}

/// Runs `run --devnet --config config/<name>`, checks that it serves a value and stops on SIGTERM; returns its
/// data dir.
fn runs_on_the_devnet_and_serves(name: &str) -> tempfile::TempDir {
    plugins::build();
    let dir = tempfile::tempdir().unwrap();
    let config = example(name);
    let (mut node, deadline) = start(&["run", "--devnet", "--config", &config], dir.path());
    assert_serves_a_value(&rest_addr(&mut node, deadline));
    assert!(stops_cleanly(node), "{name}");
    dir
}

#[test]
fn the_node_example_runs_on_the_devnet_and_serves() {
    let dir = runs_on_the_devnet_and_serves("node.example.toml");
    assert!(dir.path().join("devnet-indexer.db").is_file());
}

#[test]
fn the_local_config_runs_on_the_devnet_and_serves() {
    let dir = runs_on_the_devnet_and_serves("local.toml");
    assert!(dir.path().join("devnet-indexer.db").is_file());
}

#[test]
fn devnet_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("devnet.toml");
    let (mut node, deadline) = start(
        &["devnet", "--config-out", &out.display().to_string()],
        dir.path(),
    );
    node.wait_for("# written to", deadline);
    assert!(stops_cleanly(node));
    assert!(
        std::fs::read_to_string(out)
            .unwrap()
            .contains("[contracts]")
    );
}

#[test]
fn a_network_config_refuses_an_rpc_serving_another_chain() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("devnet.toml");
    let (mut devnet, deadline) = start(
        &["devnet", "--config-out", &out.display().to_string()],
        dir.path(),
    );
    let line = devnet.wait_for("rpc_url = ", deadline);
    let rpc_url = line
        .trim_start_matches("rpc_url = ")
        .trim_matches('"')
        .to_owned();
    let output = Command::new(NODE)
        .args(["run", "--network", "flare"])
        .current_dir(dir.path())
        .env("FTSO_NODE_RPC_URL", &rpc_url)
        .env("FTSO_NODE_DATA_DIR", dir.path())
        .env("FTSO_NODE__FEEDS__LISTEN", "127.0.0.1:0")
        .env("FTSO_NODE__FEEDS__ADMIN_LISTEN", "127.0.0.1:0")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
    assert!(
        stderr.contains("chain 14") && stderr.contains("31337"),
        "{stderr}"
    );
    assert!(stops_cleanly(devnet));
}

#[test]
fn a_bad_config_is_one_error_naming_the_key_without_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "[feeds]\nlisten_on = \"127.0.0.1:0\"\n").unwrap();
    let output = Command::new(NODE)
        .args(["feeds", "--config", &path.display().to_string()])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.matches("listen_on").count(), 1, "{stderr}");
    assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
    assert!(
        !dir.path().join(".data").exists(),
        "a failed start leaves nothing behind"
    );
}
