//! `ftso-core` hard-codes selectors and lays out Submission and Relay calldata by hand; these
//! tests hold them to the contract ABIs bound here and to the golden vectors: the selectors are
//! equal, and calldata made from the `sol!` call encodings equals core's bytes and the vectors'.
//!
//! The vectors are read from `FTSO_VECTORS_DIR`, or `shared/vectors` beside the repository.

use std::path::PathBuf;

use alloy::signers::local::PrivateKeySigner;
use alloy_sol_types::SolCall;
use ftso_chain::{IEntityManager, IFastUpdater, IRelay, ISubmission, selectors};
use ftso_core::fast_updates::abi as core_fast_updates;
use ftso_core::payload;
use ftso_core::relay::{self, RelaySignature};
use ftso_core::submit_signatures::{self, SignaturePayload, SignaturePayloadType};
use serde_json::Value;

/// Errors of the helpers reading the vectors.
type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

fn vectors(name: &str) -> Fallible<Value> {
    let dir = std::env::var_os("FTSO_VECTORS_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors"),
        PathBuf::from,
    );
    let path = dir.join(name);
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    Ok(serde_json::from_str(&text).map_err(|e| format!("parsing {}: {e}", path.display()))?)
}

fn cases<'a>(file: &'a Value, kind: Option<&str>) -> Fallible<Vec<&'a Value>> {
    let cases: Vec<&Value> = file["cases"]
        .as_array()
        .ok_or("no `cases` array")?
        .iter()
        .filter(|case| kind.is_none_or(|kind| case["kind"] == kind))
        .collect();
    if cases.is_empty() {
        return Err(format!("no cases of kind {kind:?}").into());
    }
    Ok(cases)
}

fn text<'a>(case: &'a Value, key: &str) -> Fallible<&'a str> {
    Ok(case[key]
        .as_str()
        .ok_or_else(|| format!("`{key}` is not a string in {case}"))?)
}

fn bytes(case: &Value, key: &str) -> Fallible<Vec<u8>> {
    let text = text(case, key)?;
    Ok(hex::decode(text.strip_prefix("0x").unwrap_or(text))?)
}

fn number(case: &Value, key: &str) -> Fallible<u64> {
    Ok(case[key]
        .as_u64()
        .ok_or_else(|| format!("`{key}` is not an integer in {case}"))?)
}

/// The call's own ABI encoding (its selector: these calls take no ABI arguments) followed by the
/// custom-packed data the contracts read from `msg.data`.
fn sol_calldata(call: &impl SolCall, packed: &[u8]) -> Vec<u8> {
    [call.abi_encode().as_slice(), packed].concat()
}

/// The bindings' calldata, core's and the vector's are the same bytes.
fn same_bytes(
    what: impl std::fmt::Display,
    bindings: &[u8],
    core: &[u8],
    vector: &[u8],
) -> Fallible<()> {
    if bindings == core && core == vector {
        return Ok(());
    }
    Err(format!(
        "{what}: bindings 0x{}, core 0x{}, vector 0x{}",
        hex::encode(bindings),
        hex::encode(core),
        hex::encode(vector)
    )
    .into())
}

#[test]
fn core_selectors_equal_the_abi_selectors() -> Fallible<()> {
    let pairs: [(&str, [u8; 4], [u8; 4]); 9] = [
        ("submit1", payload::SUBMIT1_SELECTOR, selectors::SUBMIT1),
        ("submit2", payload::SUBMIT2_SELECTOR, selectors::SUBMIT2),
        ("submit3", payload::SUBMIT3_SELECTOR, selectors::SUBMIT3),
        (
            "submitSignatures",
            payload::SUBMIT_SIGNATURES_SELECTOR,
            selectors::SUBMIT_SIGNATURES,
        ),
        (
            "submitAndPass",
            payload::SUBMIT_AND_PASS_SELECTOR,
            selectors::SUBMIT_AND_PASS,
        ),
        ("relay", relay::RELAY_SELECTOR, selectors::RELAY),
        (
            "submitUpdates",
            core_fast_updates::submitUpdatesCall::SELECTOR,
            IFastUpdater::submitUpdatesCall::SELECTOR,
        ),
        (
            "submitAndPass (fast updates)",
            core_fast_updates::submitAndPassCall::SELECTOR,
            ISubmission::submitAndPassCall::SELECTOR,
        ),
        (
            "registerPublicKey",
            core_fast_updates::registerPublicKeyCall::SELECTOR,
            IEntityManager::registerPublicKeyCall::SELECTOR,
        ),
    ];
    for (name, core, chain) in pairs {
        assert_eq!(
            hex::encode(core),
            hex::encode(chain),
            "{name}: ftso-core and the ABI disagree"
        );
    }
    Ok(())
}

