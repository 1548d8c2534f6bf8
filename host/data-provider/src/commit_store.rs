//! Durable reveal data: what submit1 committed to, written before the commit is returned.
//!
//! The reference keeps this in an in-memory LRU and loses it on restart (an unrevealed commit is
//! penalised). Here it is a row of `dp_reveals` (migration `0003_reveals`), keyed as the
//! reference keys its cache: the voting round and the submit address exactly as given. The first
//! commit of a key wins; a second submit1 for it (or a concurrent one) gets the stored row back,
//! so submit1 is idempotent as in the reference.

use alloy_primitives::B256;
use anyhow::Context as _;
use ftso_core::feed::FeedId;
use ftso_storage::Storage;
use sqlx::Row as _;

/// The reveal of one commit, as stored.
#[derive(Clone, PartialEq)]
pub struct StoredReveal {
    /// Voting round.
    pub voting_round_id: u32,
    /// The submit address exactly as the caller spelled it (the key).
    pub submit_address: String,
    /// The committed random (secret until revealed: not shown by `Debug`).
    pub random: B256,
    /// The revealed value words (trailing empty words stripped).
    pub encoded_values: Vec<u8>,
    /// The feeds committed to, in canonical order.
    pub feeds: Vec<FeedId>,
    /// The values our source gave, one per feed (`None` = no value).
    pub values: Vec<Option<f64>>,
}

impl std::fmt::Debug for StoredReveal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredReveal")
            .field("voting_round_id", &self.voting_round_id)
            .field("submit_address", &self.submit_address)
            .field("random", &"[secret]")
            .field("encoded_values", &hex::encode(&self.encoded_values))
            .field("feeds", &self.feeds.len())
            .finish()
    }
}

/// The `dp_reveals` table.
#[derive(Debug, Clone)]
pub struct RevealStore {
    storage: Storage,
}

impl RevealStore {
    /// The store in `storage` (migrated when it was opened).
    pub fn new(storage: Storage) -> Self {
        Self { storage }
    }

    /// Stores `reveal` unless its key already has one; returns the stored reveal of the key
    /// (`reveal` itself, or the one stored first). The row is committed when this returns.
    pub async fn insert_or_get(&self, reveal: &StoredReveal) -> anyhow::Result<StoredReveal> {
        let feed_ids = reveal
            .feeds
            .iter()
            .map(|id| hex::encode(id.as_bytes()))
            .collect::<Vec<_>>()
            .join(",");
        let values = serde_json::to_string(&reveal.values).context("cannot encode values")?;
        let created_at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        sqlx::query(
            "INSERT INTO dp_reveals \
             (voting_round_id, submit_address, random, encoded_values, feed_ids, feed_values, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (voting_round_id, submit_address) DO NOTHING",
        )
        .bind(i64::from(reveal.voting_round_id))
        .bind(reveal.submit_address.clone())
        .bind(hex::encode(reveal.random))
        .bind(hex::encode(&reveal.encoded_values))
        .bind(feed_ids)
        .bind(values)
        .bind(created_at)
        .execute(self.storage.pool())
        .await
        .context("cannot store the reveal data")?;
        self.get(reveal.voting_round_id, &reveal.submit_address)
            .await?
            .context("the stored reveal data is not readable back")
    }

    /// The reveal committed for `(voting_round_id, submit_address)`, if any.
    pub async fn get(
        &self,
        voting_round_id: u32,
        submit_address: &str,
    ) -> anyhow::Result<Option<StoredReveal>> {
        let row = sqlx::query(
            "SELECT random, encoded_values, feed_ids, feed_values FROM dp_reveals \
             WHERE voting_round_id = $1 AND submit_address = $2",
        )
        .bind(i64::from(voting_round_id))
        .bind(submit_address.to_owned())
        .fetch_optional(self.storage.pool())
        .await
        .context("cannot read the reveal data")?;
        let Some(row) = row else {
            return Ok(None);
        };
        let text = |column: &str| -> anyhow::Result<String> {
            row.try_get::<String, _>(column)
                .with_context(|| format!("dp_reveals.{column}"))
        };
        let random = hex::decode(text("random")?)
            .ok()
            .and_then(|bytes| B256::try_from(bytes.as_slice()).ok())
            .context("dp_reveals.random is not 32 bytes of hex")?;
        let encoded_values =
            hex::decode(text("encoded_values")?).context("dp_reveals.encoded_values")?;
        let feed_ids = text("feed_ids")?;
        let feeds = feed_ids
            .split(',')
            .filter(|id| !id.is_empty())
            .map(|id| {
                hex::decode(id)
                    .ok()
                    .and_then(|bytes| FeedId::from_slice(&bytes).ok())
                    .with_context(|| format!("dp_reveals.feed_ids: bad id {id:?}"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let values =
            serde_json::from_str(&text("feed_values")?).context("dp_reveals.feed_values")?;
        Ok(Some(StoredReveal {
            voting_round_id,
            submit_address: submit_address.to_owned(),
            random,
            encoded_values,
            feeds,
            values,
        }))
    }
}
