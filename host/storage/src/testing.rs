//! Test helpers (feature `test-utils`): fresh SQLite and PostgreSQL databases, one per test.
//!
//! PostgreSQL comes from `FTSO_TEST_POSTGRES_URL` (an admin URL; `scripts/setup.d/30-postgres.sh` starts a
//! throwaway cluster and records it in `tools/env.sh`, which is read as a fallback so that a plain `cargo test`
//! works after setup). Without it, [`postgres`] returns `None` after a loud message, except when `CI` is set,
//! where it panics: CI must not skip the PostgreSQL half of the suite.

#![allow(
    clippy::panic,
    clippy::expect_used,
    reason = "test helpers fail the test loudly"
)]

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{AssertSqlSafe, Connection};

use crate::backend::Storage;

/// A fresh database; dropping it removes an SQLite file (PostgreSQL databases are left to the throwaway cluster).
#[derive(Debug)]
pub struct TestDb {
    /// The opened, migrated storage.
    pub storage: Storage,
    /// Its URL (open it again to simulate a restart).
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// Which backend a parametrised test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    /// A temporary SQLite file.
    Sqlite,
    /// A fresh database in the test PostgreSQL cluster.
    Postgres,
}

impl TestBackend {
    /// Creates a fresh database of this kind; `None` when PostgreSQL is unavailable outside CI.
    pub async fn fresh(self) -> Option<TestDb> {
        match self {
            TestBackend::Sqlite => Some(sqlite().await),
            TestBackend::Postgres => postgres().await,
        }
    }
}

/// A migrated SQLite database in a temporary directory.
pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("data/indexer.db").display()
    );
    let storage = Storage::open(&url).await.expect("open sqlite");
    TestDb {
        storage,
        url,
        _dir: Some(dir),
    }
}

/// The admin URL of the test PostgreSQL cluster, from the environment or `tools/env.sh`.
pub fn postgres_admin_url() -> Option<String> {
    if let Ok(url) = std::env::var("FTSO_TEST_POSTGRES_URL")
        && !url.is_empty()
    {
        return Some(url);
    }
    let env_sh = ftso_testkit::workspace_root().join("tools/env.sh");
    let text = std::fs::read_to_string(env_sh).ok()?;
    text.lines().rev().find_map(|line| {
        let value = line.strip_prefix("export FTSO_TEST_POSTGRES_URL=")?;
        Some(value.trim().trim_matches('"').to_owned())
    })
}

/// A migrated database of its own in the test PostgreSQL cluster; `None` (with a loud message) when no cluster is
/// configured, a panic instead when `CI` is set.
pub async fn postgres() -> Option<TestDb> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let Some(admin) = postgres_admin_url() else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "FTSO_TEST_POSTGRES_URL is not set (run scripts/setup.sh); PostgreSQL tests may not skip in CI"
            );
        }
        eprintln!(
            "\n!!!!!! SKIPPING POSTGRESQL TEST: FTSO_TEST_POSTGRES_URL is not set; run scripts/setup.sh !!!!!!\n"
        );
        return None;
    };
    sqlx::any::install_default_drivers();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let name = format!(
        "ftso_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    );
    let mut conn = sqlx::AnyConnection::connect(&admin)
        .await
        .expect("connect to the test postgres cluster");
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    conn.close().await.ok();
    let base = admin.split('?').next().unwrap_or(&admin);
    let (server, _db) = base
        .rsplit_once('/')
        .expect("postgres url has a database path");
    let url = format!("{server}/{name}");
    let storage = Storage::open(&url).await.expect("open postgres");
    Some(TestDb {
        storage,
        url,
        _dir: None,
    })
}
