//! `fsp-signing.json`: Flare Systems Protocol messages signed or sent by the system client.
//!
//! Dispatches on `kind`; an unknown kind fails the case.

use alloy_primitives::{Address, B256, FixedBytes, keccak256};
use alloy_signer_local::PrivateKeySigner;
use anyhow::{Context, Result, anyhow, bail};
use ftso_core::finalizer;
use ftso_core::registration::{self, ClaimType, RegistrationScheme, RewardClaim};
use ftso_core::signing_policy::{self, SigningPolicy};
use ftso_core::submit_signatures::{self, SignaturePayload, SignaturePayloadType};
use serde_json::Value;

use crate::harness::{Run, VectorFile};
use crate::relay_model;
use crate::support::{self, expect_eq, to_hex};

/// Checks every case.
pub fn check(file: &VectorFile, run: &mut Run) {
    run.each(file, "cases", check_case);
}

fn check_case(case: &Value) -> Result<()> {
    let kind = support::str(case, "kind")?;
    match kind {
        "address" => address(case),
        "submitSignaturesPayload" => submit_signatures_payload(case),
        "submitSignaturesCalldata" => submit_signatures_calldata(case),
        "relayCalldata" => relay_model::relay_calldata(case),
        "signingPolicy" => signing_policy(case),
        "initialHashSeed" => initial_hash_seed(case),
        "binarySearch" => binary_search(case),
        "finalizerSelection" => finalizer_selection(case),
        "rewardsSigning" => rewards_signing(case),
        "rewardClaimsTree" => reward_claims_tree(case),
        "voterRegistration" => voter_registration(case),
        "uptimeVote" => uptime_vote(case),
        "signNewSigningPolicy" => sign_new_signing_policy(case),
        other => bail!("unknown kind `{other}`"),
    }
}

fn signer(case: &Value) -> Result<PrivateKeySigner> {
    let key = support::str(case, "privateKey")?;
    key.parse::<PrivateKeySigner>()
        .map_err(|e| anyhow!("privateKey: {e}"))
}

fn b256(case: &Value, key: &str) -> Result<B256> {
    let bytes = support::hex(case, key)?;
    B256::try_from(bytes.as_slice()).map_err(|_| anyhow!("field `{key}` is not 32 bytes"))
}

fn address_field(case: &Value, key: &str) -> Result<Address> {
    address_value(support::field(case, key)?).with_context(|| format!("field `{key}`"))
}

fn address_value(value: &Value) -> Result<Address> {
    let text = value
        .as_str()
        .ok_or_else(|| anyhow!("{value} is not a string"))?;
    Ok(text.parse::<Address>()?)
}

fn u8_field(case: &Value, key: &str) -> Result<u8> {
    Ok(u8::try_from(support::u64(case, key)?)?)
}

fn u32_field(case: &Value, key: &str) -> Result<u32> {
    Ok(u32::try_from(support::u64(case, key)?)?)
}

fn array<'a>(case: &'a Value, key: &str) -> Result<&'a [Value]> {
    support::field(case, key)?
        .as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| anyhow!("field `{key}` is not an array"))
}

fn address(case: &Value) -> Result<()> {
    let signer = signer(case)?;
    expect_eq(
        "address",
        to_hex(signer.address()),
        support::str(case, "address")?.to_owned(),
    )
}

fn payload_type(case: &Value) -> Result<SignaturePayloadType> {
    Ok(SignaturePayloadType::from_u8(u8_field(case, "type")?)?)
}

/// Signs one payload description and checks its hash and signature; returns the payload.
fn signed_payload(case: &Value, signer: &PrivateKeySigner) -> Result<SignaturePayload> {
    let message = support::hex(case, "message")?;
    let payload = SignaturePayload::sign(
        signer,
        u8_field(case, "protocolId")?,
        u32_field(case, "votingRoundId")?,
        payload_type(case)?,
        &message,
        &support::hex(case, "additionalData")?,
    )?;
    if case.get("messageHash").is_some() {
        expect_eq(
            "messageHash",
            to_hex(keccak256(&message)),
            support::str(case, "messageHash")?.to_owned(),
        )?;
    }
    expect_eq(
        "signatureVRS",
        to_hex(payload.signature),
        support::str(case, "signatureVRS")?.to_owned(),
    )?;
    Ok(payload)
}

