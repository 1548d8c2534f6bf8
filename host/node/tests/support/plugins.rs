//! The plugins the example configs load, built and signed once per test binary by the script a user runs.

use std::process::Command;
use std::sync::Once;

use super::NODE;

/// The plugin crates `config/local.toml` and the example configs load.
const PLUGINS: [&str; 2] = ["ftso-plugin-fixed", "ftso-plugin-random"];

/// Builds and signs [`PLUGINS`] with `scripts/build-plugins.sh` (the binary under test signs), once per test
/// binary: tests running at the same time wait for the one build.
pub fn build() {
    static BUILD: Once = Once::new();
    BUILD.call_once(|| {
        let status = Command::new("bash")
            .arg(ftso_testkit::workspace_root().join("scripts/build-plugins.sh"))
            .args(PLUGINS)
            .env("FTSO_NODE_BIN", NODE)
            .status()
            .expect("run scripts/build-plugins.sh");
        assert!(status.success(), "scripts/build-plugins.sh failed");
    });
}
