//! Locating the anvil binary installed by `scripts/setup.d/20-anvil.sh`.

use std::path::PathBuf;

use anyhow::bail;

/// Environment variable that overrides the anvil location.
pub const ANVIL_BIN_ENV: &str = "ANVIL_BIN";

/// Where the setup script puts anvil, relative to the repository root.
const ANVIL_IN_TOOLS: &str = "tools/anvil/package/bin/anvil";

/// The anvil binary: `$ANVIL_BIN` if set, else `<repo>/tools/anvil/package/bin/anvil`.
pub fn anvil_path() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os(ANVIL_BIN_ENV) {
        let path = PathBuf::from(path);
        if path.is_file() {
            return Ok(path);
        }
        bail!(
            "{ANVIL_BIN_ENV}={} does not exist; run scripts/setup.sh",
            path.display()
        );
    }
    let path = ftso_testkit::workspace_root().join(ANVIL_IN_TOOLS);
    if path.is_file() {
        return Ok(path);
    }
    bail!(
        "anvil not found at {} and {ANVIL_BIN_ENV} is not set; run scripts/setup.sh (installs anvil into tools/)",
        path.display()
    )
}
