//! What gets collected: transaction policies by (recipient, selector) and log filters by (emitter, topic0),
//! the built-in FSP collectors, and the pure selection rules of the reference indexer.

use std::collections::{BTreeSet, HashMap};

use alloy_primitives::{Address, B256};
use ftso_chain::{names, selectors, topics};

use crate::config::{ContractRef, LogCollector, TransactionCollector};
use crate::error::{IndexerError, Result};

/// Flags of a transaction policy (OR-merged over every matching policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TxPolicy {
    /// Fetch the receipt and store its status.
    pub status: bool,
    /// Store every log of the receipt.
    pub collect_events: bool,
}

impl TxPolicy {
    /// Whether a receipt must be fetched.
    pub fn needs_receipt(self) -> bool {
        self.status || self.collect_events
    }
}

/// A resolved log filter: `None` matches anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LogFilter {
    /// Emitter.
    pub address: Option<Address>,
    /// topic0.
    pub topic0: Option<B256>,
}

/// One `eth_getLogs` filter covering every log filter (`None` = unrestricted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogQuery {
    /// Emitters to ask for.
    pub addresses: Option<Vec<Address>>,
    /// topic0 values to ask for.
    pub topics: Option<Vec<B256>>,
}

/// The resolved collection policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Collection {
    /// (recipient, selector) → flags; `None` = any.
    pub transactions: HashMap<(Option<Address>, Option<[u8; 4]>), TxPolicy>,
    /// Log filters, deduplicated.
    pub logs: BTreeSet<LogFilter>,
}

impl Collection {
    /// The merged policy for a transaction, or `None` when it is not collected. Contract creations and calldata
    /// shorter than 4 bytes are never collected, even by "any" policies (as the reference).
    pub fn transaction_policy(&self, to: Option<Address>, input: &[u8]) -> Option<TxPolicy> {
        let to = to?;
        let selector: [u8; 4] = input.get(..4)?.try_into().ok()?;
        let mut merged: Option<TxPolicy> = None;
        for key in [
            (Some(to), Some(selector)),
            (Some(to), None),
            (None, Some(selector)),
            (None, None),
        ] {
            if let Some(p) = self.transactions.get(&key) {
                let m = merged.get_or_insert_with(TxPolicy::default);
                m.status |= p.status;
                m.collect_events |= p.collect_events;
            }
        }
        merged
    }

    /// Whether a log is matched by any log filter.
    pub fn log_matches(&self, address: Address, topic0: Option<B256>) -> bool {
        self.logs.iter().any(|f| {
            f.address.is_none_or(|a| a == address) && f.topic0.is_none_or(|t| Some(t) == topic0)
        })
    }

    /// The combined `eth_getLogs` filter: the emitters and topic0s to ask for (`None` = unrestricted). A superset
    /// of the filters (a cross product); [`Collection::log_matches`] routes the answer.
    pub fn combined_log_query(&self) -> Option<LogQuery> {
        if self.logs.is_empty() {
            return None;
        }
        let addresses = self
            .logs
            .iter()
            .map(|f| f.address)
            .collect::<Option<BTreeSet<_>>>();
        let topics = self
            .logs
            .iter()
            .map(|f| f.topic0)
            .collect::<Option<BTreeSet<_>>>();
        Some(LogQuery {
            addresses: addresses.map(|a| a.into_iter().collect()),
            topics: topics.map(|t| t.into_iter().collect()),
        })
    }
}

fn named(name: &str, optional: bool) -> ContractRef {
    ContractRef {
        contract_address: None,
        contract_name: Some(name.to_owned()),
        optional,
    }
}

fn tx(name: &str, selector: [u8; 4], status: bool, collect_events: bool) -> TransactionCollector {
    TransactionCollector {
        contract: named(name, false),
        func_sig: Some(hex_str(&selector)),
        status,
        collect_events,
    }
}

fn log(name: &str, topic: Option<B256>, optional: bool) -> LogCollector {
    LogCollector {
        contract: named(name, optional),
        topic: topic.map(|t| hex_str(t.as_slice())),
    }
}

fn hex_str(bytes: &[u8]) -> String {
    ftso_storage::encode::hex_lower(bytes)
}

