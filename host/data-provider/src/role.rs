//! The data provider role in process: our commits and reveals, and the rounds' results, behind
//! the [`DataProvider`] interface and the reference HTTP API.

use std::sync::atomic::{AtomicBool, Ordering};

use alloy_primitives::Address;
use futures::future::BoxFuture;

use crate::{
    commit::Committer,
    provider::{DataProvider, ProviderAnswer, ProviderError},
    round::{RoundResults, RoundStatus},
};

/// The role: commit and reveal for our entity, and every round's results.
#[derive(Debug)]
pub struct DataProviderRole {
    committer: Committer,
    results: RoundResults,
    shutting_down: AtomicBool,
}

impl DataProviderRole {
    /// A role committing through `committer` and serving `results`.
    pub fn new(committer: Committer, results: RoundResults) -> Self {
        Self {
            committer,
            results,
            shutting_down: AtomicBool::new(false),
        }
    }

    /// From now on submit1 answers `NOT_AVAILABLE`, as the reference does once its shutdown has
    /// begun (reveals keep working: their data is stored).
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
    }

    /// submit1 with the address spelled as the caller spelled it (the reveal's key).
    pub async fn commit(
        &self,
        voting_round_id: u32,
        submit_address: &str,
    ) -> Result<ProviderAnswer, ProviderError> {
        if self.shutting_down.load(Ordering::SeqCst) {
            tracing::info!(voting_round_id, "shutting down: no new commits");
            return Ok(ProviderAnswer::not_available());
        }
        let data = self
            .committer
            .commit(voting_round_id, submit_address)
            .await?;
        tracing::info!(voting_round_id, submit_address, "commit");
        Ok(ProviderAnswer::ok(data))
    }

    /// submit2 with the address spelled as it was at submit1.
    pub async fn reveal(
        &self,
        voting_round_id: u32,
        submit_address: &str,
    ) -> Result<ProviderAnswer, ProviderError> {
        match self
            .committer
            .reveal(voting_round_id, submit_address)
            .await?
        {
            Some(data) => {
                tracing::info!(voting_round_id, submit_address, "reveal");
                Ok(ProviderAnswer::ok(data))
            }
            None => {
                tracing::warn!(
                    voting_round_id,
                    submit_address,
                    "nothing committed: no reveal"
                );
                Ok(ProviderAnswer::not_available())
            }
        }
    }

    /// The bare 38-byte protocol message of a round, or `NOT_AVAILABLE` while its results
    /// cannot be computed (the reference has no `TOO_EARLY` on this route).
    pub async fn result_message(
        &self,
        voting_round_id: u32,
    ) -> Result<ProviderAnswer, ProviderError> {
        let status = self.round(voting_round_id).await?;
        Ok(match status {
            RoundStatus::Ready(record) => ProviderAnswer::ok(record.message().encode().to_vec()),
            RoundStatus::TooEarly | RoundStatus::Pending | RoundStatus::Unavailable { .. } => {
                ProviderAnswer::not_available()
            }
        })
    }

    /// A round's results, computed once and stored by the results service.
    pub async fn round(&self, voting_round_id: u32) -> anyhow::Result<RoundStatus> {
        Ok(self.results.results(voting_round_id).await?)
    }
}

/// The key an in-process caller's address is stored under: the EIP-55 spelling the Go system
/// client puts in its URLs, so either path reaches the same reveal.
fn address_key(address: Address) -> String {
    address.to_checksum(None)
}

impl DataProvider for DataProviderRole {
    fn submit1(
        &self,
        voting_round_id: u32,
        submit_address: Address,
    ) -> BoxFuture<'_, Result<ProviderAnswer, ProviderError>> {
        Box::pin(async move {
            self.commit(voting_round_id, &address_key(submit_address))
                .await
        })
    }

    fn submit2(
        &self,
        voting_round_id: u32,
        submit_address: Address,
    ) -> BoxFuture<'_, Result<ProviderAnswer, ProviderError>> {
        Box::pin(async move {
            self.reveal(voting_round_id, &address_key(submit_address))
                .await
        })
    }

    fn submit_signatures(
        &self,
        voting_round_id: u32,
        _submit_signatures_address: Address,
    ) -> BoxFuture<'_, Result<ProviderAnswer, ProviderError>> {
        Box::pin(self.result_message(voting_round_id))
    }
}
