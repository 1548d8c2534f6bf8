//! `fast-updates.json`: sortition, key registration, deltas, the signed update, calldata and the
//! Go client's value scaling. Every case dispatches on `kind`; an unknown kind fails.

use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_signer_local::PrivateKeySigner;
use anyhow::{Context, Result, anyhow, bail, ensure};
use ftso_core::fast_updates::{
    Credential, CredentialError, Delta, EligibilityError, FastUpdate, PointWords,
    RegistrationError, SignedUpdate, SortitionKey, UpdateError, UpdateSignature, credential,
    curve::{FIELD_MODULUS, u256_to_fr_reduced},
    delta, eligibility,
    hash_to_g1::{hash_to_g1_detailed, sortition_message},
    key_registration,
    scaling::{self, Decision},
    update::{self, DEFAULT_SUBMISSION_WINDOW},
};
use serde_json::Value;

use crate::harness::{Run, VectorFile};
use crate::support::{bool, expect_eq, f64_with_bits, field, hex, hex_str, is_error, str, u64};

/// Runs every case of `fast-updates.json`.
pub fn check(file: &VectorFile, run: &mut Run) {
    run.each(file, "cases", check_case);
}

fn check_case(case: &Value) -> Result<()> {
    match str(case, "kind")? {
        "hashToG1" => hash_to_g1(case),
        "vrfCredential" => vrf_credential(case),
        "eligibility" => match str(case, "mode")? {
            "ticket" => eligibility_ticket(case),
            "scan" => eligibility_scan(case),
            other => bail!("unknown eligibility mode `{other}`"),
        },
        "registerPublicKey" => register_public_key(case),
        "deltaEncoding" => delta_encoding(case),
        "updateMessage" => update_message(case),
        "submitUpdatesCalldata" => submit_updates_calldata(case),
        "submitAndPassCalldata" => submit_and_pass_calldata(case),
        "valueScaling" => value_scaling(case),
        other => bail!("unknown kind `{other}`"),
    }
}

// ---- field readers -------------------------------------------------------------------------

/// A `0x` hex number of up to 32 bytes.
fn word_value(value: &Value) -> Result<U256> {
    let text = value
        .as_str()
        .ok_or_else(|| anyhow!("{value} is not a hex string"))?;
    let bytes = hex_str(text)?;
    ensure!(bytes.len() <= 32, "`{text}` is longer than 32 bytes");
    Ok(U256::from_be_slice(&bytes))
}

fn word(case: &Value, key: &str) -> Result<U256> {
    word_value(field(case, key)?).with_context(|| format!("field `{key}`"))
}

fn b256(case: &Value, key: &str) -> Result<B256> {
    Ok(B256::from(word(case, key)?))
}

fn u128_word(case: &Value, key: &str) -> Result<u128> {
    let value = word(case, key)?;
    u128::try_from(value).map_err(|_| anyhow!("field `{key}` exceeds 128 bits"))
}

fn point(case: &Value, key: &str) -> Result<PointWords> {
    let value = field(case, key)?;
    Ok(PointWords {
        x: word(value, "x").with_context(|| format!("field `{key}`"))?,
        y: word(value, "y").with_context(|| format!("field `{key}`"))?,
    })
}

fn credential_of(case: &Value) -> Result<Credential> {
    let value = field(case, "credential")?;
    Ok(Credential {
        replicate: U256::from(u64(value, "replicate")?),
        gamma: point(value, "gamma")?,
        c: word(value, "c")?,
        s: word(value, "s")?,
    })
}

fn signature_of(case: &Value) -> Result<UpdateSignature> {
    let value = field(case, "signature")?;
    Ok(UpdateSignature {
        v: u8::try_from(u64(value, "v")?)?,
        r: b256(value, "r")?,
        s: b256(value, "s")?,
    })
}

fn address(case: &Value, key: &str) -> Result<Address> {
    Ok(str(case, key)?.parse::<Address>()?)
}

