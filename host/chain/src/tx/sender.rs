//! [`TxSender`]: one key's transaction sender, shared by every role that sends from that key.
//!
//! A send: deadline check ─▶ gas limit (estimate, a revert ends here) ─▶ fees ─▶ under the key's nonce lock:
//! deadline check, sign, broadcast ─▶ wait for a receipt ─▶ not mined within `attempt_timeout`: deadline check,
//! the same nonce re-signed with bumped fees (at least +10 % on every fee) ─▶ … ─▶ the receipt, a decoded
//! revert, or a typed error.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, SystemTime};

use alloy::consensus::TxEnvelope;
use alloy::eips::{BlockNumberOrTag, Encodable2718};
use alloy::network::{EthereumWallet, NetworkTransactionBuilder, TransactionBuilder};
use alloy::primitives::{Address, B256, U64};
use alloy::providers::{DynProvider, Provider};
use alloy::rpc::types::{TransactionReceipt, TransactionRequest};
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::error::{
    TxError, decode_reason, is_already_known, is_nonce_too_low, is_underpriced, revert_of,
};
use super::fees::{Fees, TxType};
use super::nonce::NonceSequence;
use super::options::{Call, Deadline, GasLimit, SendOptions, with_margin};
use super::telemetry;
use crate::keys::PrivateKey;

/// How often a receipt is polled by default (the reference polls every second).
pub const DEFAULT_RECEIPT_POLL: Duration = Duration::from_secs(1);

/// The sender of one key: its own nonce sequence, safe for concurrent callers. Cheap to clone (clones share the
/// sequence); get it from [`Senders`] so that every role sending from one key shares one sequence.
#[derive(Clone)]
pub struct TxSender {
    inner: Arc<Inner>,
}

struct Inner {
    provider: DynProvider,
    wallet: EthereumWallet,
    address: Address,
    chain_id: u64,
    receipt_poll: Duration,
    nonces: Mutex<NonceSequence>,
    /// Whether the node answers `eth_baseFee` (Flare's coreth does; anvil and geth do not).
    base_fee_rpc: AtomicBool,
}

impl fmt::Debug for TxSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TxSender")
            .field("address", &self.inner.address)
            .field("chain_id", &self.inner.chain_id)
            .finish_non_exhaustive()
    }
}

/// A broadcast transaction: its nonce, hash, fees and gas limit.
#[derive(Debug, Clone, Copy)]
struct Broadcast {
    nonce: u64,
    hash: B256,
    fees: Fees,
}

impl TxSender {
    /// A sender for `key` on the chain `chain_id` (the id transactions are signed for; check it against the node
    /// first, see `eth_chainId`). Prefer [`Senders::sender`], which keeps one sender per key.
    pub fn new(provider: DynProvider, key: &PrivateKey, chain_id: u64) -> Self {
        Self {
            inner: Arc::new(Inner {
                provider,
                wallet: EthereumWallet::from(key.signer().clone()),
                address: key.address(),
                chain_id,
                receipt_poll: DEFAULT_RECEIPT_POLL,
                nonces: Mutex::new(NonceSequence::default()),
                base_fee_rpc: AtomicBool::new(true),
            }),
        }
    }

    /// The address transactions are sent from.
    pub fn address(&self) -> Address {
        self.inner.address
    }

    /// The chain id transactions are signed for.
    pub fn chain_id(&self) -> u64 {
        self.inner.chain_id
    }

    /// The provider the sender uses.
    pub fn provider(&self) -> &DynProvider {
        &self.inner.provider
    }

    /// Sends `call` and waits for its receipt as `options` say. `Ok` only for a successful receipt; a revert
    /// (at estimation or on chain) is [`TxError::Reverted`] with its decoded reason.
    pub async fn send(
        &self,
        call: &Call,
        options: &SendOptions,
    ) -> Result<TransactionReceipt, TxError> {
        let result = self.send_and_settle(call, options).await;
        telemetry::sent(self.inner.address, &result);
        result
    }

    /// [`Self::send`], then the nonce sequence settled.
    async fn send_and_settle(
        &self,
        call: &Call,
        options: &SendOptions,
    ) -> Result<TransactionReceipt, TxError> {
        if self.deadline_passed(&options.deadline).await? {
            return Err(TxError::DeadlinePassed);
        }
        let gas_limit = self.gas_limit(call, options.gas).await?;
        let market = self.market_price(options.fees.tx_type).await?;
        let fees = options.fees.fees(market);
        let first = self.broadcast_new(call, gas_limit, fees, options).await?;
        let outcome = self.see_through(call, gas_limit, first, options).await;
        let mut nonces = self.inner.nonces.lock().await;
        nonces.settled();
        if outcome.is_err() {
            nonces.mark_stale();
        }
        telemetry::nonces(self.inner.address, nonces.next(), nonces.in_flight());
        outcome
    }