/// The built-in FSP transaction collectors: Submission submit1/submit2/submitSignatures without receipts
/// (status 2, as the reference's FSP mode) and Relay.relay() with status and receipt events.
pub fn fsp_transaction_collectors() -> Vec<TransactionCollector> {
    vec![
        tx(names::SUBMISSION, selectors::SUBMIT1, false, false),
        tx(names::SUBMISSION, selectors::SUBMIT2, false, false),
        tx(
            names::SUBMISSION,
            selectors::SUBMIT_SIGNATURES,
            false,
            false,
        ),
        tx(names::RELAY, selectors::RELAY, true, true),
    ]
}

/// The built-in FSP log collectors: reward-epoch metadata events (both the uint24 and the uint32 "Next" layouts
/// of VoterRegistered and VoterRegistrationInfo), and every event of the fast-updates contracts and EntityManager
/// (those are optional: a chain without fast updates still indexes).
pub fn fsp_log_collectors() -> Vec<LogCollector> {
    let fsm = names::FLARE_SYSTEMS_MANAGER;
    vec![
        log(fsm, Some(topics::VOTE_POWER_BLOCK_SELECTED), false),
        log(fsm, Some(topics::RANDOM_ACQUISITION_STARTED), false),
        log(fsm, Some(topics::REWARD_EPOCH_STARTED), false),
        log(fsm, Some(topics::SIGN_UPTIME_VOTE_ENABLED), false),
        log(fsm, Some(topics::UPTIME_VOTE_SIGNED), false),
        log(
            names::VOTER_REGISTRY,
            Some(topics::VOTER_REGISTERED_V1),
            false,
        ),
        log(names::VOTER_REGISTRY, Some(topics::VOTER_REGISTERED), false),
        log(
            names::FLARE_SYSTEMS_CALCULATOR,
            Some(topics::VOTER_REGISTRATION_INFO_V1),
            false,
        ),
        log(
            names::FLARE_SYSTEMS_CALCULATOR,
            Some(topics::VOTER_REGISTRATION_INFO),
            false,
        ),
        log(
            names::RELAY,
            Some(topics::SIGNING_POLICY_INITIALIZED),
            false,
        ),
        log(
            names::FTSO_REWARD_OFFERS_MANAGER,
            Some(topics::FTSO_INFLATION_REWARDS_OFFERED),
            false,
        ),
        log(
            names::FTSO_REWARD_OFFERS_MANAGER,
            Some(topics::REWARDS_OFFERED),
            false,
        ),
        log(names::FAST_UPDATER, None, true),
        log(names::FAST_UPDATES_CONFIGURATION, None, true),
        log(names::FAST_UPDATE_INCENTIVE_MANAGER, None, true),
        log(names::ENTITY_MANAGER, None, true),
    ]
}

/// Parses a `func_sig`: absent or `"undefined"` = any; otherwise exactly 4 bytes of hex, `0x` optional.
pub fn parse_selector(s: Option<&str>) -> Result<Option<[u8; 4]>> {
    let Some(s) = s.map(str::trim) else {
        return Ok(None);
    };
    if s.eq_ignore_ascii_case("undefined") {
        return Ok(None);
    }
    let bytes = decode_hex(s)?;
    let sel: [u8; 4] = bytes
        .try_into()
        .map_err(|_| IndexerError::Config(format!("func_sig {s:?} is not 4 bytes")))?;
    Ok(Some(sel))
}

/// Parses a `topic`: absent, `""` or `"undefined"` = any; otherwise 32 bytes of hex, `0x` optional.
pub fn parse_topic(s: Option<&str>) -> Result<Option<B256>> {
    let Some(s) = s.map(str::trim) else {
        return Ok(None);
    };
    if s.is_empty() || s.eq_ignore_ascii_case("undefined") {
        return Ok(None);
    }
    let bytes = decode_hex(s)?;
    B256::try_from(bytes.as_slice())
        .map(Some)
        .map_err(|_| IndexerError::Config(format!("topic {s:?} is not 32 bytes")))
}

