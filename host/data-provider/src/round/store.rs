//! Round results in the database (tables of migration `0002_round_results`, both dialects): one
//! `ftso_round_results` row per round, its feeds and voters beside it, written in one transaction.

use std::fmt::Write as _;
use std::str::FromStr;

use alloy_primitives::{Address, B256, U256};
use ftso_core::feed::FeedId;
use ftso_core::value;
use ftso_storage::Storage;
use ftso_storage::encode;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::round::RoundError;
use crate::round::record::{FeedRecord, RoundRecord, VoterOutcome, VoterRecord};

/// Stores a round's results; a round already stored is left as it is (results are final).
pub(crate) async fn save(storage: &Storage, record: &RoundRecord) -> Result<(), RoundError> {
    let round = i64::from(record.voting_round_id);
    let mut tx = storage.pool().begin().await?;
    let existing = sqlx::query("SELECT 1 FROM ftso_round_results WHERE voting_round_id = $1")
        .bind(round)
        .fetch_optional(&mut *tx)
        .await?;
    if existing.is_some() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO ftso_round_results (voting_round_id, reward_epoch_id, random, is_secure_random, \
         random_leaf, merkle_root, total_voting_weight) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(round)
    .bind(i64::from(record.reward_epoch_id))
    .bind(format!("{:x}", record.random))
    .bind(i64::from(record.is_secure_random))
    .bind(encode::b256(&record.random_leaf))
    .bind(encode::b256(&record.merkle_root))
    .bind(record.total_voting_weight.to_string())
    .execute(&mut *tx)
    .await?;

    if !record.feeds.is_empty() {
        let sql = insert_sql(
            "ftso_round_feeds (voting_round_id, feed_index, feed_id, decimals, value, turnout_bips, \
             median, q1, q3, participating_weight, leaf)",
            11,
            record.feeds.len(),
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (index, feed) in record.feeds.iter().enumerate() {
            query = query
                .bind(round)
                .bind(index_i64(index))
                .bind(encode::hex_lower(feed.id.as_bytes()))
                .bind(i64::from(feed.decimals))
                .bind(i64::from(feed.value))
                .bind(i64::from(feed.turnout_bips))
                .bind(feed.median.map(i64::from))
                .bind(feed.q1.map(i64::from))
                .bind(feed.q3.map(i64::from))
                .bind(feed.participating_weight.to_string())
                .bind(encode::b256(&feed.leaf));
        }
        query.execute(&mut *tx).await?;
    }

    if !record.voters.is_empty() {
        let sql = insert_sql(
            "ftso_round_voters (voting_round_id, voter_index, submit_address, weight, outcome, benched, \
             encoded_values)",
            7,
            record.voters.len(),
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (index, voter) in record.voters.iter().enumerate() {
            query = query
                .bind(round)
                .bind(index_i64(index))
                .bind(encode::address(&voter.submit_address))
                .bind(voter.weight.to_string())
                .bind(voter.outcome.code())
                .bind(i64::from(voter.benched))
                .bind(encode::hex_lower(value::encode_scaled(&voter.values)));
        }
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The stored results of a round, if computed.
pub(crate) async fn load(
    storage: &Storage,
    voting_round_id: u32,
) -> Result<Option<RoundRecord>, RoundError> {
    let round = i64::from(voting_round_id);
    let pool = storage.pool();
    let Some(row) = sqlx::query(
        "SELECT reward_epoch_id, random, is_secure_random, random_leaf, merkle_root, total_voting_weight \
         FROM ftso_round_results WHERE voting_round_id = $1",
    )
    .bind(round)
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let corrupt = |what: &str| RoundError::CorruptRecord {
        voting_round_id,
        what: what.to_owned(),
    };
    let feed_rows = sqlx::query(
        "SELECT feed_id, decimals, value, turnout_bips, median, q1, q3, participating_weight, leaf \
         FROM ftso_round_feeds WHERE voting_round_id = $1 ORDER BY feed_index",
    )
    .bind(round)
    .fetch_all(pool)
    .await?;
    let feeds = feed_rows
        .iter()
        .map(|r| feed_from_row(r).ok_or_else(|| corrupt("feed row")))
        .collect::<Result<Vec<_>, _>>()?;
    let voter_rows = sqlx::query(
        "SELECT submit_address, weight, outcome, benched, encoded_values \
         FROM ftso_round_voters WHERE voting_round_id = $1 ORDER BY voter_index",
    )
    .bind(round)
    .fetch_all(pool)
    .await?;
    let voters = voter_rows
        .iter()
        .map(|r| voter_from_row(r, feeds.len()).ok_or_else(|| corrupt("voter row")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(RoundRecord {
        voting_round_id,
        reward_epoch_id: get_u32(&row, "reward_epoch_id")
            .ok_or_else(|| corrupt("reward_epoch_id"))?,
        random: row
            .try_get::<String, _>("random")
            .ok()
            .and_then(|s| U256::from_str_radix(&s, 16).ok())
            .ok_or_else(|| corrupt("random"))?,
        is_secure_random: row.try_get::<i64, _>("is_secure_random")? != 0,
        random_leaf: get_b256(&row, "random_leaf").ok_or_else(|| corrupt("random_leaf"))?,
        merkle_root: get_b256(&row, "merkle_root").ok_or_else(|| corrupt("merkle_root"))?,
        total_voting_weight: get_u256(&row, "total_voting_weight")
            .ok_or_else(|| corrupt("total_voting_weight"))?,
        feeds,
        voters,
    }))
}

/// `INSERT INTO {table} VALUES ($1, …), (…), …` for `rows` rows of `columns` values.
fn insert_sql(table: &str, columns: usize, rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} VALUES ");
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            let sep = if column == 0 { "" } else { ", " };
            let _ = write!(sql, "{sep}${}", row * columns + column + 1);
        }
        sql.push(')');
    }
    sql
}

fn index_i64(index: usize) -> i64 {
    i64::try_from(index).unwrap_or(i64::MAX)
}

fn feed_from_row(row: &AnyRow) -> Option<FeedRecord> {
    let id: String = row.try_get("feed_id").ok()?;
    let opt = |column: &str| -> Option<Option<i32>> {
        let v: Option<i64> = row.try_get(column).ok()?;
        v.map(i32::try_from).transpose().ok()
    };
    Some(FeedRecord {
        id: FeedId::from_slice(&hex::decode(id).ok()?).ok()?,
        decimals: i8::try_from(row.try_get::<i64, _>("decimals").ok()?).ok()?,
        value: i32::try_from(row.try_get::<i64, _>("value").ok()?).ok()?,
        turnout_bips: u16::try_from(row.try_get::<i64, _>("turnout_bips").ok()?).ok()?,
        median: opt("median")?,
        q1: opt("q1")?,
        q3: opt("q3")?,
        participating_weight: get_u256(row, "participating_weight")?,
        leaf: get_b256(row, "leaf")?,
    })
}

fn voter_from_row(row: &AnyRow, feed_count: usize) -> Option<VoterRecord> {
    let address: String = row.try_get("submit_address").ok()?;
    let encoded: String = row.try_get("encoded_values").ok()?;
    Some(VoterRecord {
        submit_address: Address::from_str(&address).ok()?,
        weight: get_u256(row, "weight")?,
        outcome: VoterOutcome::from_code(row.try_get("outcome").ok()?)?,
        benched: row.try_get::<i64, _>("benched").ok()? != 0,
        values: value::decode_values(&hex::decode(encoded).ok()?, feed_count).ok()?,
    })
}

fn get_u32(row: &AnyRow, column: &str) -> Option<u32> {
    u32::try_from(row.try_get::<i64, _>(column).ok()?).ok()
}

fn get_b256(row: &AnyRow, column: &str) -> Option<B256> {
    B256::from_str(&row.try_get::<String, _>(column).ok()?).ok()
}

fn get_u256(row: &AnyRow, column: &str) -> Option<U256> {
    U256::from_str_radix(&row.try_get::<String, _>(column).ok()?, 10).ok()
}