    /// Waits for `first` (or one of its replacements) to be mined, replacing it when it is not.
    async fn see_through(
        &self,
        call: &Call,
        gas_limit: u64,
        first: Broadcast,
        options: &SendOptions,
    ) -> Result<TransactionReceipt, TxError> {
        let nonce = first.nonce;
        let mut hashes = vec![first.hash];
        let mut fees = first.fees;
        for attempt in 1..=options.attempts {
            let until = Instant::now() + options.attempt_timeout;
            if let Some(receipt) = self
                .wait_for_receipt(&hashes, until, &options.deadline)
                .await?
            {
                return self.outcome(call, gas_limit, receipt).await;
            }
            if self.deadline_passed(&options.deadline).await? {
                return self.unmined(nonce, hashes, true).await;
            }
            if attempt == options.attempts {
                break;
            }
            let market = self.market_price(options.fees.tx_type).await?;
            fees = options
                .fees
                .for_attempt(attempt)
                .fees(market)
                .at_least(fees.replacement_floor());
            tracing::warn!(
                from = %self.inner.address,
                nonce,
                attempt = attempt + 1,
                max_fee_per_gas = fees.max_per_gas(),
                "transaction not mined in time; replacing it with higher fees"
            );
            let envelope = self.sign(call, nonce, gas_limit, fees).await?;
            match self.broadcast(&envelope).await {
                Ok(hash) => hashes.push(hash),
                // One of the earlier transactions was mined meanwhile: the next poll finds its receipt.
                Err(error) if is_nonce_too_low(&error) => {}
                Err(error) if is_underpriced(&error) => {}
                Err(error) => return Err(TxError::rpc("eth_sendRawTransaction")(error)),
            }
        }
        self.unmined(nonce, hashes, false).await
    }

    /// Under the nonce lock: checks the deadline, signs with the key's next nonce and broadcasts. A nonce that
    /// turns out to be used is re-read; a pending transaction at the nonce that needs higher fees to be replaced
    /// gets them.
    async fn broadcast_new(
        &self,
        call: &Call,
        gas_limit: u64,
        mut fees: Fees,
        options: &SendOptions,
    ) -> Result<Broadcast, TxError> {
        let mut nonces = self.inner.nonces.lock().await;
        let mut tries = 0;
        loop {
            tries += 1;
            if self.deadline_passed(&options.deadline).await? {
                return Err(TxError::DeadlinePassed);
            }
            let nonce = nonces
                .current(&self.inner.provider, self.inner.address)
                .await?;
            let envelope = self.sign(call, nonce, gas_limit, fees).await?;
            match self.broadcast(&envelope).await {
                Ok(hash) => {
                    nonces.broadcast(nonce);
                    telemetry::nonces(self.inner.address, nonces.next(), nonces.in_flight());
                    tracing::debug!(from = %self.inner.address, nonce, %hash, "transaction sent");
                    return Ok(Broadcast { nonce, hash, fees });
                }
                Err(error) if tries < 3 + options.attempts && is_nonce_too_low(&error) => {
                    nonces.mark_stale();
                }
                Err(error) if tries < 1 + options.attempts && is_underpriced(&error) => {
                    fees = fees.replacement_floor();
                }
                Err(error) => {
                    nonces.mark_stale();
                    return Err(TxError::rpc("eth_sendRawTransaction")(error));
                }
            }
        }
    }

    /// Signs a transaction of `call` with the given nonce, gas limit and fees.
    async fn sign(
        &self,
        call: &Call,
        nonce: u64,
        gas_limit: u64,
        fees: Fees,
    ) -> Result<TxEnvelope, TxError> {
        let request = self
            .request(call)
            .with_nonce(nonce)
            .with_gas_limit(gas_limit)
            .with_chain_id(self.inner.chain_id);
        let request = match fees {
            Fees::Eip1559 {
                max_fee_per_gas,
                max_priority_fee_per_gas,
            } => request
                .with_max_fee_per_gas(max_fee_per_gas)
                .with_max_priority_fee_per_gas(max_priority_fee_per_gas),
            Fees::Legacy { gas_price } => request.with_gas_price(gas_price),
        };
        request
            .build(&self.inner.wallet)
            .await
            .map_err(|error| TxError::Build(error.to_string()))
    }

    /// Broadcasts a signed transaction; "already known" counts as broadcast.
    async fn broadcast(
        &self,
        envelope: &TxEnvelope,
    ) -> Result<B256, alloy::transports::TransportError> {
        let hash = *envelope.tx_hash();
        match self
            .inner
            .provider
            .send_raw_transaction(&envelope.encoded_2718())
            .await
        {
            Ok(_) => Ok(hash),
            Err(error) if is_already_known(&error) => Ok(hash),
            Err(error) => Err(error),
        }
    }

