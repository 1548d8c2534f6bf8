//! Named critical tasks, stopped in stages: the first role that fails or exits stops the node, and says which role
//! it was.
//!
//! ```text
//! shutdown (Ctrl-C / SIGTERM, or a role ended)
//!   stage `produce`: the producers of new work are told to stop (the voting scheduler starts no new round but
//!                    finishes those it started, fast updates, system-client duties, the finalizer's relay);
//!                    waited for up to the drain timeout, then aborted
//!   stage `serve`:   then what they used while finishing (data provider, indexer, feeds, admin) is told to stop
//! ```

use std::{collections::HashMap, future::Future, time::Duration};

use anyhow::anyhow;
use tokio::task::{AbortHandle, Id, JoinError, JoinSet};
use tokio_util::sync::CancellationToken;

/// When a role is told to stop, relative to the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Makes new work (voting rounds, fast updates, duties, relays): told to stop first, and waited for (bounded by
    /// the drain timeout) before anything it depends on stops.
    Produce,
    /// Serves the producers (data provider, indexer, feed values, admin): told to stop once the producers ended.
    Serve,
}

impl Stage {
    /// The stages in shutdown order.
    const ORDER: [Stage; 2] = [Stage::Produce, Stage::Serve];

    /// The stage's name in logs.
    fn name(self) -> &'static str {
        match self {
            Stage::Produce => "produce",
            Stage::Serve => "serve",
        }
    }
}

/// A running role: its name, stage and abort handle.
#[derive(Debug)]
struct Role {
    name: &'static str,
    stage: Stage,
    abort: AbortHandle,
}

/// The node's running roles, each under its name and stage.
#[derive(Debug)]
pub struct Supervisor {
    tasks: JoinSet<anyhow::Result<()>>,
    roles: HashMap<Id, Role>,
    /// The stop signal of the [`Stage::Produce`] roles.
    stop_producers: CancellationToken,
    /// The stop signal of the [`Stage::Serve`] roles.
    stop_servers: CancellationToken,
    /// How long the `produce` stage may take to stop before its roles are aborted.
    drain_timeout: Duration,
}

impl Supervisor {
    /// A supervisor that gives the producers `drain_timeout` to finish what they started once told to stop.
    pub fn new(drain_timeout: Duration) -> Self {
        Self {
            tasks: JoinSet::new(),
            roles: HashMap::new(),
            stop_producers: CancellationToken::new(),
            stop_servers: CancellationToken::new(),
            drain_timeout,
        }
    }

    /// Starts a role in `stage`: `role` gets the token that tells it to stop. Returning before that token fires,
    /// or failing, stops the node.
    pub fn spawn<F, Fut>(&mut self, name: &'static str, stage: Stage, role: F)
    where
        F: FnOnce(CancellationToken) -> Fut,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        tracing::info!(role = name, stage = stage.name(), "starting");
        metrics::gauge!("ftso_node_role_up", "role" => name).set(1.0);
        let role = role(self.stop(stage).clone());
        let abort = self.tasks.spawn(role);
        self.roles.insert(abort.id(), Role { name, stage, abort });
    }

