//! JSON-RPC access with a process-wide concurrency limit, a per-attempt timeout and retry with exponential
//! backoff for transient errors (see [`IndexerError::is_transient`]).

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy::eips::BlockNumberOrTag;
use alloy::providers::{DynProvider, Provider};
use alloy::rpc::types::{Block, Filter, Log, TransactionReceipt, TransactionRequest};
use alloy_primitives::{Address, B256, Bytes};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::error::{IndexerError, Result};

const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// The RPC client of the indexer.
#[derive(Debug, Clone)]
pub(crate) struct Rpc {
    provider: DynProvider,
    permits: Arc<Semaphore>,
    timeout: Duration,
    budget: Duration,
    cancel: CancellationToken,
}

impl Rpc {
    pub(crate) fn new(
        provider: DynProvider,
        concurrency: usize,
        timeout: Duration,
        budget: Duration,
        cancel: CancellationToken,
    ) -> Self {
        Rpc {
            provider,
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            timeout,
            budget,
            cancel,
        }
    }

    /// Runs one call under the concurrency limit, retrying transient failures with exponential backoff until the
    /// retry budget is spent (then the last error is returned) or the indexer is cancelled.
    async fn call<T, F, Fut>(&self, method: &'static str, f: F) -> Result<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T>> + Send + 'static,
    {
        let started = Instant::now();
        let mut backoff = FIRST_BACKOFF;
        loop {
            let attempt = {
                let _permit = self
                    .permits
                    .acquire()
                    .await
                    .map_err(|_| IndexerError::Timeout { method })?;
                match tokio::time::timeout(self.timeout, f()).await {
                    Ok(r) => r,
                    Err(_) => Err(IndexerError::Timeout { method }),
                }
            };
            match attempt {
                Ok(v) => return Ok(v),
                Err(e) if e.is_transient() && started.elapsed() + backoff <= self.budget => {
                    tracing::debug!(method, error = %e, backoff_ms = backoff.as_millis() as u64, "rpc retry");
                    tokio::select! {
                        () = self.cancel.cancelled() => return Err(e),
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
                Err(e) => {
                    if e.is_transient() {
                        tracing::warn!(method, error = %e, "rpc retry budget exhausted");
                    }
                    return Err(e);
                }
            }
        }
    }

    /// A full block (with transactions).
    pub(crate) async fn block(&self, number: u64) -> Result<Block> {
        let provider = self.provider.clone();
        self.call("eth_getBlockByNumber", move || {
            let provider = provider.clone();
            async move {
                provider
                    .get_block_by_number(BlockNumberOrTag::Number(number))
                    .full()
                    .await
                    .map_err(|source| IndexerError::Rpc {
                        method: "eth_getBlockByNumber",
                        source,
                    })?
                    .ok_or(IndexerError::MissingBlock { number })
            }
        })
        .await
    }

    /// (number, timestamp) of a block header; `None` = latest.
    pub(crate) async fn header(&self, number: Option<u64>) -> Result<(u64, u64)> {
        let tag = number.map_or(BlockNumberOrTag::Latest, BlockNumberOrTag::Number);
        let provider = self.provider.clone();
        self.call("eth_getBlockByNumber", move || {
            let provider = provider.clone();
            async move {
                let block = provider
                    .get_block_by_number(tag)
                    .await
                    .map_err(|source| IndexerError::Rpc {
                        method: "eth_getBlockByNumber",
                        source,
                    })?
                    .ok_or(IndexerError::MissingBlock {
                        number: number.unwrap_or_default(),
                    })?;
                Ok((block.header.number, block.header.timestamp))
            }
        })
        .await
    }

    /// The receipt of a transaction.
    pub(crate) async fn receipt(&self, hash: B256) -> Result<TransactionReceipt> {
        let provider = self.provider.clone();
        self.call("eth_getTransactionReceipt", move || {
            let provider = provider.clone();
            async move {
                provider
                    .get_transaction_receipt(hash)
                    .await
                    .map_err(|source| IndexerError::Rpc {
                        method: "eth_getTransactionReceipt",
                        source,
                    })?
                    .ok_or(IndexerError::MissingReceipt { hash })
            }
        })
        .await
    }

    /// `eth_getLogs`.
    pub(crate) async fn logs(&self, filter: Filter) -> Result<Vec<Log>> {
        let provider = self.provider.clone();
        self.call("eth_getLogs", move || {
            let provider = provider.clone();
            let filter = filter.clone();
            async move {
                provider
                    .get_logs(&filter)
                    .await
                    .map_err(|source| IndexerError::Rpc {
                        method: "eth_getLogs",
                        source,
                    })
            }
        })
        .await
    }

    /// `eth_call` at latest.
    pub(crate) async fn call_contract(&self, to: Address, data: Bytes) -> Result<Bytes> {
        let request = TransactionRequest::default().to(to).input(data.into());
        let provider = self.provider.clone();
        self.call("eth_call", move || {
            let provider = provider.clone();
            let request = request.clone();
            async move {
                provider
                    .call(request)
                    .await
                    .map_err(|source| IndexerError::Rpc {
                        method: "eth_call",
                        source,
                    })
            }
        })
        .await
    }
}
