//! Shutdown on Ctrl-C or SIGTERM.

use tokio_util::sync::CancellationToken;

/// Cancels `cancel` on the first Ctrl-C or SIGTERM.
pub fn cancel_on_shutdown_signal(cancel: CancellationToken) {
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        cancel.cancel();
    });
}

/// Resolves on the first Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
