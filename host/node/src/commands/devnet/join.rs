//! `run --join-devnet FILE --devnet-entity N`: the node joins a devnet another process runs (`ftso-node devnet`,
//! which writes FILE) as its entity N. FILE gives the RPC URL, chain id, epoch settings, contract addresses and the
//! test entities' keys; several nodes can so vote as different entities of one devnet.

use std::collections::BTreeMap;
use std::path::Path;

use alloy::primitives::Address;
use alloy::signers::local::PrivateKeySigner;
use anyhow::Context as _;
use ftso_chain::names;
use ftso_core::epoch::EpochSettings;
use ftso_data_provider::chain::ContractAddresses;
use ftso_devnet::{Devnet, Entity};
use serde::Deserialize;

/// What the node's roles need to know of a devnet, whether it runs in process (`run --devnet`) or in another one
/// (`run --join-devnet`).
#[derive(Debug, Clone)]
pub struct DevnetChain {
    /// The devnet's RPC URL.
    pub rpc_url: String,
    /// Its chain id.
    pub chain_id: u64,
    /// Its voting rounds and reward epochs.
    pub epochs: EpochSettings,
    /// Its FlareContractRegistry.
    pub registry: Address,
    /// The FSP contracts the data provider reads the indexer database with.
    pub contracts: ContractAddresses,
}

impl DevnetChain {
    /// The chain of a devnet running in this process.
    pub fn of(devnet: &Devnet) -> Self {
        let settings = devnet.config();
        let c = devnet.contracts();
        Self {
            rpc_url: devnet.rpc_url().to_owned(),
            chain_id: devnet.chain_id(),
            epochs: EpochSettings {
                first_voting_round_start_ts: devnet.first_voting_round_start_ts(),
                voting_epoch_duration_seconds: settings.voting_epoch.as_secs(),
                first_reward_epoch_start_voting_round_id: settings
                    .first_reward_epoch_start_voting_round_id,
                reward_epoch_duration_in_voting_epochs: settings.reward_epoch_voting_epochs,
                reveal_deadline_seconds: settings.reveal_deadline.as_secs(),
            },
            registry: c.flare_contract_registry,
            contracts: ContractAddresses {
                submission: vec![c.submission],
                flare_systems_manager: vec![c.flare_systems_manager],
                relay: vec![c.relay],
                voter_registry: vec![c.voter_registry],
                flare_systems_calculator: vec![c.flare_systems_calculator],
                ftso_reward_offers_manager: vec![c.ftso_reward_offers_manager],
            },
        }
    }
}

/// The file `ftso-node devnet` writes (`--config-out`).
#[derive(Deserialize)]
struct DevnetFile {
    rpc_url: String,
    chain_id: u64,
    first_voting_round_start_ts: u64,
    voting_epoch_duration_seconds: u64,
    reveal_deadline_seconds: u64,
    first_reward_epoch_start_voting_round_id: u32,
    reward_epoch_duration_in_voting_epochs: u32,
    contracts: BTreeMap<String, Address>,
    #[serde(default)]
    entities: Vec<EntityKeys>,
}

/// One test entity of the file: its five keys (test keys of anvil's well-known mnemonic).
#[derive(Deserialize)]
struct EntityKeys {
    identity_private_key: String,
    submit_private_key: String,
    submit_signatures_private_key: String,
    signing_policy_private_key: String,
    delegation_private_key: String,
}

/// A key of the file (the error names the role, never the text).
fn signer(hex: &str, role: &str) -> anyhow::Result<PrivateKeySigner> {
    hex.parse()
        .map_err(|_| anyhow::anyhow!("the devnet file's {role}_private_key is not a private key"))
}

