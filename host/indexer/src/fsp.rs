//! FSP start planning and retention (the reference's `mode = "fsp"`, with `history_epochs` = 0): full blocks
//! from one hour before the confirmed tip, an event-only back-fill of the reward-epoch metadata events from the
//! anchor (the random acquisition start of epoch current−2, or a nominal two hours before an epoch start), and a
//! retention boundary one hour before that anchor.

use alloy_primitives::Address;
use alloy_primitives::aliases::U24;
use alloy_sol_types::SolCall;
use ftso_chain::{IFlareSystemsManager, names};
use ftso_storage::{NewLog, StateName};

use crate::collect::Collection;
use crate::engine::Engine;
use crate::error::{IndexerError, Result};
use crate::rpc::Rpc;

/// Full blocks are kept from this long before the start (the reward calculator needs submissions from before
/// the oldest epoch's first voting round).
pub(crate) const TX_LOOKBACK_SECS: u64 = 3600;
/// Retention keeps this much before the event anchor.
pub(crate) const RETENTION_MARGIN_SECS: u64 = 3600;
/// Lead used when an epoch has no random-acquisition data: about two hours of one-second blocks.
const NOMINAL_LEAD: u64 = 7200;

/// Where the event history starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Anchor {
    pub(crate) block: u64,
    pub(crate) timestamp: u64,
}

async fn fsm_call<C: SolCall>(rpc: &Rpc, fsm: Address, call: C) -> Result<C::Return> {
    let bytes = rpc.call_contract(fsm, call.abi_encode().into()).await?;
    C::abi_decode_returns(&bytes).map_err(|e| {
        IndexerError::Config(format!(
            "FlareSystemsManager answered an undecodable value: {e}"
        ))
    })
}

fn to_u64(v: impl TryInto<u64>) -> u64 {
    v.try_into().unwrap_or(u64::MAX)
}

/// Resolves FlareSystemsManager through the registry.
pub(crate) async fn flare_systems_manager(rpc: &Rpc, registry: Address) -> Result<Address> {
    crate::resolve::lookup(rpc, registry, names::FLARE_SYSTEMS_MANAGER)
        .await?
        .ok_or_else(|| IndexerError::UnresolvedName {
            name: names::FLARE_SYSTEMS_MANAGER.to_owned(),
        })
}

/// The event anchor for `start_epoch`: the first epoch e in start−2..=start with start data gives the start of
/// its random acquisition, or (epoch start − 7200 blocks, − 7200 s) when that is not recorded.
pub(crate) async fn anchor(rpc: &Rpc, fsm: Address, start_epoch: u64) -> Result<Option<Anchor>> {
    for e in start_epoch.saturating_sub(2)..=start_epoch {
        let id = U24::from(u32::try_from(e).unwrap_or(u32::MAX) & 0x00ff_ffff);
        let start = fsm_call(
            rpc,
            fsm,
            IFlareSystemsManager::getRewardEpochStartInfoCall { _rewardEpochId: id },
        )
        .await?;
        let (start_ts, start_block) = (
            to_u64(start._rewardEpochStartTs),
            to_u64(start._rewardEpochStartBlock),
        );
        if start_ts == 0 {
            continue;
        }
        let ra = fsm_call(
            rpc,
            fsm,
            IFlareSystemsManager::getRandomAcquisitionInfoCall { _rewardEpochId: id },
        )
        .await?;
        let (ra_ts, ra_block) = (
            to_u64(ra._randomAcquisitionStartTs),
            to_u64(ra._randomAcquisitionStartBlock),
        );
        return Ok(Some(if ra_block != 0 {
            Anchor {
                block: ra_block,
                timestamp: ra_ts,
            }
        } else {
            Anchor {
                block: start_block.saturating_sub(NOMINAL_LEAD),
                timestamp: start_ts.saturating_sub(NOMINAL_LEAD),
            }
        }));
    }
    Ok(None)
}

/// The current reward epoch.
pub(crate) async fn current_epoch(rpc: &Rpc, fsm: Address) -> Result<u64> {
    Ok(to_u64(
        fsm_call(
            rpc,
            fsm,
            IFlareSystemsManager::getCurrentRewardEpochIdCall {},
        )
        .await?,
    ))
}

