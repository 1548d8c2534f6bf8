//! `merkle.json`: the result tree (root, node array, proofs) and the Feed / Random leaf encodings.

use alloy_primitives::{B256, U256};
use alloy_sol_types::SolValue;
use anyhow::{Result, anyhow};
use ftso_core::{
    feed::FeedId,
    merkle::{self, MerkleTree},
    random::RoundRandom,
    round::{self, abi},
};
use serde_json::Value;

use crate::harness::{Run, VectorFile};
use crate::support::{self, expect_eq, to_hex};

/// Checks the tree cases and both leaf tables.
pub fn check(file: &VectorFile, run: &mut Run) {
    run.each(file, "cases", check_tree);
    run.each(file, "feedLeaves", check_feed_leaf);
    run.each(file, "randomLeaves", check_random_leaf);
}

fn b256(value: &Value) -> Result<B256> {
    let text = value
        .as_str()
        .ok_or_else(|| anyhow!("{value} is not a hex string"))?;
    Ok(B256::try_from(support::hex_str(text)?.as_slice())?)
}

fn b256_list(value: &Value) -> Result<Vec<B256>> {
    value
        .as_array()
        .ok_or_else(|| anyhow!("{value} is not an array"))?
        .iter()
        .map(b256)
        .collect()
}

fn check_tree(case: &Value) -> Result<()> {
    let leaves = b256_list(support::field(case, "leaves")?)?;
    let tree = MerkleTree::new(leaves.iter().copied());
    let want_root = match support::field(case, "root")? {
        Value::Null => None,
        root => Some(b256(root)?),
    };
    expect_eq("root", tree.root(), want_root)?;
    expect_eq(
        "distinctLeafCount",
        u64::try_from(tree.leaf_count())?,
        support::u64(case, "distinctLeafCount")?,
    )?;
    if let Some(nodes) = case.get("tree") {
        expect_eq("tree", tree.nodes().to_vec(), b256_list(nodes)?)?;
    }
    for leaf in &leaves {
        let proof = tree
            .proof(leaf)
            .ok_or_else(|| anyhow!("no proof for leaf {leaf}"))?;
        let root = want_root.ok_or_else(|| anyhow!("leaves but no root"))?;
        if !merkle::verify_proof(leaf, &proof, &root) {
            return Err(anyhow!("proof of {leaf} does not verify"));
        }
    }
    for entry in case
        .get("proofs")
        .and_then(Value::as_array)
        .unwrap_or(&vec![])
    {
        let leaf = b256(support::field(entry, "leaf")?)?;
        let want = match support::field(entry, "proof")? {
            Value::Null => None,
            proof => Some(b256_list(proof)?),
        };
        expect_eq(&format!("proof of {leaf}"), tree.proof(&leaf), want)?;
    }
    Ok(())
}

fn check_feed_leaf(entry: &Value) -> Result<()> {
    let feed = support::field(entry, "feed")?;
    let leaf = abi::Feed {
        votingRoundId: u32::try_from(support::u64(feed, "votingRoundId")?)?,
        id: support::str(feed, "id")?.parse::<FeedId>()?.0,
        value: i32::try_from(support::i64(feed, "value")?)?,
        turnoutBIPS: u16::try_from(support::u64(feed, "turnoutBIPS")?)?,
        decimals: i8::try_from(support::i64(feed, "decimals")?)?,
    };
    expect_leaf(entry, &leaf.abi_encode(), round::feed_leaf_hash(&leaf))
}

/// A leaf's ABI encoding and hash equal the entry's `abiEncoded` and `leafHash`.
fn expect_leaf(entry: &Value, abi_encoded: &[u8], leaf_hash: B256) -> Result<()> {
    expect_eq(
        "abiEncoded",
        to_hex(abi_encoded),
        support::str(entry, "abiEncoded")?.to_owned(),
    )?;
    expect_eq(
        "leafHash",
        to_hex(leaf_hash),
        support::str(entry, "leafHash")?.to_owned(),
    )
}

fn check_random_leaf(entry: &Value) -> Result<()> {
    let random = support::field(entry, "random")?;
    let value_text = support::str(random, "value")?;
    let value = U256::from_str_radix(
        value_text
            .strip_prefix("0x")
            .ok_or_else(|| anyhow!("random value {value_text} is not 0x hex"))?,
        16,
    )?;
    expect_eq("unpadded hex", format!("{value:#x}"), value_text.to_owned())?;
    let leaf = round::random_leaf(
        u32::try_from(support::u64(random, "votingRoundId")?)?,
        &RoundRandom {
            value,
            is_secure: support::bool(random, "isSecure")?,
        },
    );
    expect_leaf(entry, &leaf.abi_encode(), round::random_leaf_hash(&leaf))
}