fn submit_signatures_payload(case: &Value) -> Result<()> {
    let signer = signer(case)?;
    let payload = signed_payload(case, &signer)?;
    let encoded = payload.encode()?;
    expect_eq(
        "payload",
        to_hex(&encoded),
        support::str(case, "payload")?.to_owned(),
    )?;
    // The finalizer's view: decode, then recover the signer.
    let mut calldata = submit_signatures::submit_signatures_calldata(&[])?;
    calldata.extend_from_slice(&encoded);
    let decoded = submit_signatures::decode_submit_signatures_calldata(&calldata)?;
    let [Ok(decoded)] = decoded.as_slice() else {
        bail!("decoding gave {decoded:?}");
    };
    expect_eq("decoded payload", decoded, &payload)?;
    let message = support::hex(case, "message")?;
    expect_eq(
        "recovered signer",
        decoded.recover_signer(&keccak256(&message))?,
        signer.address(),
    )
}

fn submit_signatures_calldata(case: &Value) -> Result<()> {
    let signer = signer(case)?;
    let payloads = array(case, "payloads")?
        .iter()
        .map(|p| signed_payload(p, &signer))
        .collect::<Result<Vec<_>>>()?;
    let calldata = submit_signatures::submit_signatures_calldata(&payloads)?;
    expect_eq(
        "calldata",
        to_hex(&calldata),
        support::str(case, "calldata")?.to_owned(),
    )?;
    let decoded = submit_signatures::decode_submit_signatures_calldata(&calldata)?
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    expect_eq("decoded payloads", decoded, payloads)
}

fn signing_policy(case: &Value) -> Result<()> {
    let bytes = support::hex(case, "signingPolicy")?;
    let policy = SigningPolicy::decode(&bytes)?;
    let want = support::field(case, "decoded")?;
    expect_eq(
        "rewardEpochId",
        policy.reward_epoch_id,
        u32_field(want, "rewardEpochId")?,
    )?;
    expect_eq(
        "startVotingRoundId",
        policy.start_voting_round_id,
        u32_field(want, "startVotingRoundId")?,
    )?;
    expect_eq(
        "threshold",
        u64::from(policy.threshold),
        support::u64(want, "threshold")?,
    )?;
    expect_eq("seed", policy.seed, b256(want, "seed")?)?;
    let voters = array(want, "voters")?
        .iter()
        .map(address_value)
        .collect::<Result<Vec<_>>>()?;
    expect_eq("voters", &policy.voters, &voters)?;
    let weights = weights(want)?;
    expect_eq("weights", &policy.weights, &weights)?;
    expect_eq(
        "totalWeight",
        policy.total_weight(),
        support::u64(case, "totalWeight")?,
    )?;
    expect_eq("re-encoded", policy.encode()?, bytes.clone())?;
    expect_eq(
        "legacyHash",
        to_hex(signing_policy::legacy_hash(&bytes)),
        support::str(case, "legacyHash")?.to_owned(),
    )?;
    expect_eq(
        "legacyHash of the struct",
        to_hex(policy.legacy_hash()?),
        support::str(case, "legacyHash")?.to_owned(),
    )?;
    let bound = array(case, "chainBoundHashes")?;
    if bound.is_empty() {
        bail!("no chainBoundHashes to check");
    }
    for entry in bound {
        let chain_id = support::u64(entry, "chainId")?;
        expect_eq(
            "chainBoundHash",
            to_hex(signing_policy::chain_bound_hash(chain_id, &bytes)),
            support::str(entry, "hash")?.to_owned(),
        )?;
    }
    Ok(())
}

fn weights(case: &Value) -> Result<Vec<u16>> {
    array(case, "weights")?
        .iter()
        .map(|w| {
            w.as_u64()
                .and_then(|w| u16::try_from(w).ok())
                .ok_or_else(|| anyhow!("weight {w} is not a u16"))
        })
        .collect()
}

