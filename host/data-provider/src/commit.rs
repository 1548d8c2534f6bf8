//! Our own commit (submit1) and reveal (submit2), persisted before the commit is returned.
//!
//! ```text
//! submit1(round, address) ─► stored? ──yes──────────────────────────────────────┐
//!                              └─no─► feeds of the round ─► our values ─► CSPRNG random ─► encode
//!                                     ─► store (first writer wins) ─────────────┴─► commit hash ─► PayloadMessage
//! submit2(round, address) ─► stored? ─► random ‖ encoded values ─► PayloadMessage (else not available)
//! ```
//!
//! Bytes come from `ftso_core::commit` (hash, payloads) and `ftso_core::value` (encoding): a
//! feed without a value is the empty word, trailing empty words are stripped and the commit
//! covers the stripped bytes.

use std::sync::Arc;

use alloy_primitives::{Address, B256};
use anyhow::Context as _;
use ftso_core::{
    commit::{CommitReveal, Reveal, submit1_message},
    feed::FeedId,
    round::FeedDefinition,
    value::ProviderValue,
};
use ftso_feeds::{FeedValueSource, registry::FeedKey};
use futures::future::BoxFuture;

use crate::{
    chain::ChainReader,
    commit_store::{RevealStore, StoredReveal},
};

/// The feeds a voting round votes on: those of its reward epoch, in canonical order.
pub trait RoundFeeds: Send + Sync + std::fmt::Debug {
    /// The feeds of `voting_round_id`; an error when its reward epoch is not known (yet).
    fn round_feeds(
        &self,
        voting_round_id: u32,
    ) -> BoxFuture<'_, anyhow::Result<Vec<FeedDefinition>>>;
}

/// The reward epoch of a round from the indexed events; a round that has not started has none
/// (the reference's submit1 fails for it).
impl RoundFeeds for ChainReader {
    fn round_feeds(
        &self,
        voting_round_id: u32,
    ) -> BoxFuture<'_, anyhow::Result<Vec<FeedDefinition>>> {
        Box::pin(async move {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let epoch = self.epoch_of_round(voting_round_id, now).await?;
            Ok(epoch.feeds.clone())
        })
    }
}

/// Commits and reveals for our entity.
#[derive(Debug, Clone)]
pub struct Committer {
    store: RevealStore,
    feeds: Arc<dyn RoundFeeds>,
    values: Arc<dyn FeedValueSource>,
}

impl Committer {
    /// A committer storing in `store`, voting on `feeds` with values from `values`.
    pub fn new(
        store: RevealStore,
        feeds: Arc<dyn RoundFeeds>,
        values: Arc<dyn FeedValueSource>,
    ) -> Self {
        Self {
            store,
            feeds,
            values,
        }
    }

    /// The submit1 PayloadMessage of `voting_round_id` for `submit_address` (spelled as the key
    /// of the reveal data, see [`crate::commit_store`]).
    ///
    /// The first call for a key fetches the values, draws the random and stores them before
    /// answering; later calls answer from the stored data.
    pub async fn commit(
        &self,
        voting_round_id: u32,
        submit_address: &str,
    ) -> anyhow::Result<Vec<u8>> {
        let address = parse_submit_address(submit_address)?;
        let reveal = match self.store.get(voting_round_id, submit_address).await? {
            Some(stored) => stored,
            None => {
                let fresh = self
                    .fresh_reveal(voting_round_id, submit_address, address)
                    .await?;
                self.store.insert_or_get(&fresh).await?
            }
        };
        let reveal = Reveal {
            random: reveal.random,
            encoded_values: reveal.encoded_values,
        };
        let message = submit1_message(
            voting_round_id,
            reveal.commit_hash(address, voting_round_id),
        );
        Ok(message.encode()?)
    }

    /// The submit2 PayloadMessage of `voting_round_id` for `submit_address`, or `None` when
    /// nothing was committed under that key.
    pub async fn reveal(
        &self,
        voting_round_id: u32,
        submit_address: &str,
    ) -> anyhow::Result<Option<Vec<u8>>> {
        let Some(stored) = self.store.get(voting_round_id, submit_address).await? else {
            return Ok(None);
        };
        let reveal = Reveal {
            random: stored.random,
            encoded_values: stored.encoded_values,
        };
        Ok(Some(reveal.submit2_message(voting_round_id)?.encode()?))
    }

