//! `[system_client]`: who the node is, where its keys are, and how its reward-epoch duties send.

use std::time::Duration;

use alloy::primitives::{Address, U256};
use ftso_chain::keys::{KeyRole, RoleKeySources};
use ftso_chain::names::FLARE_CONTRACT_REGISTRY_ADDRESS;
use ftso_chain::tx::FeePolicy;
use ftso_core::registration::RegistrationScheme;
use serde::{Deserialize, Serialize};

use crate::voting::VotingConfig;

/// The system client's configuration. Keys are never in it: [`RoleKeySources`] names environment variables and
/// key files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SystemClientConfig {
    /// The entity's identity (voter) address: registered each reward epoch, and looked up in the reward claims.
    /// The system client runs when it is set and the signing-policy and sender keys are available.
    pub identity: Option<Address>,
    /// FlareContractRegistry, where the FSP contracts are looked up. Default: the networks' address
    /// `0xaD67FE66660Fb8dFE9d6b1b4240d8650e30F6019` (the devnet deploys it there too).
    pub registry: Address,
    /// Where each key comes from (environment variable, else key file).
    pub keys: RoleKeySources,
    /// Which duties run. Default: all.
    pub duties: Duties,
    /// The voter-registration message format: `auto` (the reference's choice by chain id and reward epoch, trap
    /// 12), `with-chain-id` or `epoch-only`. Default `auto`; the devnet's contracts need `with-chain-id`.
    pub registration_message: RegistrationMessage,
    /// How often the chain is read to see whether a duty is due (the reference's listeners poll every 5 s).
    #[serde(with = "humantime_serde")]
    pub poll_interval: Duration,
    /// Fees of registerVoter (the reference's `gas_register`).
    pub gas_register: FeePolicy,
    /// Fees of signNewSigningPolicy, signUptimeVote and signRewards (the reference's `gas_systems_manager`).
    pub gas_systems_manager: FeePolicy,
    /// Transactions per duty attempt: the first and its fee-bumped replacements. Default 3.
    pub tx_attempts: u32,
    /// How long each transaction waits to be mined before it is replaced (the reference waits 60 s).
    #[serde(with = "humantime_serde")]
    pub tx_attempt_timeout: Duration,
    /// Reward signing.
    pub rewards: RewardsConfig,
    /// The finalizer (`[system_client.finalizer]`).
    pub finalizer: FinalizerConfig,
    /// The voting-round scheduler (`[system_client.voting]`).
    pub voting: VotingConfig,
}

impl Default for SystemClientConfig {
    fn default() -> Self {
        Self {
            identity: None,
            registry: FLARE_CONTRACT_REGISTRY_ADDRESS,
            keys: RoleKeySources::default(),
            duties: Duties::default(),
            registration_message: RegistrationMessage::Auto,
            poll_interval: Duration::from_secs(5),
            gas_register: FeePolicy::default(),
            gas_systems_manager: FeePolicy::default(),
            tx_attempts: 3,
            tx_attempt_timeout: Duration::from_secs(60),
            rewards: RewardsConfig::default(),
            finalizer: FinalizerConfig::default(),
            voting: VotingConfig::default(),
        }
    }
}

impl SystemClientConfig {
    /// Whether the system client should run: an identity and the keys it sends and signs with are configured.
    pub fn is_configured(&self) -> bool {
        self.identity.is_some()
            && [KeyRole::SigningPolicy, KeyRole::SystemClientSender]
                .into_iter()
                .all(|role| self.keys.source(role).is_configured(role))
    }

    /// Whether the voting-round scheduler should run: enabled, an identity, and the keys it sends and signs
    /// with (submit, submit signatures, signing policy).
    pub fn voting_is_configured(&self) -> bool {
        self.voting.enabled
            && self.identity.is_some()
            && [
                KeyRole::Submit,
                KeyRole::SubmitSignatures,
                KeyRole::SigningPolicy,
            ]
            .into_iter()
            .all(|role| self.keys.source(role).is_configured(role))
    }