#[test]
fn submit1_and_submit2_calldata_from_the_bindings_equals_core_and_the_vectors() -> Fallible<()> {
    let file = vectors("commit.json")?;
    let mut checked = 0;
    for case in cases(&file, None)? {
        if case["error"].as_str().is_some_and(|e| !e.is_empty()) || case["submit1Data"].is_null() {
            continue;
        }
        // The system client sends the reference's selector (A3.1) followed by the data.
        for (key, calldata, selector, reference_selector) in [
            (
                "submit1Data",
                sol_calldata(&ISubmission::submit1Call {}, &bytes(case, "submit1Data")?),
                payload::SUBMIT1_SELECTOR,
                "6c532fae",
            ),
            (
                "submit2Data",
                sol_calldata(&ISubmission::submit2Call {}, &bytes(case, "submit2Data")?),
                payload::SUBMIT2_SELECTOR,
                "9d00c9fd",
            ),
        ] {
            // Core reads the bindings' calldata back as its own selector and one payload
            // message, and writes the same bytes from them.
            let (got_selector, messages) = payload::decode_calldata(&calldata)?;
            assert_eq!(got_selector, selector, "{key}: selector");
            assert_eq!(messages.len(), 1, "{key}: one payload message");
            let core = [
                selector.as_slice(),
                &payload::encode_concatenated(&messages)?,
            ]
            .concat();
            let vector = [hex::decode(reference_selector)?, bytes(case, key)?].concat();
            let what = format!("{key} of round {}", case["votingRoundId"]);
            same_bytes(what, &calldata, &core, &vector)?;
            checked += 1;
        }
    }
    assert!(checked >= 2, "no commit vectors checked");
    Ok(())
}

fn signed_payload(case: &Value, signer: &PrivateKeySigner) -> Fallible<SignaturePayload> {
    Ok(SignaturePayload::sign(
        signer,
        u8::try_from(number(case, "protocolId")?)?,
        u32::try_from(number(case, "votingRoundId")?)?,
        SignaturePayloadType::from_u8(u8::try_from(number(case, "type")?)?)?,
        &bytes(case, "message")?,
        &bytes(case, "additionalData")?,
    )?)
}

#[test]
fn submit_signatures_calldata_from_the_bindings_equals_core_and_the_vectors() -> Fallible<()> {
    let file = vectors("fsp-signing.json")?;
    for case in cases(&file, Some("submitSignaturesCalldata"))? {
        let signer: PrivateKeySigner = text(case, "privateKey")?.parse()?;
        let payloads: Vec<SignaturePayload> = case["payloads"]
            .as_array()
            .ok_or("no `payloads` array")?
            .iter()
            .map(|p| signed_payload(p, &signer))
            .collect::<Fallible<_>>()?;
        let mut packed = Vec::new();
        for payload in &payloads {
            packed.extend_from_slice(&payload.encode()?);
        }
        let calldata = sol_calldata(&ISubmission::submitSignaturesCall {}, &packed);
        let core = submit_signatures::submit_signatures_calldata(&payloads)?;
        same_bytes(&case["name"], &calldata, &core, &bytes(case, "calldata")?)?;
    }
    // The round results' type-1 payload, sent as the data provider hands it to the system client.
    let file = vectors("round-results.json")?;
    let mut checked = 0;
    for case in cases(&file, None)? {
        let Some(signing) = case.get("signing").filter(|s| s.is_object()) else {
            continue;
        };
        let packed = bytes(signing, "payloadType1")?;
        let calldata = sol_calldata(&ISubmission::submitSignaturesCall {}, &packed);
        let decoded: Vec<SignaturePayload> =
            submit_signatures::decode_submit_signatures_calldata(&calldata)?
                .into_iter()
                .collect::<Result<_, _>>()?;
        let core = submit_signatures::submit_signatures_calldata(&decoded)?;
        let vector = bytes(signing, "submitSignaturesCalldataType1")?;
        same_bytes(&case["name"], &calldata, &core, &vector)?;
        checked += 1;
    }
    assert!(checked > 0, "no round-results signing blocks checked");
    Ok(())
}

#[test]
fn relay_calldata_from_the_bindings_equals_core_and_the_vectors() -> Fallible<()> {
    let file = vectors("fsp-signing.json")?;
    for case in cases(&file, Some("relayCalldata"))? {
        let policy = bytes(case, "signingPolicy")?;
        let message: [u8; 38] = bytes(case, "message")?
            .try_into()
            .map_err(|_| "message is not 38 bytes")?;
        let mut signatures = Vec::new();
        for entry in case["signatures"]
            .as_array()
            .ok_or("no `signatures` array")?
        {
            signatures.push(RelaySignature {
                index: u16::try_from(number(entry, "index")?)?,
                signature: bytes(entry, "signatureVRS")?
                    .try_into()
                    .map_err(|_| "signatureVRS is not 65 bytes")?,
            });
        }
        let count = u16::try_from(signatures.len())?;
        let mut packed = [policy.as_slice(), &message, &count.to_be_bytes()].concat();
        for signature in &signatures {
            packed.extend_from_slice(&signature.signature);
            packed.extend_from_slice(&signature.index.to_be_bytes());
        }
        let calldata = sol_calldata(&IRelay::relayCall {}, &packed);
        let core = relay::relay_calldata(&policy, &message, &signatures)?;
        same_bytes(&case["name"], &calldata, &core, &bytes(case, "calldata")?)?;
    }
    Ok(())
}