    async fn fresh_reveal(
        &self,
        voting_round_id: u32,
        submit_address: &str,
        address: Address,
    ) -> anyhow::Result<StoredReveal> {
        let feeds = self
            .feeds
            .round_feeds(voting_round_id)
            .await
            .with_context(|| format!("no feeds for voting round {voting_round_id}"))?;
        let values = self.our_values(voting_round_id, &feeds).await?;
        let provided: Vec<ProviderValue> =
            values.iter().copied().map(ProviderValue::from).collect();
        let decimals: Vec<i8> = feeds.iter().map(|feed| feed.decimals).collect();
        let committed = CommitReveal::new(
            address,
            voting_round_id,
            random_b256()?,
            &provided,
            &decimals,
        )
        .with_context(|| format!("cannot encode our values for voting round {voting_round_id}"))?;
        Ok(StoredReveal {
            voting_round_id,
            submit_address: submit_address.to_owned(),
            random: committed.reveal.random,
            encoded_values: committed.reveal.encoded_values,
            feeds: feeds.iter().map(|feed| feed.id).collect(),
            values,
        })
    }

    /// Our value of each feed, asked by the name the reference sends to a value provider.
    async fn our_values(
        &self,
        voting_round_id: u32,
        feeds: &[FeedDefinition],
    ) -> anyhow::Result<Vec<Option<f64>>> {
        let keys: Vec<Option<FeedKey>> = feeds.iter().map(|feed| feed_key(&feed.id)).collect();
        let askable: Vec<FeedKey> = keys.iter().flatten().cloned().collect();
        let answers = self
            .values
            .values(Some(voting_round_id), &askable)
            .await
            .with_context(|| {
                format!("cannot get our feed values for voting round {voting_round_id}")
            })?;
        let mut answers = answers.into_iter();
        Ok(keys
            .iter()
            .map(|key| key.as_ref().and_then(|_| answers.next().flatten()))
            .collect())
    }
}

/// The feed as the reference names it to a value provider (category parsed with JavaScript's
/// `parseInt`, NULs removed); `None` where the category is `NaN`, which no provider serves.
fn feed_key(id: &FeedId) -> Option<FeedKey> {
    let decoded = id.data_provider_decode();
    Some(FeedKey {
        category: decoded.category?,
        name: decoded.name,
    })
}

/// A submit address as the reference's ABI encoder takes it after lower-casing: 40 hex digits,
/// `0x` optional, any letter case (so EIP-55 and lowercase spellings both work).
pub fn parse_submit_address(text: &str) -> anyhow::Result<Address> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    let bytes = hex::decode(digits.to_ascii_lowercase())
        .ok()
        .filter(|bytes| bytes.len() == 20)
        .with_context(|| format!("invalid submit address {text:?}"))?;
    Ok(Address::from_slice(&bytes))
}

/// 32 bytes from the operating system's CSPRNG.
fn random_b256() -> anyhow::Result<B256> {
    let mut random = [0u8; 32];
    getrandom::fill(&mut random).map_err(|e| anyhow::anyhow!("no randomness from the OS: {e}"))?;
    Ok(B256::from(random))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submit_addresses_take_any_case_with_or_without_0x() {
        let lower = parse_submit_address("0x1234567890abcdef1234567890abcdef12345678").unwrap();
        let eip55 = parse_submit_address("0x1234567890AbcdEF1234567890aBcdef12345678").unwrap();
        let bare = parse_submit_address("1234567890ABCDEF1234567890ABCDEF12345678").unwrap();
        assert_eq!(lower, eip55);
        assert_eq!(lower, bare);
        for bad in [
            "",
            "0x",
            "0x1234",
            "0xzz34567890abcdef1234567890abcdef12345678",
            "hello",
        ] {
            assert!(parse_submit_address(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn feeds_are_named_as_the_reference_names_them() {
        let btc = feed_key(&FeedId::new(1, "BTC/USD").unwrap()).unwrap();
        assert_eq!((btc.category, btc.name.as_str()), (1, "BTC/USD"));
        assert!(feed_key(&FeedId::new(0xff, "X").unwrap()).is_none());
    }

    #[test]
    fn randoms_differ() {
        assert_ne!(random_b256().unwrap(), random_b256().unwrap());
    }
}
