//! The `[indexer]` config section.

use std::time::Duration;

use alloy_primitives::Address;
use serde::{Deserialize, Serialize};

/// Where a collector's contract comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ContractRef {
    /// Explicit address; takes precedence over `contract_name`. Absent with no name = any address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_address: Option<Address>,
    /// Name resolved once at start through the contract registry (`getContractAddressByName`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_name: Option<String>,
    /// When the name is not registered: skip this collector with a warning instead of failing the start.
    pub optional: bool,
}

/// `[[indexer.collect_transactions]]`: transactions to a contract with a selector.
///
/// The contract's keys sit beside the others in the TOML table; they are read through a flat
/// private shape because serde's `deny_unknown_fields` does not see through `flatten` (a misspelt key must be an error, not a
/// collector matching every address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(from = "TransactionCollectorToml", into = "TransactionCollectorToml")]
pub struct TransactionCollector {
    /// The contract the transaction is sent to.
    pub contract: ContractRef,
    /// 4-byte selector as hex (0x optional); absent or `"undefined"` = any selector.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub func_sig: Option<String>,
    /// Fetch the receipt and store its status (else status is 2).
    pub status: bool,
    /// Store every log of the receipt, linked to the transaction.
    pub collect_events: bool,
}

/// `[[indexer.collect_logs]]`: events emitted by a contract with a topic0 (read through a flat
/// private shape, as [`TransactionCollector`] is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(from = "LogCollectorToml", into = "LogCollectorToml")]
pub struct LogCollector {
    /// The emitting contract.
    pub contract: ContractRef,
    /// topic0 as 32-byte hex (0x optional); absent, `""` or `"undefined"` = any topic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
}

/// A [`TransactionCollector`] as written in the TOML: one flat table, unknown keys refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct TransactionCollectorToml {
    /// See [`ContractRef::contract_address`].
    #[serde(skip_serializing_if = "Option::is_none")]
    contract_address: Option<Address>,
    /// See [`ContractRef::contract_name`].
    #[serde(skip_serializing_if = "Option::is_none")]
    contract_name: Option<String>,
    /// See [`ContractRef::optional`].
    optional: bool,
    /// See [`TransactionCollector::func_sig`].
    #[serde(skip_serializing_if = "Option::is_none")]
    func_sig: Option<String>,
    /// See [`TransactionCollector::status`].
    status: bool,
    /// See [`TransactionCollector::collect_events`].
    collect_events: bool,
}

impl From<TransactionCollectorToml> for TransactionCollector {
    fn from(toml: TransactionCollectorToml) -> Self {
        Self {
            contract: ContractRef {
                contract_address: toml.contract_address,
                contract_name: toml.contract_name,
                optional: toml.optional,
            },
            func_sig: toml.func_sig,
            status: toml.status,
            collect_events: toml.collect_events,
        }
    }
}

impl From<TransactionCollector> for TransactionCollectorToml {
    fn from(collector: TransactionCollector) -> Self {
        Self {
            contract_address: collector.contract.contract_address,
            contract_name: collector.contract.contract_name,
            optional: collector.contract.optional,
            func_sig: collector.func_sig,
            status: collector.status,
            collect_events: collector.collect_events,
        }
    }
}

/// A [`LogCollector`] as written in the TOML: one flat table, unknown keys refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct LogCollectorToml {
    /// See [`ContractRef::contract_address`].
    #[serde(skip_serializing_if = "Option::is_none")]
    contract_address: Option<Address>,
    /// See [`ContractRef::contract_name`].
    #[serde(skip_serializing_if = "Option::is_none")]
    contract_name: Option<String>,
    /// See [`ContractRef::optional`].
    optional: bool,
    /// See [`LogCollector::topic`].
    #[serde(skip_serializing_if = "Option::is_none")]
    topic: Option<String>,
}

impl From<LogCollectorToml> for LogCollector {
    fn from(toml: LogCollectorToml) -> Self {
        Self {
            contract: ContractRef {
                contract_address: toml.contract_address,
                contract_name: toml.contract_name,
                optional: toml.optional,
            },
            topic: toml.topic,
        }
    }
}

impl From<LogCollector> for LogCollectorToml {
    fn from(collector: LogCollector) -> Self {
        Self {
            contract_address: collector.contract.contract_address,
            contract_name: collector.contract.contract_name,
            optional: collector.contract.optional,
            topic: collector.topic,
        }
    }
}

/// How the start block and the retention boundary are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IndexerMode {
    /// `start_block` (or the `history_drop` window) on an empty database; retention by `history_drop`.
    #[default]
    Full,
    /// The reference's FSP mode with `history_epochs = 0`: full blocks from one hour before the tip, reward-epoch
    /// events back-filled from the random acquisition of epoch current−2, retention one hour before that anchor.
    /// `start_block` and `history_drop` are ignored.
    Fsp,
}

