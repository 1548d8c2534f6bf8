//! Hot swap under continuous load: concurrent clients see no failed request while the component
//! file is replaced (file watch) and reloaded through the admin endpoint; a failed reload keeps
//! the old version.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use crate::{
    common::{base_config, plugin, start},
    signing::{publisher_hex, signed_copy},
};

const BODY: &str = r#"{"feeds":[{"category":1,"name":"BTC/USD"},{"category":4,"name":"AAPL"}]}"#;

/// What the clients saw.
#[derive(Default)]
struct Seen {
    ok: AtomicU64,
    failed: AtomicU64,
    fixed: AtomicU64,
    random: AtomicU64,
}

fn classify(text: &str, seen: &Seen) -> bool {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    let data = v["data"].as_array().cloned().unwrap_or_default();
    if data.len() != 2 {
        return false;
    }
    let values: Vec<f64> = data.iter().filter_map(|d| d["value"].as_f64()).collect();
    if values.len() != 2 {
        return false;
    }
    if values.iter().all(|&x| x == 0.01) {
        seen.fixed.fetch_add(1, Ordering::Relaxed);
        true
    } else if values.iter().all(|&x| (0.025..0.075).contains(&x)) {
        seen.random.fetch_add(1, Ordering::Relaxed);
        true
    } else {
        false
    }
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swapping_under_load_fails_no_request() {
    let dir = tempfile::tempdir().unwrap();
    let fixed = ftso_testkit::wasm_component("ftso-plugin-fixed").unwrap();
    let random = ftso_testkit::wasm_component("ftso-plugin-random").unwrap();
    let staged = tempfile::tempdir().unwrap();
    let fixed_signed = signed_copy(&fixed, staged.path(), "fixed.wasm");
    let random_signed = signed_copy(&random, staged.path(), "random.wasm");
    let live = dir.path().join("live.wasm");
    let replace = |from: &std::path::Path| {
        // Write beside, then rename: the watcher never sees a half-written file.
        let tmp_sig = dir.path().join("next.wasm.sig");
        let tmp = dir.path().join("next.wasm");
        std::fs::copy(ftso_feeds::signature::signature_path(from), &tmp_sig).unwrap();
        std::fs::copy(from, &tmp).unwrap();
        std::fs::rename(&tmp_sig, ftso_feeds::signature::signature_path(&live)).unwrap();
        std::fs::rename(&tmp, &live).unwrap();
    };
    replace(&fixed_signed);

    let mut config = base_config(dir.path());
    config.allow_unsigned = false;
    config.trusted_publishers = vec![publisher_hex()];
    config.watch_interval = Duration::from_millis(50);
    config.plugins = vec![plugin("prices", &live, toml::Table::new())];
    let host = start(config).await;

    let seen = Arc::new(Seen::default());
    let stop = Arc::new(AtomicBool::new(false));
    let client = reqwest::Client::new();
    let clients: Vec<_> = (0..6)
        .map(|_| {
            let (seen, stop, client, url) = (
                seen.clone(),
                stop.clone(),
                client.clone(),
                host.url("/feed-values/3"),
            );
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let response = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(BODY)
                        .send()
                        .await;
                    let ok = match response {
                        Ok(r) if r.status().as_u16() == 201 => {
                            classify(&r.text().await.unwrap_or_default(), &seen)
                        }
                        _ => false,
                    };
                    let counter = if ok { &seen.ok } else { &seen.failed };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();

    wait_for("load with the fixed plugin", || {
        seen.fixed.load(Ordering::Relaxed) > 50
    })
    .await;

    // 1. Replace the file: the watcher verifies, loads and swaps in the random plugin.
    replace(&random_signed);
    let before = seen.random.load(Ordering::Relaxed);
    wait_for("the random plugin after the file swap", || {
        seen.random.load(Ordering::Relaxed) > before + 50
    })
    .await;

    // 2. A tampered file is refused by the watcher: the random plugin keeps serving.
    let digest_before = host.registry.current("prices").unwrap().digest.clone();
    let mut bytes = std::fs::read(&fixed_signed).unwrap();
    bytes[100] ^= 0xff;
    let tmp = dir.path().join("bad.wasm");
    std::fs::write(&tmp, &bytes).unwrap();
    std::fs::copy(
        ftso_feeds::signature::signature_path(&fixed_signed),
        ftso_feeds::signature::signature_path(&live),
    )
    .unwrap();
    std::fs::rename(&tmp, &live).unwrap();
    let admin = format!("http://{}/admin/plugins/prices/reload", host.admin.unwrap());
    let response = client.post(&admin).send().await.unwrap();
    assert_eq!(
        response.status().as_u16(),
        422,
        "a tampered reload is refused"
    );
    assert!(response.text().await.unwrap().contains("tampered"));
    assert_eq!(
        host.registry.current("prices").unwrap().digest,
        digest_before,
        "old version kept"
    );

    // 3. Back to fixed through the admin endpoint.
    replace(&fixed_signed);
    let response = client.post(&admin).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let before = seen.fixed.load(Ordering::Relaxed);
    wait_for("the fixed plugin after the admin reload", || {
        seen.fixed.load(Ordering::Relaxed) > before + 50
    })
    .await;

    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.await.unwrap();
    }
    let (ok, failed) = (
        seen.ok.load(Ordering::Relaxed),
        seen.failed.load(Ordering::Relaxed),
    );
    assert_eq!(
        failed,
        0,
        "{failed} of {} requests failed during the swaps",
        ok + failed
    );
    assert!(ok > 150, "{ok}");
    let response = client
        .post(format!(
            "http://{}/admin/plugins/nope/reload",
            host.admin.unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
}