    /// The call as a request from this sender.
    fn request(&self, call: &Call) -> TransactionRequest {
        TransactionRequest::default()
            .with_from(self.inner.address)
            .with_to(call.to)
            .with_input(call.input.clone())
            .with_value(call.value)
    }

    /// The gas limit `rule` gives for `call`.
    async fn gas_limit(&self, call: &Call, rule: GasLimit) -> Result<u64, TxError> {
        let estimate = || async {
            match self.inner.provider.estimate_gas(self.request(call)).await {
                Ok(gas) => Ok(with_margin(gas)),
                Err(error) => Err(match revert_of(&error) {
                    Some(reason) => TxError::Reverted {
                        reason,
                        tx_hash: None,
                    },
                    None => TxError::rpc("eth_estimateGas")(error),
                }),
            }
        };
        match rule {
            GasLimit::Estimate => estimate().await,
            GasLimit::EstimateAtLeast(floor) => Ok(estimate().await?.max(floor)),
            GasLimit::EstimateOr(fallback) => match estimate().await {
                Ok(limit) => Ok(limit),
                Err(error) => {
                    tracing::debug!(%error, fallback, "gas estimate failed; using the fallback limit");
                    Ok(fallback)
                }
            },
            GasLimit::Fixed { limit, dry_run } => {
                if dry_run {
                    estimate().await?;
                }
                Ok(limit)
            }
        }
    }

    /// The base fee (type 2) or gas price (type 0) the fees are computed from. The base fee comes from
    /// `eth_baseFee` (Flare's next-block base fee, as the reference), or from the latest block where the node
    /// lacks that method.
    async fn market_price(&self, tx_type: TxType) -> Result<u128, TxError> {
        let provider = &self.inner.provider;
        if tx_type == TxType::Legacy {
            return provider
                .get_gas_price()
                .await
                .map_err(TxError::rpc("eth_gasPrice"));
        }
        if self.inner.base_fee_rpc.load(Ordering::Relaxed) {
            match provider
                .raw_request::<_, U64>("eth_baseFee".into(), ())
                .await
            {
                Ok(fee) => return Ok(u128::from(fee.to::<u64>())),
                Err(error) if error.as_error_resp().is_some() => {
                    tracing::debug!(%error, "eth_baseFee unavailable; using the latest block's base fee");
                    self.inner.base_fee_rpc.store(false, Ordering::Relaxed);
                }
                Err(error) => return Err(TxError::rpc("eth_baseFee")(error)),
            }
        }
        let block = provider
            .get_block_by_number(BlockNumberOrTag::Latest)
            .await
            .map_err(TxError::rpc("eth_getBlockByNumber"))?
            .ok_or_else(|| TxError::Node("the node has no latest block".into()))?;
        Ok(u128::from(block.header.base_fee_per_gas.unwrap_or(0)))
    }

    /// Whether `deadline` has passed (for a block deadline: whether the next block is past it).
    async fn deadline_passed(&self, deadline: &Deadline) -> Result<bool, TxError> {
        Ok(match *deadline {
            Deadline::None => false,
            Deadline::At(time) => SystemTime::now() >= time,
            Deadline::LastBlock(last) => {
                let latest = self
                    .inner
                    .provider
                    .get_block_number()
                    .await
                    .map_err(TxError::rpc("eth_blockNumber"))?;
                latest.saturating_add(1) > last
            }
        })
    }

    /// Polls the receipts of `hashes` until one exists, `until`, or the deadline. Transient RPC errors are
    /// logged and polling goes on.
    async fn wait_for_receipt(
        &self,
        hashes: &[B256],
        until: Instant,
        deadline: &Deadline,
    ) -> Result<Option<TransactionReceipt>, TxError> {
        loop {
            for hash in hashes {
                match self.inner.provider.get_transaction_receipt(*hash).await {
                    Ok(Some(receipt)) => return Ok(Some(receipt)),
                    Ok(None) => {}
                    Err(error) => tracing::debug!(%hash, %error, "polling receipt"),
                }
            }
            if Instant::now() >= until || self.deadline_passed(deadline).await.unwrap_or(false) {
                return Ok(None);
            }
            tokio::time::sleep(self.inner.receipt_poll).await;
        }
    }