fn sortition_key(case: &Value) -> Result<SortitionKey> {
    let key = SortitionKey::parse(str(case, "sortitionPrivateKey")?)?;
    if let Some(reduced) = case.get("sortitionPrivateKeyModQ").and_then(Value::as_str) {
        expect_eq("key mod q", &SortitionKey::parse(reduced)?, &key)?;
    }
    Ok(key)
}

fn signed_update_of(case: &Value) -> Result<SignedUpdate> {
    Ok(SignedUpdate {
        update: FastUpdate {
            sortition_block: U256::from(u64(case, "sortitionBlock")?),
            credential: credential_of(case)?,
            deltas: Bytes::from(hex(case, "deltas")?),
        },
        signature: signature_of(case)?,
    })
}

fn bits(case: &Value, key: &str) -> Result<u64> {
    let raw = hex(case, key)?;
    let raw: [u8; 8] = raw
        .as_slice()
        .try_into()
        .map_err(|_| anyhow!("`{key}` is not 8 bytes"))?;
    Ok(u64::from_be_bytes(raw))
}

// ---- kinds ----------------------------------------------------------------------------------

fn hash_to_g1(case: &Value) -> Result<()> {
    let message = sortition_message(
        word(case, "seed")?,
        U256::from(u64(case, "block")?),
        U256::from(u64(case, "replicate")?),
    );
    expect_eq("message", message.to_vec(), hex(case, "message")?)?;
    let digest = word(case, "sha256")?;
    expect_eq(
        "sha256GeP",
        digest >= FIELD_MODULUS,
        bool(case, "sha256GeP")?,
    )?;
    let hashed = hash_to_g1_detailed(&message);
    expect_eq(
        "increments",
        u64::from(hashed.increments),
        u64(case, "increments")?,
    )?;
    expect_eq(
        "point",
        PointWords::from_affine(&hashed.point),
        point(case, "point")?,
    )
}

fn vrf_credential(case: &Value) -> Result<()> {
    let seed = word(case, "seed")?;
    let block = U256::from(u64(case, "block")?);
    let valid = bool(case, "valid")?;
    expect_eq("error = !valid", is_error(case), !valid)?;
    if case.get("sortitionPrivateKey").is_none() {
        // A credential given to the verifier only (tampered, or s + q).
        let credential = credential_of(case)?;
        expect_eq(
            "credentialAbi",
            credential.abi_encode().to_vec(),
            hex(case, "credentialAbi")?,
        )?;
        let result = credential::verify(&point(case, "publicKey")?, seed, block, &credential);
        if valid {
            return expect_eq("verification", result, Ok(()));
        }
        return match (str(case, "errorMessage")?, result) {
            (
                "(revert without data)",
                Err(CredentialError::Gamma(_) | CredentialError::PublicKey(_)),
            ) => Ok(()),
            ("sortition proof invalid", Err(CredentialError::ProofInvalid)) => Ok(()),
            (message, result) => Err(anyhow!("expected rejection `{message}`, got {result:?}")),
        };
    }
    ensure!(valid, "a case with a private key must be a valid proof");
    let key = sortition_key(case)?;
    let replicate = U256::from(u64(case, "replicate")?);
    let k = u256_to_fr_reduced(word(case, "k")?);
    let proof = credential::prove_with_nonce(&key, seed, block, replicate, &k);
    expect_eq("publicKey", key.public_words(), point(case, "publicKey")?)?;
    expect_eq("h", proof.h, point(case, "h")?)?;
    expect_eq("gamma", proof.credential.gamma, point(case, "gamma")?)?;
    expect_eq("u", proof.u, point(case, "u")?)?;
    expect_eq("v", proof.v, point(case, "v")?)?;
    expect_eq(
        "challengePreimage",
        proof.challenge_preimage.to_vec(),
        hex(case, "challengePreimage")?,
    )?;
    expect_eq("c", proof.credential.c, word(case, "c")?)?;
    expect_eq("s", proof.credential.s, word(case, "s")?)?;
    expect_eq("credential", proof.credential, credential_of(case)?)?;
    let abi = hex(case, "credentialAbi")?;
    expect_eq(
        "credentialAbi",
        proof.credential.abi_encode().to_vec(),
        abi.clone(),
    )?;
    expect_eq(
        "decoded credentialAbi",
        Credential::abi_decode(&abi),
        Ok(proof.credential),
    )?;
    expect_eq(
        "gamma without proof",
        PointWords::from_affine(&credential::gamma(&key, seed, block, replicate)),
        proof.credential.gamma,
    )?;
    expect_eq(
        "verification",
        credential::verify(&key.public_words(), seed, block, &proof.credential),
        Ok(()),
    )
}

