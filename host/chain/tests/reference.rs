//! The selectors and topics of the bindings equal the values in the reference digest
//! (shared/reference/contracts-and-localnet.md, Part A), written here as literal hex.

#![allow(clippy::expect_used, reason = "tests decode literal hex")]

use alloy_primitives::{B256, hex};
use ftso_chain::{names, selectors, topics};

fn topic(expected: &str) -> B256 {
    B256::from_slice(&hex::decode(expected).expect("literal hex"))
}

#[test]
fn selectors_match_the_reference() {
    let cases: [([u8; 4], &str); 12] = [
        (selectors::SUBMIT1, "6c532fae"),
        (selectors::SUBMIT2, "9d00c9fd"),
        (selectors::SUBMIT3, "e1b157e7"),
        (selectors::SUBMIT_SIGNATURES, "57eed580"),
        (selectors::SUBMIT_AND_PASS, "833bf6c0"),
        (selectors::RELAY, "b59589d1"),
        (selectors::DAEMONIZE, "6d0e8c34"),
        (selectors::SIGN_NEW_SIGNING_POLICY, "6b4c7bd6"),
        (selectors::SIGN_UPTIME_VOTE, "dc5a4225"),
        (selectors::SIGN_REWARDS, "c00a1a97"),
        (selectors::REGISTER_VOTER, "8f7d0957"),
        (selectors::REGISTER_PUBLIC_KEY, "b1863cff"),
    ];
    for (actual, expected) in cases {
        assert_eq!(hex::encode(actual), expected);
    }
}

#[test]
fn topics_match_the_reference() {
    let cases: [(B256, &str); 21] = [
        (
            topics::NEW_VOTING_ROUND_INITIATED,
            "b74d3a815b816fdb5f14fb14f14bf86e1a87dcbc3f23150f1c32f89cd4622f3d",
        ),
        (
            topics::SIGNING_POLICY_INITIALIZED,
            "91d0280e969157fc6c5b8f952f237b03d934b18534dafcac839075bbc33522f8",
        ),
        (
            topics::PROTOCOL_MESSAGE_RELAYED,
            "4b781cfef3123d9257ab69e6e8ea36ad75a346d63c5ecf8a46931a0eef48bb9e",
        ),
        (
            topics::SIGNING_POLICY_RELAYED,
            "e68f222ab8e81b2e0b38a4725817a1846aeee9a4a11f55899e83fc20766175e8",
        ),
        (
            topics::RANDOM_ACQUISITION_STARTED,
            "f9991783e5e480e42d9a54d3f35f4321857f8f0ebeb3742d326dce28b1126708",
        ),
        (
            topics::VOTE_POWER_BLOCK_SELECTED,
            "f21722dbe044a7cea0f6d81c871cae750971e36c9dd10999e46f2b46f26ac7ff",
        ),
        (
            topics::SIGNING_POLICY_SIGNED,
            "154b0214ae62d8a5548c1eac25fabd87c38b04932a217732e1022f3118da67f3",
        ),
        (
            topics::REWARD_EPOCH_STARTED,
            "4abb62ab1e4c42a11b90e4e45b92af1274f74cc634b759518e8c99e000d8be6d",
        ),
        (
            topics::SIGN_UPTIME_VOTE_ENABLED,
            "235cef7d085c1e59545613282d239e56eb0cd056135aa46b8c658cf54a078561",
        ),
        (
            topics::UPTIME_VOTE_SUBMITTED,
            "ed370d61eb315e1d46d979894585530b99f94dab64c0d40366685aebe39e3db0",
        ),
        (
            topics::UPTIME_VOTE_SIGNED,
            "5506337d1266599f8b64675a1c8321701657ca2f2f70be0e0c58302b6c22e797",
        ),
        (
            topics::REWARDS_SIGNED,
            "81b5504045130d3b82498ff414ad58271e85bbde420cc85aa66d91eff9af30fb",
        ),
        (
            topics::VOTER_REGISTERED,
            "bfb6cd90b6e2668916d9e034926c84f40bcf94094b0d625ec8eecfdeb2150ae1",
        ),
        (
            topics::VOTER_REGISTERED_V1,
            "824bc2cc10bfe21ead60b8c8a90716eb325b9335aa73eaede799abf38fce062c",
        ),
        (
            topics::VOTER_REMOVED,
            "c68883244ac4be6ff6d4b0bf9c8f4cc0fa21af3cf2921443c1bd0af0683cfcf6",
        ),
        (
            topics::VOTER_REMOVED_V1,
            "98a7f87f8e2aa2f23f43769eff67782bb12946384b142d1ce1e8e38e05d9a3e6",
        ),
        (
            topics::BENEFICIARY_CHILLED,
            "23a1b7932916d24f6177b7f7282bb925e3733697d5699c07e0372cd149696345",
        ),
        (
            topics::BENEFICIARY_CHILLED_V1,
            "0a5e087b026d8f1c57e75d9d0cb0394c2ad3535e7a15d97d553be80476274cd0",
        ),
        (
            topics::VOTER_REGISTRATION_INFO,
            "c49a5cabcc0776ace8cfd024e155bc303ee5e492b29d59f1ff7dbafa0b34a04b",
        ),
        (
            topics::VOTER_REGISTRATION_INFO_V1,
            "0ab8c10ef8cc6c5a591797917aba3b2688483b9ff7ab824f36b872a45b752e1f",
        ),
        (
            topics::REWARDS_OFFERED,
            "0b348981891869f97551a071f05fba72c5efadafb062152f1ef417a25264d69a",
        ),
    ];
    for (actual, expected) in cases {
        assert_eq!(actual, topic(expected), "expected {expected}");
    }
    assert_eq!(
        topics::FTSO_INFLATION_REWARDS_OFFERED,
        topic("01070f0e535c0d3077d9ca64b3122869a1897ff5c7711ba33b4db1fb9fd70cfc")
    );
    assert_eq!(
        topics::PUBLIC_KEY_REGISTERED,
        topic("857427b1f3d6fc86cfeeb2c86d75772cf01de4519a0ff8d413418b55e7680745")
    );
    assert_eq!(
        topics::SIGNING_POLICY_ADDRESS_REGISTRATION_CONFIRMED,
        topic("9048f894e2dc8c92dc12516c12b68f8240a4fa83c046943471f4e2ea8c6f2ba8")
    );
}

#[test]
fn legacy_and_current_calculator_selectors_match_the_reference() {
    use alloy_sol_types::SolCall;
    use ftso_chain::IFlareSystemsCalculator;
    use ftso_chain::legacy::IFlareSystemsCalculatorV1;
    assert_eq!(
        hex::encode(IFlareSystemsCalculator::calculateRegistrationWeightCall::SELECTOR),
        "48bee227"
    );
    assert_eq!(
        hex::encode(IFlareSystemsCalculatorV1::calculateRegistrationWeightCall::SELECTOR),
        "b65185d6"
    );
    assert_eq!(
        hex::encode(ftso_chain::IFlareContractRegistry::getContractAddressByNameCall::SELECTOR),
        "82760fca"
    );
    assert_eq!(
        hex::encode(ftso_chain::IAddressUpdatable::updateContractAddressesCall::SELECTOR),
        "b00c0b76"
    );
}

#[test]
fn registry_address_is_the_network_constant() {
    assert_eq!(
        names::FLARE_CONTRACT_REGISTRY_ADDRESS.to_checksum(None),
        "0xaD67FE66660Fb8dFE9d6b1b4240d8650e30F6019"
    );
}