    /// Checks values the types cannot.
    pub fn validate(&self) -> anyhow::Result<()> {
        use anyhow::Context as _;
        self.gas_register
            .validate()
            .map_err(anyhow::Error::msg)
            .context("system_client.gas_register")?;
        self.gas_systems_manager
            .validate()
            .map_err(anyhow::Error::msg)
            .context("system_client.gas_systems_manager")?;
        anyhow::ensure!(
            self.tx_attempts >= 1,
            "system_client.tx_attempts must be at least 1"
        );
        anyhow::ensure!(
            !self.poll_interval.is_zero(),
            "system_client.poll_interval must be positive"
        );
        self.rewards.min_reward()?;
        self.rewards.max_reward()?;
        self.finalizer.validate()?;
        Ok(())
    }
}

/// `[system_client.finalizer]`: relaying finalized protocol messages to the Relay (system-client §6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FinalizerConfig {
    /// Whether the finalizer runs (it needs the indexer's database). Default true.
    pub enabled: bool,
    /// Share of the policy weight, in basis points, picked as selected finalizers of a (protocol, round); they
    /// relay at once. Default 500 (5 %), at most 5000.
    pub voter_threshold_bips: u16,
    /// A node that is not selected relays this long after the start of the round after the signed one, if
    /// nobody has by then. Default 65 s (the reference's default of 0 makes every node relay at once).
    #[serde(with = "humantime_serde")]
    pub grace_period_end_offset: Duration,
    /// How often the indexer database is read for new submitSignatures transactions. Default 2 s.
    #[serde(with = "humantime_serde")]
    pub poll_interval: Duration,
    /// The first voting round to finalize. Unset: the current round at the first start (kept across restarts).
    pub starting_voting_round: Option<u32>,
    /// How far back signing policies are loaded at start-up (the reference's `start_offset`). Default 168 h.
    #[serde(with = "humantime_serde")]
    pub policy_lookback: Duration,
    /// Sends of one relay that fail without a revert (RPC errors, not mined) before it is given up. Default 3.
    pub relay_attempts: u32,
    /// Fees of relay transactions (the reference's `gas_relay`).
    pub gas_relay: FeePolicy,
}

impl Default for FinalizerConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            voter_threshold_bips: ftso_core::finalizer::DEFAULT_VOTER_THRESHOLD_BIPS,
            grace_period_end_offset: Duration::from_secs(65),
            poll_interval: Duration::from_secs(2),
            starting_voting_round: None,
            policy_lookback: Duration::from_secs(168 * 3600),
            relay_attempts: 3,
            gas_relay: FeePolicy::default(),
        }
    }
}

impl FinalizerConfig {
    /// Checks values the types cannot.
    pub fn validate(&self) -> anyhow::Result<()> {
        use anyhow::Context as _;
        anyhow::ensure!(
            self.voter_threshold_bips <= 5000,
            "system_client.finalizer.voter_threshold_bips must be at most 5000"
        );
        anyhow::ensure!(
            !self.poll_interval.is_zero(),
            "system_client.finalizer.poll_interval must be positive"
        );
        anyhow::ensure!(
            self.relay_attempts >= 1,
            "system_client.finalizer.relay_attempts must be at least 1"
        );
        self.gas_relay
            .validate()
            .map_err(anyhow::Error::msg)
            .context("system_client.finalizer.gas_relay")
    }
}

/// Which reward-epoch duties run (`[system_client.duties]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Duties {
    /// `registerVoter` for the next reward epoch while registration is open. Default true.
    pub registration: bool,
    /// `signNewSigningPolicy` once the next epoch's policy is initialized. Default true.
    pub signing_policy: bool,
    /// `signUptimeVote` for the previous reward epoch once enabled. Default true.
    pub uptime_voting: bool,
    /// `signRewards` for the previous reward epoch once its uptime vote is signed. Default true.
    pub reward_signing: bool,
}