/// The indexer section of the node config. Every field has a default (`IndexerConfig::default()`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IndexerConfig {
    /// Start and retention policy (default `full`).
    pub mode: IndexerMode,
    /// First block to index when the database is empty (default 0). Ignored when the database already has blocks:
    /// the indexer resumes after `last_database_block`.
    pub start_block: u64,
    /// Stop after this block (default: never).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_block: Option<u64>,
    /// Blocks per database commit during catch-up (default 1000).
    pub batch_size: u64,
    /// Maximum concurrent JSON-RPC requests (default 32).
    pub rpc_concurrency: usize,
    /// Maximum blocks per `eth_getLogs` (default 1000).
    pub log_range: u64,
    /// Blocks behind `latest` considered final (default 1).
    pub confirmations: u64,
    /// Poll interval of the head while following it (default 200ms).
    #[serde(with = "humantime_serde")]
    pub new_block_poll_interval: Duration,
    /// Per-attempt JSON-RPC timeout (default 5s).
    #[serde(with = "humantime_serde")]
    pub rpc_timeout: Duration,
    /// Total time one call may spend retrying transient errors before the phase restarts (default 5m).
    #[serde(with = "humantime_serde")]
    pub rpc_retry_budget: Duration,
    /// Retention: drop data older than `latest block time − history_drop` (default: keep everything).
    #[serde(with = "humantime_serde", skip_serializing_if = "Option::is_none")]
    pub history_drop: Option<Duration>,
    /// How often the retention runs (default 30m).
    #[serde(with = "humantime_serde")]
    pub history_drop_interval: Duration,
    /// Interval of the catch-up progress log (blocks/s, ETA) (default 10s).
    #[serde(with = "humantime_serde")]
    pub progress_log_interval: Duration,
    /// The contract registry used to resolve `contract_name` (default: FlareContractRegistry's fixed address).
    pub registry_address: Address,
    /// Merge the built-in FSP collectors (Submission, Relay, FlareSystemsManager, ...) (default true).
    pub fsp_defaults: bool,
    /// Extra transaction collectors.
    pub collect_transactions: Vec<TransactionCollector>,
    /// Extra log collectors.
    pub collect_logs: Vec<LogCollector>,
}

impl Default for IndexerConfig {
    fn default() -> Self {
        IndexerConfig {
            mode: IndexerMode::Full,
            start_block: 0,
            stop_block: None,
            batch_size: 1000,
            rpc_concurrency: 32,
            log_range: 1000,
            confirmations: 1,
            new_block_poll_interval: Duration::from_millis(200),
            rpc_timeout: Duration::from_secs(5),
            rpc_retry_budget: Duration::from_secs(300),
            history_drop: None,
            history_drop_interval: Duration::from_secs(1800),
            progress_log_interval: Duration::from_secs(10),
            registry_address: ftso_chain::names::FLARE_CONTRACT_REGISTRY_ADDRESS,
            fsp_defaults: true,
            collect_transactions: Vec::new(),
            collect_logs: Vec::new(),
        }
    }
}

impl IndexerConfig {
    /// Rejects values the loop cannot work with.
    pub fn validate(&self) -> Result<(), crate::IndexerError> {
        let bad = |m: &str| Err(crate::IndexerError::Config(m.to_owned()));
        if self.batch_size == 0 {
            return bad("batch_size must be > 0");
        }
        if self.rpc_concurrency == 0 {
            return bad("rpc_concurrency must be > 0");
        }
        if self.log_range == 0 {
            return bad("log_range must be > 0");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_human_durations_and_collectors() {
        let cfg: IndexerConfig = toml::from_str(
            r#"
            batch_size = 50
            new_block_poll_interval = "50ms"
            history_drop = "14days"
            fsp_defaults = false
            [[collect_transactions]]
            contract_address = "0x2cA6571Daa15ce734Bbd0Bf27D5C9D16787fc33f"
            func_sig = "0x6c532fae"
            [[collect_logs]]
            contract_name = "FastUpdater"
            optional = true
            "#,
        )
        .unwrap();
        assert_eq!(cfg.batch_size, 50);
        assert_eq!(cfg.new_block_poll_interval, Duration::from_millis(50));
        assert_eq!(cfg.history_drop, Some(Duration::from_secs(14 * 86400)));
        assert_eq!(cfg.rpc_concurrency, 32, "unset keys keep their default");
        assert_eq!(
            cfg.collect_transactions[0].func_sig.as_deref(),
            Some("0x6c532fae")
        );
        assert!(cfg.collect_logs[0].contract.optional);
    }

    #[test]
    fn unknown_keys_are_refused_in_the_section_and_in_every_collector() {
        let cases = [
            ("batch_sise = 5", "batch_sise"),
            (
                "[[collect_transactions]]\naddress = \"0x2cA6571Daa15ce734Bbd0Bf27D5C9D16787fc33f\"",
                "address",
            ),
            (
                "[[collect_logs]]\naddress = \"0x2cA6571Daa15ce734Bbd0Bf27D5C9D16787fc33f\"",
                "address",
            ),
            (
                "[[collect_logs]]\ncontract_name = \"Relay\"\ntopic0 = \"x\"",
                "topic0",
            ),
        ];
        for (text, key) in cases {
            let error = toml::from_str::<IndexerConfig>(text).unwrap_err();
            assert!(error.to_string().contains(key), "{text}: {error}");
        }
    }

    #[test]
    fn collectors_round_trip_through_toml() {
        let config = IndexerConfig {
            collect_transactions: vec![TransactionCollector {
                contract: ContractRef {
                    contract_name: Some("Submission".into()),
                    ..ContractRef::default()
                },
                func_sig: Some("0x6c532fae".into()),
                status: true,
                collect_events: false,
            }],
            collect_logs: vec![LogCollector {
                contract: ContractRef {
                    contract_address: Some(Address::repeat_byte(7)),
                    optional: true,
                    ..ContractRef::default()
                },
                topic: None,
            }],
            ..IndexerConfig::default()
        };
        let text = toml::to_string(&config).unwrap();
        assert_eq!(
            toml::from_str::<IndexerConfig>(&text).unwrap(),
            config,
            "{text}"
        );
    }

    #[test]
    fn default_round_trips_through_toml() {
        let text = toml::to_string(&IndexerConfig::default()).unwrap();
        let back: IndexerConfig = toml::from_str(&text).unwrap();
        assert_eq!(back, IndexerConfig::default());
    }
}