fn decode_hex(s: &str) -> Result<Vec<u8>> {
    let body = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    (0..body.len())
        .step_by(2)
        .map(|i| {
            body.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
                .ok_or_else(|| IndexerError::Config(format!("{s:?} is not hex")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TO: Address = Address::repeat_byte(1);

    #[test]
    fn policies_are_or_merged_over_specific_and_any_keys() {
        let mut c = Collection::default();
        c.transactions.insert(
            (Some(TO), Some([1, 2, 3, 4])),
            TxPolicy {
                status: true,
                collect_events: false,
            },
        );
        c.transactions.insert(
            (None, None),
            TxPolicy {
                status: false,
                collect_events: true,
            },
        );
        let p = c.transaction_policy(Some(TO), &[1, 2, 3, 4, 5]).unwrap();
        assert_eq!(
            p,
            TxPolicy {
                status: true,
                collect_events: true
            }
        );
        let any = c
            .transaction_policy(Some(Address::ZERO), &[9, 9, 9, 9])
            .unwrap();
        assert_eq!(
            any,
            TxPolicy {
                status: false,
                collect_events: true
            }
        );
    }

    #[test]
    fn creations_and_short_calldata_are_never_collected() {
        let mut c = Collection::default();
        c.transactions.insert((None, None), TxPolicy::default());
        assert_eq!(c.transaction_policy(None, &[1, 2, 3, 4]), None);
        assert_eq!(c.transaction_policy(Some(TO), &[1, 2, 3]), None);
        assert_eq!(c.transaction_policy(Some(TO), &[]), None);
    }

    #[test]
    fn unmatched_selectors_are_skipped() {
        let mut c = Collection::default();
        c.transactions
            .insert((Some(TO), Some([1, 2, 3, 4])), TxPolicy::default());
        assert_eq!(c.transaction_policy(Some(TO), &[1, 2, 3, 5]), None);
        assert_eq!(
            c.transaction_policy(Some(Address::ZERO), &[1, 2, 3, 4]),
            None
        );
    }

    #[test]
    fn log_routing_and_combined_query() {
        let t = B256::repeat_byte(7);
        let mut c = Collection::default();
        c.logs.insert(LogFilter {
            address: Some(TO),
            topic0: Some(t),
        });
        c.logs.insert(LogFilter {
            address: Some(Address::repeat_byte(2)),
            topic0: None,
        });
        assert!(c.log_matches(TO, Some(t)));
        assert!(
            !c.log_matches(TO, Some(B256::ZERO)),
            "cross product is not matched"
        );
        assert!(c.log_matches(Address::repeat_byte(2), None));
        let query = c.combined_log_query().unwrap();
        assert_eq!(query.addresses.unwrap().len(), 2);
        assert_eq!(query.topics, None, "one filter takes any topic");
    }

    #[test]
    fn selector_and_topic_parsing() {
        assert_eq!(
            parse_selector(Some("0x6c532fae")).unwrap(),
            Some([0x6c, 0x53, 0x2f, 0xae])
        );
        assert_eq!(
            parse_selector(Some("6C532FAE")).unwrap(),
            Some([0x6c, 0x53, 0x2f, 0xae])
        );
        assert_eq!(parse_selector(Some("undefined")).unwrap(), None);
        assert!(matches!(
            parse_selector(Some("")),
            Err(IndexerError::Config(_))
        ));
        assert!(matches!(
            parse_selector(Some("0x6c53")),
            Err(IndexerError::Config(_))
        ));
        assert_eq!(parse_topic(Some("")).unwrap(), None);
        assert_eq!(
            parse_topic(Some(&format!("0x{}", "ab".repeat(32)))).unwrap(),
            Some(B256::repeat_byte(0xab))
        );
        assert!(matches!(
            parse_topic(Some("zz")),
            Err(IndexerError::Config(_))
        ));
    }

    #[test]
    fn fsp_defaults_collect_both_registration_layouts() {
        let topics: Vec<_> = fsp_log_collectors()
            .into_iter()
            .filter_map(|l| l.topic)
            .collect();
        for t in [
            topics::VOTER_REGISTERED,
            topics::VOTER_REGISTERED_V1,
            topics::VOTER_REGISTRATION_INFO,
            topics::VOTER_REGISTRATION_INFO_V1,
        ] {
            assert!(topics.contains(&hex_str(t.as_slice())));
        }
        assert_eq!(fsp_transaction_collectors().len(), 4);
    }
}
