//! The reward epoch's canonical feed order (reference `rewardEpochFeedSequence`): the order of
//! every reveal's values and of the result tree's feed leaves.
//!
//! * inflation feeds first, by id ascending;
//! * then community-only feeds by their summed offered amount descending, ties by id ascending;
//! * a feed offered with two different decimals makes the epoch unusable.

use std::collections::HashMap;

use alloy_primitives::U256;
use ftso_core::feed::FeedId;
use ftso_core::round::FeedDefinition;

use crate::chain::events::{InflationRewardsOffered, OfferedFeed, RewardsOffered};

/// Why the feed order could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedOrderError {
    /// Two offers state different decimals for one feed.
    #[error("feed {feed} offered with decimals {first} and {second}")]
    ConflictingDecimals {
        /// The feed.
        feed: FeedId,
        /// Decimals of the first offer.
        first: i16,
        /// Decimals of the conflicting offer.
        second: i16,
    },
    /// The decimals do not fit the leaf's `int8`.
    #[error("feed {feed} has decimals {decimals}, outside int8")]
    DecimalsOutOfRange {
        /// The feed.
        feed: FeedId,
        /// The decimals offered.
        decimals: i16,
    },
}

struct Entry {
    decimals: i16,
    inflation: bool,
    amount: U256,
}

/// The canonical feed order of a reward epoch from its offers, each list in event order.
pub fn canonical_feed_order(
    inflation: &[InflationRewardsOffered],
    community: &[RewardsOffered],
) -> Result<Vec<FeedDefinition>, FeedOrderError> {
    let mut entries: HashMap<FeedId, Entry> = HashMap::new();
    let mut add = |feed: &OfferedFeed, inflation: bool, amount: U256| {
        match entries.get_mut(&feed.id) {
            Some(entry) if entry.decimals != feed.decimals => {
                return Err(FeedOrderError::ConflictingDecimals {
                    feed: feed.id,
                    first: entry.decimals,
                    second: feed.decimals,
                });
            }
            Some(entry) => entry.amount = entry.amount.saturating_add(amount),
            None => {
                entries.insert(
                    feed.id,
                    Entry {
                        decimals: feed.decimals,
                        inflation,
                        amount,
                    },
                );
            }
        }
        Ok(())
    };
    for offer in inflation {
        for feed in &offer.feeds {
            add(feed, true, U256::ZERO)?;
        }
    }
    for offer in community {
        add(&offer.feed, false, offer.amount)?;
    }
    let mut ordered: Vec<(FeedId, Entry)> = entries.into_iter().collect();
    ordered.sort_by(|(a_id, a), (b_id, b)| {
        b.inflation
            .cmp(&a.inflation)
            .then_with(|| {
                if a.inflation {
                    std::cmp::Ordering::Equal
                } else {
                    b.amount.cmp(&a.amount)
                }
            })
            .then_with(|| a_id.cmp(b_id))
    });
    ordered
        .into_iter()
        .map(|(id, entry)| {
            let decimals =
                i8::try_from(entry.decimals).map_err(|_| FeedOrderError::DecimalsOutOfRange {
                    feed: id,
                    decimals: entry.decimals,
                })?;
            Ok(FeedDefinition { id, decimals })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(name: &str, decimals: i16) -> OfferedFeed {
        OfferedFeed {
            id: FeedId::new(1, name).unwrap(),
            decimals,
        }
    }

    fn community(name: &str, decimals: i16, amount: u64) -> RewardsOffered {
        RewardsOffered {
            reward_epoch_id: 1,
            feed: feed(name, decimals),
            amount: U256::from(amount),
        }
    }

    fn names(order: &[FeedDefinition]) -> Vec<String> {
        order
            .iter()
            .map(|f| f.id.category_and_name().unwrap().1)
            .collect()
    }

    #[test]
    fn inflation_by_id_then_community_by_amount_then_id() {
        let inflation = [InflationRewardsOffered {
            reward_epoch_id: 1,
            feeds: vec![feed("FLR/USD", 7), feed("BTC/USD", 2)],
        }];
        let community = [
            community("XRP/USD", 5, 10),
            community("DOGE/USD", 5, 30),
            community("ADA/USD", 5, 10),
            community("FLR/USD", 7, 1000),
            community("XRP/USD", 5, 25),
        ];
        let order = canonical_feed_order(&inflation, &community).unwrap();
        assert_eq!(
            names(&order),
            ["BTC/USD", "FLR/USD", "XRP/USD", "DOGE/USD", "ADA/USD"]
        );
        assert_eq!(order[1].decimals, 7);
    }

    #[test]
    fn conflicting_decimals_fail() {
        let inflation = [InflationRewardsOffered {
            reward_epoch_id: 1,
            feeds: vec![feed("BTC/USD", 2)],
        }];
        let error = canonical_feed_order(&inflation, &[community("BTC/USD", 3, 1)]).unwrap_err();
        assert!(matches!(error, FeedOrderError::ConflictingDecimals { .. }));
    }

    #[test]
    fn unsigned_inflation_decimals_outside_int8_fail() {
        let inflation = [InflationRewardsOffered {
            reward_epoch_id: 1,
            feeds: vec![feed("BTC/USD", 255)],
        }];
        let error = canonical_feed_order(&inflation, &[]).unwrap_err();
        assert!(matches!(error, FeedOrderError::DecimalsOutOfRange { .. }));
    }
}