fn eligibility_ticket(case: &Value) -> Result<()> {
    let key = sortition_key(case)?;
    expect_eq("publicKey", key.public_words(), point(case, "publicKey")?)?;
    let seed = word(case, "seed")?;
    let block = U256::from(u64(case, "block")?);
    let credential = credential_of(case)?;
    expect_eq(
        "the ticket's proof verifies",
        credential::verify(&key.public_words(), seed, block, &credential),
        Ok(()),
    )?;
    let weight = eligibility::sortition_weight(
        u16::try_from(u64(case, "normalisedWeight")?)?,
        u16::try_from(u64(case, "normalisedWeightsSum")?)?,
    )?;
    expect_eq("weight", weight, u64(case, "weight")?)?;
    let limit = eligibility::replicate_limit(weight, u64(case, "maxWeight")?);
    expect_eq("replicateLimit", limit, u64(case, "replicateLimit")?)?;
    let cutoff = eligibility::score_cutoff(u128_word(case, "expectedSampleSize")?);
    expect_eq("scoreCutoff", cutoff, word(case, "scoreCutoff")?)?;
    let result = eligibility::check_ticket(
        &key.public_words(),
        seed,
        block,
        &credential,
        weight,
        cutoff,
    );
    expect_eq("eligible", result.is_ok(), bool(case, "eligible")?)?;
    expect_eq(
        "withinClientLimit",
        credential.replicate < U256::from(limit),
        bool(case, "withinClientLimit")?,
    )?;
    match (str(case, "contractResult")?, result) {
        ("accepted", Ok(())) => Ok(()),
        (
            "Credential's replicate value is not less than provider's weight",
            Err(EligibilityError::ReplicateNotBelowWeight),
        ) => Ok(()),
        (
            "sortition proof invalid",
            Err(EligibilityError::AboveCutoff | EligibilityError::Credential(_)),
        ) => Ok(()),
        (want, got) => Err(anyhow!("contractResult `{want}`, got {got:?}")),
    }
}

fn eligibility_scan(case: &Value) -> Result<()> {
    let key = sortition_key(case)?;
    expect_eq("publicKey", key.public_words(), point(case, "publicKey")?)?;
    let cutoff = eligibility::score_cutoff(u128_word(case, "expectedSampleSize")?);
    expect_eq("scoreCutoff", cutoff, word(case, "scoreCutoff")?)?;
    let winners = eligibility::winning_tickets(
        &key,
        word(case, "seed")?,
        U256::from(u64(case, "block")?),
        0..u64(case, "replicateLimit")?,
        cutoff,
    );
    let got: Vec<(u64, U256)> = winners.iter().map(|t| (t.replicate, t.gamma_x())).collect();
    let want = field(case, "eligibleReplicates")?
        .as_array()
        .ok_or_else(|| anyhow!("eligibleReplicates is not an array"))?
        .iter()
        .map(|w| Ok((u64(w, "replicate")?, word(w, "gammaX")?)))
        .collect::<Result<Vec<_>>>()?;
    expect_eq("eligibleReplicates", got, want)
}

