//! `round-results.json`: the full result of a voting round, its 38-byte message, and the
//! signed submitSignatures payloads (through the `signing` and `submit_signatures` modules).

use std::str::FromStr;

use alloy_primitives::{Address, B256};
use alloy_signer_local::PrivateKeySigner;
use anyhow::{Result, anyhow, bail};
use ftso_core::{
    commit::FTSO_PROTOCOL_ID,
    round::{self, FeedDefinition, RoundError, RoundResult, Voter, VoterSubmission},
    signing,
    submit_signatures::{self, SignaturePayload, SignaturePayloadType},
    value,
};
use serde_json::Value;

use crate::harness::{Run, VectorFile};
use crate::median::optional;
use crate::support::{self, expect_eq, to_hex};

/// Checks every case.
pub fn check(file: &VectorFile, run: &mut Run) {
    run.each(file, "cases", check_case);
}

fn voters(case: &Value, feed_count: usize) -> Result<Vec<Voter>> {
    support::field(case, "voters")?
        .as_array()
        .ok_or_else(|| anyhow!("`voters` is not an array"))?
        .iter()
        .map(|voter| {
            let submission = match support::str(voter, "status")? {
                "valid" => VoterSubmission::Valid {
                    random: B256::try_from(support::hex(voter, "random")?.as_slice())?,
                    values: value::decode_values(
                        &support::hex(voter, "encodedValues")?,
                        feed_count,
                    )?,
                },
                "offender" => VoterSubmission::Offender,
                "none" => VoterSubmission::None,
                other => bail!("unknown status {other}"),
            };
            Ok(Voter {
                submit_address: Address::from_str(support::str(voter, "submitAddress")?)?,
                weight: support::u256(voter, "weight")?,
                submission,
                benched: support::bool(voter, "benched")?,
            })
        })
        .collect()
}

fn check_case(case: &Value) -> Result<()> {
    let round_id = u32::try_from(support::u64(case, "votingRoundId")?)?;
    let feeds: Vec<FeedDefinition> = crate::commit::feeds(case)?
        .into_iter()
        .map(|(id, decimals)| FeedDefinition { id, decimals })
        .collect();
    let voters = voters(case, feeds.len())?;
    let result = round::calculate_round(round_id, &feeds, &voters);
    if support::is_error(case) {
        return match result {
            Err(RoundError::NoValidReveal { .. } | RoundError::ZeroTotalWeight { .. }) => Ok(()),
            other => bail!("expected a round error, got {other:?}"),
        };
    }
    let result = result?;
    check_result(support::field(case, "result")?, &result)?;
    check_signing(support::field(case, "signing")?, &result)
}

fn check_result(want: &Value, got: &RoundResult) -> Result<()> {
    let text = |key| support::str(want, key).map(str::to_owned);
    expect_eq(
        "random",
        format!("{:#x}", got.random.value),
        text("random")?,
    )?;
    expect_eq(
        "isSecure",
        got.random.is_secure,
        support::bool(want, "isSecure")?,
    )?;
    expect_eq(
        "randomLeaf",
        to_hex(got.random_leaf_hash),
        text("randomLeaf")?,
    )?;
    expect_eq(
        "totalVotingWeight",
        got.total_voting_weight,
        support::u256(want, "totalVotingWeight")?,
    )?;
    let feeds = support::field(want, "feeds")?
        .as_array()
        .ok_or_else(|| anyhow!("`result.feeds` is not an array"))?;
    expect_eq("feed count", got.feeds.len(), feeds.len())?;
    for (index, (got, want)) in got.feeds.iter().zip(feeds).enumerate() {
        check_feed(want, got).map_err(|e| e.context(format!("feed {index}")))?;
    }
    expect_eq("merkleRoot", to_hex(got.merkle_root), text("merkleRoot")?)?;
    expect_eq(
        "submitSignaturesMessage",
        to_hex(got.protocol_message().encode()),
        text("submitSignaturesMessage")?,
    )
}

fn check_feed(want: &Value, got: &round::FeedResult) -> Result<()> {
    expect_eq(
        "id",
        got.feed.id.to_string(),
        support::str(want, "id")?.to_owned(),
    )?;
    expect_eq(
        "value",
        i64::from(got.leaf.value),
        support::i64(want, "value")?,
    )?;
    let median = if support::bool(want, "medianEmpty")? {
        None
    } else {
        Some(got.leaf.value)
    };
    expect_eq("median", got.median.median, median)?;
    expect_eq(
        "turnoutBIPS",
        u64::from(got.turnout_bips),
        support::u64(want, "turnoutBIPS")?,
    )?;
    expect_eq(
        "decimals",
        i64::from(got.leaf.decimals),
        support::i64(want, "decimals")?,
    )?;
    expect_eq("q1", got.median.q1, optional(want, "q1")?)?;
    expect_eq("q3", got.median.q3, optional(want, "q3")?)?;
    expect_eq(
        "participatingWeight",
        got.median.participating_weight,
        support::u256(want, "participatingWeight")?,
    )?;
    expect_eq(
        "leaf",
        to_hex(got.leaf_hash),
        support::str(want, "leaf")?.to_owned(),
    )
}

fn check_signing(want: &Value, result: &RoundResult) -> Result<()> {
    let text = |key| support::str(want, key).map(str::to_owned);
    let signer = PrivateKeySigner::from_str(support::str(want, "privateKey")?)?;
    expect_eq(
        "signer",
        signer.address(),
        Address::from_str(support::str(want, "signer")?)?,
    )?;
    let message = result.protocol_message();
    expect_eq("messageHash", to_hex(message.hash()), text("messageHash")?)?;
    let signature = signing::sign_eip191(&signer, &message.hash())?;
    let vrs = signing::to_vrs_bytes(&signature);
    expect_eq("signatureVRS", to_hex(vrs), text("signatureVRS")?)?;
    let sig = support::field(want, "signature")?;
    expect_eq("v", u64::from(vrs[0]), support::u64(sig, "v")?)?;
    expect_eq(
        "r",
        to_hex(signature.r().to_be_bytes::<32>()),
        support::str(sig, "r")?.to_owned(),
    )?;
    expect_eq(
        "s",
        to_hex(signature.s().to_be_bytes::<32>()),
        support::str(sig, "s")?.to_owned(),
    )?;
    expect_eq(
        "recovered signer",
        signing::recover_eip191(&signature, &message.hash())?,
        signer.address(),
    )?;

    let encoded = message.encode();
    let sign = |payload_type| {
        SignaturePayload::sign(
            &signer,
            FTSO_PROTOCOL_ID,
            result.voting_round_id,
            payload_type,
            &encoded,
            &[],
        )
    };
    let type0 = sign(SignaturePayloadType::Type0)?;
    let type1 = sign(SignaturePayloadType::Type1)?;
    expect_eq(
        "payloadType0",
        to_hex(type0.encode()?),
        text("payloadType0")?,
    )?;
    expect_eq(
        "payloadType1",
        to_hex(type1.encode()?),
        text("payloadType1")?,
    )?;
    expect_eq(
        "submitSignaturesCalldataType1",
        to_hex(submit_signatures::submit_signatures_calldata(
            std::slice::from_ref(&type1),
        )?),
        text("submitSignaturesCalldataType1")?,
    )?;
    Ok(())
}
