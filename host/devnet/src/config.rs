//! Devnet parameters.

use std::time::Duration;

/// What kind of chain to start. The defaults give a 3-entity chain with 20 s voting rounds and 5-round reward
/// epochs, driven by time warps (automine, no interval mining).
#[derive(Debug, Clone)]
pub struct DevnetConfig {
    /// Number of test entities (each with identity, submit, submitSignatures, signingPolicy and delegation keys).
    pub entities: usize,
    /// Voting round (epoch) length; at most 255 s.
    pub voting_epoch: Duration,
    /// The off-chain reveal deadline inside a round (not on-chain; written to the devnet config for the host).
    pub reveal_deadline: Duration,
    /// Reward epoch length in voting rounds.
    pub reward_epoch_voting_epochs: u32,
    /// Chain id. 31337 (anvil's default) by default; note that the contracts always use the chain-id
    /// voter-registration message, whatever the chain id.
    pub chain_id: u64,
    /// Interval mining (`--block-time`); `None` mines a block per transaction (automine).
    pub block_time: Option<Duration>,
    /// Voting round at which reward epoch 0 starts; reward epoch 0 starts at devnet start.
    pub first_reward_epoch_start_voting_round_id: u32,
    /// Seconds before a reward epoch's end at which random acquisition for the next one starts.
    pub signing_policy_init_lead: Duration,
    /// Minimum registration window after the vote-power block is selected (also at least one block).
    pub voter_registration_min_duration: Duration,
    /// Minimum time after a reward epoch starts before uptime voting for the previous one opens.
    pub submit_uptime_vote_min_duration: Duration,
    /// WNat vote power of each entity's delegation address, in wei.
    pub vote_power_wei: u128,
    /// Feeds offered (community offers for reward epoch 1 and inflation offers for every later epoch), as
    /// (category, name), e.g. (1, "FLR/USD").
    pub feeds: Vec<(u8, String)>,
    /// Decimals reported for every feed in the offers.
    pub feed_decimals: i8,
    /// Relay protocol id of the FTSO (the random source).
    pub ftso_protocol_id: u8,
    /// FastUpdater and its companions.
    pub fast_updates: FastUpdatesConfig,
}

/// Fast-updates parameters. The defaults are the networks' (window 10 blocks, expected sample size 1.5, range
/// 1.5·2^-13, so scale = 1 + 2^-13); every feed of [`DevnetConfig::feeds`] is a fast-updates feed, anchored at
/// `anchor_value · 10^-anchor_decimals` (FastUpdater rescales the anchor to keep every step visible).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FastUpdatesConfig {
    /// Blocks a sortition round stays open (`submissionWindow`, below 100).
    pub submission_window: u8,
    /// Expected winners per block over all providers, 8x120 fixed point (`getExpectedSampleSize`).
    pub sample_size: u128,
    /// Per-block range of variation, 8x120 fixed point; precision = range / sample size.
    pub range: u128,
    /// `FeeCalculator.defaultFee` in wei per feed.
    pub fee_per_feed_wei: u128,
    /// FtsoFeedPublisher anchor value of every feed (int32 units).
    pub anchor_value: i32,
    /// Decimals of the anchor value.
    pub anchor_decimals: i8,
}

impl Default for FastUpdatesConfig {
    fn default() -> Self {
        Self {
            submission_window: 10,
            sample_size: 0x0180 << 112,
            range: 0x0C00 << 96,
            fee_per_feed_wei: 1,
            anchor_value: 100_000,
            anchor_decimals: 5,
        }
    }
}

impl Default for DevnetConfig {
    fn default() -> Self {
        Self {
            entities: 3,
            voting_epoch: Duration::from_secs(20),
            reveal_deadline: Duration::from_secs(10),
            reward_epoch_voting_epochs: 5,
            chain_id: 31337,
            block_time: None,
            first_reward_epoch_start_voting_round_id: 1000,
            signing_policy_init_lead: Duration::from_secs(40),
            voter_registration_min_duration: Duration::from_secs(5),
            submit_uptime_vote_min_duration: Duration::from_secs(5),
            vote_power_wei: 1_000_000_000_000_000_000_000_000,
            feeds: vec![
                (1, "FLR/USD".into()),
                (1, "BTC/USD".into()),
                (1, "ETH/USD".into()),
            ],
            feed_decimals: 5,
            ftso_protocol_id: 100,
            fast_updates: FastUpdatesConfig::default(),
        }
    }
}

impl DevnetConfig {
    /// Reward epoch length in seconds.
    pub fn reward_epoch_seconds(&self) -> u64 {
        self.voting_epoch.as_secs() * u64::from(self.reward_epoch_voting_epochs)
    }

    /// Checks the parameters fit the contracts' integer widths and ordering rules.
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.entities >= 1, "at least one entity is needed");
        let ve = self.voting_epoch.as_secs();
        anyhow::ensure!(
            (1..=255).contains(&ve),
            "voting epoch must be 1..=255 s, got {ve}"
        );
        anyhow::ensure!(
            self.reward_epoch_voting_epochs >= 2
                && self.reward_epoch_voting_epochs <= u32::from(u16::MAX),
            "reward epoch must be 2..=65535 voting rounds"
        );
        anyhow::ensure!(
            self.signing_policy_init_lead.as_secs() < self.reward_epoch_seconds(),
            "signing policy initialization lead must be shorter than a reward epoch"
        );
        anyhow::ensure!(
            self.feeds.iter().all(|(_, name)| name.len() <= 20),
            "feed names are at most 20 bytes"
        );
        let fu = &self.fast_updates;
        anyhow::ensure!(
            (1..100).contains(&fu.submission_window),
            "fast-updates submission window must be 1..=99 blocks"
        );
        anyhow::ensure!(
            fu.range > 0 && fu.range <= fu.sample_size,
            "fast-updates range must be in 1..=sample_size"
        );
        anyhow::ensure!(
            fu.fee_per_feed_wei > 0 && fu.anchor_value > 0,
            "fast-updates fee and anchor value must be positive"
        );
        Ok(())
    }

    /// The 21-byte feed id: category byte, then the name right-padded with zeros.
    pub fn feed_id(category: u8, name: &str) -> [u8; 21] {
        let mut id = [0u8; 21];
        id[0] = category;
        let bytes = name.as_bytes();
        let len = bytes.len().min(20);
        id[1..=len].copy_from_slice(&bytes[..len]);
        id
    }
}
