//! The compiled contracts expose the reference selectors and event topics (literal hex from the reference digest,
//! contracts-and-localnet.md Part A), read from the committed artifacts' method identifiers and ABIs.

use std::collections::BTreeSet;

use alloy::json_abi::JsonAbi;
use alloy::primitives::hex;

fn artifact_json(name: &str) -> serde_json::Value {
    let path = ftso_testkit::workspace_root().join(format!("host/devnet/artifacts/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("artifact exists"))
        .expect("artifact is JSON")
}

fn selectors(name: &str) -> BTreeSet<String> {
    artifact_json(name)["methodIdentifiers"]
        .as_object()
        .expect("methodIdentifiers")
        .values()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn topics(name: &str) -> BTreeSet<String> {
    let abi: JsonAbi = serde_json::from_value(artifact_json(name)["abi"].clone()).expect("abi");
    abi.events().map(|e| hex::encode(e.selector())).collect()
}

fn assert_has(name: &str, set: &BTreeSet<String>, expected: &[&str]) {
    for e in expected {
        assert!(set.contains(*e), "{name} lacks {e}");
    }
}

#[test]
fn contract_selectors_match_the_reference() {
    assert_has(
        "Submission",
        &selectors("Submission"),
        &[
            "6c532fae", "9d00c9fd", "e1b157e7", "57eed580", "833bf6c0", "f8ae8a2f", "9ee7fe4d",
            "93953af1", "afd7f821", "a978fb6b", "af9fbc3e", "d89601fd",
        ],
    );
    assert_has(
        "Relay",
        &selectors("Relay"),
        &[
            "b59589d1", "83534125", "0c85bf07", "39436b00", "317ad33c", "dbdff2c1", "a87f1438",
            "7297c0a2", "8af0c307", "1e8fb36a", "ab97db37", "808506aa", "a9dbe8ed", "377c50d4",
            "91e7d42f", "686a5e5d", "47e1818b",
        ],
    );
    assert_has(
        "FlareSystemsManager",
        &selectors("FlareSystemsManager"),
        &[
            "6d0e8c34", "6b4c7bd6", "9dd6850f", "dc5a4225", "c00a1a97", "70562697", "4134520b",
            "79e047ed", "85f3c9c9", "e8d0e70a", "5a832088", "c2632216", "75d2187a", "e0d4ea37",
            "4615d5e9", "1703a788", "09505d25", "e7c830d4", "ed54fd63", "4f923d37", "00ddae53",
            "8f8f9f3a", "d2e9ad71", "dac4319d", "d3466911", "647006e2", "c581e791", "787173e7",
            "098e7ff6", "490344f4", "6aeffddc", "a733d54b", "a219fe02", "d10e807f", "4c528765",
            "d8a01a0a", "f21d6304", "2e3645f8", "4eaee307", "8fbaf860", "06886f41", "24eb64de",
            "67daec89", "a72b826e", "d4be6faa", "c9f1d2aa", "41c05ad5", "59db0e2f", "b6c25af0",
            "1916e915",
        ],
    );
    assert_has(
        "VoterRegistry",
        &selectors("VoterRegistry"),
        &[
            "8f7d0957", "4f5a9968", "457c2e47", "369e9434", "7c2cb921", "b61b57fa", "29a2e5ed",
            "cc8356ca", "39661f5f", "987a4500", "8c645728", "44b571d9", "fff50753", "d5e50a63",
            "92e3e45f", "3c5cb76f", "52131823", "c452e47f", "79f7e77b", "fd587daf", "17da6b31",
        ],
    );
    assert_has(
        "EntityManager",
        &selectors("EntityManager"),
        &[
            "5712b9f3", "e5360006", "87607e41", "5f1fb56a", "36edd357", "bda1a84e", "69b5fed9",
            "db8d5125", "b1863cff", "e1e3cdac", "019476a7", "18c03f94", "b2519ac8", "e5771dbc",
            "2bedbf7a", "a5d70de0", "11104561", "75e68605", "5b4be5f2", "e6450b97", "e178ec4c",
            "89292b0f", "61bc320f", "bc8c4a5f", "0a812fff", "09c80fa6", "07c5bcf9", "c1aeca13",
        ],
    );
    assert_has(
        "FlareSystemsCalculator",
        &selectors("FlareSystemsCalculator"),
        &[
            "48bee227", "9350f57c", "5edf7596", "96ca1472", "87fd1ba1", "9dd1018c", "7bf756c9",
            "677342ce",
        ],
    );
    assert_has(
        "FtsoRewardOffersManager",
        &selectors("FtsoRewardOffersManager"),
        &["b75a424f"],
    );
    assert_has(
        "WNatDelegationFee",
        &selectors("WNatDelegationFee"),
        &["78a8dad9", "d700e0cf", "c98ef5ce", "16fe49c7", "4b44f0b2"],
    );
    assert_has(
        "VotePowerStub",
        &selectors("VotePowerStub"),
        &["92bfe6d8", "3e5aa26a"],
    );
    assert_has(
        "RewardManagerStub",
        &selectors("RewardManagerStub"),
        &["deea13e7", "d6c1dbee", "a02e86e5", "2ae07e9a", "70562697"],
    );
    assert_has(
        "FlareContractRegistry",
        &selectors("FlareContractRegistry"),
        &["82760fca", "76d2b1af", "159354a2", "18d3ce96"],
    );
    for name in [
        "VoterRegistry",
        "FlareSystemsCalculator",
        "FlareSystemsManager",
        "Submission",
        "WNatDelegationFee",
        "FtsoRewardOffersManager",
    ] {
        assert_has(name, &selectors(name), &["b00c0b76"]);
    }
}

#[test]
fn contract_event_topics_match_the_reference() {
    assert_has(
        "Submission",
        &topics("Submission"),
        &["b74d3a815b816fdb5f14fb14f14bf86e1a87dcbc3f23150f1c32f89cd4622f3d"],
    );
    assert_has(
        "Relay",
        &topics("Relay"),
        &[
            "91d0280e969157fc6c5b8f952f237b03d934b18534dafcac839075bbc33522f8",
            "4b781cfef3123d9257ab69e6e8ea36ad75a346d63c5ecf8a46931a0eef48bb9e",
            "e68f222ab8e81b2e0b38a4725817a1846aeee9a4a11f55899e83fc20766175e8",
        ],
    );
    assert_has(
        "FlareSystemsManager",
        &topics("FlareSystemsManager"),
        &[
            "f9991783e5e480e42d9a54d3f35f4321857f8f0ebeb3742d326dce28b1126708",
            "f21722dbe044a7cea0f6d81c871cae750971e36c9dd10999e46f2b46f26ac7ff",
            "154b0214ae62d8a5548c1eac25fabd87c38b04932a217732e1022f3118da67f3",
            "4abb62ab1e4c42a11b90e4e45b92af1274f74cc634b759518e8c99e000d8be6d",
            "235cef7d085c1e59545613282d239e56eb0cd056135aa46b8c658cf54a078561",
            "ed370d61eb315e1d46d979894585530b99f94dab64c0d40366685aebe39e3db0",
            "5506337d1266599f8b64675a1c8321701657ca2f2f70be0e0c58302b6c22e797",
            "81b5504045130d3b82498ff414ad58271e85bbde420cc85aa66d91eff9af30fb",
            "449d255b9c487823db86822a857f218d40682abada12acee2483788dc2fa975a",
            "c0cded1f60001401da804c8a7703c1e8dc60521fca0f0f9853e2f1984b5410ba",
            "e9a7be2e41a6b0b36d253d56488c6844e611be2bffd8dd4b69b89a078f41fecc",
        ],
    );
    assert_has(
        "VoterRegistry",
        &topics("VoterRegistry"),
        &[
            "bfb6cd90b6e2668916d9e034926c84f40bcf94094b0d625ec8eecfdeb2150ae1",
            "c68883244ac4be6ff6d4b0bf9c8f4cc0fa21af3cf2921443c1bd0af0683cfcf6",
            "23a1b7932916d24f6177b7f7282bb925e3733697d5699c07e0372cd149696345",
        ],
    );
    assert_has(
        "FlareSystemsCalculator",
        &topics("FlareSystemsCalculator"),
        &["c49a5cabcc0776ace8cfd024e155bc303ee5e492b29d59f1ff7dbafa0b34a04b"],
    );
    assert_has(
        "LegacyEventEmitter",
        &topics("LegacyEventEmitter"),
        &[
            "824bc2cc10bfe21ead60b8c8a90716eb325b9335aa73eaede799abf38fce062c",
            "0ab8c10ef8cc6c5a591797917aba3b2688483b9ff7ab824f36b872a45b752e1f",
        ],
    );
    assert_has(
        "FtsoRewardOffersManager",
        &topics("FtsoRewardOffersManager"),
        &[
            "0b348981891869f97551a071f05fba72c5efadafb062152f1ef417a25264d69a",
            "01070f0e535c0d3077d9ca64b3122869a1897ff5c7711ba33b4db1fb9fd70cfc",
        ],
    );
    assert_has(
        "EntityManager",
        &topics("EntityManager"),
        &[
            "ed9e746b8b92f73a860c368d322985a6a0ab72ab1a3068eb69f708b495126e0f",
            "614066d64432bd11a481cb202e15398e6b92baffd86c2573f54f9e9cd6c29ee4",
            "6a2d1988f57bc4ea8524ed144eabaac3bd34483c8e45307a895418c99474e9aa",
            "82e3417c0fa3f7348ea9fcadb3c243c43ac30b003c0e1749990612a8d10a9674",
            "1362ec372c84a894b58be817f44d2d1b2f9cb444493e30bf344d31c5f6894cc1",
            "19542a5b3b9df6306e5277bdfd5865021928d36f752509fda85bc749378f4a12",
            "cc50114c186aff0cb8d59f83a59f057e0514f1ea68b9b1c0b993f8a7cde815eb",
            "9048f894e2dc8c92dc12516c12b68f8240a4fa83c046943471f4e2ea8c6f2ba8",
            "857427b1f3d6fc86cfeeb2c86d75772cf01de4519a0ff8d413418b55e7680745",
            "c82d1b006dff077f4b0f4d725ec132b77e92dd46cd9712e660de1b13181ed238",
            "cc83e5a4ea6e4a90196f405439628da7c929529e42fbb6af2e388f9c6a2fd6f0",
            "44d1a340b419d3f42da5eb85de7715aecbaf6376855ef4f64a1e033e094231d2",
            "ce75fee15f61236d01d8324caa31f041cd043f94ae234d463ae5b88bd2ad7e57",
        ],
    );
    assert_has(
        "WNatDelegationFee",
        &topics("WNatDelegationFee"),
        &["c4a1cded87357ddb31adb244f617b77f168f67f2193d054810b41409ef7523e0"],
    );
}
