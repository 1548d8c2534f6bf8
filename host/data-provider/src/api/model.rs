//! The reference's JSON answers, as types: serialising one gives the reference's keys in the
//! reference's order (lowercase hex, weights as decimal strings, absent rather than `null`), and
//! the same types are the OpenAPI document's schemas.

use alloy_primitives::B256;
use ftso_core::feed::FeedId;
use serde::Serialize;
use utoipa::ToSchema;

use crate::round::{FeedRecord, RoundRecord};

/// `status` of the user-facing routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExternalStatus {
    /// The data follows.
    Ok,
    /// The round's reveal deadline (plus one second) has not passed yet.
    TooEarly,
    /// The indexed data does not cover the round, or the feed is not in it.
    NotAvailable,
}

/// A status alone: `{"status":"TOO_EARLY"}` or `{"status":"NOT_AVAILABLE"}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusOnly {
    /// The status.
    pub status: ExternalStatus,
}

/// `GET data/{votingRoundId}`: the whole result tree.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MerkleTreeResponse {
    /// `OK`.
    pub status: ExternalStatus,
    /// 100 (FTSO).
    pub protocol_id: u8,
    /// The round.
    pub voting_round_id: u32,
    /// Root of the result tree, `0x` hex.
    pub merkle_root: String,
    /// Whether the round random is secure.
    pub is_secure_random: bool,
    /// The random leaf, then one leaf per feed in canonical feed order (not tree order).
    pub tree: Vec<TreeLeaf>,
}

/// A leaf of the result tree.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum TreeLeaf {
    /// `IFtsoFeedPublisher.Random`.
    Random(RandomLeaf),
    /// `IFtsoFeedPublisher.Feed`.
    Feed(FeedLeaf),
}

/// The random leaf.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RandomLeaf {
    /// The round.
    pub voting_round_id: u32,
    /// The random as unpadded `0x` hex (`"0x0"` for zero).
    #[schema(example = "0x499bf")]
    pub value: String,
    /// Whether it is secure.
    pub is_secure: bool,
}

/// A feed's leaf.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeedLeaf {
    /// The round.
    pub voting_round_id: u32,
    /// The feed id: `0x` and 42 lowercase hex digits.
    #[schema(example = "0x014254432f55534400000000000000000000000000")]
    pub id: String,
    /// The median (0 when no voter gave a value).
    pub value: i32,
    /// Participating weight in basis points of the total weight.
    #[serde(rename = "turnoutBIPS")]
    pub turnout_bips: u16,
    /// The feed's decimals.
    pub decimals: i8,
}

/// `GET specific-feed/{feedId}/{votingRoundId}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeedWithProofResponse {
    /// `OK`.
    pub status: ExternalStatus,
    /// The feed's leaf and its proof.
    pub feed_with_proof: FeedWithProof,
}

/// A feed's leaf with its Merkle proof.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedWithProof {
    /// The leaf.
    pub body: FeedLeaf,
    /// Sibling hashes from the leaf to the root, `0x` hex.
    pub proof: Vec<String>,
}

/// `GET medianCalculationResults/{votingRoundId}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MedianResponse {
    /// `OK` or `NOT_AVAILABLE` (`TOO_EARLY` comes alone).
    pub status: ExternalStatus,
    /// The round, as requested.
    pub voting_round_id: i64,
    /// One entry per feed in canonical order; absent when not available.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_data: Option<Vec<MedianCalculationResult>>,
}

/// One feed's median calculation.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MedianCalculationResult {
    /// The round.
    pub voting_round_id: u32,
    /// The feed.
    pub feed: FeedDescription,
    /// Every voter's submit address (lowercase), in signing-policy order.
    pub voters_submit_addresses: Vec<String>,
    /// Every voter's value for the feed, in the same order.
    pub feed_values: Vec<ValueWithDecimals>,
    /// Median, quartiles and participating weight.
    pub data: MedianSummary,
    /// Every voter's median weight (decimal strings), in the same order.
    pub weights: Vec<String>,
    /// Sum of all voters' weights (decimal string).
    pub total_voting_weight: String,
}

/// A feed of the reward epoch.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedDescription {
    /// `0x` and 42 lowercase hex digits.
    pub id: String,
    /// Decimals.
    pub decimals: i8,
}

/// A value, or an empty one (`isEmpty` true, `value` 0).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValueWithDecimals {
    /// Whether there is no value.
    pub is_empty: bool,
    /// The integer value.
    pub value: i32,
    /// The feed's decimals.
    pub decimals: i8,
}

/// A feed's median, quartiles and participating weight.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MedianSummary {
    /// The weighted median.
    pub final_median: ValueWithDecimals,
    /// First quartile border value.
    pub quartile1: ValueWithDecimals,
    /// Third quartile border value.
    pub quartile3: ValueWithDecimals,
    /// Sum of the weights of the voters with a value (decimal string).
    pub participating_weight: String,
}

/// `GET data-abis`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AbiDefinitionsResponse {
    /// `OK`.
    pub status: ExternalStatus,
    /// The ABI of the random, feed and feed-with-proof structs.
    pub data: Vec<AbiDefinition>,
}

