//! The processes of the end-to-end test: one `ftso-node devnet` and the `ftso-node run --join-devnet` nodes that
//! vote on it. Every line a process writes goes to its log file in the test's directory and to memory; every child
//! is killed (SIGKILL) when it is dropped, and when the test panics the tail of every log is printed and the
//! directory is kept, so that a CI failure can be diagnosed.

use std::fs::File;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The binary under test.
pub const NODE: &str = env!("CARGO_BIN_EXE_ftso-node");
/// Lines of each log printed when the test fails.
const TAIL_LINES: usize = 60;
/// The variables that would point a node elsewhere than its config file: unset for every child.
const FOREIGN_VARS: [&str; 4] = [
    "FTSO_NODE_RPC_URL",
    "FTSO_NODE_DATABASE_URL",
    "FTSO_NODE_DATA_DIR",
    "FTSO_NODE_LOG_FORMAT",
];
/// `info`, and every broadcast of the transaction senders (`transaction sent` with `from`, `nonce`, `hash`).
const RUST_LOG: &str = "info,ftso_chain::tx::sender=debug";

/// A child process whose stdout and stderr lines go to its log file and to memory; killed on drop.
pub struct Process {
    name: String,
    child: Child,
    log_path: PathBuf,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Process {
    /// Spawns `command` with its output logged to `log_path`.
    pub fn spawn(name: &str, mut command: Command, log_path: PathBuf) -> Self {
        for var in FOREIGN_VARS {
            command.env_remove(var);
        }
        let mut child = command
            .env("RUST_LOG", RUST_LOG)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {name}: {error}"));
        let file = Arc::new(Mutex::new(File::create(&log_path).unwrap()));
        let lines = Arc::new(Mutex::new(Vec::new()));
        let streams: [Box<dyn std::io::Read + Send>; 2] = [
            Box::new(child.stdout.take().unwrap()),
            Box::new(child.stderr.take().unwrap()),
        ];
        for stream in streams {
            let (file, lines) = (Arc::clone(&file), Arc::clone(&lines));
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = writeln!(file.lock().unwrap(), "{line}");
                    lines.lock().unwrap().push(line);
                }
            });
        }
        Self {
            name: name.to_owned(),
            child,
            log_path,
            lines,
        }
    }

    /// The process's name in messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every line written so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// Every line written so far that is a JSON log object (the nodes run with `--log-format json`).
    pub fn json_lines(&self) -> Vec<Value> {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }

    /// Panics when the process has exited (it must run until the test ends).
    pub fn assert_running(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("{} exited early ({status})", self.name);
        }
    }

    /// Waits until `found` returns something for one of the lines, or panics at `deadline` or when the process
    /// exits.
    pub async fn wait_for<T>(
        &mut self,
        what: &str,
        deadline: Instant,
        found: impl Fn(&str) -> Option<T>,
    ) -> T {
        loop {
            let hit = self.lines.lock().unwrap().iter().find_map(|l| found(l));
            if let Some(value) = hit {
                return value;
            }
            self.assert_running();
            assert!(
                Instant::now() < deadline,
                "{} logged no {what} in time",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Kills the process with SIGKILL and reaps it.
    pub fn kill(&mut self) -> ExitStatus {
        let _ = self.child.kill();
        self.child.wait().unwrap()
    }

    /// The last lines of the log, for a failure message.
    fn tail(&self) -> String {
        let lines = self.lines.lock().unwrap();
        let from = lines.len().saturating_sub(TAIL_LINES);
        lines[from..].join("\n")
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `message` of a JSON log line.
pub fn message(line: &Value) -> Option<&str> {
    line.pointer("/fields/message")?.as_str()
}

/// A field of a JSON log line, as text (numbers and strings alike).
pub fn field(line: &Value, key: &str) -> Option<String> {
    match line.get("fields")?.get(key)? {
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

/// Every process of the test and the directory holding their files. Nodes drop (and die) before the devnet.
pub struct Cluster {
    /// The voting nodes; a restarted node's earlier processes are kept in `retired`.
    pub nodes: Vec<Process>,
    /// Processes replaced by a restart (their logs count too).
    pub retired: Vec<Process>,
    /// `ftso-node devnet`.
    pub devnet: Process,
    dir: Option<tempfile::TempDir>,
}

impl Cluster {
    /// A cluster of `devnet` alone, in `dir`.
    pub fn new(dir: tempfile::TempDir, devnet: Process) -> Self {
        Self {
            nodes: Vec::new(),
            retired: Vec::new(),
            devnet,
            dir: Some(dir),
        }
    }

    /// The test's directory.
    pub fn dir(&self) -> &Path {
        self.dir.as_ref().unwrap().path()
    }

    /// Every process that ever ran as node `index`, the earliest first.
    pub fn processes_of(&self, index: usize) -> impl Iterator<Item = &Process> {
        let name = self.nodes[index].name.clone();
        self.retired
            .iter()
            .filter(move |p| p.name == name)
            .chain(std::iter::once(&self.nodes[index]))
    }

    /// Panics when any process has exited.
    pub fn assert_running(&mut self) {
        self.devnet.assert_running();
        for node in &mut self.nodes {
            node.assert_running();
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        for process in std::iter::once(&self.devnet)
            .chain(&self.retired)
            .chain(&self.nodes)
        {
            eprintln!(
                "\n===== {} (last {TAIL_LINES} lines of {}) =====\n{}",
                process.name,
                process.log_path.display(),
                process.tail()
            );
        }
        if let Some(dir) = self.dir.take() {
            eprintln!(
                "\n===== the test's files are kept in {}",
                dir.keep().display()
            );
        }
    }
}