impl Default for Duties {
    fn default() -> Self {
        Self {
            registration: true,
            signing_policy: true,
            uptime_voting: true,
            reward_signing: true,
        }
    }
}

/// The voter-registration message format (trap 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegistrationMessage {
    /// The reference's rule: the chain-id format on Coston2, on Coston from epoch 5451, on Flare and Songbird
    /// from epoch 417; the epoch-only format otherwise.
    #[default]
    Auto,
    /// Always `abi.encode(chainId, rewardEpochId, voter)`.
    WithChainId,
    /// Always `abi.encode(rewardEpochId, voter)`.
    EpochOnly,
}

impl RegistrationMessage {
    /// The scheme for `reward_epoch_id` on `chain_id`.
    pub fn scheme(self, chain_id: u64, reward_epoch_id: u32) -> RegistrationScheme {
        match self {
            RegistrationMessage::Auto => RegistrationScheme::for_chain(chain_id, reward_epoch_id),
            RegistrationMessage::WithChainId => RegistrationScheme::WithChainId,
            RegistrationMessage::EpochOnly => RegistrationScheme::EpochOnly,
        }
    }
}

/// `[system_client.rewards]`: where the reward distribution data come from and what to accept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RewardsConfig {
    /// Base of `<prefix>/<epoch>/reward-distribution-data.json`: an `http(s)://` URL (e.g.
    /// `https://raw.githubusercontent.com/flare-foundation/fsp-rewards/refs/heads/main/flare/`) or a local
    /// directory. Unset: rewards are not signed.
    pub url_prefix: Option<String>,
    /// Refuse to sign when the identity's reward (wei, decimal) is below this. Default: no minimum.
    pub min_reward: Option<String>,
    /// Refuse to sign when the identity's reward (wei, decimal) is above this (0: no maximum). Default: none.
    pub max_reward: Option<String>,
    /// Attempts per reward epoch (fetch, verify, sign). Default 8, as the reference.
    pub retries: u32,
    /// Time between attempts. Default 6 h, as the reference.
    #[serde(with = "humantime_serde")]
    pub retry_interval: Duration,
}

impl Default for RewardsConfig {
    fn default() -> Self {
        Self {
            url_prefix: None,
            min_reward: None,
            max_reward: None,
            retries: 8,
            retry_interval: Duration::from_secs(6 * 3600),
        }
    }
}

impl RewardsConfig {
    /// `min_reward` as a number.
    pub fn min_reward(&self) -> anyhow::Result<Option<U256>> {
        parse_wei("min_reward", self.min_reward.as_deref())
    }

    /// `max_reward` as a number.
    pub fn max_reward(&self) -> anyhow::Result<Option<U256>> {
        parse_wei("max_reward", self.max_reward.as_deref())
    }
}

