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

use std::{
    io::{BufRead as _, BufReader, Read as _, Write as _},
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Once, mpsc},
    time::Duration,
};

const NODE: &str = env!("CARGO_BIN_EXE_ftso-node");

fn start_timeout() -> Duration {
    let secs = std::env::var("FTSO_TEST_START_TIMEOUT_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600);
    Duration::from_secs(secs)
}

fn root() -> PathBuf {
    ftso_testkit::workspace_root()
}

/// Builds and signs the example plugins once, with the script a user runs (the binary under test signs).
fn build_plugins() {
    static BUILD: Once = Once::new();
    BUILD.call_once(|| {
        let status = Command::new("bash")
            .arg(root().join("scripts/build-plugins.sh"))
            .args(["ftso-plugin-fixed", "ftso-plugin-random"])
            .env("FTSO_NODE_BIN", NODE)
            .status()
            .expect("run scripts/build-plugins.sh");
        assert!(status.success(), "scripts/build-plugins.sh failed");
    });
}

/// A running `ftso-node`, its stderr lines arriving on a channel; killed if the test fails.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Running {
    fn start(args: &[&str], data_dir: &Path) -> Self {
        let mut child = Command::new(NODE)
            .args(args)
            .current_dir(data_dir)
            .env("FTSO_NODE__FEEDS__LISTEN", "127.0.0.1:0")
            .env("FTSO_NODE__FEEDS__ADMIN_LISTEN", "127.0.0.1:0")
            .env("FTSO_NODE__ADMIN__LISTEN", "127.0.0.1:0")
            .env("FTSO_NODE_DATA_DIR", data_dir)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start ftso-node");
        let (send, lines) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().expect("stderr")),
        ] {
            let send = send.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    eprintln!("  | {line}");
                    if send.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Self { child, lines }
    }

    /// The first output line containing `needle`.
    fn wait_for(&self, needle: &str) -> String {
        let deadline = std::time::Instant::now() + start_timeout();
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!("no output line with {needle:?} before the timeout or the exit"),
            }
        }
    }

    /// The address in the REST listener's log line.
    fn rest_addr(&self) -> String {
        let line = self.wait_for("REST API listening");
        let (_, addr) = line.split_once("addr=").expect("addr field");
        addr.split_whitespace().next().expect("addr").to_owned()
    }

    /// SIGTERM, then the exit status within the timeout.
    fn terminate(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let deadline = std::time::Instant::now() + start_timeout();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "ftso-node did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// POSTs a feed-values request over plain HTTP/1.1 and returns the status line and the body.
fn post_feed_values(addr: &str) -> (String, String) {
    let body = r#"{"feeds":[{"category":1,"name":"FLR/USD"}]}"#;
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "POST /feed-values/1 HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response.lines().next().unwrap_or_default().to_owned();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn assert_serves_a_value(addr: &str) {
    let (status, body) = post_feed_values(addr);
    assert!(status.contains(" 201 "), "{status} {body}");
    assert!(
        body.contains(r#""feed":{"category":1,"name":"FLR/USD"},"value":"#),
        "{body}"
    );
}

fn example(name: &str) -> String {
    root().join("config").join(name).display().to_string()
}

#[test]
fn the_feeds_example_serves_signed_plugins_as_shipped() {
    build_plugins();
    let dir = tempfile::tempdir().unwrap();
    let node = Running::start(
        &["feeds", "--config", &example("feeds.example.toml")],
        dir.path(),
    );
    assert_serves_a_value(&node.rest_addr());
    assert!(node.terminate().success());
    assert!(
        dir.path().join("wasm-cache").is_dir(),
        "the plugin cache is in the data dir"
    );
}

/// Runs `run --devnet --config config/<name>`, checks that it serves a value and stops on SIGTERM; returns its
/// data dir.
fn runs_on_the_devnet_and_serves(name: &str) -> tempfile::TempDir {
    build_plugins();
    let dir = tempfile::tempdir().unwrap();
    let config = example(name);
    let node = Running::start(&["run", "--devnet", "--config", &config], dir.path());
    assert_serves_a_value(&node.rest_addr());
    assert!(node.terminate().success(), "{name}");
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
    let node = Running::start(
        &["devnet", "--config-out", &out.display().to_string()],
        dir.path(),
    );
    node.wait_for("# written to");
    assert!(node.terminate().success());
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
    let devnet = Running::start(
        &["devnet", "--config-out", &out.display().to_string()],
        dir.path(),
    );
    let line = devnet.wait_for("rpc_url = ");
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
    assert!(devnet.terminate().success());
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
