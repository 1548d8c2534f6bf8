//! `[system_client.voting]`: the voting-round scheduler's sub-protocols, step offsets, retries and fees.
//!
//! The reference's offsets default to 0 (every step at the round start), which nobody should run; the defaults
//! here are the reference's example values for 90 s rounds with a 45 s reveal deadline (system-client digest
//! §1.3): commit late in round N (75 s), reveal early in N+1 (20 s), sign once the reveal deadline has passed
//! (45 s, retried until 58 s, inside the signature grace period).

use std::marker::PhantomData;
use std::time::Duration;

use ftso_chain::tx::FeePolicy;
use ftso_core::epoch::EpochSettings;
use ftso_core::submit_signatures::SignaturePayloadType;
use serde::{Deserialize, Serialize};

/// The FTSO sub-protocol id.
pub const FTSO_PROTOCOL_ID: u8 = 100;

/// The scheduler's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VotingConfig {
    /// Whether the scheduler runs (it also needs `system_client.identity` and the submit, submit-signatures and
    /// signing-policy keys). Default true.
    pub enabled: bool,
    /// The sub-protocols, in the order their payloads are concatenated in each transaction. Default: FTSO
    /// (id 100) from the in-process data provider.
    pub protocols: Vec<SubProtocolConfig>,
    /// submit1 (commit) of round N, in round N.
    pub submit1: Submit1Config,
    /// submit2 (reveal) of round N, in round N+1.
    pub submit2: Submit2Config,
    /// submitSignatures of round N, in round N+1.
    pub submit_signatures: SignaturesStepConfig,
    /// Fees of submit1, submit2 and submitSignatures (the reference's `gas_submit`).
    pub gas_submit: FeePolicy,
}

impl Default for VotingConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            protocols: vec![SubProtocolConfig::default()],
            submit1: Submit1Config::default(),
            submit2: Submit2Config::default(),
            submit_signatures: SignaturesStepConfig::default(),
            gas_submit: FeePolicy::default(),
        }
    }
}

/// One sub-protocol (`[[system_client.voting.protocols]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SubProtocolConfig {
    /// The protocol id (FTSO 100, FDC 200). Default 100.
    pub protocol_id: u8,
    /// `"in-process"` (this node's data provider, no HTTP hop) or the base URL of a data provider's API, e.g.
    /// `http://127.0.0.1:3100` or `http://fdc:8080/fsp`. Default `"in-process"`.
    pub data_provider: String,
    /// The environment variable holding the `X-API-KEY` sent to a URL data provider. Default
    /// `PROTOCOL_X_API_KEY_<protocol_id>`, as the reference.
    pub api_key_env: Option<String>,
    /// The submitSignatures payload type: 0 (message and signature) or 1 (signature only; the finalizers take the
    /// message from their own data provider). Default 0, as the reference when `type` is omitted (its deployment
    /// template omits it); the FSP specification calls type 1 current.
    pub signature_type: u8,
}

impl Default for SubProtocolConfig {
    fn default() -> Self {
        Self {
            protocol_id: FTSO_PROTOCOL_ID,
            data_provider: IN_PROCESS.to_owned(),
            api_key_env: None,
            signature_type: 0,
        }
    }
}

/// The `data_provider` value naming this node's own data provider.
pub const IN_PROCESS: &str = "in-process";

impl SubProtocolConfig {
    /// Whether the data provider is this node's own.
    pub fn is_in_process(&self) -> bool {
        self.data_provider == IN_PROCESS
    }

    /// The environment variable of the API key.
    pub fn api_key_env(&self) -> String {
        self.api_key_env
            .clone()
            .unwrap_or_else(|| format!("PROTOCOL_X_API_KEY_{}", self.protocol_id))
    }

    /// The submitSignatures payload type.
    pub fn payload_type(&self) -> anyhow::Result<SignaturePayloadType> {
        SignaturePayloadType::from_u8(self.signature_type).map_err(|_| {
            anyhow::anyhow!(
                "system_client.voting.protocols: protocol {} has signature_type {} (0 or 1)",
                self.protocol_id,
                self.signature_type
            )
        })
    }
}

