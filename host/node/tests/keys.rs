//! `ftso-node keys` through the binary: secrets go to files, never to the terminal unless asked.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod support;

use std::{
    io::Write as _,
    process::{Command, Output, Stdio},
};

use support::NODE;

const TEST_MNEMONIC: &str = "test test test test test test test test test test test junk";

fn keys(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(NODE)
        .arg("keys")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn import_then_show_prints_the_addresses_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let keys_dir = dir.path().join("entity");
    let dir_arg = keys_dir.display().to_string();
    let imported = stdout(&keys(
        &["import", "--dir", &dir_arg],
        &format!("  {TEST_MNEMONIC}\n"),
    ));
    let shown = stdout(&keys(&["show", "--dir", &dir_arg], ""));
    for text in [&imported, &shown] {
        assert!(text.contains("identity_address       0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
        assert!(text.contains("delegation_address     0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"));
        assert!(text.contains("sortition_public_x"));
        assert!(
            !text.contains("junk") && !text.contains("ac0974bec39a17e3"),
            "{text}"
        );
    }
    let stored = std::fs::read_to_string(keys_dir.join("identity.key")).unwrap();
    assert_eq!(
        stored.trim(),
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
    );
    let again = keys(&["import", "--dir", &dir_arg], TEST_MNEMONIC);
    assert!(
        !again.status.success(),
        "existing keys are not replaced without --force"
    );
}

#[test]
fn generate_prints_the_mnemonic_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let quiet_dir = dir.path().join("quiet").display().to_string();
    let quiet = stdout(&keys(&["generate", "--dir", &quiet_dir], ""));
    let mnemonic = std::fs::read_to_string(dir.path().join("quiet/mnemonic")).unwrap();
    assert_eq!(mnemonic.split_whitespace().count(), 24);
    assert!(!quiet.contains(mnemonic.trim()), "{quiet}");
    assert!(!quiet.contains("mnemonic:"));
    let loud_dir = dir.path().join("loud").display().to_string();
    let loud = stdout(&keys(
        &["generate", "--dir", &loud_dir, "--show-mnemonic"],
        "",
    ));
    let words = std::fs::read_to_string(dir.path().join("loud/mnemonic")).unwrap();
    assert!(loud.contains(&format!("mnemonic: {}", words.trim())));
    assert_ne!(mnemonic, words, "each generation draws new entropy");
}
