//! `ftso-node status --json` on the devnet: before registration it names what is missing and exits non-zero;
//! after `register` and a reward-epoch switch in which the system client registers the entity, it exits 0 and
//! shows the entity as a voter with its weights; against a network whose chain id is not the RPC's it fails
//! with a clear error.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod support;

use serde_json::Value;
use support::entity::Fixture;
use support::text;

fn blocking(report: &Value) -> Vec<String> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["blocking"] == Value::Bool(true))
        .map(|p| p["message"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_reports_missing_registration_then_a_voter() {
    let fixture = Fixture::start().await;
    let identity = fixture.address("identity");

    let (ok, report) = fixture.status(&[]);
    assert!(!ok, "status passed before registration: {report:#}");
    assert_eq!(report["ok"], Value::Bool(false));
    assert_eq!(report["chain_id"], fixture.devnet.chain_id());
    let problems = blocking(&report);
    for role in [
        "submit",
        "submit_signatures",
        "signing_policy",
        "delegation",
    ] {
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with(&format!("{role} address")) && p.contains("not registered")),
            "no problem for {role}: {problems:?}"
        );
    }
    let keys = report["keys"].as_array().unwrap();
    assert_eq!(keys[0]["role"], "identity");
    assert_eq!(keys[0]["address"], alloy::hex::encode_prefixed(identity));
    for balance in report["balances"].as_array().unwrap() {
        assert_eq!(balance["ok"], Value::Bool(true), "{balance}");
    }
    assert_eq!(report["epochs"][0]["registered"], Value::Bool(false));

    let registered = fixture.run("register", &[]);
    assert!(registered.status.success(), "{}", text(&registered.stderr));
    let (ok, report) = fixture.status(&[]);
    assert!(ok, "status failed after register: {report:#}");
    assert_eq!(
        report["entity"]["sortition_key_registered"],
        Value::Bool(true)
    );
    assert_ne!(report["entity"]["vote_power_wei"], "0");

    let next = fixture.switch_epoch_registering_the_entity().await;
    let (ok, report) = fixture.status(&[]);
    assert!(ok, "status failed for a voter: {report:#}");
    let current = &report["epochs"][0];
    assert_eq!(current["epoch"], "current");
    assert_eq!(current["reward_epoch_id"], next);
    assert_eq!(current["registered"], Value::Bool(true), "{report:#}");
    assert_ne!(current["registration_weight"], "0");
    assert!(
        current["normalised_weight"].as_u64().unwrap() > 0,
        "{current}"
    );
    assert!(
        current["sortition_weight"].as_u64().unwrap() > 0,
        "{current}"
    );
    assert!(
        current["selections_per_hour"].as_f64().unwrap() > 0.0,
        "{current}"
    );
    for address in report["entity"]["addresses"].as_array().unwrap() {
        assert_eq!(address["ok"], Value::Bool(true), "{address}");
    }
    println!("status of a registered voter: {report:#}");
    let table = fixture.run("status", &[]);
    assert!(table.status.success(), "{}", text(&table.stderr));
    let table = text(&table.stdout);
    assert!(table.contains("ready to vote"), "{table}");
    assert!(
        table.contains(&format!("reward epoch {next} (current)")) && table.contains("voter"),
        "{table}"
    );
    assert!(
        !table.contains(
            &std::fs::read_to_string(fixture.key_path("identity"))
                .unwrap()
                .trim()[2..]
        )
    );

    // A network whose chain id is not the RPC's: a clear error, non-zero exit.
    let output = support::entity::node(&[
        "status",
        "--json",
        "--network",
        "flare",
        "--devnet-rpc",
        fixture.devnet.rpc_url(),
        "--keys",
        fixture.keys_dir.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let problems = blocking(&report);
    assert!(
        problems.iter().any(|p| p.contains(&format!(
            "reports chain id {}, but network flare has chain id 14",
            fixture.devnet.chain_id()
        ))),
        "{problems:?}"
    );
    assert!(text(&output.stderr).contains("block voting"));
}
