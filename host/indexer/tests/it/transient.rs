//! Transient RPC failures: a loopback TCP proxy in front of anvil drops every connection for a while; the
//! indexer retries with backoff and ends with every block exactly once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use ftso_storage::testing::TestBackend;
use tokio::net::{TcpListener, TcpStream};

use crate::chain::{Chain, assert_blocks_contiguous, spawn_indexer, wait_indexed};

/// Forwards connections to `upstream`; while `down`, drops new connections at once and cuts open ones.
struct FlakyProxy {
    url: String,
    down: Arc<AtomicBool>,
    dropped: Arc<AtomicU64>,
    cut: tokio::sync::watch::Sender<u64>,
}

impl FlakyProxy {
    async fn start(upstream: String) -> FlakyProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let down = Arc::new(AtomicBool::new(false));
        let dropped = Arc::new(AtomicU64::new(0));
        let (cut, cut_rx) = tokio::sync::watch::channel(0u64);
        let (d, n) = (down.clone(), dropped.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                if d.load(Ordering::SeqCst) {
                    n.fetch_add(1, Ordering::SeqCst);
                    drop(client);
                    continue;
                }
                let upstream = upstream.clone();
                let mut cut_rx = cut_rx.clone();
                cut_rx.mark_unchanged();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut_rx.changed() => {}
                    }
                });
            }
        });
        FlakyProxy {
            url,
            down,
            dropped,
            cut,
        }
    }

    fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
        if down {
            self.cut.send_modify(|g| *g += 1);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_through_dropped_connections_without_holes() {
    let chain = Chain::start(2000).await;
    let upstream = chain.rpc_url().trim_start_matches("http://").to_owned();
    let proxy = FlakyProxy::start(upstream).await;
    let db = TestBackend::Sqlite.fresh().await.unwrap();
    let tip = chain.tip().await;
    let config = ftso_indexer::IndexerConfig {
        batch_size: 25,
        rpc_timeout: Duration::from_millis(500),
        ..chain.config()
    };
    let indexer = spawn_indexer(config, &db.storage, &proxy.url);
    // Let it get going, then cut the node off twice during the catch-up.
    wait_indexed(&db.storage, 100, Duration::from_secs(30)).await;
    for _ in 0..2 {
        proxy.set_down(true);
        let before = proxy.dropped.load(Ordering::SeqCst);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while proxy.dropped.load(Ordering::SeqCst) < before + 3 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the indexer stopped calling the node"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        proxy.set_down(false);
        let last = db
            .storage
            .state(ftso_storage::StateName::LastDatabaseBlock)
            .await
            .unwrap()
            .unwrap()
            .index;
        wait_indexed(&db.storage, (last + 200).min(tip), Duration::from_secs(30)).await;
    }
    wait_indexed(&db.storage, tip, Duration::from_secs(60)).await;
    assert!(proxy.dropped.load(Ordering::SeqCst) >= 6);
    assert_blocks_contiguous(&db.storage, tip).await;
    indexer.stop().await;
}