fn register_public_key(case: &Value) -> Result<()> {
    let identity = address(case, "identityAddress")?;
    let public_key = point(case, "publicKey")?;
    let data = hex(case, "verificationData")?;
    let mut expected_data = word(case, "s")?.to_be_bytes::<32>().to_vec();
    expected_data.extend_from_slice(&point(case, "r")?.to_bytes());
    expect_eq("verificationData layout", data.clone(), expected_data)?;
    expect_eq(
        "message",
        key_registration::registration_message(&identity),
        b256(case, "message")?,
    )?;
    let result = key_registration::verify(&public_key, &identity, &data);
    let valid = bool(case, "valid")?;
    expect_eq("error = !valid", is_error(case), !valid)?;
    if !valid {
        return match (str(case, "errorMessage")?, result) {
            (
                "(revert without data)",
                Err(RegistrationError::PublicKey(_) | RegistrationError::SignaturePoint(_)),
            ) => Ok(()),
            ("public key verification error", Err(RegistrationError::VerificationFailed)) => Ok(()),
            (message, result) => Err(anyhow!("expected rejection `{message}`, got {result:?}")),
        };
    }
    expect_eq("verification", result, Ok(()))?;
    let key = sortition_key(case)?;
    let k = u256_to_fr_reduced(word(case, "k")?);
    let registration = key_registration::sign_with_nonce(&key, &identity, &k);
    expect_eq("publicKey", registration.public_key, public_key)?;
    expect_eq("r", registration.r, point(case, "r")?)?;
    expect_eq(
        "challengePreimage",
        registration.challenge_preimage.to_vec(),
        hex(case, "challengePreimage")?,
    )?;
    expect_eq("e", registration.e, word(case, "e")?)?;
    expect_eq(
        "eModQ",
        registration.e % ftso_core::fast_updates::curve::GROUP_ORDER,
        word(case, "eModQ")?,
    )?;
    expect_eq("s", registration.s, word(case, "s")?)?;
    expect_eq(
        "verificationData",
        registration.verification_data().to_vec(),
        data,
    )?;
    expect_eq(
        "registerPublicKeyCalldata",
        registration.calldata(),
        hex(case, "registerPublicKeyCalldata")?,
    )
}

/// The array of integer deltas at `key`.
fn deltas(case: &Value, key: &str) -> Result<Vec<Delta>> {
    field(case, key)?
        .as_array()
        .ok_or_else(|| anyhow!("{key} is not an array"))?
        .iter()
        .map(|v| {
            Ok(Delta::from_int(
                v.as_i64().ok_or_else(|| anyhow!("bad delta {v}"))?,
            )?)
        })
        .collect()
}

fn delta_encoding(case: &Value) -> Result<()> {
    let encoded = hex(case, "encoded")?;
    let decoded = deltas(case, "decoded")?;
    expect_eq("decoded", delta::decode(&encoded), decoded)?;
    if !bool(case, "encodable")? {
        return Ok(());
    }
    let deltas = deltas(case, "deltas")?;
    let text = str(case, "deltasString")?;
    expect_eq(
        "deltasString",
        delta::to_go_string(&deltas),
        text.to_owned(),
    )?;
    expect_eq(
        "parsed deltasString",
        delta::from_go_string(text),
        deltas.clone(),
    )?;
    expect_eq("encoded", delta::encode(&deltas), encoded)
}

