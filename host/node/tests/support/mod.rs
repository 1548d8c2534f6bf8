//! What the binary tests of `ftso-node` share: the binary's path, timeouts from the environment, the plugins the
//! example configs load, a child process with its output, plain HTTP, and a fresh entity on the devnet.

#![allow(dead_code, reason = "each test binary uses part of the support")]

pub mod entity;
pub mod http;
pub mod plugins;
pub mod process;

use std::time::Duration;

/// The binary under test.
pub const NODE: &str = env!("CARGO_BIN_EXE_ftso-node");

/// The timeout `var` sets in seconds, or else `default_secs`.
pub fn timeout(var: &str, default_secs: u64) -> Duration {
    let secs = std::env::var(var)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default_secs);
    Duration::from_secs(secs)
}

/// The path of `relative` in the workspace, as a string for an argument.
pub fn workspace_file(relative: &str) -> String {
    ftso_testkit::workspace_root()
        .join(relative)
        .display()
        .to_string()
}

/// The value of `key=` in a text log line (up to the next space; a `[…]` list whole), quotes removed.
pub fn log_field(line: &str, key: &str) -> String {
    let (_, rest) = line
        .split_once(&format!(" {key}="))
        .unwrap_or_else(|| panic!("no {key}= in {line:?}"));
    let value = if rest.starts_with('[') {
        &rest[..=rest.find(']').expect("closing ]")]
    } else {
        rest.split_whitespace().next().unwrap_or_default()
    };
    value.trim_matches('"').to_owned()
}

/// Bytes as text, lossily.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
