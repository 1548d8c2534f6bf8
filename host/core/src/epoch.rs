//! Voting-epoch (voting round) and reward-epoch arithmetic from a network's epoch settings.
//!
//! * voting round `v` spans `[T0 + v·D, T0 + (v+1)·D)`; `id(t) = ⌊(t − T0)/D⌋`;
//! * its reveal deadline is `start(v) + R` (reveals count while the relative time is `< R`);
//! * nominal reward epoch `e` holds rounds `[V0 + e·L, V0 + (e+1)·L)`; the *actual* start of an
//!   epoch is its signing policy's `startVotingRoundId`, which can be late but never early.
//!
//! Times are unix seconds. Functions that would underflow (a time before `T0`, a round before
//! `V0`) return `None` rather than the reference's negative numbers.

/// The epoch settings of a network (as in `Relay.stateData()` / `FlareSystemsManager`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EpochSettings {
    /// `firstVotingRoundStartTs` (T0), unix seconds.
    pub first_voting_round_start_ts: u64,
    /// `votingEpochDurationSeconds` (D).
    pub voting_epoch_duration_seconds: u64,
    /// `firstRewardEpochStartVotingRoundId` (V0).
    pub first_reward_epoch_start_voting_round_id: u32,
    /// `rewardEpochDurationInVotingEpochs` (L).
    pub reward_epoch_duration_in_voting_epochs: u32,
    /// Reveal deadline in seconds after the round start (R, off-chain, 45 s on every network).
    pub reveal_deadline_seconds: u64,
}

/// Flare mainnet (chain 14).
pub const FLARE: EpochSettings = EpochSettings {
    first_voting_round_start_ts: 1_658_430_000,
    voting_epoch_duration_seconds: 90,
    first_reward_epoch_start_voting_round_id: 0,
    reward_epoch_duration_in_voting_epochs: 3360,
    reveal_deadline_seconds: 45,
};

/// Songbird (chain 19).
pub const SONGBIRD: EpochSettings = EpochSettings {
    first_voting_round_start_ts: 1_658_429_955,
    ..FLARE
};

/// Coston (chain 16).
pub const COSTON: EpochSettings = EpochSettings {
    first_voting_round_start_ts: 1_658_429_955,
    reward_epoch_duration_in_voting_epochs: 240,
    ..FLARE
};

/// Coston2 (chain 114).
pub const COSTON2: EpochSettings = EpochSettings {
    first_voting_round_start_ts: 1_658_430_000,
    reward_epoch_duration_in_voting_epochs: 240,
    ..FLARE
};

/// The project's local devnet profile: 90 s rounds as everywhere, 10-round reward epochs (the
/// `scdev` chain config of flare-smart-contracts-v2), rounds counted from 2022-07-21 as on Flare.
pub const LOCAL: EpochSettings = EpochSettings {
    first_voting_round_start_ts: 1_658_430_000,
    reward_epoch_duration_in_voting_epochs: 10,
    ..FLARE
};

/// A named network profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NetworkProfile {
    /// Profile name (`flare`, `songbird`, `coston`, `coston2`, `local`).
    pub name: &'static str,
    /// Chain id (`None` for `local`: whatever the devnet uses).
    pub chain_id: Option<u64>,
    /// Epoch settings.
    pub epochs: EpochSettings,
    /// `INITIAL_REWARD_EPOCH_ID` of the FTSOv2 data provider: the reward epoch the network's FSP
    /// started with (its successor's start is synthetic, and benching before it is clipped).
    pub initial_reward_epoch_id: u32,
}

/// Every known profile, in display order.
pub const PROFILES: [NetworkProfile; 5] = [
    NetworkProfile {
        name: "flare",
        chain_id: Some(14),
        epochs: FLARE,
        initial_reward_epoch_id: 223,
    },
    NetworkProfile {
        name: "songbird",
        chain_id: Some(19),
        epochs: SONGBIRD,
        initial_reward_epoch_id: 183,
    },
    NetworkProfile {
        name: "coston",
        chain_id: Some(16),
        epochs: COSTON,
        initial_reward_epoch_id: 2466,
    },
    NetworkProfile {
        name: "coston2",
        chain_id: Some(114),
        epochs: COSTON2,
        initial_reward_epoch_id: 3110,
    },
    NetworkProfile {
        name: "local",
        chain_id: None,
        epochs: LOCAL,
        initial_reward_epoch_id: 0,
    },
];

/// The profile called `name` (case-insensitive).
pub fn profile(name: &str) -> Option<&'static NetworkProfile> {
    PROFILES
        .iter()
        .find(|profile| profile.name.eq_ignore_ascii_case(name))
}

impl EpochSettings {
    /// The voting round containing unix time `t`; `None` before the first round.
    pub fn voting_round_at(&self, t: u64) -> Option<u32> {
        let elapsed = t.checked_sub(self.first_voting_round_start_ts)?;
        let round = elapsed.checked_div(self.voting_epoch_duration_seconds)?;
        u32::try_from(round).ok()
    }

    /// Start of voting round `v` (inclusive).
    pub fn voting_round_start(&self, v: u32) -> u64 {
        self.first_voting_round_start_ts + u64::from(v) * self.voting_epoch_duration_seconds
    }

    /// End of voting round `v` (exclusive): the start of round `v + 1`.
    pub fn voting_round_end(&self, v: u32) -> u64 {
        self.voting_round_start(v) + self.voting_epoch_duration_seconds
    }

    /// Reveal deadline of round `v` (exclusive): reveals for `v` count while sent in round
    /// `v + 1` at a relative time below `R`, i.e. before `start(v + 1) + R`.
    pub fn reveal_deadline(&self, v: u32) -> u64 {
        self.voting_round_end(v) + self.reveal_deadline_seconds
    }

