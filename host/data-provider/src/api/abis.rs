//! `GET data-abis`: the ABI of the result tree's structs, as the first input of the
//! `FtsoMerkleStructs` functions `randomStruct`, `feedStruct` and `feedWithProofStruct`, with
//! their selectors (the contract ABI published with flare-smart-contracts-v2).

use std::sync::OnceLock;

use serde_json::{Value, json};

use super::model::{AbiData, AbiDefinition, AbiDefinitionsResponse, ExternalStatus};

/// `(internalType, name, type)` of a plain ABI parameter.
fn param(kind: &str, name: &str) -> Value {
    json!({ "internalType": kind, "name": name, "type": kind })
}

/// The components of `IFtsoFeedPublisher.Feed`.
fn feed_components() -> Value {
    json!([
        param("uint32", "votingRoundId"),
        param("bytes21", "id"),
        param("int32", "value"),
        param("uint16", "turnoutBIPS"),
        param("int8", "decimals"),
    ])
}

fn tuple(components: Value, internal_type: &str, name: &str) -> Value {
    json!({ "components": components, "internalType": internal_type, "name": name, "type": "tuple" })
}

/// The `data-abis` answer (built once).
pub fn definitions() -> &'static AbiDefinitionsResponse {
    static DEFINITIONS: OnceLock<AbiDefinitionsResponse> = OnceLock::new();
    DEFINITIONS.get_or_init(|| {
        let random = tuple(
            json!([
                param("uint32", "votingRoundId"),
                param("uint256", "value"),
                param("bool", "isSecure"),
            ]),
            "struct IFtsoFeedPublisher.Random",
            "_random",
        );
        let feed = tuple(feed_components(), "struct IFtsoFeedPublisher.Feed", "_feed");
        let feed_with_proof = tuple(
            json!([
                param("bytes32[]", "merkleProof"),
                tuple(feed_components(), "struct IFtsoFeedPublisher.Feed", "body"),
            ]),
            "struct IFtsoFeedPublisher.FeedWithProof",
            "_proof",
        );
        let entry = |abi_name, abi, signature| AbiDefinition {
            abi_name,
            data: AbiData { abi, signature },
        };
        AbiDefinitionsResponse {
            status: ExternalStatus::Ok,
            data: vec![
                entry("randomStruct", random, "0x3287b619"),
                entry("feedStruct", feed, "0x59f978d9"),
                entry("feedWithProofStruct", feed_with_proof, "0x628757c4"),
            ],
        }
    })
}

#[cfg(test)]
mod tests {
    use alloy_primitives::keccak256;

    use super::*;

    fn selector(signature: &str) -> String {
        super::super::model::hex0x(&keccak256(signature.as_bytes())[..4])
    }

    #[test]
    fn selectors_are_those_of_the_struct_functions() {
        let data = &definitions().data;
        assert_eq!(
            data[0].data.signature,
            selector("randomStruct((uint32,uint256,bool))")
        );
        assert_eq!(
            data[1].data.signature,
            selector("feedStruct((uint32,bytes21,int32,uint16,int8))")
        );
        assert_eq!(
            data[2].data.signature,
            selector("feedWithProofStruct((bytes32[],(uint32,bytes21,int32,uint16,int8)))")
        );
    }

    #[test]
    fn the_body_is_the_reference_body() {
        let body = serde_json::to_string(definitions()).unwrap();
        // data-provider.md §12.7, first entry verbatim.
        let random = r#"{"abiName":"randomStruct","data":{"abi":{"components":[{"internalType":"uint32","name":"votingRoundId","type":"uint32"},{"internalType":"uint256","name":"value","type":"uint256"},{"internalType":"bool","name":"isSecure","type":"bool"}],"internalType":"struct IFtsoFeedPublisher.Random","name":"_random","type":"tuple"},"signature":"0x3287b619"}}"#;
        assert!(body.starts_with(&format!(r#"{{"status":"OK","data":[{random},"#)));
        assert!(body.contains(r#"{"internalType":"bytes32[]","name":"merkleProof","type":"bytes32[]"},{"components":[{"internalType":"uint32","name":"votingRoundId","type":"uint32"},{"internalType":"bytes21","name":"id","type":"bytes21"}"#));
        assert!(body.ends_with(r#""internalType":"struct IFtsoFeedPublisher.FeedWithProof","name":"_proof","type":"tuple"},"signature":"0x628757c4"}}]}"#));
    }
}
