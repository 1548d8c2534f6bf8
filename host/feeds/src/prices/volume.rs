//! Traded volume per second over the last hour, for one (exchange, symbol): the reference's
//! `VolumeStore` (ftso-v2-example-value-provider `src/data-feeds/volumes.ts`).

/// Seconds of history kept (the reference's fixed 3600).
pub const HISTORY_SECONDS: u64 = 3600;

/// A ring of per-second sums of `price × quantity` (quote currency).
#[derive(Debug, Clone)]
pub struct VolumeRing {
    slots: Box<[f64]>,
    /// Time of the last trade taken in, ms.
    last_trade_ms: Option<u64>,
}

impl Default for VolumeRing {
    fn default() -> Self {
        Self {
            slots: vec![0.0; HISTORY_SECONDS as usize].into_boxed_slice(),
            last_trade_ms: None,
        }
    }
}

/// A window longer than the history was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("volume window {0} s exceeds the {HISTORY_SECONDS} s of history")]
pub struct WindowTooLong(pub u64);

impl VolumeRing {
    fn slot(second: u64) -> usize {
        (second % HISTORY_SECONDS) as usize
    }

    /// Adds a trade; one older than the last one taken in is dropped (returns `false`), as in
    /// the reference.
    pub fn add(&mut self, timestamp_ms: u64, notional: f64) -> bool {
        if !notional.is_finite() {
            return false;
        }
        let second = timestamp_ms / 1000;
        if let Some(last_ms) = self.last_trade_ms {
            if timestamp_ms < last_ms {
                return false;
            }
            let last_second = last_ms / 1000;
            // Zero the seconds between the last trade and this one (at most the whole ring).
            let gap = (second - last_second).min(HISTORY_SECONDS);
            for s in (second + 1 - gap)..=second {
                if s > last_second {
                    self.slots[Self::slot(s)] = 0.0;
                }
            }
        } else {
            self.slots[Self::slot(second)] = 0.0;
        }
        self.slots[Self::slot(second)] += notional;
        self.last_trade_ms = Some(timestamp_ms);
        true
    }

    /// The volume in `[now_s - window_s, last_trade_s)`: the second of the most recent trade
    /// is excluded, and a last trade older than the window gives 0 (the reference's rule).
    pub fn volume(&self, window_s: u64, now_ms: u64) -> Result<f64, WindowTooLong> {
        if window_s > HISTORY_SECONDS {
            return Err(WindowTooLong(window_s));
        }
        let Some(last_ms) = self.last_trade_ms else {
            return Ok(0.0);
        };
        let last_second = last_ms / 1000;
        let start = (now_ms / 1000)
            .saturating_sub(window_s)
            .max(last_second.saturating_sub(HISTORY_SECONDS - 1));
        Ok((start..last_second)
            .map(|s| self.slots[Self::slot(s)])
            .sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// value-provider.md §3.9: binance trades at now-5 s (0.5 @ 100000) and now-3 s
    /// (0.25 @ 100000) with window 60 give 50000 (the last trade's second is excluded).
    #[test]
    fn reference_example_excludes_the_last_trades_second() {
        let now = 1_700_000_000_000;
        let mut ring = VolumeRing::default();
        assert!(ring.add(now - 5_000, 0.5 * 100_000.0));
        assert!(ring.add(now - 3_000, 0.25 * 100_000.0));
        assert_eq!(ring.volume(60, now), Ok(50_000.0));
        let mut single = VolumeRing::default();
        single.add(now - 4_000, 100_100.0);
        assert_eq!(single.volume(60, now), Ok(0.0));
    }

    #[test]
    fn older_trades_are_dropped_and_old_seconds_zeroed() {
        let mut ring = VolumeRing::default();
        let t = 1_000_000_000;
        assert!(ring.add(t, 1.0));
        assert!(!ring.add(t - 1, 5.0));
        // Exactly one hour later the slot of `t` is reused and must not carry the old 1.0.
        assert!(ring.add(t + HISTORY_SECONDS * 1000, 2.0));
        assert!(ring.add(t + HISTORY_SECONDS * 1000 + 1_000, 4.0));
        assert_eq!(ring.volume(10, t + HISTORY_SECONDS * 1000 + 2_000), Ok(2.0));
    }

    #[test]
    fn windows_beyond_the_history_are_refused() {
        let ring = VolumeRing::default();
        assert_eq!(ring.volume(3601, 0), Err(WindowTooLong(3601)));
        assert_eq!(ring.volume(3600, 0), Ok(0.0));
    }

    #[test]
    fn a_last_trade_older_than_the_window_gives_zero() {
        let mut ring = VolumeRing::default();
        ring.add(10_000, 1.0);
        ring.add(20_000, 1.0);
        assert_eq!(ring.volume(5, 100_000), Ok(0.0));
    }
}