/// `[system_client.voting.submit1]`: commit late in round N.
pub type Submit1Config = StepConfig<Submit1>;

/// `[system_client.voting.submit2]`: reveal early in round N+1.
pub type Submit2Config = StepConfig<Submit2>;

/// A step's default start offset, as a type: a table written with only some keys (or none) keeps its step's own
/// default offset, never 0.
pub trait StepDefault {
    /// The default `start_offset`.
    const START_OFFSET: Duration;
}

/// submit1's defaults: 75 s into round N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submit1 {}

impl StepDefault for Submit1 {
    const START_OFFSET: Duration = Duration::from_secs(75);
}

/// submit2's defaults: 20 s into round N+1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submit2 {}

impl StepDefault for Submit2 {
    const START_OFFSET: Duration = Duration::from_secs(20);
}

/// A submit1 or submit2 step, with `D`'s default start offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, bound = "")]
pub struct StepConfig<D: StepDefault> {
    /// Whether the step runs. Default true.
    pub enabled: bool,
    /// When the step runs, after the start of its round (submit1: round N; submit2: round N+1). Defaults: submit1
    /// 75 s, submit2 20 s.
    #[serde(with = "humantime_serde")]
    pub start_offset: Duration,
    /// Broadcasts per step: the transaction and its fee-bumped replacements (the reference's `tx_submit_retries`).
    /// Default 1.
    pub tx_attempts: u32,
    /// How long a broadcast waits to be mined before it is replaced (`tx_submit_timeout`). Default 10 s.
    #[serde(with = "humantime_serde")]
    pub tx_attempt_timeout: Duration,
    /// Data-provider requests per protocol, back to back (`data_fetch_retries`). Default 1.
    pub data_fetch_retries: u32,
    /// Timeout of one data-provider request (`data_fetch_timeout`). Default 5 s.
    #[serde(with = "humantime_serde")]
    pub data_fetch_timeout: Duration,
    #[serde(skip)]
    step: PhantomData<D>,
}

impl<D: StepDefault> StepConfig<D> {
    /// The reference's step defaults, at `start_offset`.
    pub fn at(start_offset: Duration) -> Self {
        Self {
            enabled: true,
            start_offset,
            tx_attempts: 1,
            tx_attempt_timeout: Duration::from_secs(10),
            data_fetch_retries: 1,
            data_fetch_timeout: Duration::from_secs(5),
            step: PhantomData,
        }
    }
}

impl<D: StepDefault> Default for StepConfig<D> {
    fn default() -> Self {
        Self::at(D::START_OFFSET)
    }
}

/// The submitSignatures step (`[system_client.voting.submit_signatures]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SignaturesStepConfig {
    /// Whether the step runs. Default true.
    pub enabled: bool,
    /// When the step starts, after the start of round N+1. Default 45 s.
    #[serde(with = "humantime_serde")]
    pub start_offset: Duration,
    /// Until when (after the start of round N+1) every protocol is asked until it answers, a request at most
    /// every second, before one transaction is sent. Default 58 s.
    #[serde(with = "humantime_serde")]
    pub deadline: Duration,
    /// Cycles after the deadline for the protocols that had not answered, each a new transaction. Default 0.
    pub max_cycles: u32,
    /// Least time between the starts of two cycles. Default 1 s.
    #[serde(with = "humantime_serde")]
    pub cycle_duration: Duration,
    /// Broadcasts per transaction. Default 1.
    pub tx_attempts: u32,
    /// How long a broadcast waits to be mined before it is replaced. Default 10 s.
    #[serde(with = "humantime_serde")]
    pub tx_attempt_timeout: Duration,
    /// Data-provider requests per protocol and cycle after the deadline. Default 1.
    pub data_fetch_retries: u32,
    /// Timeout of one data-provider request. Default 5 s.
    #[serde(with = "humantime_serde")]
    pub data_fetch_timeout: Duration,
}