    /// A mined transaction: its receipt when successful, else its revert reason, replayed with `eth_call` at the
    /// receipt's block (as the reference does) and, when that gives no reason, at the block before: the replay runs
    /// on a block's final state, so a transaction of the same block that changed the state after ours (or before
    /// it) can hide the reason in one of the two.
    async fn outcome(
        &self,
        call: &Call,
        gas_limit: u64,
        receipt: TransactionReceipt,
    ) -> Result<TransactionReceipt, TxError> {
        if receipt.status() {
            return Ok(receipt);
        }
        let mut replay = self.request(call).with_gas_limit(gas_limit);
        replay.nonce = None;
        let blocks = match receipt.block_number {
            Some(mined) => vec![
                BlockNumberOrTag::Number(mined),
                BlockNumberOrTag::Number(mined.saturating_sub(1)),
            ],
            None => vec![BlockNumberOrTag::Latest],
        };
        let mut reason = None;
        for block in blocks {
            reason = match self
                .inner
                .provider
                .call(replay.clone())
                .block(block.into())
                .await
            {
                Ok(output) => decode_reason(&output),
                Err(error) => {
                    Some(revert_of(&error).unwrap_or_else(|| format!("reverted ({error})")))
                }
            };
            if reason.is_some() {
                break;
            }
        }
        Err(TxError::Reverted {
            reason: reason.unwrap_or_else(|| "reverted without a reason".into()),
            tx_hash: Some(receipt.transaction_hash),
        })
    }

    /// The send ends without a receipt: one last look, then [`TxError::NonceTaken`] when another transaction used
    /// the nonce, else [`TxError::Expired`] or [`TxError::NotMined`].
    async fn unmined(
        &self,
        nonce: u64,
        hashes: Vec<B256>,
        expired: bool,
    ) -> Result<TransactionReceipt, TxError> {
        let mined = self
            .inner
            .provider
            .get_transaction_count(self.inner.address)
            .latest()
            .await
            .map_err(TxError::rpc("eth_getTransactionCount"))?;
        if mined > nonce {
            for hash in &hashes {
                if let Some(receipt) = self
                    .inner
                    .provider
                    .get_transaction_receipt(*hash)
                    .await
                    .map_err(TxError::rpc("eth_getTransactionReceipt"))?
                {
                    return if receipt.status() {
                        Ok(receipt)
                    } else {
                        Err(TxError::Reverted {
                            reason: "reverted".into(),
                            tx_hash: Some(receipt.transaction_hash),
                        })
                    };
                }
            }
            return Err(TxError::NonceTaken { nonce });
        }
        if expired {
            Err(TxError::Expired { nonce, hashes })
        } else {
            let attempts = u32::try_from(hashes.len()).unwrap_or(u32::MAX);
            Err(TxError::NotMined {
                nonce,
                attempts,
                hashes,
            })
        }
    }
}

impl TxSender {
    /// The same sender polling receipts every `poll` (tests and fast chains; the default is one second).
    pub fn with_receipt_poll(self, poll: Duration) -> Self {
        match Arc::try_unwrap(self.inner) {
            Ok(mut inner) => {
                inner.receipt_poll = poll;
                Self {
                    inner: Arc::new(inner),
                }
            }
            Err(shared) => Self { inner: shared },
        }
    }
}

/// One [`TxSender`] per key: every role asking for a key's sender gets the same one (the same nonce sequence),
/// also when two roles are configured with the same key.
#[derive(Debug, Clone)]
pub struct Senders {
    provider: DynProvider,
    chain_id: u64,
    receipt_poll: Duration,
    by_address: Arc<StdMutex<HashMap<Address, TxSender>>>,
}

impl Senders {
    /// Senders on `provider` signing for `chain_id`.
    pub fn new(provider: DynProvider, chain_id: u64) -> Self {
        Self {
            provider,
            chain_id,
            receipt_poll: DEFAULT_RECEIPT_POLL,
            by_address: Arc::default(),
        }
    }

    /// Receipts polled every `poll` by the senders made from now on.
    pub fn with_receipt_poll(mut self, poll: Duration) -> Self {
        self.receipt_poll = poll;
        self
    }

    /// The sender of `key`, created on first use.
    pub fn sender(&self, key: &PrivateKey) -> TxSender {
        let mut map = self
            .by_address
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(key.address())
            .or_insert_with(|| {
                TxSender::new(self.provider.clone(), key, self.chain_id)
                    .with_receipt_poll(self.receipt_poll)
            })
            .clone()
    }

    /// The chain id the senders sign for.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The addresses of the senders made so far.
    pub fn addresses(&self) -> Vec<Address> {
        let map = self
            .by_address
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.keys().copied().collect()
    }

    /// Reads the balance of every sender's account and records it (`ftso_node_account_balance_wei{address}`).
    /// An account whose balance cannot be read keeps its last value; the first error is returned.
    pub async fn record_balances(&self) -> Result<(), TxError> {
        let mut first_error = None;
        for address in self.addresses() {
            match self.provider.get_balance(address).await {
                Ok(wei) => telemetry::balance(address, wei),
                Err(error) => {
                    first_error.get_or_insert(TxError::rpc("eth_getBalance")(error));
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// The provider the senders use.
    pub fn provider(&self) -> &DynProvider {
        &self.provider
    }
}