fn initial_hash_seed(case: &Value) -> Result<()> {
    let seed = finalizer::initial_hash_seed(
        &b256(case, "seed")?,
        u8_field(case, "protocolId")?,
        u32_field(case, "votingRoundId")?,
    );
    expect_eq(
        "initialHashSeed",
        to_hex(seed),
        support::str(case, "initialHashSeed")?.to_owned(),
    )
}

fn binary_search(case: &Value) -> Result<()> {
    let weights: Vec<u64> = weights(case)?.into_iter().map(u64::from).collect();
    let thresholds = finalizer::thresholds(&weights);
    let values = array(case, "values")?;
    let indices = array(case, "indices")?;
    if values.len() != indices.len() || values.is_empty() {
        bail!("values and indices differ in length or are empty");
    }
    for (value, index) in values.iter().zip(indices) {
        let value = value.as_u64().ok_or_else(|| anyhow!("bad value {value}"))?;
        let want = index.as_u64().ok_or_else(|| anyhow!("bad index {index}"))?;
        let got = finalizer::binary_search(&thresholds, value)
            .ok_or_else(|| anyhow!("no index for {value}"))?;
        expect_eq(&format!("index of {value}"), u64::try_from(got)?, want)?;
    }
    Ok(())
}

fn finalizer_selection(case: &Value) -> Result<()> {
    let voters = array(case, "voters")?
        .iter()
        .map(address_value)
        .collect::<Result<Vec<_>>>()?;
    let weights = weights(case)?;
    let seed = b256(case, "seed")?;
    let protocol_id = u8_field(case, "protocolId")?;
    let round = u32_field(case, "votingRoundId")?;
    let bips = u16::try_from(support::u64(case, "thresholdBips")?)?;
    expect_eq(
        "initialHashSeed",
        to_hex(finalizer::initial_hash_seed(&seed, protocol_id, round)),
        support::str(case, "initialHashSeed")?.to_owned(),
    )?;
    let weights64: Vec<u64> = weights.iter().map(|w| u64::from(*w)).collect();
    let selected = finalizer::select_finalizers(&weights64, &seed, protocol_id, round, bips)?;
    let mut want_indices = Vec::new();
    let mut want_addresses = Vec::new();
    for entry in array(case, "selected")? {
        want_indices.push(usize::try_from(support::u64(entry, "index")?)?);
        want_addresses.push(address_field(entry, "address")?);
    }
    expect_eq("selected indices", &selected, &want_indices)?;
    let addresses =
        finalizer::select_finalizer_addresses(&voters, &weights, &seed, protocol_id, round, bips)?;
    expect_eq("selected addresses", addresses, want_addresses)
}

fn rewards_signing(case: &Value) -> Result<()> {
    let epoch = u32_field(case, "rewardEpochId")?;
    let manager = support::u64(case, "rewardManagerId")?;
    let claims = support::u64(case, "noOfWeightBasedClaims")?;
    let hash = b256(case, "rewardsHash")?;
    let message = registration::rewards_message(epoch, manager, claims, &hash);
    expect_eq(
        "message",
        to_hex(&message),
        support::str(case, "message")?.to_owned(),
    )?;
    expect_eq(
        "messageHash",
        to_hex(keccak256(&message)),
        support::str(case, "messageHash")?.to_owned(),
    )?;
    if case.get("privateKey").is_some() {
        let signed = registration::sign_rewards(&signer(case)?, epoch, manager, claims, &hash)?;
        expect_eq("signed message", &signed.message, &message)?;
        expect_eq(
            "signatureVRS",
            to_hex(signed.signature),
            support::str(case, "signatureVRS")?.to_owned(),
        )?;
    }
    Ok(())
}

