//! Building WebAssembly components with cargo, once per package per test process.
//!
//! Builds run `cargo build --release --target wasm32-wasip2 -p <package>` in the workspace with
//! `CARGO_TARGET_DIR=<workspace>/target/wasm`: a target dir of their own, so the inner build never
//! waits on the lock of the outer `cargo test` that is running the test.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use anyhow::{Context as _, bail};

/// The Rust target components are built for.
pub const WASM_TARGET: &str = "wasm32-wasip2";

/// Packages already built by this process, with their component paths.
fn built() -> &'static Mutex<HashMap<String, PathBuf>> {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    BUILT.get_or_init(Mutex::default)
}

/// The workspace root: the nearest directory holding `Cargo.lock` above the crate directory cargo gives at run
/// time (tests, `cargo run`), else two levels above this crate's directory at build time.
///
/// The run-time value comes first because a target directory shared by clones at different paths is not rebuilt
/// when the path changes: a build-time path could point at another clone.
pub fn workspace_root() -> PathBuf {
    let at_run_time = std::env::var_os("CARGO_MANIFEST_DIR").and_then(|dir| {
        Path::new(&dir)
            .ancestors()
            .find(|d| d.join("Cargo.lock").is_file())
            .map(Path::to_path_buf)
    });
    at_run_time.unwrap_or_else(|| {
        // host/testkit -> host -> workspace
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        manifest
            .ancestors()
            .nth(2)
            .map_or_else(|| manifest.to_path_buf(), Path::to_path_buf)
    })
}

/// Where the component of `package` lands: `<root>/target/wasm/wasm32-wasip2/release/<package
/// with '-' as '_'>.wasm`.
pub fn component_path(root: &Path, package: &str) -> PathBuf {
    root.join("target")
        .join("wasm")
        .join(WASM_TARGET)
        .join("release")
        .join(format!("{}.wasm", package.replace('-', "_")))
}

/// Builds `package` (a `cdylib` of this workspace) as a component, at most once per process, and
/// returns the path of its `.wasm` file.
///
/// Fails with a pointer to `scripts/setup.sh` when the `wasm32-wasip2` target is not installed,
/// and with cargo's own output when the build fails.
pub fn wasm_component(package: &str) -> anyhow::Result<PathBuf> {
    let mut paths = wasm_components(&[package])?;
    paths
        .pop()
        .context("cargo built no component (an empty package list?)")
}

/// Like [`wasm_component`] for several packages, built by one cargo invocation; the paths come
/// back in the order of `packages`.
pub fn wasm_components(packages: &[&str]) -> anyhow::Result<Vec<PathBuf>> {
    // Holding the lock across the build keeps concurrent tests from building the same package
    // twice; cargo would serialise them on its own lock anyway.
    let mut built = built()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| !built.contains_key(*p))
        .collect();
    if !missing.is_empty() {
        let root = workspace_root();
        build(&root, &missing)?;
        for package in missing {
            let path = component_path(&root, package);
            if !path.is_file() {
                bail!(
                    "cargo built {package} but {} is missing: is it a cdylib crate?",
                    path.display()
                );
            }
            built.insert(package.to_owned(), path);
        }
    }
    packages
        .iter()
        .map(|p| {
            built
                .get(*p)
                .cloned()
                .with_context(|| format!("no component recorded for {p}"))
        })
        .collect()
}

/// Runs the cargo build of `packages` in `root`.
fn build(root: &Path, packages: &[&str]) -> anyhow::Result<()> {
    ensure_target_installed()?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args(["build", "--release", "--target", WASM_TARGET])
        .env("CARGO_TARGET_DIR", root.join("target").join("wasm"))
        // Flags meant for the outer (native) build must not leak into the wasm build.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET");
    for package in packages {
        command.args(["-p", package]);
    }
    let output = command
        .output()
        .with_context(|| format!("could not run cargo to build {packages:?}"))?;
    if !output.status.success() {
        bail!(
            "cargo build of {packages:?} for {WASM_TARGET} failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// Fails with a clear message when the toolchain has no `wasm32-wasip2` standard library.
fn ensure_target_installed() -> anyhow::Result<()> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| OsString::from("rustc"));
    let output = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .context("could not run rustc to find the sysroot")?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    check_target_in_sysroot(&sysroot)
}

/// Whether `sysroot` holds the standard library for [`WASM_TARGET`].
fn check_target_in_sysroot(sysroot: &Path) -> anyhow::Result<()> {
    let lib = sysroot.join("lib").join("rustlib").join(WASM_TARGET);
    if !lib.is_dir() {
        bail!(
            "the {WASM_TARGET} Rust target is not installed (no {}): run scripts/setup.sh",
            lib.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_path_uses_the_wasm_target_dir_and_underscored_name() {
        let path = component_path(Path::new("/ws"), "ftso-plugin-fixed");
        assert_eq!(
            path,
            Path::new("/ws/target/wasm/wasm32-wasip2/release/ftso_plugin_fixed.wasm")
        );
    }

    #[test]
    fn workspace_root_holds_the_workspace_manifest() {
        let root = workspace_root();
        let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("[workspace]"), "{}", root.display());
    }

    #[test]
    fn a_missing_target_points_at_the_setup_script() {
        let err = check_target_in_sysroot(Path::new("/nonexistent-sysroot")).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("wasm32-wasip2") && text.contains("run scripts/setup.sh"),
            "{text}"
        );
    }

    #[test]
    fn the_installed_toolchain_has_the_target_after_setup() {
        ensure_target_installed().unwrap();
    }
}
