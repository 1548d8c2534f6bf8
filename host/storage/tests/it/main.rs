//! ftso-storage integration tests, each run on SQLite and on PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: failures should abort the test"
)]

mod fixtures;
mod queries;
mod retention;
mod writes;

/// Runs an async test body on both backends (PostgreSQL skipped loudly when unavailable outside CI).
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:ident) => {
        mod $name {
            use ftso_storage::testing::TestBackend;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = TestBackend::Sqlite
                    .fresh()
                    .await
                    .expect("sqlite is always available");
                super::$body(db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = TestBackend::Postgres.fresh().await else {
                    return;
                };
                super::$body(db).await;
            }
        }
    };
}