fn update_message(case: &Value) -> Result<()> {
    let update = FastUpdate {
        sortition_block: U256::from(u64(case, "sortitionBlock")?),
        credential: credential_of(case)?,
        deltas: Bytes::from(hex(case, "deltas")?),
    };
    expect_eq("message", update.message(), hex(case, "message")?)?;
    expect_eq(
        "messageSha256",
        update.message_sha256(),
        b256(case, "messageSha256")?,
    )?;
    expect_eq(
        "ethSignedMessageHash",
        update.eth_signed_message_hash(),
        b256(case, "ethSignedMessageHash")?,
    )?;
    let signing_address = address(case, "signingAddress")?;
    if !is_error(case) {
        let signer: PrivateKeySigner = str(case, "signingPrivateKey")?.parse()?;
        expect_eq("signingAddress", signer.address(), signing_address)?;
        let signed = update.sign(&signer)?;
        expect_eq("signature", signed.signature, signature_of(case)?)?;
        return expect_eq(
            "recovered",
            update.recover_signer(&signed.signature),
            Ok(signing_address),
        );
    }
    let result = update.recover_signer(&signature_of(case)?);
    let recovered = field(case, "recoveredAddress")?;
    match (str(case, "errorMessage")?, result) {
        ("ECDSAInvalidSignature()", Err(UpdateError::InvalidSignature))
        | ("ECDSAInvalidSignatureS(bytes32)", Err(UpdateError::InvalidSignatureS)) => {
            ensure!(recovered.is_null(), "recoveredAddress should be null");
            Ok(())
        }
        (_, Ok(got)) => {
            let want: Address = recovered
                .as_str()
                .ok_or_else(|| anyhow!("recoveredAddress missing"))?
                .parse()?;
            expect_eq("recoveredAddress", got, want)?;
            ensure!(
                got != signing_address,
                "a rejected signature recovered the signer"
            );
            Ok(())
        }
        (message, got) => Err(anyhow!("expected `{message}`, got {got:?}")),
    }
}

fn submit_updates_calldata(case: &Value) -> Result<()> {
    let signed = signed_update_of(case)?;
    let calldata = hex(case, "calldata")?;
    expect_eq(
        "calldata",
        signed.submit_updates_calldata(),
        calldata.clone(),
    )?;
    expect_eq(
        "decoded calldata",
        SignedUpdate::decode_submit_updates(&calldata),
        Ok(signed.clone()),
    )?;
    let context = field(case, "context")?;
    let public_key = point(context, "sortitionPublicKey")?;
    expect_eq(
        "signer",
        signed.update.recover_signer(&signed.signature),
        Ok(address(context, "signingAddress")?),
    )?;
    expect_eq(
        "credential",
        credential::verify(
            &public_key,
            word(context, "seed")?,
            signed.update.sortition_block,
            &signed.update.credential,
        ),
        Ok(()),
    )?;
    let block = u64(case, "sortitionBlock")?;
    let window = update::check_window(
        block,
        u64(context, "inclusionBlock")?,
        DEFAULT_SUBMISSION_WINDOW,
    );
    let length = delta::check_len(
        signed.update.deltas.len(),
        usize::try_from(u64(context, "feedCount")?)?,
    );
    let duplicate = if bool(context, "alreadySubmitted")? {
        let earlier =
            SignedUpdate::decode_submit_updates(&hex(context, "earlierSubmissionCalldata")?)?;
        let key = |u: &SignedUpdate| {
            update::ticket_key(
                &public_key,
                u.update.sortition_block,
                u.update.credential.replicate,
            )
        };
        ensure!(
            earlier != signed,
            "the earlier submission should differ in proof or deltas"
        );
        key(&earlier) == key(&signed)
    } else {
        false
    };
    let accepted = window.is_ok() && length.is_ok() && !duplicate;
    if is_error(case) {
        let message = str(case, "errorMessage")?;
        let matches = match message {
            "More updates than available feeds" => length.is_err(),
            "Updates no longer accepted for the given block" => {
                matches!(window, Err(update::WindowError::TooLate { .. }))
            }
            "Updates not yet available for the given block" => {
                matches!(window, Err(update::WindowError::TooEarly { .. }))
            }
            "submission already provided" => duplicate,
            other => bail!("unexpected errorMessage `{other}`"),
        };
        ensure!(
            matches,
            "expected rejection `{message}`: window {window:?}, length {length:?}, duplicate {duplicate}"
        );
        Ok(())
    } else {
        ensure!(
            accepted,
            "accepted case rejected: window {window:?}, length {length:?}"
        );
        Ok(())
    }
}