impl Default for SignaturesStepConfig {
    fn default() -> Self {
        let step = Submit1Config::at(Duration::from_secs(45));
        Self {
            enabled: step.enabled,
            start_offset: step.start_offset,
            deadline: Duration::from_secs(58),
            max_cycles: 0,
            cycle_duration: Duration::from_secs(1),
            tx_attempts: step.tx_attempts,
            tx_attempt_timeout: step.tx_attempt_timeout,
            data_fetch_retries: step.data_fetch_retries,
            data_fetch_timeout: step.data_fetch_timeout,
        }
    }
}

impl VotingConfig {
    /// Checks what the types cannot, and that every step lies inside its validity window for `epochs`
    /// (submit1 in round N; submit2 in N+1 before the reveal deadline; submitSignatures in N+1 after it).
    pub fn validate(&self, epochs: &EpochSettings) -> anyhow::Result<()> {
        use anyhow::{Context as _, ensure};
        self.gas_submit
            .validate()
            .map_err(anyhow::Error::msg)
            .context("system_client.voting.gas_submit")?;
        ensure!(
            !self.protocols.is_empty(),
            "system_client.voting.protocols is empty"
        );
        for (i, protocol) in self.protocols.iter().enumerate() {
            protocol.payload_type()?;
            ensure!(
                !self.protocols[..i]
                    .iter()
                    .any(|p| p.protocol_id == protocol.protocol_id),
                "system_client.voting.protocols: protocol {} is listed twice",
                protocol.protocol_id
            );
        }
        let s1 = &self.submit1;
        let s2 = &self.submit2;
        let sig = &self.submit_signatures;
        ensure!(
            s1.enabled || s2.enabled || sig.enabled,
            "system_client.voting: every step is disabled"
        );
        let period = Duration::from_secs(epochs.voting_epoch_duration_seconds);
        let reveal = Duration::from_secs(epochs.reveal_deadline_seconds);
        for (name, fetches, timeout, attempts) in [
            (
                "submit1",
                s1.data_fetch_retries,
                s1.data_fetch_timeout,
                s1.tx_attempts,
            ),
            (
                "submit2",
                s2.data_fetch_retries,
                s2.data_fetch_timeout,
                s2.tx_attempts,
            ),
            (
                "submit_signatures",
                sig.data_fetch_retries,
                sig.data_fetch_timeout,
                sig.tx_attempts,
            ),
        ] {
            ensure!(
                fetches >= 1 && attempts >= 1 && !timeout.is_zero(),
                "system_client.voting.{name}: data_fetch_retries and tx_attempts must be at least 1, \
                 data_fetch_timeout positive"
            );
        }
        ensure!(
            !s1.enabled || s1.start_offset < period,
            "system_client.voting.submit1.start_offset {:?} is not inside the {} s voting round",
            s1.start_offset,
            period.as_secs()
        );
        ensure!(
            !s2.enabled || s2.start_offset < reveal,
            "system_client.voting.submit2.start_offset {:?} is not before the {} s reveal deadline",
            s2.start_offset,
            reveal.as_secs()
        );
        ensure!(
            !sig.enabled || (sig.start_offset < sig.deadline && sig.deadline <= period),
            "system_client.voting.submit_signatures: start_offset {:?} must be before deadline {:?}, and the deadline \
             inside the {} s voting round",
            sig.start_offset,
            sig.deadline,
            period.as_secs()
        );
        ensure!(
            !(s2.enabled && sig.enabled) || sig.start_offset >= s2.start_offset,
            "system_client.voting.submit_signatures.start_offset must not be before submit2's"
        );
        Ok(())
    }

