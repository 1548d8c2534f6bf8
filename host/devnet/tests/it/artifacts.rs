//! The committed artifacts are exactly what the pinned solc-js builds from the committed sources.
//! Needs node and `scripts/setup.sh` (solc-js in tools/solc); fails with that hint otherwise.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    ftso_testkit::workspace_root()
}

#[test]
fn committed_artifacts_match_a_fresh_build() {
    let root = repo();
    let solc = root.join("tools/solc/node_modules/solc/package.json");
    assert!(
        solc.is_file(),
        "solc-js missing at {}: run scripts/setup.sh",
        solc.display()
    );
    let out = std::env::temp_dir().join(format!("ftso-devnet-artifacts-{}", std::process::id()));
    let abi_out = out.join("chain-abi");
    let status = Command::new("node")
        .arg(root.join("host/devnet/build-contracts.js"))
        .arg("--out")
        .arg(&out)
        .arg("--chain-abi-out")
        .arg(&abi_out)
        .status()
        .expect("node runs (is node installed?)");
    assert!(status.success(), "build-contracts.js failed");
    let compare = |committed: PathBuf, fresh: &Path| {
        let mut committed_names: Vec<_> = std::fs::read_dir(&committed)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        let mut fresh_names: Vec<_> = std::fs::read_dir(fresh)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != "chain-abi")
            .collect();
        committed_names.sort();
        fresh_names.sort();
        assert_eq!(
            committed_names,
            fresh_names,
            "artifact sets differ in {}",
            committed.display()
        );
        assert!(!committed_names.is_empty());
        for name in committed_names {
            let a = std::fs::read(committed.join(&name)).unwrap();
            let b = std::fs::read(fresh.join(&name)).unwrap();
            assert!(
                a == b,
                "{} differs from a fresh build: run scripts/build-contracts.sh",
                committed.join(&name).display()
            );
        }
    };
    compare(root.join("host/devnet/artifacts"), &out);
    compare(root.join("host/chain/abi"), &abi_out);
    let _ = std::fs::remove_dir_all(&out);
}
