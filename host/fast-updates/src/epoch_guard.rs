//! Whether a proved ticket may still be sent across a reward-epoch switch (fast-updates digest §1.4, §8 item 10).
//!
//! `FastUpdater.submitUpdates` checks the credential against `getSeed(currentRewardEpochId)` and the weight of
//! that epoch, where `currentRewardEpochId` is FastUpdater's own copy as it stands **when the transaction runs**.
//! FastUpdater copies FlareSystemsManager's epoch in its `daemonize()`, which the FlareDaemon runs at the start of
//! every block, after FlareSystemsManager's, and FlareSystemsManager starts the next epoch in the first block
//! whose timestamp reaches `currentRewardEpochExpectedEndTs` (once the next signing policy is ready). A ticket
//! proved with epoch E's seed therefore reverts with "sortition proof invalid" when it lands in or after the
//! switch block, however recent its sortition block is. The reference client only drops its queue after it has
//! seen the switch, racing the jobs that are sending at that moment; this guard is asked right before each send.

/// The chain's epoch state at the latest block, as a send decision needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochView {
    /// `FastUpdater.currentRewardEpochId()`: the epoch whose seed and weights `submitUpdates` uses now.
    pub fast_updater_epoch: u32,
    /// `FlareSystemsManager.getCurrentRewardEpochId()`: FastUpdater takes it over at its next `daemonize()`.
    pub manager_epoch: u32,
    /// `FlareSystemsManager.currentRewardEpochExpectedEndTs()`: from this time on any block may start the next
    /// epoch.
    pub expected_end_ts: u64,
    /// The latest block's timestamp.
    pub latest_timestamp: u64,
}

/// How close to the expected end of an epoch a ticket of that epoch is no longer sent, and for how long after it
/// the switch is still awaited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SwitchMargins {
    /// Seconds between the latest block and the block a transaction sent now is included in: a transaction sent
    /// when `latest_timestamp + lead ≥ expected_end_ts` may land in the switch block.
    pub lead_seconds: u64,
    /// Seconds after the expected end during which the switch is still taken as imminent. A switch delayed longer
    /// (the next signing policy not ready) is not waited for: tickets are sent again, and the one in flight when
    /// the switch finally comes may revert.
    pub grace_seconds: u64,
}

impl Default for SwitchMargins {
    /// About three Flare blocks (1.8 s) of lead, five devnet blocks (1 s); a minute of grace.
    fn default() -> Self {
        Self {
            lead_seconds: 5,
            grace_seconds: 60,
        }
    }
}

/// Why a ticket is not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EpochHold {
    /// FastUpdater already checks against another epoch's seed and weights.
    #[error("proved for reward epoch {ticket}, FastUpdater is in reward epoch {chain}")]
    Switched {
        /// The epoch whose seed and weight the ticket was proved with.
        ticket: u32,
        /// FastUpdater's epoch.
        chain: u32,
    },
    /// FlareSystemsManager has started the next epoch: FastUpdater takes it over at its next `daemonize()`.
    #[error("reward epoch {next} started, FastUpdater switches at its next daemonize")]
    Pending {
        /// FlareSystemsManager's epoch.
        next: u32,
    },
    /// The transaction could land in the block that starts the next epoch.
    #[error("reward epoch {ticket} ends at {expected_end_ts}, latest block at {latest_timestamp}")]
    Imminent {
        /// The ticket's epoch.
        ticket: u32,
        /// When it is expected to end.
        expected_end_ts: u64,
        /// The latest block's timestamp.
        latest_timestamp: u64,
    },
}

/// `Ok` when a ticket proved for `ticket_epoch` is accepted by FastUpdater in the block a transaction sent now
/// lands in (as far as the chain at `view` tells), else why not.
pub fn may_send(
    ticket_epoch: u32,
    view: &EpochView,
    margins: SwitchMargins,
) -> Result<(), EpochHold> {
    if view.fast_updater_epoch != ticket_epoch {
        return Err(EpochHold::Switched {
            ticket: ticket_epoch,
            chain: view.fast_updater_epoch,
        });
    }
    if view.manager_epoch != view.fast_updater_epoch {
        return Err(EpochHold::Pending {
            next: view.manager_epoch,
        });
    }
    let switch_from = view.expected_end_ts.saturating_sub(margins.lead_seconds);
    let switch_until = view.expected_end_ts.saturating_add(margins.grace_seconds);
    if (switch_from..switch_until).contains(&view.latest_timestamp) {
        return Err(EpochHold::Imminent {
            ticket: ticket_epoch,
            expected_end_ts: view.expected_end_ts,
            latest_timestamp: view.latest_timestamp,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARGINS: SwitchMargins = SwitchMargins {
        lead_seconds: 5,
        grace_seconds: 60,
    };

    fn view(fast_updater_epoch: u32, latest_timestamp: u64) -> EpochView {
        EpochView {
            fast_updater_epoch,
            manager_epoch: fast_updater_epoch,
            expected_end_ts: 1_000,
            latest_timestamp,
        }
    }

    #[test]
    fn a_ticket_of_the_running_epoch_is_sent_away_from_its_end() {
        assert_eq!(may_send(2, &view(2, 900), MARGINS), Ok(()));
        assert_eq!(may_send(2, &view(2, 994), MARGINS), Ok(()));
    }

    #[test]
    fn a_ticket_is_held_when_its_transaction_could_land_in_the_switch_block() {
        // The e2e failure: proved at latest 401 with epoch 2's seed, sent once 402 (the switch) was mined.
        for latest in [995, 999, 1_000, 1_059] {
            assert_eq!(
                may_send(2, &view(2, latest), MARGINS),
                Err(EpochHold::Imminent {
                    ticket: 2,
                    expected_end_ts: 1_000,
                    latest_timestamp: latest
                }),
                "latest block at {latest}"
            );
        }
    }

    #[test]
    fn a_switch_delayed_past_the_grace_is_not_waited_for() {
        assert_eq!(may_send(2, &view(2, 1_060), MARGINS), Ok(()));
    }

    #[test]
    fn a_ticket_of_another_epoch_is_never_sent() {
        // Proved with the old seed, the switch already mined (whatever the time).
        assert_eq!(
            may_send(2, &view(3, 900), MARGINS),
            Err(EpochHold::Switched {
                ticket: 2,
                chain: 3
            })
        );
        // Proved with a seed FastUpdater does not use yet.
        assert_eq!(
            may_send(3, &view(2, 900), MARGINS),
            Err(EpochHold::Switched {
                ticket: 3,
                chain: 2
            })
        );
    }

    #[test]
    fn a_switch_started_by_flare_systems_manager_holds_the_old_epochs_tickets() {
        let pending = EpochView {
            manager_epoch: 3,
            expected_end_ts: 1_100,
            ..view(2, 1_001)
        };
        assert_eq!(
            may_send(2, &pending, MARGINS),
            Err(EpochHold::Pending { next: 3 })
        );
    }

    #[test]
    fn no_margins_hold_only_from_the_expected_end() {
        let exact = SwitchMargins {
            lead_seconds: 0,
            grace_seconds: 1,
        };
        assert_eq!(may_send(2, &view(2, 999), exact), Ok(()));
        assert!(may_send(2, &view(2, 1_000), exact).is_err());
        assert_eq!(may_send(2, &view(2, 1_001), exact), Ok(()));
    }
}