/// One struct's ABI.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AbiDefinition {
    /// `randomStruct`, `feedStruct` or `feedWithProofStruct`.
    pub abi_name: &'static str,
    /// The ABI and the selector of the `FtsoMerkleStructs` function taking it.
    pub data: AbiData,
}

/// A tuple input's ABI JSON and its function's selector.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AbiData {
    /// The function's first input, as in the contract's ABI JSON.
    #[schema(value_type = Object)]
    pub abi: serde_json::Value,
    /// The function's 4-byte selector, `0x` hex.
    pub signature: &'static str,
}

/// Nest's error body (HTTP 400, 404, and the 500 of `submit3`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorResponse {
    /// What went wrong.
    pub message: String,
    /// The status text, e.g. "Bad Request".
    pub error: String,
    /// The HTTP status.
    pub status_code: u16,
}

/// The body of a 401 (a missing or unknown `X-API-KEY`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnauthorizedResponse {
    /// "Unauthorized".
    pub message: String,
    /// 401.
    pub status_code: u16,
}

/// The body of an unexpected 500.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InternalErrorResponse {
    /// 500.
    pub status_code: u16,
    /// "Internal server error".
    pub message: String,
}

/// `0x` and lowercase hex.
pub fn hex0x(bytes: impl AsRef<[u8]>) -> String {
    format!("0x{}", hex::encode(bytes))
}

fn feed_id_hex(id: &FeedId) -> String {
    hex0x(id.as_bytes())
}

fn hash_hex(hash: &B256) -> String {
    hex0x(hash)
}

impl FeedLeaf {
    /// The leaf of a feed's result.
    pub fn of(round: &RoundRecord, feed: &FeedRecord) -> Self {
        Self {
            voting_round_id: round.voting_round_id,
            id: feed_id_hex(&feed.id),
            value: feed.value,
            turnout_bips: feed.turnout_bips,
            decimals: feed.decimals,
        }
    }
}

impl MerkleTreeResponse {
    /// The `data` answer for a round.
    pub fn of(round: &RoundRecord) -> Self {
        let random = RandomLeaf {
            voting_round_id: round.voting_round_id,
            value: format!("0x{:x}", round.random),
            is_secure: round.is_secure_random,
        };
        let tree = std::iter::once(TreeLeaf::Random(random))
            .chain(
                round
                    .feeds
                    .iter()
                    .map(|feed| TreeLeaf::Feed(FeedLeaf::of(round, feed))),
            )
            .collect();
        Self {
            status: ExternalStatus::Ok,
            protocol_id: ftso_core::commit::FTSO_PROTOCOL_ID,
            voting_round_id: round.voting_round_id,
            merkle_root: hash_hex(&round.merkle_root),
            is_secure_random: round.is_secure_random,
            tree,
        }
    }
}

impl FeedWithProof {
    /// The leaf and proof of the feed whose id is spelled exactly `feed_id` (`0x` and lowercase
    /// hex, as the reference compares strings), if the round has it.
    pub fn find(round: &RoundRecord, feed_id: &str) -> Option<Self> {
        let id = round
            .feeds
            .iter()
            .find(|feed| feed_id_hex(&feed.id) == feed_id)?
            .id;
        let (feed, proof) = round.feed_with_proof(&id)?;
        Some(Self {
            body: FeedLeaf::of(round, feed),
            proof: proof.iter().map(hash_hex).collect(),
        })
    }
}

impl ValueWithDecimals {
    fn of(value: Option<i32>, decimals: i8) -> Self {
        Self {
            is_empty: value.is_none(),
            value: value.unwrap_or(0),
            decimals,
        }
    }
}

impl MedianCalculationResult {
    /// One entry per feed of the round, in canonical order.
    pub fn all(round: &RoundRecord) -> Vec<Self> {
        let addresses: Vec<String> = round
            .voters
            .iter()
            .map(|voter| hex0x(voter.submit_address))
            .collect();
        let weights: Vec<String> = round.voters.iter().map(|v| v.weight.to_string()).collect();
        round
            .feeds
            .iter()
            .enumerate()
            .map(|(index, feed)| {
                let decimals = feed.decimals;
                let feed_values = round
                    .voters
                    .iter()
                    .map(|voter| {
                        ValueWithDecimals::of(voter.values.get(index).copied().flatten(), decimals)
                    })
                    .collect();
                Self {
                    voting_round_id: round.voting_round_id,
                    feed: FeedDescription {
                        id: feed_id_hex(&feed.id),
                        decimals,
                    },
                    voters_submit_addresses: addresses.clone(),
                    feed_values,
                    data: MedianSummary {
                        final_median: ValueWithDecimals::of(feed.median, decimals),
                        quartile1: ValueWithDecimals::of(feed.q1, decimals),
                        quartile3: ValueWithDecimals::of(feed.q3, decimals),
                        participating_weight: feed.participating_weight.to_string(),
                    },
                    weights: weights.clone(),
                    total_voting_weight: round.total_voting_weight.to_string(),
                }
            })
            .collect()
    }
}