    /// The defaults scaled to other round lengths (e.g. the devnet's 20 s rounds with a 10 s reveal deadline):
    /// each offset keeps its place relative to the round and reveal deadline of 90 s / 45 s rounds.
    pub fn scaled_to(&self, epochs: &EpochSettings) -> Self {
        let period = epochs.voting_epoch_duration_seconds;
        let reveal = epochs.reveal_deadline_seconds;
        let scale = |offset: Duration, of: u64, to: u64| offset.mul_f64(to as f64 / of as f64);
        let mut scaled = self.clone();
        scaled.submit1.start_offset = scale(self.submit1.start_offset, 90, period);
        scaled.submit2.start_offset = scale(self.submit2.start_offset, 45, reveal);
        let sig = &mut scaled.submit_signatures;
        // After the reveal deadline: keep the distance from it in proportion to the rest of the round.
        let after = |offset: Duration| {
            Duration::from_secs(reveal)
                + scale(
                    offset.saturating_sub(Duration::from_secs(45)),
                    45,
                    period.saturating_sub(reveal),
                )
        };
        sig.start_offset = after(self.submit_signatures.start_offset);
        sig.deadline = after(self.submit_signatures.deadline);
        scaled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_written_with_some_keys_keep_each_steps_default_offset() {
        let config: VotingConfig = toml::from_str(
            "[submit1]\n[submit2]\ntx_attempts = 2\n[submit_signatures]\nmax_cycles = 1\n",
        )
        .unwrap();
        assert_eq!(config.submit1, VotingConfig::default().submit1);
        assert_eq!(config.submit2.start_offset, Duration::from_secs(20));
        assert_eq!(config.submit2.tx_attempts, 2);
        assert_eq!(
            config.submit_signatures.start_offset,
            Duration::from_secs(45)
        );
        assert_eq!(config.submit_signatures.deadline, Duration::from_secs(58));
    }

    #[test]
    fn defaults_are_the_references_example_and_fit_flare() {
        let config: VotingConfig = toml::from_str("").unwrap();
        assert_eq!(config, VotingConfig::default());
        assert_eq!(config.submit1.start_offset, Duration::from_secs(75));
        assert_eq!(config.submit2.start_offset, Duration::from_secs(20));
        assert_eq!(
            config.submit_signatures.start_offset,
            Duration::from_secs(45)
        );
        assert_eq!(config.submit_signatures.deadline, Duration::from_secs(58));
        assert_eq!(config.protocols[0].api_key_env(), "PROTOCOL_X_API_KEY_100");
        config.validate(&ftso_core::epoch::FLARE).unwrap();
    }

    #[test]
    fn protocols_parse_in_order_and_bad_values_are_refused() {
        let config: VotingConfig = toml::from_str(
            "[[protocols]]\nprotocol_id = 100\nsignature_type = 1\n\
             [[protocols]]\nprotocol_id = 200\ndata_provider = \"http://fdc:8080/fsp\"\napi_key_env = \"FDC_KEY\"\n",
        )
        .unwrap();
        let ids: Vec<u8> = config.protocols.iter().map(|p| p.protocol_id).collect();
        assert_eq!(ids, [100, 200]);
        assert!(config.protocols[0].is_in_process());
        assert_eq!(config.protocols[1].api_key_env(), "FDC_KEY");
        config.validate(&ftso_core::epoch::FLARE).unwrap();

        assert!(toml::from_str::<VotingConfig>("[[protocols]]\nid = 100\n").is_err());
        let mut bad = VotingConfig::default();
        bad.protocols[0].signature_type = 2;
        assert!(bad.validate(&ftso_core::epoch::FLARE).is_err());
        let mut late = VotingConfig::default();
        late.submit2.start_offset = Duration::from_secs(45);
        assert!(late.validate(&ftso_core::epoch::FLARE).is_err());
        let mut twice = VotingConfig::default();
        twice.protocols.push(SubProtocolConfig::default());
        assert!(twice.validate(&ftso_core::epoch::FLARE).is_err());
    }

    #[test]
    fn scaled_defaults_fit_short_rounds() {
        let devnet = EpochSettings {
            voting_epoch_duration_seconds: 20,
            reveal_deadline_seconds: 10,
            ..ftso_core::epoch::FLARE
        };
        let defaults = VotingConfig::default();
        assert!(defaults.validate(&devnet).is_err());
        let scaled = defaults.scaled_to(&devnet);
        scaled.validate(&devnet).unwrap();
        assert!(scaled.submit2.start_offset < Duration::from_secs(10));
        assert!(scaled.submit_signatures.start_offset >= Duration::from_secs(10));
        assert_eq!(defaults.scaled_to(&ftso_core::epoch::FLARE), defaults);
    }
}
