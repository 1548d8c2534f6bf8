//! Time for the scheduler: the clock it reads (the local clock, as the reference, which trusts NTP) and when each
//! step of a round runs and until when its transaction is valid (system-client digest §1.3).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ftso_core::epoch::EpochSettings;

/// The clock rounds are scheduled on: local time, optionally corrected by a known offset to the chain's time
/// (a devnet whose time was moved forward). Transaction deadlines are converted back to local time, which is what
/// the transaction sender compares them with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    /// Chain time minus local time, in milliseconds (0: the local clock is the chain's).
    ahead_ms: i64,
}

impl Clock {
    /// The local clock.
    pub fn local() -> Self {
        Self::default()
    }

    /// A clock `ahead_ms` milliseconds ahead of the local one (negative: behind).
    pub fn ahead_of_local_by_ms(ahead_ms: i64) -> Self {
        Self { ahead_ms }
    }

    /// Unix time now, in milliseconds.
    pub fn now_ms(&self) -> u64 {
        let local = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        u64::try_from(local.saturating_add(self.ahead_ms)).unwrap_or(0)
    }

    /// Unix time now, in whole seconds.
    pub fn now_secs(&self) -> u64 {
        self.now_ms() / 1000
    }

    /// How long until unix time `at_ms` (zero if it has passed).
    pub fn until_ms(&self, at_ms: u64) -> Duration {
        Duration::from_millis(at_ms.saturating_sub(self.now_ms()))
    }

    /// Sleeps until unix time `at_ms` by this clock.
    pub async fn sleep_until_ms(&self, at_ms: u64) {
        tokio::time::sleep(self.until_ms(at_ms)).await;
    }

    /// The local time at which this clock reads unix second `unix_secs`.
    pub fn local_time_of(&self, unix_secs: u64) -> SystemTime {
        let local_ms = i64::try_from(unix_secs.saturating_mul(1000))
            .unwrap_or(i64::MAX)
            .saturating_sub(self.ahead_ms);
        UNIX_EPOCH + Duration::from_millis(u64::try_from(local_ms).unwrap_or(0))
    }
}

/// When the steps of voting round N run and until when their transactions count (unix milliseconds / seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundTimes {
    /// Start of round N.
    pub start_ms: u64,
    /// Start of round N+1.
    pub next_start_ms: u64,
    /// Reveal deadline of round N (in round N+1), unix seconds.
    pub reveal_deadline_secs: u64,
    /// Start of round N+2, unix seconds: the end of the submitSignatures window.
    pub after_next_start_secs: u64,
}

impl RoundTimes {
    /// The times of `round` under `epochs`.
    pub fn of(epochs: &EpochSettings, round: u32) -> Self {
        let next = round.saturating_add(1);
        Self {
            start_ms: epochs.voting_round_start(round).saturating_mul(1000),
            next_start_ms: epochs.voting_round_start(next).saturating_mul(1000),
            reveal_deadline_secs: epochs.reveal_deadline(round),
            after_next_start_secs: epochs.voting_round_start(next.saturating_add(1)),
        }
    }

    /// `offset` after the start of round N.
    pub fn in_round(&self, offset: Duration) -> u64 {
        self.start_ms.saturating_add(millis(offset))
    }

    /// `offset` after the start of round N+1.
    pub fn in_next_round(&self, offset: Duration) -> u64 {
        self.next_start_ms.saturating_add(millis(offset))
    }

    /// End of submit1's window: the start of round N+1, unix seconds.
    pub fn submit1_window_end(&self) -> u64 {
        self.next_start_ms / 1000
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_times_follow_the_spec_windows() {
        let flare = ftso_core::epoch::FLARE;
        let round = 1_038_240;
        let times = RoundTimes::of(&flare, round);
        let start = flare.voting_round_start(round);
        assert_eq!(times.start_ms, start * 1000);
        assert_eq!(times.next_start_ms, (start + 90) * 1000);
        assert_eq!(times.reveal_deadline_secs, start + 90 + 45);
        assert_eq!(times.after_next_start_secs, start + 180);
        assert_eq!(times.submit1_window_end(), start + 90);
        assert_eq!(times.in_round(Duration::from_secs(75)), (start + 75) * 1000);
        assert_eq!(
            times.in_next_round(Duration::from_millis(20_500)),
            (start + 90) * 1000 + 20_500
        );
    }

    #[test]
    fn an_offset_clock_converts_both_ways() {
        let local = Clock::local();
        let ahead = Clock::ahead_of_local_by_ms(100_000);
        let difference = ahead.now_ms() - local.now_ms();
        assert!((99_000..=101_000).contains(&difference), "{difference}");
        let at = ahead.now_secs() + 10;
        let local_time = ahead.local_time_of(at);
        let local_secs = local_time.duration_since(UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(local_secs, at - 100);
        assert_eq!(Clock::local().until_ms(0), Duration::ZERO);
    }
}