/// The FSP retention boundary: anchor of the current epoch − 1 h; 0 (drop nothing) without an anchor.
pub(crate) async fn retention_boundary(rpc: &Rpc, fsm: Address) -> Result<u64> {
    let current = current_epoch(rpc, fsm).await?;
    Ok(anchor(rpc, fsm, current)
        .await?
        .map_or(0, |a| a.timestamp.saturating_sub(RETENTION_MARGIN_SECS)))
}

impl Engine<'_> {
    /// FSP start: returns the block to catch up from, after back-filling events below it when needed.
    pub(crate) async fn fsp_plan(&self, fsm: Address) -> Result<u64> {
        let Some((tip, tip_ts)) = self.confirmed_tip().await? else {
            return Ok(0);
        };
        let full_start = self
            .first_block_at_or_after(tip_ts.saturating_sub(TX_LOOKBACK_SECS), 0, tip)
            .await?;
        let current = current_epoch(self.rpc, fsm).await?;
        let anchor = anchor(self.rpc, fsm, current).await?;
        let first = self
            .storage
            .state(StateName::FirstDatabaseBlock)
            .await?
            .filter(|s| s.is_set());
        let last = self
            .storage
            .state(StateName::LastDatabaseBlock)
            .await?
            .filter(|s| s.is_set());
        let catchup_from = match (&first, &last) {
            (Some(f), Some(l)) if f.index <= full_start && full_start <= l.index => l.index + 1,
            _ => full_start,
        };
        if catchup_from == full_start && last.as_ref().is_some_and(|l| l.index + 1 < full_start) {
            // The reference keeps the old floor here and so claims coverage over the hole between the last stored
            // block and the new start; move the floor up to the new start instead.
            let (_, ts) = self.rpc.header(Some(full_start)).await?;
            self.storage
                .set_state(StateName::FirstDatabaseBlock, full_start, ts)
                .await?;
        }
        let log_floor = self
            .storage
            .state(StateName::FirstDatabaseLogBlock)
            .await?
            .filter(|s| s.is_set());
        tracing::info!(catchup_from, tip, full_start, current_epoch = current, anchor = ?anchor, "FSP startup plan");
        if let Some(a) = anchor
            && a.block < full_start
            && log_floor.is_none_or(|f| f.index > a.block)
        {
            self.backfill_events(a.block, full_start - 1).await?;
            let (_, ts) = self.rpc.header(Some(a.block)).await?;
            self.storage
                .set_state(StateName::FirstDatabaseLogBlock, a.block, ts)
                .await?;
        }
        Ok(catchup_from)
    }

    /// Event-only scan of `from..=to` for the reward-epoch metadata events (the log filters with a fixed emitter
    /// and topic0), one database transaction per `log_range` chunk.
    async fn backfill_events(&self, from: u64, to: u64) -> Result<()> {
        let metadata = Collection {
            transactions: Default::default(),
            logs: self
                .collection
                .logs
                .iter()
                .filter(|f| f.address.is_some() && f.topic0.is_some())
                .copied()
                .collect(),
        };
        let Some(query) = metadata.combined_log_query() else {
            return Ok(());
        };
        tracing::info!(from, to, "FSP event back-fill");
        let mut start = from;
        while start <= to {
            let end = start.saturating_add(self.config.log_range - 1).min(to);
            let mut filter = alloy::rpc::types::Filter::new()
                .from_block(start)
                .to_block(end);
            if let Some(a) = &query.addresses {
                filter = filter.address(a.clone());
            }
            if let Some(t) = &query.topics {
                filter = filter.event_signature(t.clone());
            }
            let mut timestamps = std::collections::HashMap::new();
            let mut logs = Vec::new();
            for log in self.rpc.logs(filter).await? {
                if log.removed
                    || !metadata.log_matches(log.address(), log.topics().first().copied())
                {
                    continue;
                }
                let (Some(block), Some(index)) = (log.block_number, log.log_index) else {
                    continue;
                };
                let ts = match timestamps.get(&block) {
                    Some(ts) => *ts,
                    None => {
                        let (_, ts) = self.rpc.header(Some(block)).await?;
                        timestamps.insert(block, ts);
                        ts
                    }
                };
                logs.push(NewLog {
                    address: log.address(),
                    data: log.data().data.to_vec(),
                    topics: log.topics().to_vec(),
                    transaction_hash: log.transaction_hash.unwrap_or_default(),
                    log_index: index,
                    timestamp: ts,
                    block_number: block,
                    from_receipt: false,
                });
            }
            self.storage.commit_logs(&logs).await?;
            start = end + 1;
        }
        Ok(())
    }
}
