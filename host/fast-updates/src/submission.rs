//! One submission job (fast-updates digest §2.3, §4): wait for the ticket's window, decide the deltas from the
//! chain's values and ours, sign with the signing-policy key, send from the next account in rotation with a
//! deadline at the window's last block (never across a reward-epoch switch), and log the reference's milestones.

use std::sync::Arc;
use std::time::Duration;

use alloy::primitives::{Address, U256};
use anyhow::Context as _;
use ftso_chain::keys::PrivateKey;
use ftso_chain::tx::{Call, Deadline, GasLimit, SendOptions, TxError, TxSender};
use ftso_core::fast_updates::{Credential, FastUpdate, delta};
use ftso_feeds::FeedValueSource;
use tokio_util::sync::CancellationToken;

use crate::chain::{ChainFeed, ChainReader};
use crate::config::SubmitVia;
use crate::deltas;
use crate::epoch_guard::{self, SwitchMargins};
use crate::schedule::{Rotation, TicketState, TicketWindow};

/// A proved winning ticket, waiting to be sent.
#[derive(Debug, Clone)]
pub struct Ticket {
    /// The sortition block.
    pub block: u64,
    /// The reward epoch whose seed and weight the credential was proved with.
    pub epoch: u32,
    /// The credential (replicate, gamma, proof).
    pub credential: Credential,
}

impl Ticket {
    /// The replicate number.
    pub fn replicate(&self) -> U256 {
        self.credential.replicate
    }
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Included: the block it landed in.
    Accepted {
        /// The inclusion block.
        block: u64,
    },
    /// Not sent: the window closed first, the epoch changed, or we had no value to move.
    Dropped(&'static str),
    /// Sent (or tried) and failed.
    Failed(String),
}

/// Why a job was dropped when its submission window closed before it was sent or mined.
pub const TOO_LATE: &str = "too late";
/// Why a job was dropped when the reward epoch changed (or was about to) before it was sent, or on shutdown.
pub const EPOCH_CHANGED: &str = "reward epoch changed or shutting down";
/// Why a job was dropped when the reward epoch's state could not be read right before sending.
pub const EPOCH_UNKNOWN: &str = "reward epoch state unreadable";

/// Everything a job needs, shared by all jobs.
#[derive(Debug)]
pub struct Submitter {
    /// The chain.
    pub reader: ChainReader,
    /// Our values.
    pub values: Arc<dyn FeedValueSource>,
    /// The signing-policy key.
    pub signing_policy: PrivateKey,
    /// One sender per submission account.
    pub senders: Vec<TxSender>,
    /// Which account sends next.
    pub rotation: Rotation,
    /// Direct or through Submission.
    pub via: SubmitVia,
    /// Fee rule, fixed gas limit and patience of every send (the deadline is set per job).
    pub send_options: SendOptions,
    /// `FastUpdater.submissionWindow()`.
    pub window: u64,
    /// How often the latest block is polled while a job waits.
    pub poll_interval: Duration,
    /// Around a reward-epoch switch, when tickets of the ending epoch are no longer sent.
    pub switch_margins: SwitchMargins,
}

impl Submitter {
    /// Send options for submissions: a fixed gas limit (no estimation, as the reference), one broadcast waited
    /// for at most `receipt_timeout`, the fee rule of `fees`.
    pub fn send_options(
        fees: ftso_chain::tx::FeePolicy,
        gas_limit: u64,
        receipt_timeout: Duration,
    ) -> SendOptions {
        SendOptions::new(fees)
            .gas(GasLimit::Fixed {
                limit: gas_limit,
                dry_run: false,
            })
            .attempts(1, receipt_timeout)
    }

    /// Runs one job to its end; `cancel` (the epoch's token) drops it if it has not been sent yet.
    pub async fn run_job(
        &self,
        ticket: Ticket,
        feeds: Arc<Vec<ChainFeed>>,
        cancel: CancellationToken,
    ) -> Outcome {
        let outcome = self.run_job_to_outcome(ticket, feeds, cancel).await;
        crate::telemetry::job_ended(&outcome);
        outcome
    }

    async fn run_job_to_outcome(
        &self,
        ticket: Ticket,
        feeds: Arc<Vec<ChainFeed>>,
        cancel: CancellationToken,
    ) -> Outcome {
        let window = TicketWindow {
            block: ticket.block,
            window: self.window,
        };
        let replicate = ticket.replicate();
        match self.wait_until_open(window, &cancel).await {
            Ok(TicketState::Open) => {}
            Ok(_) => {
                tracing::warn!(block = ticket.block, %replicate, "skipping submission, too late");
                return Outcome::Dropped(TOO_LATE);
            }
            Err(reason) => {
                tracing::info!(block = ticket.block, %replicate, "ignoring submission: {reason}");
                return Outcome::Dropped(reason);
            }
        }
        match self.submit(&ticket, window, &feeds, &cancel).await {
            Ok(outcome) => outcome,
            Err(error) => {
                tracing::warn!(block = ticket.block, %replicate, "error executing transaction: {error:#}");
                Outcome::Failed(format!("{error:#}"))
            }
        }
    }

