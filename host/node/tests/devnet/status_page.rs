//! The status page in a real headless Chromium, driven over the Chrome DevTools Protocol (a websocket, flattened
//! target sessions): `ftso-node run --devnet --config config/local.toml` (the node as the devnet's entity, with the
//! fixed and random plugins) serves it on its admin port; the page loads with no console error
//! and no uncaught exception, shows live data (the current voting round advances while the test watches, the
//! indexed block moves), and a screenshot is saved under the target dir (its path is printed).
//!
//! The browser is `FTSO_CHROMIUM` or `chromium` on PATH (`scripts/setup.d/40-chromium.sh` installs Debian's
//! package). Without one the test says so and passes, except when `CI` is set: then it fails. How long to wait
//! for the node and for the round to advance: `FTSO_STATUS_PAGE_TIMEOUT_SECS` (default 600: devnet deployment on a
//! slow, loaded machine, then a 20 s devnet round).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use futures::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::support::process::Process;
use crate::support::{self, http, log_field as field, plugins};

fn timeout() -> Duration {
    support::timeout("FTSO_STATUS_PAGE_TIMEOUT_SECS", 600)
}

/// The browser to drive, if there is one.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("FTSO_CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("chromium"))
            .find(|candidate| candidate.is_file())
    })
}

/// One Chrome DevTools Protocol connection to the browser, with a session attached to one page.
struct DevTools {
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    next_id: u64,
    session: Option<String>,
    /// Console errors, exceptions and error log entries seen so far.
    errors: Vec<String>,
    /// Answers that arrived while waiting for another one.
    answers: HashMap<u64, Value>,
}