fn reward_claims_tree(case: &Value) -> Result<()> {
    let claims = array(case, "claims")?
        .iter()
        .map(|claim| {
            let beneficiary = support::hex(claim, "beneficiary")?;
            Ok(RewardClaim {
                reward_epoch_id: u32_field(claim, "rewardEpochId")?,
                beneficiary: FixedBytes::<20>::try_from(beneficiary.as_slice())
                    .map_err(|_| anyhow!("beneficiary is not 20 bytes"))?,
                amount: support::u256(claim, "amount")?,
                claim_type: ClaimType::from_u8(u8_field(claim, "claimType")?)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let leaves = claims
        .iter()
        .map(RewardClaim::leaf)
        .collect::<Result<Vec<_>, _>>()?;
    let want_leaves = array(case, "leaves")?
        .iter()
        .map(|l| {
            l.as_str()
                .map(str::to_owned)
                .ok_or_else(|| anyhow!("bad leaf"))
        })
        .collect::<Result<Vec<_>>>()?;
    expect_eq(
        "leaves",
        leaves.iter().map(to_hex).collect::<Vec<_>>(),
        want_leaves,
    )?;
    let tree = registration::reward_claims_tree(&claims)?;
    let root = tree.root().ok_or_else(|| anyhow!("no root"))?;
    expect_eq("root", to_hex(root), support::str(case, "root")?.to_owned())?;
    let proofs = array(case, "proofs")?;
    expect_eq("proof count", proofs.len(), leaves.len())?;
    for (leaf, want) in leaves.iter().zip(proofs) {
        let proof = tree.proof(leaf).ok_or_else(|| anyhow!("no proof"))?;
        let want = want
            .as_array()
            .ok_or_else(|| anyhow!("proof is not an array"))?
            .iter()
            .map(|p| {
                p.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| anyhow!("bad proof"))
            })
            .collect::<Result<Vec<_>>>()?;
        expect_eq("proof", proof.iter().map(to_hex).collect::<Vec<_>>(), want)?;
        if !ftso_core::merkle::verify_proof(leaf, &proof, &root) {
            bail!("proof does not verify");
        }
    }
    Ok(())
}

fn voter_registration(case: &Value) -> Result<()> {
    let scheme = match support::str(case, "scheme")? {
        "new" => RegistrationScheme::WithChainId,
        "old" => RegistrationScheme::EpochOnly,
        other => bail!("unknown scheme `{other}`"),
    };
    let chain_id = match case.get("chainId") {
        Some(_) => support::u64(case, "chainId")?,
        None => 0,
    };
    let epoch = u32_field(case, "rewardEpochId")?;
    let voter = address_field(case, "voter")?;
    if case.get("chainId").is_some() {
        // The Go client would choose this scheme for this chain and epoch.
        expect_eq(
            "scheme for chain",
            RegistrationScheme::for_chain(chain_id, epoch),
            scheme,
        )?;
    }
    let signed =
        registration::sign_voter_registration(&signer(case)?, scheme, chain_id, epoch, voter)?;
    expect_signed(case, &signed)
}

fn expect_signed(case: &Value, signed: &registration::SignedMessage) -> Result<()> {
    expect_eq(
        "message",
        to_hex(&signed.message),
        support::str(case, "message")?.to_owned(),
    )?;
    expect_eq(
        "messageHash",
        to_hex(signed.message_hash),
        support::str(case, "messageHash")?.to_owned(),
    )?;
    expect_eq(
        "signatureVRS",
        to_hex(signed.signature),
        support::str(case, "signatureVRS")?.to_owned(),
    )
}

fn uptime_vote(case: &Value) -> Result<()> {
    let hash = b256(case, "uptimeVoteHash")?;
    expect_eq("uptimeVoteHash", hash, registration::UPTIME_VOTE_HASH)?;
    let signed =
        registration::sign_uptime_vote(&signer(case)?, u32_field(case, "rewardEpochId")?, &hash)?;
    expect_signed(case, &signed)
}

fn sign_new_signing_policy(case: &Value) -> Result<()> {
    let hash = b256(case, "signingPolicyHash")?;
    let signed = registration::sign_new_signing_policy(&signer(case)?, &hash)?;
    expect_eq(
        "signatureVRS",
        to_hex(signed.signature),
        support::str(case, "signatureVRS")?.to_owned(),
    )
}