    /// Waits until the ticket is no longer early; `Err` when cancelled.
    async fn wait_until_open(
        &self,
        window: TicketWindow,
        cancel: &CancellationToken,
    ) -> Result<TicketState, &'static str> {
        loop {
            if cancel.is_cancelled() {
                return Err(EPOCH_CHANGED);
            }
            match self.reader.latest_block().await {
                Ok(latest) => match window.state(latest) {
                    TicketState::Early => {}
                    state => return Ok(state),
                },
                Err(error) => tracing::debug!("polling the latest block: {error}"),
            }
            tokio::select! {
                () = cancel.cancelled() => {}
                () = tokio::time::sleep(self.poll_interval) => {}
            }
        }
    }

    async fn submit(
        &self,
        ticket: &Ticket,
        window: TicketWindow,
        feeds: &[ChainFeed],
        cancel: &CancellationToken,
    ) -> anyhow::Result<Outcome> {
        let (listed, keys) = deltas::listed_feeds(feeds);
        let ours = self
            .values
            .values(None, &keys)
            .await
            .context("reading our feed values")?;
        let supported = deltas::supported(&listed, &ours);
        let indices: Vec<usize> = supported.iter().map(|(index, _)| *index).collect();
        if indices.is_empty() {
            tracing::warn!(
                block = ticket.block,
                "no value for any fast-updates feed: nothing to submit"
            );
            return Ok(Outcome::Dropped("no supported feed"));
        }
        let current = self.reader.current_feeds(&indices).await?;
        let scale = self.reader.scale_parameters().await?;
        tracing::debug!(block = ticket.block, chain = ?current.values, provider = ?supported, "feed values (before update)");
        let Some(deltas) = deltas::decide(
            feeds.len(),
            &supported,
            &current,
            scale,
            deltas::uniform_draw,
        ) else {
            return Ok(Outcome::Dropped("no supported feed"));
        };
        let deltas_text = delta::to_go_string(&deltas);
        tracing::info!("deltas: {deltas_text}");
        let signed = FastUpdate {
            sortition_block: U256::from(ticket.block),
            credential: ticket.credential,
            deltas: delta::encode(&deltas).into(),
        }
        .sign(self.signing_policy.signer())
        .context("signing the update")?;
        let (to, calldata) = match self.via {
            SubmitVia::Submission => (
                self.reader.contracts().submission,
                signed.submit_and_pass_calldata(),
            ),
            SubmitVia::FastUpdater => (
                self.reader.contracts().fast_updater,
                signed.submit_updates_calldata(),
            ),
        };
        if cancel.is_cancelled() {
            return Ok(Outcome::Dropped(EPOCH_CHANGED));
        }
        if let Some(reason) = self.epoch_hold(ticket).await {
            return Ok(Outcome::Dropped(reason));
        }
        let Some(sender) = self.senders.get(self.rotation.pick(self.senders.len())) else {
            anyhow::bail!("no submission account");
        };
        crate::telemetry::submitted();
        tracing::info!(
            account = %sender.address(),
            "submitting update for block {} replicate {}: {deltas_text}",
            ticket.block,
            ticket.replicate()
        );
        let options = self
            .send_options
            .clone()
            .deadline(Deadline::LastBlock(window.last_inclusion_block()));
        match sender.send(&Call::raw(to, calldata), &options).await {
            Ok(receipt) => {
                let included = receipt.block_number.unwrap_or_default();
                tracing::info!(
                    "successful update for block {} replicate {} in block {included}",
                    ticket.block,
                    ticket.replicate()
                );
                Ok(Outcome::Accepted { block: included })
            }
            Err(TxError::DeadlinePassed) => {
                tracing::warn!(block = ticket.block, replicate = %ticket.replicate(), "skipping submission, too late");
                Ok(Outcome::Dropped(TOO_LATE))
            }
            Err(error) => Err(error).with_context(|| {
                format!(
                    "update for block {} replicate {}",
                    ticket.block,
                    ticket.replicate()
                )
            }),
        }
    }

    /// Why the ticket must not be sent now, logged: FastUpdater would check it against another epoch than the one
    /// it was proved for ([`epoch_guard::may_send`]), or that cannot be told (a revert costs gas; the ticket is
    /// dropped). `None`: send.
    async fn epoch_hold(&self, ticket: &Ticket) -> Option<&'static str> {
        let replicate = ticket.replicate();
        match self.reader.epoch_view().await {
            Ok(view) => match epoch_guard::may_send(ticket.epoch, &view, self.switch_margins) {
                Ok(()) => None,
                Err(hold) => {
                    tracing::info!(block = ticket.block, %replicate, "not submitting: {hold}");
                    Some(EPOCH_CHANGED)
                }
            },
            Err(error) => {
                tracing::warn!(block = ticket.block, %replicate, "not submitting: cannot read the reward epoch's state: {error}");
                Some(EPOCH_UNKNOWN)
            }
        }
    }

    /// Warns about each submission account whose balance is below `min_balance` (reference: "account balance
    /// low").
    pub async fn warn_low_balances(&self, min_balance: U256) {
        for sender in &self.senders {
            let address: Address = sender.address();
            match self.reader.balance(address).await {
                Ok(balance) if balance < min_balance => {
                    tracing::warn!(%address, %balance, %min_balance, "account balance low: {address}");
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%address, "cannot read the account balance: {error}"),
            }
        }
    }
}