/// Reads the devnet file and returns its chain and entity `index`.
pub fn read(path: &Path, index: usize) -> anyhow::Result<(DevnetChain, Entity)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the devnet file {}", path.display()))?;
    // The file holds keys: a parse error must not echo its text.
    let file: DevnetFile = toml::from_str(&text).map_err(|error| {
        anyhow::anyhow!(
            "{} is not a devnet file of `ftso-node devnet`: {}",
            path.display(),
            error.message()
        )
    })?;
    let count = file.entities.len();
    let keys = file.entities.into_iter().nth(index).with_context(|| {
        format!(
            "the devnet has {count} entities, no entity {index} ({})",
            path.display()
        )
    })?;
    let contract = |name: &str| {
        file.contracts
            .get(name)
            .copied()
            .with_context(|| format!("no contract {name} in {}", path.display()))
    };
    let chain = DevnetChain {
        rpc_url: file.rpc_url,
        chain_id: file.chain_id,
        epochs: EpochSettings {
            first_voting_round_start_ts: file.first_voting_round_start_ts,
            voting_epoch_duration_seconds: file.voting_epoch_duration_seconds,
            first_reward_epoch_start_voting_round_id: file.first_reward_epoch_start_voting_round_id,
            reward_epoch_duration_in_voting_epochs: file.reward_epoch_duration_in_voting_epochs,
            reveal_deadline_seconds: file.reveal_deadline_seconds,
        },
        registry: contract("FlareContractRegistry")?,
        contracts: ContractAddresses {
            submission: vec![contract(names::SUBMISSION)?],
            flare_systems_manager: vec![contract(names::FLARE_SYSTEMS_MANAGER)?],
            relay: vec![contract(names::RELAY)?],
            voter_registry: vec![contract(names::VOTER_REGISTRY)?],
            flare_systems_calculator: vec![contract(names::FLARE_SYSTEMS_CALCULATOR)?],
            ftso_reward_offers_manager: vec![contract(names::FTSO_REWARD_OFFERS_MANAGER)?],
        },
    };
    let entity = Entity {
        identity: signer(&keys.identity_private_key, "identity")?,
        submit: signer(&keys.submit_private_key, "submit")?,
        submit_signatures: signer(&keys.submit_signatures_private_key, "submit_signatures")?,
        signing_policy: signer(&keys.signing_policy_private_key, "signing_policy")?,
        delegation: signer(&keys.delegation_private_key, "delegation")?,
    };
    Ok((chain, entity))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// anvil's well-known test keys (accounts 0..4): test keys only.
    const KEYS: [&str; 5] = [
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
        "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
        "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    ];

    /// A file as `ftso-node devnet` writes it, with one entity.
    fn file(dir: &Path) -> std::path::PathBuf {
        let mut text = String::from(
            "rpc_url = \"http://localhost:8545\"\nchain_id = 31337\nfirst_voting_round_start_ts = 1700000000\n\
             voting_epoch_duration_seconds = 20\nreveal_deadline_seconds = 10\n\
             first_reward_epoch_start_voting_round_id = 1000\nreward_epoch_duration_in_voting_epochs = 5\n\n\
             [contracts]\n",
        );
        for (i, name) in [
            "FlareContractRegistry",
            names::SUBMISSION,
            names::FLARE_SYSTEMS_MANAGER,
            names::RELAY,
            names::VOTER_REGISTRY,
            names::FLARE_SYSTEMS_CALCULATOR,
            names::FTSO_REWARD_OFFERS_MANAGER,
        ]
        .iter()
        .enumerate()
        {
            text.push_str(&format!(
                "{name} = \"{}\"\n",
                Address::with_last_byte(i as u8 + 1)
            ));
        }
        text.push_str("\n[[entities]]\n");
        for (role, key) in [
            "identity",
            "submit",
            "submit_signatures",
            "signing_policy",
            "delegation",
        ]
        .iter()
        .zip(KEYS)
        {
            text.push_str(&format!("{role}_private_key = \"{key}\"\n"));
        }
        let path = dir.join("devnet.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn reads_the_chain_and_the_chosen_entity() {
        let dir = tempfile::tempdir().unwrap();
        let (chain, entity) = read(&file(dir.path()), 0).unwrap();
        assert_eq!(chain.chain_id, 31337);
        assert_eq!(chain.epochs.first_voting_round_start_ts, 1_700_000_000);
        assert_eq!(chain.epochs.reward_epoch_duration_in_voting_epochs, 5);
        assert_eq!(chain.registry, Address::with_last_byte(1));
        assert_eq!(chain.contracts.relay, vec![Address::with_last_byte(4)]);
        let expected: PrivateKeySigner = KEYS[3].parse().unwrap();
        assert_eq!(entity.signing_policy_address(), expected.address());
    }

    #[test]
    fn a_missing_entity_or_a_bad_file_is_an_error_without_the_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path());
        let error = read(&path, 1).unwrap_err().to_string();
        assert!(error.contains("no entity 1"), "{error}");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("chain_id = 31337", "chain_id = \"x\"")).unwrap();
        let error = format!("{:#}", read(&path, 0).unwrap_err());
        for key in KEYS {
            assert!(!error.contains(&key[2..]), "a key in {error}");
        }
    }
}
