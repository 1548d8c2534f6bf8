//! Writes `tests/fixtures/db-to-round.json` (the `db-to-round.json` schema of
//! `shared/vectors/README.md`) for the scenario of data-provider §12.7:
//! `cargo test -p ftso-data-provider --test it -- --ignored write_db_to_round_fixture`.
//!
//! The expected figures are the digest's (§12.7); the full leaf hashes, which the digest only
//! abbreviates, come from `ftso_core::round`'s vector-tested leaf encoding and are checked
//! against the digest's abbreviations here. Q1/Q3 of ETH and FLR (not in the digest) follow from
//! the scenario's values by the §5.2 rules, worked out by hand in the comments.

use alloy_primitives::{Address, B256, U256};
use ftso_core::feed::FeedId;
use ftso_core::round::{abi, feed_leaf_hash, random_leaf_hash};
use serde_json::{Value, json};

use crate::rows::states;
use crate::scenario::{self, LOCAL_TEST, Options, Role, VOTERS, WEIGHTS, address};

/// Where the fixture lives.
pub fn path() -> std::path::PathBuf {
    ftso_testkit::workspace_root().join("host/data-provider/tests/fixtures/db-to-round.json")
}

fn hex0x(bytes: impl AsRef<[u8]>) -> String {
    format!("0x{}", alloy_primitives::hex::encode(bytes))
}

fn submit(i: u8) -> String {
    hex0x(address(i, Role::Submit))
}

/// One expected feed: (value, turnout, q1, q3, participating weight).
struct Feed {
    value: i32,
    turnout: u16,
    q1: Option<i32>,
    q3: Option<i32>,
    participating: u64,
}

fn feed_json(round: u32, id: FeedId, decimals: u8, f: &Feed) -> (Value, B256) {
    let decimals = i8::try_from(decimals).expect("decimals");
    let leaf = feed_leaf_hash(&abi::Feed {
        votingRoundId: round,
        id: id.0,
        value: f.value,
        turnoutBIPS: f.turnout,
        decimals,
    });
    let json = json!({
        "votingRoundId": round,
        "id": hex0x(id.0),
        "value": f.value,
        "turnoutBIPS": f.turnout,
        "decimals": decimals,
        "q1": f.q1,
        "q3": f.q3,
        "participatingWeight": f.participating.to_string(),
        "totalWeight": "10000",
        "leaf": hex0x(leaf),
    });
    (json, leaf)
}

fn abbreviation_matches(hash: &B256, abbreviated: &str) -> bool {
    let full = alloy_primitives::hex::encode(hash);
    let (head, tail) = abbreviated.split_once('…').expect("abbreviated hash");
    full.starts_with(head) && full.ends_with(tail)
}

#[allow(clippy::too_many_arguments, reason = "one expected round, spelled out")]
fn round_json(
    round: u32,
    valid: &[u8],
    offenders: &[u8],
    benched: &[u8],
    random: u64,
    secure: bool,
    feeds: [Feed; 3],
    root: &str,
) -> (Value, Vec<B256>, B256) {
    let random_struct = abi::Random {
        votingRoundId: round,
        value: U256::from(random),
        isSecure: secure,
    };
    let random_leaf = random_leaf_hash(&random_struct);
    let mut feed_jsons = Vec::new();
    let mut leaves = Vec::new();
    for ((id, decimals), f) in scenario::feeds().into_iter().zip(&feeds) {
        let (json, leaf) = feed_json(round, id, decimals, f);
        feed_jsons.push(json);
        leaves.push(leaf);
    }
    let message = format!(
        "0x64{round:08x}{}{}",
        if secure { "01" } else { "00" },
        root.trim_start_matches("0x")
    );
    let json = json!({
        "status": 0,
        "feedOrder": scenario::feeds().map(|(id, d)| json!({"id": hex0x(id.0), "decimals": d})),
        "validEligibleReveals": valid.iter().map(|i| submit(*i)).collect::<Vec<_>>(),
        "revealOffenders": offenders.iter().map(|i| submit(*i)).collect::<Vec<_>>(),
        "benched": benched.iter().map(|i| submit(*i)).collect::<Vec<_>>(),
        "weights": VOTERS.map(|i| json!([submit(i), WEIGHTS[usize::from(i - 1)].to_string()])).collect::<Vec<_>>(),
        "random": format!("{:#x}", random),
        "isSecureRandom": secure,
        "feeds": feed_jsons,
        "randomLeaf": hex0x(random_leaf),
        "root": root,
        "submitSignaturesData": message,
    });
    (json, leaves, random_leaf)
}

