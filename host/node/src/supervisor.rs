//! Named critical tasks: the first role that fails or exits stops the node, and says which role it was.

use std::{collections::HashMap, future::Future};

use anyhow::anyhow;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// The node's running roles, each under its name.
#[derive(Debug, Default)]
pub struct Supervisor {
    tasks: JoinSet<(&'static str, anyhow::Result<()>)>,
    /// Each task's role, to name a role that panicked.
    names: HashMap<tokio::task::Id, &'static str>,
}

impl Supervisor {
    /// Starts a role. A role returns when `cancel` fires; returning earlier, or failing, stops the node.
    pub fn spawn(
        &mut self,
        name: &'static str,
        role: impl Future<Output = anyhow::Result<()>> + Send + 'static,
    ) {
        tracing::info!(role = name, "starting");
        metrics::gauge!("ftso_node_role_up", "role" => name).set(1.0);
        let task = self.tasks.spawn(async move { (name, role.await) });
        self.names.insert(task.id(), name);
    }

    /// Waits until `cancel` fires or a role ends; then cancels the others and waits for them.
    /// Returns the first failure, naming its role.
    pub async fn run(mut self, cancel: CancellationToken) -> anyhow::Result<()> {
        let mut first_error = None;
        tokio::select! {
            () = cancel.cancelled() => {}
            Some(ended) = self.tasks.join_next() => {
                first_error = role_outcome(ended, &self.names, &cancel);
                cancel.cancel();
            }
        }
        while let Some(ended) = self.tasks.join_next().await {
            let error = role_outcome(ended, &self.names, &cancel);
            if first_error.is_none() {
                first_error = error;
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

/// Turns how a role ended into the error to report, if any. Ending cleanly is only fine after cancellation.
/// Records the role as down (`ftso_node_role_up` 0) and, when it ended badly, counts the failure.
fn role_outcome(
    ended: Result<(&'static str, anyhow::Result<()>), tokio::task::JoinError>,
    names: &HashMap<tokio::task::Id, &'static str>,
    cancel: &CancellationToken,
) -> Option<anyhow::Error> {
    match &ended {
        Ok((name, Ok(()))) => record_role_end(name, !cancel.is_cancelled()),
        Ok((name, Err(_))) => record_role_end(name, true),
        Err(join) => record_role_end(names.get(&join.id()).unwrap_or(&"unknown"), true),
    }
    match ended {
        Ok((name, Ok(()))) if cancel.is_cancelled() => {
            tracing::info!(role = name, "stopped");
            None
        }
        Ok((name, Ok(()))) => Some(anyhow!("role `{name}` exited unexpectedly")),
        Ok((name, Err(error))) => Some(error.context(format!("role `{name}` failed"))),
        Err(join) => {
            let name = names.get(&join.id()).unwrap_or(&"unknown");
            Some(anyhow!("role `{name}` panicked: {join}"))
        }
    }
}

/// `ftso_node_role_up{role}` to 0 and, when it failed, `ftso_node_role_failures_total{role}` up by one.
fn record_role_end(role: &'static str, failed: bool) {
    metrics::gauge!("ftso_node_role_up", "role" => role).set(0.0);
    if failed {
        metrics::counter!("ftso_node_role_failures_total", "role" => role).increment(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failing_role_stops_the_others_and_is_named() {
        let cancel = CancellationToken::new();
        let mut supervisor = Supervisor::default();
        let waits = cancel.clone();
        supervisor.spawn("patient", async move {
            waits.cancelled().await;
            Ok(())
        });
        supervisor.spawn("broken", async { Err(anyhow!("disk full")) });
        let error = supervisor.run(cancel.clone()).await.unwrap_err();
        assert_eq!(format!("{error:#}"), "role `broken` failed: disk full");
        assert!(cancel.is_cancelled());
    }

    #[tokio::test]
    async fn cancellation_stops_every_role_cleanly() {
        let cancel = CancellationToken::new();
        let mut supervisor = Supervisor::default();
        for name in ["a", "b"] {
            let waits = cancel.clone();
            supervisor.spawn(name, async move {
                waits.cancelled().await;
                Ok(())
            });
        }
        cancel.cancel();
        supervisor.run(cancel).await.unwrap();
    }

    #[tokio::test]
    async fn a_role_that_returns_early_is_an_error() {
        let mut supervisor = Supervisor::default();
        supervisor.spawn("quitter", async { Ok(()) });
        let error = supervisor.run(CancellationToken::new()).await.unwrap_err();
        assert_eq!(error.to_string(), "role `quitter` exited unexpectedly");
    }
}
