//! A child process under test: every output line kept (and echoed), waits for a line, SIGTERM, killed when dropped.

use std::io::{BufRead as _, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::NODE;

/// How often a wait looks at the output again.
const POLL: Duration = Duration::from_millis(200);

/// A running child: its stdout and stderr lines, kept in order of arrival; killed when dropped.
pub struct Process {
    child: Child,
    label: &'static str,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Process {
    /// Starts `command`; each output line is echoed as `  label | line` unless `quiet` (a browser's noise).
    pub fn spawn(command: &mut Command, label: &'static str, quiet: bool) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {label}: {error}"));
        let lines = Arc::new(Mutex::new(Vec::new()));
        let streams: [Box<dyn Read + Send>; 2] = [
            Box::new(child.stdout.take().expect("stdout")),
            Box::new(child.stderr.take().expect("stderr")),
        ];
        for stream in streams {
            let lines = Arc::clone(&lines);
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if !quiet {
                        eprintln!("  {label} | {line}");
                    }
                    lines.lock().expect("output lines").push(line);
                }
            });
        }
        Self {
            child,
            label,
            lines,
        }
    }

    /// `ftso-node ARGS` in `data_dir` (its working directory and `FTSO_NODE_DATA_DIR`), at `RUST_LOG=info`, with
    /// every listener (feeds REST, feeds admin, data provider, admin) on a free loopback port.
    pub fn node(args: &[&str], data_dir: &Path) -> Self {
        Self::spawn(
            Command::new(NODE)
                .args(args)
                .current_dir(data_dir)
                .env("FTSO_NODE_DATA_DIR", data_dir)
                .env("FTSO_NODE__FEEDS__LISTEN", "127.0.0.1:0")
                .env("FTSO_NODE__FEEDS__ADMIN_LISTEN", "127.0.0.1:0")
                .env("FTSO_NODE__DATA_PROVIDER__LISTEN", "127.0.0.1:0")
                .env("FTSO_NODE__ADMIN__LISTEN", "127.0.0.1:0")
                .env("RUST_LOG", "info"),
            "node",
            false,
        )
    }

    /// Every line so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().expect("output lines").clone()
    }

    /// Whether a line so far contains `needle`.
    pub fn has(&self, needle: &str) -> bool {
        self.lines
            .lock()
            .expect("output lines")
            .iter()
            .any(|line| line.contains(needle))
    }

    /// The first line containing `needle`, waiting for it until `deadline`; panics when the process exits first.
    pub fn wait_for(&mut self, needle: &str, deadline: Instant) -> String {
        self.wait_until(needle, deadline, containing(needle))
    }

    /// What `find` makes of the first line it accepts, waiting for one until `deadline` (`what` names it in the
    /// panic); panics when the process exits first.
    pub fn wait_until<T>(
        &mut self,
        what: &str,
        deadline: Instant,
        find: impl Fn(&str) -> Option<T>,
    ) -> T {
        loop {
            if let Some(found) = self.look(what, deadline, &find) {
                return found;
            }
            std::thread::sleep(POLL);
        }
    }

    /// [`Process::wait_for`] for async tests: sleeps without blocking the runtime.
    pub async fn wait_for_async(&mut self, needle: &str, deadline: Instant) -> String {
        loop {
            if let Some(found) = self.look(needle, deadline, containing(needle)) {
                return found;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// One look at the lines for what `find` accepts; panics when the process has exited or `deadline` passed.
    fn look<T>(
        &mut self,
        what: &str,
        deadline: Instant,
        find: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let found = self
            .lines
            .lock()
            .expect("output lines")
            .iter()
            .find_map(|line| find(line));
        if found.is_none() {
            self.assert_running(what);
            assert!(
                Instant::now() < deadline,
                "{}: no line with {what:?} before the timeout",
                self.label
            );
        }
        found
    }

    /// Panics when the process has exited (while `waiting` for something).
    pub fn assert_running(&mut self, waiting: &str) {
        if let Some(status) = self.child.try_wait().expect("try_wait") {
            panic!(
                "{} exited ({status}) while waiting for {waiting:?}",
                self.label
            );
        }
    }

    /// SIGTERM, then the exit status, waiting for it until `deadline`.
    pub fn terminate(&mut self, deadline: Instant) -> ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success(), "kill -TERM {}", self.child.id());
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not stop on SIGTERM",
                self.label
            );
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A finder of the line containing `needle`.
fn containing(needle: &str) -> impl Fn(&str) -> Option<String> + '_ {
    move |line| line.contains(needle).then(|| line.to_owned())
}