    /// Seconds into its voting round at time `t` (`None` before the first round).
    pub fn relative_time(&self, t: u64) -> Option<u64> {
        let elapsed = t.checked_sub(self.first_voting_round_start_ts)?;
        elapsed.checked_rem(self.voting_epoch_duration_seconds)
    }

    /// Nominal reward epoch of voting round `v`; `None` before the first reward epoch.
    pub fn reward_epoch_of_round(&self, v: u32) -> Option<u32> {
        let offset = v.checked_sub(self.first_reward_epoch_start_voting_round_id)?;
        offset.checked_div(self.reward_epoch_duration_in_voting_epochs)
    }

    /// Nominal first voting round of reward epoch `e`.
    pub fn reward_epoch_start_round(&self, e: u32) -> u64 {
        u64::from(self.first_reward_epoch_start_voting_round_id)
            + u64::from(e) * u64::from(self.reward_epoch_duration_in_voting_epochs)
    }

    /// Nominal first round after reward epoch `e` (the Go finalizer's `EndEpoch(e)`): from here
    /// on, a message still signed with `e`'s policy needs the raised threshold.
    pub fn reward_epoch_end_round(&self, e: u32) -> u64 {
        self.reward_epoch_start_round(e) + u64::from(self.reward_epoch_duration_in_voting_epochs)
    }

    /// Nominal start time of reward epoch `e`.
    pub fn reward_epoch_start_time(&self, e: u32) -> u64 {
        self.first_voting_round_start_ts
            + self.reward_epoch_start_round(e) * self.voting_epoch_duration_seconds
    }

    /// Nominal reward epoch at time `t`.
    pub fn reward_epoch_at(&self, t: u64) -> Option<u32> {
        self.reward_epoch_of_round(self.voting_round_at(t)?)
    }

    /// Duration of a reward epoch in seconds.
    pub fn reward_epoch_duration_seconds(&self) -> u64 {
        u64::from(self.reward_epoch_duration_in_voting_epochs) * self.voting_epoch_duration_seconds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flare_round_749380_matches_the_data_provider_digest() {
        // data-provider.md §8.7: round 749380 spans [1725874200, 1725874289], its reveals end
        // with revealDeadlineSec(749381) = 1725874334 (inclusive), reward epoch 223.
        assert_eq!(FLARE.voting_round_start(749_380), 1_725_874_200);
        assert_eq!(FLARE.voting_round_end(749_380) - 1, 1_725_874_289);
        assert_eq!(FLARE.reveal_deadline(749_380) - 1, 1_725_874_334);
        assert_eq!(FLARE.voting_round_at(1_725_874_200), Some(749_380));
        assert_eq!(FLARE.voting_round_at(1_725_874_289), Some(749_380));
        assert_eq!(FLARE.voting_round_at(1_725_874_290), Some(749_381));
        assert_eq!(FLARE.reward_epoch_of_round(749_380), Some(223));
    }

    #[test]
    fn flare_epoch_309_starts_at_round_1038240() {
        // The Flare epoch-309 signing policy starts at round 1038240 = 309 · 3360.
        assert_eq!(FLARE.reward_epoch_start_round(309), 1_038_240);
        assert_eq!(FLARE.reward_epoch_of_round(1_038_240), Some(309));
        assert_eq!(FLARE.reward_epoch_of_round(1_038_239), Some(308));
        assert_eq!(FLARE.reward_epoch_end_round(309), 1_041_600);
        assert_eq!(FLARE.reward_epoch_duration_seconds(), 302_400);
        assert_eq!(
            FLARE.reward_epoch_start_time(309),
            1_658_430_000 + 1_038_240 * 90
        );
    }

    #[test]
    fn coston_has_six_hour_reward_epochs_and_songbird_an_earlier_start() {
        assert_eq!(COSTON.reward_epoch_duration_seconds(), 6 * 3600);
        assert_eq!(COSTON2.reward_epoch_duration_seconds(), 6 * 3600);
        assert_eq!(SONGBIRD.first_voting_round_start_ts, 1_658_429_955);
        assert_eq!(SONGBIRD.reward_epoch_duration_in_voting_epochs, 3360);
    }

    #[test]
    fn times_before_the_first_round_have_no_round() {
        assert_eq!(FLARE.voting_round_at(1_658_429_999), None);
        assert_eq!(FLARE.voting_round_at(1_658_430_000), Some(0));
        assert_eq!(FLARE.relative_time(1_658_430_091), Some(1));
        let late = EpochSettings {
            first_reward_epoch_start_voting_round_id: 1000,
            ..LOCAL
        };
        assert_eq!(late.reward_epoch_of_round(999), None);
        assert_eq!(late.reward_epoch_of_round(1010), Some(1));
    }

    #[test]
    fn profiles_are_found_by_name() {
        assert_eq!(profile("Flare").map(|p| p.chain_id), Some(Some(14)));
        assert_eq!(profile("local").map(|p| p.epochs), Some(LOCAL));
        assert!(profile("mainnet").is_none());
    }

    #[test]
    fn initial_reward_epochs_are_the_data_providers() {
        // FTSO-Scaling libs/ftso-core/src/constants.ts (data-provider digest §8.7).
        let initial = |name| profile(name).map(|p| p.initial_reward_epoch_id);
        assert_eq!(initial("flare"), Some(223));
        assert_eq!(initial("songbird"), Some(183));
        assert_eq!(initial("coston"), Some(2466));
        assert_eq!(initial("coston2"), Some(3110));
        assert_eq!(initial("local"), Some(0));
    }
}
