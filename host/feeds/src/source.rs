//! Our own feed values, for the roles that vote with them (data provider, fast updates).
//!
//! One trait, two sources: the in-process plugin [`Registry`] (the default: no HTTP hop) or an
//! external feed-values REST endpoint (the reference example provider, or another node).

use futures::future::BoxFuture;

use crate::registry::{FeedKey, Registry};

/// Where a role gets the values it votes with.
pub trait FeedValueSource: Send + Sync + std::fmt::Debug {
    /// The value of each of `feeds`, in the same order; `None` where the source has none.
    ///
    /// `round` is the voting round the values are for (the data provider's commit), or `None`
    /// for the latest values (fast updates). An error means the source as a whole could not be
    /// asked; a missing feed is `None`, not an error.
    fn values<'a>(
        &'a self,
        round: Option<u32>,
        feeds: &'a [FeedKey],
    ) -> BoxFuture<'a, anyhow::Result<Vec<Option<f64>>>>;
}

impl FeedValueSource for Registry {
    fn values<'a>(
        &'a self,
        round: Option<u32>,
        feeds: &'a [FeedKey],
    ) -> BoxFuture<'a, anyhow::Result<Vec<Option<f64>>>> {
        Box::pin(async move {
            let requested: Vec<Option<FeedKey>> = feeds.iter().cloned().map(Some).collect();
            Ok(Registry::values(self, &requested, round).await)
        })
    }
}
