//! Locating the anvil binary installed by `scripts/setup.d/20-anvil.sh`.

use std::path::{Path, PathBuf};

use anyhow::bail;

/// Environment variable that overrides the anvil location.
pub const ANVIL_BIN_ENV: &str = "ANVIL_BIN";

/// Where the setup script puts anvil, relative to the repository root.
const ANVIL_IN_TOOLS: &str = "tools/anvil/package/bin/anvil";

/// The anvil binary: `$ANVIL_BIN` if set, else `tools/anvil/package/bin/anvil` in the working directory or one
/// above it (tests run in their crate's directory), else in the workspace this crate was built from.
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
    let working_dir = std::env::current_dir().unwrap_or_default();
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let candidates = working_dir
        .ancestors()
        .chain([built_from.as_path()])
        .map(|root| root.join(ANVIL_IN_TOOLS));
    for path in candidates {
        if path.is_file() {
            return Ok(path);
        }
    }
    bail!(
        "anvil not found in tools/ (from {} up) and {ANVIL_BIN_ENV} is not set; run scripts/setup.sh (installs \
         anvil into tools/)",
        working_dir.display()
    )
}