fn parse_wei(name: &str, text: Option<&str>) -> anyhow::Result<Option<U256>> {
    text.map(|t| {
        U256::from_str_radix(t.trim(), 10)
            .map_err(|_| anyhow::anyhow!("system_client.rewards.{name}: not a decimal wei amount"))
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_references_and_parse_from_an_empty_table() {
        let config: SystemClientConfig = toml::from_str("").unwrap();
        assert_eq!(config, SystemClientConfig::default());
        assert_eq!(config.poll_interval, Duration::from_secs(5));
        assert_eq!(config.rewards.retries, 8);
        assert_eq!(config.gas_register, FeePolicy::default());
        assert!(!config.is_configured());
        config.validate().unwrap();
    }

    #[test]
    fn unknown_keys_and_bad_amounts_are_errors() {
        assert!(toml::from_str::<SystemClientConfig>("private_key = \"00\"").is_err());
        let config: SystemClientConfig = toml::from_str(
            "identity = \"0x78aa142e34c7d9019ac2e0c04f660cf1c544c86b\"\n\
             registration_message = \"with-chain-id\"\n\
             [rewards]\nmin_reward = \"12x\"\n\
             [keys.signing_policy]\nfile = \"/keys/signing\"\n\
             [gas_systems_manager]\ntx_type = 0\ngas_price_fixed = 25000000000\n",
        )
        .unwrap();
        assert_eq!(
            config.registration_message,
            RegistrationMessage::WithChainId
        );
        assert!(config.validate().is_err());
    }

    #[test]
    fn registration_message_auto_follows_the_reference() {
        let auto = RegistrationMessage::Auto;
        assert_eq!(auto.scheme(14, 417), RegistrationScheme::WithChainId);
        assert_eq!(auto.scheme(14, 416), RegistrationScheme::EpochOnly);
        assert_eq!(auto.scheme(31337, 5), RegistrationScheme::EpochOnly);
        assert_eq!(
            RegistrationMessage::WithChainId.scheme(31337, 5),
            RegistrationScheme::WithChainId
        );
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    /// `config/node.example.toml`'s `[system_client]` tables with every `# key = value` line uncommented.
    fn uncommented_example() -> SystemClientConfig {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/node.example.toml");
        let text = std::fs::read_to_string(path).unwrap();
        // Only the system client's tables: from `[system_client]` to the next table of another section.
        let section: Vec<&str> = text
            .lines()
            .skip_while(|line| *line != "[system_client]")
            .take_while(|line| !line.starts_with('[') || line.starts_with("[system_client"))
            .collect();
        assert!(
            !section.is_empty(),
            "no [system_client] section in the example"
        );
        let uncommented: String = section
            .iter()
            .map(|line| match line.strip_prefix("# ") {
                Some(rest)
                    if rest
                        .split_once(" = ")
                        .is_some_and(|(k, _)| !k.contains(' ')) =>
                {
                    rest
                }
                _ => line,
            })
            .map(|line| format!("{line}\n"))
            .collect();
        let table: toml::Table = toml::from_str(&uncommented).unwrap();
        table["system_client"].clone().try_into().unwrap()
    }

    #[test]
    fn the_example_section_names_every_key_with_its_default() {
        let example = uncommented_example();
        let defaults = SystemClientConfig::default();
        assert_eq!(example.registry, defaults.registry);
        assert_eq!(example.registration_message, defaults.registration_message);
        assert_eq!(example.poll_interval, defaults.poll_interval);
        assert_eq!(example.tx_attempts, defaults.tx_attempts);
        assert_eq!(example.tx_attempt_timeout, defaults.tx_attempt_timeout);
        assert_eq!(example.duties, defaults.duties);
        assert_eq!(example.rewards.retries, defaults.rewards.retries);
        assert_eq!(
            example.rewards.retry_interval,
            defaults.rewards.retry_interval
        );
        let gas = &example.gas_register;
        let default_gas = FeePolicy::default();
        assert_eq!(
            (
                gas.tx_type,
                gas.max_priority_fee_multiplier,
                gas.base_fee_multiplier
            ),
            (
                default_gas.tx_type,
                default_gas.max_priority_fee_multiplier,
                default_gas.base_fee_multiplier
            )
        );
        assert_eq!(
            gas.minimal_max_priority_fee,
            default_gas.minimal_max_priority_fee
        );
        assert_eq!(
            gas.maximal_max_priority_fee,
            default_gas.maximal_max_priority_fee
        );
        for role in KeyRole::ALL {
            assert_eq!(example.keys.source(role).env_var(role), role.default_env());
        }
        let finalizer = &example.finalizer;
        let default_finalizer = FinalizerConfig::default();
        assert_eq!(
            FinalizerConfig {
                starting_voting_round: None,
                ..finalizer.clone()
            },
            default_finalizer
        );
        assert_eq!(finalizer.starting_voting_round, Some(0));
        let voting = &example.voting;
        assert_eq!(
            (&voting.protocols, voting.submit1, voting.submit2),
            (
                &defaults.voting.protocols,
                defaults.voting.submit1,
                defaults.voting.submit2
            )
        );
        assert_eq!(voting.submit_signatures, defaults.voting.submit_signatures);
        assert_eq!(voting.enabled, defaults.voting.enabled);
    }
}