fn submit_and_pass_calldata(case: &Value) -> Result<()> {
    ensure!(!is_error(case), "submitAndPass cases are all accepted");
    let signed = signed_update_of(case)?;
    let inner_calldata = hex(case, "submitUpdatesCalldata")?;
    expect_eq(
        "submitUpdatesCalldata",
        signed.submit_updates_calldata(),
        inner_calldata.clone(),
    )?;
    let inner_data = hex(case, "innerData")?;
    expect_eq(
        "innerData",
        inner_calldata.get(4..).map(<[u8]>::to_vec),
        Some(inner_data.clone()),
    )?;
    let calldata = hex(case, "calldata")?;
    expect_eq(
        "calldata",
        signed.submit_and_pass_calldata(),
        calldata.clone(),
    )?;
    expect_eq(
        "decoded calldata",
        update::decode_submit_and_pass(&calldata).map(|b| b.to_vec()),
        Ok(inner_data),
    )
}

fn value_scaling(case: &Value) -> Result<()> {
    let chain_value: U256 = str(case, "chainValue")?.parse()?;
    let decimals = i8::try_from(
        field(case, "decimals")?
            .as_i64()
            .ok_or_else(|| anyhow!("decimals"))?,
    )?;
    let chain = scaling::chain_value_to_f64(chain_value, decimals);
    expect_eq(
        "chainFloatBits",
        chain.to_bits(),
        bits(case, "chainFloatBits")?,
    )?;
    let provider = f64_with_bits(field(case, "providerValue")?, case.get("providerValueBits"))?;
    let scale_diff = scaling::scale_diff(
        u128_word(case, "scale")?,
        u128_word(case, "expectedSampleSize")?,
    );
    expect_eq(
        "scaleDiffBits",
        scale_diff.to_bits(),
        bits(case, "scaleDiffBits")?,
    )?;
    let diff = scaling::relative_diff(chain, provider);
    match case.get("diffSpecial").and_then(Value::as_str) {
        Some("+Inf") => ensure!(diff == f64::INFINITY, "diff {diff} is not +Inf"),
        Some("NaN") => ensure!(diff.is_nan(), "diff {diff} is not NaN"),
        Some(other) => bail!("unknown diffSpecial `{other}`"),
        None => expect_eq("diffBits", diff.to_bits(), bits(case, "diffBits")?)?,
    }
    let direction = scaling::direction(chain, provider);
    expect_eq(
        "direction",
        direction.as_char().to_string(),
        str(case, "direction")?.to_owned(),
    )?;
    let decision = scaling::decide(chain, provider, scale_diff);
    if bool(case, "deterministic")? {
        let delta = str(case, "delta")?;
        let Decision::Fixed(got) = decision else {
            bail!("expected a fixed decision, got {decision:?}");
        };
        expect_eq("delta", got.as_char().to_string(), delta.to_owned())?;
        let probability = field(case, "moveProbability")?
            .as_f64()
            .ok_or_else(|| anyhow!("moveProbability"))?;
        expect_eq("moveProbability", decision.move_probability(), probability)
    } else {
        ensure!(
            field(case, "delta")?.is_null(),
            "random case with a fixed delta"
        );
        let Decision::Random {
            direction: d,
            probability,
        } = decision
        else {
            bail!("expected a random decision, got {decision:?}");
        };
        expect_eq("random direction", d, direction)?;
        expect_eq(
            "moveProbabilityBits",
            probability.to_bits(),
            bits(case, "moveProbabilityBits")?,
        )?;
        // The draw decides: just below the probability moves, at it stays.
        expect_eq("draw 0", decision.resolve(0.0), direction)?;
        expect_eq("draw p", decision.resolve(probability), Delta::Zero)
    }
}