    /// Waits until `shutdown` fires or a role ends; then stops the roles stage by stage ([`Stage::ORDER`]),
    /// waiting for each stage to end before the next is told to stop. Returns the first failure, naming its role.
    pub async fn run(mut self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let ended = tokio::select! {
            () = shutdown.cancelled() => None,
            Some(ended) = self.tasks.join_next_with_id() => Some(ended),
        };
        let mut first_error = ended.and_then(|ended| self.outcome(ended));
        for stage in Stage::ORDER {
            let error = self.stop_stage(stage).await;
            first_error = first_error.or(error);
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Tells the roles of `stage` to stop and waits for them (a [`Stage::Produce`] role at most the drain timeout,
    /// then it is aborted). Roles of other stages that end meanwhile are accounted for too. Returns the first
    /// failure seen.
    async fn stop_stage(&mut self, stage: Stage) -> Option<anyhow::Error> {
        let mut first_error = None;
        let running = self.running(stage);
        if running.is_empty() {
            return None;
        }
        tracing::info!(stage = stage.name(), roles = ?running, "stopping roles");
        self.stop(stage).cancel();
        let mut deadline = match stage {
            Stage::Produce => Some(tokio::time::Instant::now() + self.drain_timeout),
            Stage::Serve => None,
        };
        while !self.running(stage).is_empty() {
            let next = self.tasks.join_next_with_id();
            let ended = match deadline {
                Some(at) => match tokio::time::timeout_at(at, next).await {
                    Ok(ended) => ended,
                    Err(_) => {
                        self.abort(stage);
                        deadline = None;
                        continue;
                    }
                },
                None => next.await,
            };
            let Some(ended) = ended else { break };
            let error = self.outcome(ended);
            first_error = first_error.or(error);
        }
        tracing::info!(stage = stage.name(), "roles stopped");
        first_error
    }

    /// Aborts the roles of `stage` that outlived the drain timeout.
    fn abort(&self, stage: Stage) {
        let late = self.running(stage);
        tracing::warn!(
            stage = stage.name(),
            roles = ?late,
            timeout = ?self.drain_timeout,
            "roles did not stop within the drain timeout: aborting them"
        );
        for role in self.roles.values().filter(|role| role.stage == stage) {
            role.abort.abort();
        }
    }

    /// The names of the roles of `stage` that have not ended.
    fn running(&self, stage: Stage) -> Vec<&'static str> {
        let mut names: Vec<_> = self
            .roles
            .values()
            .filter(|role| role.stage == stage)
            .map(|role| role.name)
            .collect();
        names.sort_unstable();
        names
    }

    /// The stop signal of `stage`'s roles.
    fn stop(&self, stage: Stage) -> &CancellationToken {
        match stage {
            Stage::Produce => &self.stop_producers,
            Stage::Serve => &self.stop_servers,
        }
    }

    /// Forgets a role that ended and turns how it ended into the error to report, if any. Ending cleanly is only
    /// fine once its stage was told to stop; an abort is only the drain timeout's (logged when it fired). Records
    /// the role as down (`ftso_node_role_up` 0) and, when it ended badly, counts the failure.
    fn outcome(
        &mut self,
        ended: Result<(Id, anyhow::Result<()>), JoinError>,
    ) -> Option<anyhow::Error> {
        let id = match &ended {
            Ok((id, _)) => *id,
            Err(join) => join.id(),
        };
        let Some(Role { name, stage, .. }) = self.roles.remove(&id) else {
            return Some(anyhow!("a task the supervisor did not start ended"));
        };
        let stopping = self.stop(stage).is_cancelled();
        match ended {
            Ok((_, Ok(()))) if stopping => {
                record_role_end(name, false);
                tracing::info!(role = name, stage = stage.name(), "stopped");
                None
            }
            Ok((_, Ok(()))) => {
                record_role_end(name, true);
                Some(anyhow!("role `{name}` exited unexpectedly"))
            }
            Ok((_, Err(error))) => {
                record_role_end(name, true);
                Some(error.context(format!("role `{name}` failed")))
            }
            Err(join) if join.is_cancelled() => {
                record_role_end(name, true);
                tracing::info!(role = name, stage = stage.name(), "aborted");
                None
            }
            Err(join) => {
                record_role_end(name, true);
                Some(anyhow!("role `{name}` panicked: {join}"))
            }
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
    use std::sync::{Arc, Mutex};

    use super::*;

    const LONG: Duration = Duration::from_secs(60);

    /// What the roles did, in order: `("told", name)` when a role saw its stop signal, `("ended", name)` when it
    /// returned.
    #[derive(Clone, Default)]
    struct Journal(Arc<Mutex<Vec<(&'static str, &'static str)>>>);

    impl Journal {
        fn note(&self, event: &'static str, name: &'static str) {
            self.0.lock().unwrap().push((event, name));
        }

        fn position(&self, event: &'static str, name: &'static str) -> usize {
            let events = self.0.lock().unwrap();
            events
                .iter()
                .position(|seen| *seen == (event, name))
                .unwrap_or_else(|| panic!("no {event} {name} in {events:?}"))
        }
    }

    /// A role that, told to stop, takes `finishing` to end.
    fn role(
        journal: &Journal,
        name: &'static str,
        finishing: Duration,
    ) -> impl FnOnce(CancellationToken) -> futures::future::BoxFuture<'static, anyhow::Result<()>>
    {
        let journal = journal.clone();
        move |stop| {
            Box::pin(async move {
                stop.cancelled().await;
                journal.note("told", name);
                tokio::time::sleep(finishing).await;
                journal.note("ended", name);
                Ok(())
            })
        }
    }

    #[tokio::test]
    async fn the_producers_finish_before_what_they_use_is_told_to_stop() {
        let journal = Journal::default();
        let mut supervisor = Supervisor::new(LONG);
        for (name, stage, finishing) in [
            ("data-provider", Stage::Serve, Duration::ZERO),
            ("voting", Stage::Produce, Duration::from_millis(200)),
            ("fast-updates", Stage::Produce, Duration::ZERO),
            ("indexer", Stage::Serve, Duration::ZERO),
        ] {
            supervisor.spawn(name, stage, role(&journal, name, finishing));
        }
        let shutdown = CancellationToken::new();
        shutdown.cancel();
        supervisor.run(shutdown).await.unwrap();
        for producer in ["voting", "fast-updates"] {
            for server in ["data-provider", "indexer"] {
                assert!(
                    journal.position("ended", producer) < journal.position("told", server),
                    "{server} told to stop before {producer} ended"
                );
            }
        }
    }

    #[tokio::test]
    async fn a_producer_past_the_drain_timeout_is_aborted_and_the_rest_still_stops() {
        let journal = Journal::default();
        let mut supervisor = Supervisor::new(Duration::from_millis(100));
        supervisor.spawn("voting", Stage::Produce, role(&journal, "voting", LONG));
        supervisor.spawn(
            "indexer",
            Stage::Serve,
            role(&journal, "indexer", Duration::ZERO),
        );
        let shutdown = CancellationToken::new();
        shutdown.cancel();
        let started = std::time::Instant::now();
        supervisor.run(shutdown).await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(10));
        journal.position("told", "voting");
        journal.position("ended", "indexer");
        assert!(
            !journal.0.lock().unwrap().contains(&("ended", "voting")),
            "the producer was aborted, it did not finish"
        );
    }

    #[tokio::test]
    async fn a_failing_role_stops_the_others_and_is_named() {
        let journal = Journal::default();
        let mut supervisor = Supervisor::new(LONG);
        supervisor.spawn(
            "patient",
            Stage::Serve,
            role(&journal, "patient", Duration::ZERO),
        );
        supervisor.spawn("broken", Stage::Produce, |_| async {
            Err(anyhow!("disk full"))
        });
        let error = supervisor.run(CancellationToken::new()).await.unwrap_err();
        assert_eq!(format!("{error:#}"), "role `broken` failed: disk full");
        journal.position("ended", "patient");
    }

    #[tokio::test]
    async fn a_role_that_fails_while_stopping_is_reported() {
        let mut supervisor = Supervisor::new(LONG);
        supervisor.spawn("voting", Stage::Produce, |stop| async move {
            stop.cancelled().await;
            Err(anyhow!("reveal not sent"))
        });
        let shutdown = CancellationToken::new();
        shutdown.cancel();
        let error = supervisor.run(shutdown).await.unwrap_err();
        assert_eq!(
            format!("{error:#}"),
            "role `voting` failed: reveal not sent"
        );
    }

    #[tokio::test]
    async fn a_role_that_returns_early_is_an_error() {
        let mut supervisor = Supervisor::new(LONG);
        supervisor.spawn("quitter", Stage::Serve, |_| async { Ok(()) });
        let error = supervisor.run(CancellationToken::new()).await.unwrap_err();
        assert_eq!(error.to_string(), "role `quitter` exited unexpectedly");
    }
}
