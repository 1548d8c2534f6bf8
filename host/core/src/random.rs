//! The round random and whether it is secure (the reference's `calculateRandom`).
//!
//! ```text
//! random   = Σ uint256(reveal.random) over valid reveals of non-benched voters   (mod 2²⁵⁶)
//! isSecure = no reveal offender of this round is outside the benched set
//!            AND at least 2 non-benched voters revealed validly
//! ```
//!
//! "Benched" voters are the reveal offenders of the benching window (the previous 20 rounds);
//! their values still count in the medians, only the random ignores them.

use alloy_primitives::{B256, U256};

/// Minimum number of non-benched valid revealers for a secure random.
pub const NON_BENCHED_RANDOM_VOTERS_MIN_COUNT: usize = 2;

/// The round random and its security flag: the Random leaf of the result tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RoundRandom {
    /// Sum of the non-benched valid randoms modulo 2²⁵⁶.
    pub value: U256,
    /// Whether the random may be used as secure.
    pub is_secure: bool,
}

/// One voter's part in the round random.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RandomParticipant {
    /// A valid reveal (its commit matched) with its random.
    Revealed {
        /// The revealed random.
        random: B256,
        /// Whether the voter is in the benched set.
        benched: bool,
    },
    /// An eligible committer of this round without a valid reveal.
    Offender {
        /// Whether the voter is in the benched set.
        benched: bool,
    },
    /// Neither committed nor revealed: plays no part.
    Absent,
}

/// Computes the round random from every voter's participation.
pub fn round_random(participants: impl IntoIterator<Item = RandomParticipant>) -> RoundRandom {
    let mut value = U256::ZERO;
    let mut revealers = 0usize;
    let mut unbenched_offenders = 0usize;
    for participant in participants {
        match participant {
            RandomParticipant::Revealed {
                random,
                benched: false,
            } => {
                value = value.wrapping_add(U256::from_be_bytes(random.0));
                revealers += 1;
            }
            RandomParticipant::Offender { benched: false } => unbenched_offenders += 1,
            RandomParticipant::Revealed { benched: true, .. }
            | RandomParticipant::Offender { benched: true }
            | RandomParticipant::Absent => {}
        }
    }
    RoundRandom {
        value,
        is_secure: unbenched_offenders == 0 && revealers >= NON_BENCHED_RANDOM_VOTERS_MIN_COUNT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RandomParticipant::{Absent, Offender, Revealed};

    fn revealed(n: u64, benched: bool) -> RandomParticipant {
        Revealed {
            random: B256::from(U256::from(n)),
            benched,
        }
    }

    #[test]
    fn digest_synthetic_round_is_six_and_insecure() {
        // data-provider.md §12.5: randoms 1, 2, 3 and one unbenched offender.
        let r = round_random([
            revealed(1, false),
            revealed(2, false),
            revealed(3, false),
            Offender { benched: false },
        ]);
        assert_eq!(
            r,
            RoundRandom {
                value: U256::from(6),
                is_secure: false
            }
        );
    }

    #[test]
    fn benched_offenders_do_not_make_it_insecure_and_benched_revealers_do_not_count() {
        let r = round_random([
            revealed(1, false),
            revealed(2, false),
            revealed(40, true),
            Offender { benched: true },
            Absent,
        ]);
        assert_eq!(
            r,
            RoundRandom {
                value: U256::from(3),
                is_secure: true
            }
        );
        let r = round_random([revealed(1, false), revealed(2, true)]);
        assert_eq!(
            r,
            RoundRandom {
                value: U256::from(1),
                is_secure: false
            }
        );
    }

    #[test]
    fn sum_wraps_modulo_2_256() {
        let r = round_random([
            Revealed {
                random: B256::repeat_byte(0xff),
                benched: false,
            },
            revealed(5, false),
        ]);
        assert_eq!(
            r,
            RoundRandom {
                value: U256::from(4),
                is_secure: true
            }
        );
        assert_eq!(round_random([]), RoundRandom::default());
    }
}