impl DevTools {
    async fn connect(url: &str) -> Self {
        let (socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("DevTools websocket");
        Self {
            socket,
            next_id: 0,
            session: None,
            errors: Vec::new(),
            answers: HashMap::new(),
        }
    }

    /// Sends `method` (to the attached page once there is one) and returns its result.
    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = &self.session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .await
            .expect("send");
        let deadline = Instant::now() + timeout();
        loop {
            if let Some(answer) = self.answers.remove(&id) {
                assert!(answer.get("error").is_none(), "{method}: {answer}");
                return answer["result"].clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let frame = tokio::time::timeout(left, self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("no answer to {method}"))
                .expect("the browser closed the DevTools connection")
                .expect("DevTools frame");
            if let Message::Text(text) = frame {
                self.take(serde_json::from_str(&text).expect("DevTools JSON"));
            }
        }
    }

    /// Files an answer, or records an event that reports an error on the page.
    fn take(&mut self, message: Value) {
        if let Some(id) = message["id"].as_u64() {
            self.answers.insert(id, message);
            return;
        }
        let params = &message["params"];
        match message["method"].as_str() {
            Some("Runtime.exceptionThrown") => self
                .errors
                .push(format!("exception: {}", params["exceptionDetails"])),
            Some("Runtime.consoleAPICalled")
                if matches!(params["type"].as_str(), Some("error" | "assert")) =>
            {
                self.errors
                    .push(format!("console.{}: {}", params["type"], params["args"]))
            }
            Some("Log.entryAdded") if params["entry"]["level"] == "error" => self
                .errors
                .push(format!("log: {}", params["entry"]["text"])),
            _ => {}
        }
    }

    /// Evaluates `expression` in the page and returns its value.
    async fn eval(&mut self, expression: &str) -> Value {
        let result = self
            .call(
                "Runtime.evaluate",
                json!({ "expression": expression, "returnByValue": true }),
            )
            .await;
        assert!(
            result.get("exceptionDetails").is_none(),
            "{expression}: {result}"
        );
        result["result"]["value"].clone()
    }

    /// A number shown in the element `id`, once the page shows one.
    async fn shown_number(&mut self, id: &str) -> Option<u64> {
        let expression = format!("(document.getElementById('{id}') || {{}}).textContent || ''");
        self.eval(&expression).await.as_str()?.trim().parse().ok()
    }
}

/// Standard base64 (what `Page.captureScreenshot` returns).
fn decode_base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut bits, mut count) = (0u32, 0);
    for byte in text
        .bytes()
        .filter(|b| *b != b'=' && !b.is_ascii_whitespace())
    {
        let value = ALPHABET
            .iter()
            .position(|a| *a == byte)
            .expect("base64 digit");
        bits = (bits << 6) | u32::try_from(value).expect("six bits");
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push(u8::try_from((bits >> count) & 0xff).expect("a byte"));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_page_shows_a_live_devnet_node_in_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "no chromium (set FTSO_CHROMIUM or run scripts/setup.d/40-chromium.sh): the status page test may not skip in CI"
        );
        eprintln!(
            "SKIPPED: no chromium on PATH and FTSO_CHROMIUM unset (scripts/setup.d/40-chromium.sh installs it)"
        );
        return;
    };
    plugins::build();
    let config = support::workspace_file("config/local.toml");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut node = Process::node(&["run", "--devnet", "--config", &config], dir.path());
    let deadline = Instant::now() + timeout();
    let chain_id = field(&node.wait_for("devnet running", deadline), "chain_id");
    let admin = field(
        &node.wait_for("admin API listening (/metrics)", deadline),
        "addr",
    );
    // The JSON is served once the node is up; on the devnet it names the devnet's network and chain.
    let status = loop {
        if let Some(body) = http::get_ok(&admin, "/api/status") {
            break serde_json::from_str::<Value>(&body).expect("status JSON");
        }
        assert!(Instant::now() < deadline, "no /api/status at {admin}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(status["node"]["network"], "local", "{status}");
    assert_eq!(status["node"]["chain_id"].to_string(), chain_id, "{status}");

    let profile = dir.path().join("chromium-profile");
    let mut chrome = Process::spawn(
        Command::new(&browser).args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--window-size=1280,1400",
            "--remote-debugging-port=0",
            &format!("--user-data-dir={}", profile.display()),
            "about:blank",
        ]),
        "chromium",
        true,
    );
    let line = chrome.wait_for("DevTools listening on ", Instant::now() + timeout());
    let url = line
        .split_once("DevTools listening on ")
        .map(|(_, url)| url.trim().to_owned())
        .expect("DevTools URL");
    let mut tools = DevTools::connect(&url).await;

    let target = tools
        .call("Target.createTarget", json!({ "url": "about:blank" }))
        .await;
    let attached = tools
        .call(
            "Target.attachToTarget",
            json!({ "targetId": target["targetId"], "flatten": true }),
        )
        .await;
    tools.session = Some(
        attached["sessionId"]
            .as_str()
            .expect("sessionId")
            .to_owned(),
    );
    tools.call("Runtime.enable", json!({})).await;
    tools.call("Log.enable", json!({})).await;
    tools.call("Page.enable", json!({})).await;
    let page = format!("http://{admin}/status");
    let navigated = tools.call("Page.navigate", json!({ "url": page })).await;
    assert!(navigated.get("errorText").is_none(), "{navigated}");

    // The page renders the node's data, and the round and the indexed block move while we watch.
    let deadline = Instant::now() + timeout();
    let (first_round, first_block) = loop {
        if let (Some(round), Some(block)) = (
            tools.shown_number("voting-round").await,
            tools.shown_number("indexed-block").await,
        ) {
            break (round, block);
        }
        assert!(Instant::now() < deadline, "the page never showed a round");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    eprintln!("the page shows voting round {first_round}, indexed block {first_block}");
    let (round, block) = loop {
        let round = tools.shown_number("voting-round").await.unwrap_or(0);
        let block = tools.shown_number("indexed-block").await.unwrap_or(0);
        if round > first_round && block > first_block {
            break (round, block);
        }
        assert!(
            Instant::now() < deadline,
            "the shown round stayed at {first_round} (block {first_block})"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    eprintln!("the page advanced to voting round {round}, indexed block {block}");
    // The devnet's network and chain id, not "not set".
    let network = tools
        .eval("document.getElementById('network').textContent")
        .await;
    assert_eq!(
        network.as_str(),
        Some(format!("local (chain {chain_id})").as_str()),
        "network"
    );
    // The node is the devnet's entity and runs the fixed and random plugins: the page names them.
    let entity = tools
        .eval("document.getElementById('entity').textContent")
        .await;
    assert!(
        entity.as_str().is_some_and(|t| t.contains("identity0x")),
        "entity: {entity}"
    );
    let plugins = tools
        .eval("document.getElementById('plugins').textContent")
        .await;
    assert!(
        plugins
            .as_str()
            .is_some_and(|t| t.contains("fixed") && t.contains("random")),
        "plugins: {plugins}"
    );
    // Each plugin's latest value for FLR/USD (the random plugin serves every feed: it is asked for the feeds the
    // others name while reward epoch 0 has no feed list).
    let values = tools
        .eval("[...document.querySelectorAll('#plugins tbody tr')].filter(row => row.lastElementChild.textContent.includes('1/FLR/USD')).length")
        .await;
    assert!(
        values.as_u64().is_some_and(|n| n >= 2),
        "plugins showing an FLR/USD value: {values}"
    );
    let rounds = tools
        .eval("document.querySelectorAll('#rounds tbody tr').length")
        .await;
    assert!(
        rounds.as_u64().is_some_and(|n| n >= 2),
        "rounds shown: {rounds}"
    );
    let updated = tools
        .eval("document.getElementById('updated').textContent")
        .await;
    assert!(
        updated.as_str().is_some_and(|t| t.starts_with("updated ")),
        "{updated}"
    );

    let shot = tools
        .call("Page.captureScreenshot", json!({ "format": "png" }))
        .await;
    let png = decode_base64(shot["data"].as_str().expect("screenshot data"));
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("status-page.png");
    std::fs::write(&path, png).expect("write the screenshot");
    eprintln!("status page screenshot: {}", path.display());

    // The chart with round results (the devnet has none this early): the page's own render() on the latest status
    // with three finalized rounds (newest first) of one feed draws our line, the median line and the quartile band.
    let chart = tools
        .eval(
            "(() => { const s = JSON.parse(JSON.stringify(latest)); \
             s.rounds = [3, 2, 1].map(i => ({ voting_round: 10 + i, committed: true, revealed: true, \
               finalized: true, result: 'ready', result_note: null, feeds: [{ feed: '1/FLR/USD', \
               median: 0.01 * i, q1: 0.009 * i, q3: 0.011 * i, ours: 0.0105 * i, turnout_bips: 10000 }] })); \
             render(s); \
             return [document.querySelectorAll('#chart polyline').length, \
               document.querySelectorAll('#chart polygon').length, \
               document.querySelectorAll('#chart circle').length, \
               document.getElementById('chart-feed').value]; })()",
        )
        .await;
    assert_eq!(chart, json!([2, 1, 3, "1/FLR/USD"]), "chart");

    // Errors reported while the page ran (events that came with the answers above).
    assert!(
        tools.errors.is_empty(),
        "console errors or exceptions: {:#?}",
        tools.errors
    );
    drop(chrome);
    drop(node);
}