#[test]
#[ignore = "writes the fixture file; run by hand after changing the scenario"]
fn write_db_to_round_fixture() {
    let rows = scenario::rows(&Options::default());
    // Round 1005 (§12.7): voters 1-3 valid (§12.5 values), 4 never reveals, 5 reveals late.
    // ETH: 217512 (w1000), 217500 (w2000): W 3000, Q1 = first c > 750 ascending = 217500,
    //      Q3 = first c > 750 descending = 217512. FLR: 204000 (2000), 204200 (1000), 205000 (3000):
    //      Q1 = 204000, Q3 = 205000.
    let (r1005, leaves_1005, random_leaf_1005) = round_json(
        1005,
        &[1, 2, 3],
        &[4, 5],
        &[],
        0x499bf,
        false,
        [
            Feed {
                value: 3_857_688,
                turnout: 6000,
                q1: Some(3_857_000),
                q3: Some(3_858_050),
                participating: 6000,
            },
            Feed {
                value: 217_500,
                turnout: 3000,
                q1: Some(217_500),
                q3: Some(217_512),
                participating: 3000,
            },
            Feed {
                value: 204_600,
                turnout: 6000,
                q1: Some(204_000),
                q3: Some(205_000),
                participating: 6000,
            },
        ],
        "0x593b974fb2bfa02512a223d027933de2b23b32fe9f9909fb85ee6bf99fd76791",
    );
    for (leaf, abbreviated) in
        leaves_1005
            .iter()
            .zip(["8f2f6bf6…864c", "408b0935…8638", "8b97f59d…7de9"])
    {
        assert!(
            abbreviation_matches(leaf, abbreviated),
            "leaf {leaf} vs digest {abbreviated}"
        );
    }
    assert!(abbreviation_matches(&random_leaf_1005, "911cd807…6d61"));
    // Round 1006: everyone valid, 4 and 5 benched (offenders of 1005); random = 100600+100601+100602.
    // ETH: 218000 (1000), 218100 (4000) reaches 5000 = W/2 exactly → (218100 + 218200) / 2; Q1 = 218100
    //      (first c > 2500), Q3 descending: 230000 (w0), 218300 (2000), 218200 (c 5000) = 218200.
    // FLR: 211000 (3000), 212000 (4000), 300000 (w0): W 7000, Q1 = 211000, Q3 = 212000.
    let (r1006, _, _) = round_json(
        1006,
        &[1, 2, 3, 4, 5],
        &[],
        &[4, 5],
        0x49aeb,
        true,
        [
            Feed {
                value: 3_860_500,
                turnout: 10_000,
                q1: Some(3_859_025),
                q3: Some(3_860_500),
                participating: 10_000,
            },
            Feed {
                value: 218_150,
                turnout: 10_000,
                q1: Some(218_100),
                q3: Some(218_200),
                participating: 10_000,
            },
            Feed {
                value: 212_000,
                turnout: 7000,
                q1: Some(211_000),
                q3: Some(212_000),
                participating: 7000,
            },
        ],
        "0x01c221fd4cbd47d1ba2de4aae49d79e49eeda0a5bf9553b378dffc95d80db428",
    );
    let btc = &r1005["feeds"][0];
    let tree_1005: Vec<Value> = std::iter::once(json!({
        "votingRoundId": 1005, "value": "0x499bf", "isSecure": false
    }))
    .chain(r1005["feeds"].as_array().expect("feeds").iter().map(|f| {
        json!({
            "votingRoundId": f["votingRoundId"], "id": f["id"], "value": f["value"],
            "turnoutBIPS": f["turnoutBIPS"], "decimals": f["decimals"]
        })
    }))
    .collect();
    let unknown_feed = hex0x(FeedId::new(1, "XRP/USD").expect("feed").0);
    let http = json!({
        "submitSignatures": {"status": "OK", "data": r1005["submitSignaturesData"]},
        "data": {
            "status": "OK", "protocolId": 100, "votingRoundId": 1005,
            "merkleRoot": r1005["root"], "isSecureRandom": false, "tree": tree_1005
        },
        "specificFeed": {"status": "OK", "feedWithProof": {"body": tree_1005[1], "proof": [
            r1005["randomLeaf"],
            "0x6827f12ec60018e1c046dfe7780177ee9d253b251d0f0ff7b5578f367353d8c2"
        ]}},
        "specificFeedUnknown": {"status": "NOT_AVAILABLE"},
        "specificFeedUnknownId": unknown_feed,
        "dataAbisCount": 3,
        "median": {
            "votingRoundId": 1005,
            "feed": {"id": btc["id"], "decimals": 2},
            "data": {"participatingWeight": "6000"},
            "weights": ["1000", "2000", "3000", "4000", "0"],
            "totalVotingWeight": "10000"
        },
        "submit2_unknown": {"status": "NOT_AVAILABLE"},
        "submit2_unknown_address": hex0x(Address::repeat_byte(0x77)),
        "submit1": {"status": "OK", "data": format!("0x64000003f10020{}", "00".repeat(32))},
        "submit2": {"status": "OK", "data": format!("0x64000003f10028{}803adbae800351a8", "00".repeat(32))},
    });
    let fixture = json!({
        "description": "data-provider §12.7 (NETWORK=local-test) built by host/data-provider/tests/it/fixture_file.rs. \
            http.median lists the keys the digest states (compare as a subset); in http.submit1/submit2 the 32 bytes \
            after the 7-byte header are the node's own commit hash / random (compare the value bytes and the \
            commit-reveal consistency, not them).",
        "network": "local-test",
        "epochSettings": {
            "firstVotingRoundStartTs": LOCAL_TEST.first_voting_round_start_ts,
            "votingEpochDurationSeconds": LOCAL_TEST.voting_epoch_duration_seconds,
            "firstRewardEpochStartVotingRoundId": LOCAL_TEST.first_reward_epoch_start_voting_round_id,
            "rewardEpochDurationInVotingEpochs": LOCAL_TEST.reward_epoch_duration_in_voting_epochs,
            "revealDeadlineSeconds": LOCAL_TEST.reveal_deadline_seconds,
        },
        "states": states(0, scenario::top()),
        "logs": rows.logs,
        "transactions": rows.transactions,
        "rounds": {"1005": r1005, "1006": r1006},
        "http": http,
    });
    let text = serde_json::to_string_pretty(&fixture).expect("json");
    std::fs::write(path(), text + "\n").expect("write fixture");
}
