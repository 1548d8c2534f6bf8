//! What the `register` and `status` tests share: a fresh entity on the devnet (keys from `ftso-node keys
//! generate`, funded, vote power on its delegation address, nothing proposed), the binary run against it, and a
//! reward-epoch switch in which the system client's registration duty registers the fresh entity.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use alloy::primitives::{Address, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use ftso_chain::keys::{KeySource, PrivateKey, RoleKeySources};
use ftso_devnet::admin::IVotePowerStub;
use ftso_devnet::{Devnet, DevnetConfig, scenario};
use ftso_system_client::duties::Outcome;
use ftso_system_client::{ExpectedNetwork, RegistrationMessage, SystemClient, SystemClientConfig};

use super::{NODE, text};

/// The key variables `register` and `status` read: unset for the child, so only the key directory counts.
const KEY_VARS: [&str; 8] = [
    "IDENTITY_PRIVATE_KEY",
    "DELEGATION_PRIVATE_KEY",
    "SIGNING_POLICY_PRIVATE_KEY",
    "SYSTEM_CLIENT_SENDER_PRIVATE_KEY",
    "PROTOCOL_MANAGER_SUBMIT_PRIVATE_KEY",
    "PROTOCOL_MANAGER_SUBMIT_SIGNATURES_PRIVATE_KEY",
    "SORTITION_PRIVATE_KEY",
    "FAST_UPDATES_ACCOUNTS",
];
/// The entity's five roles, as `keys generate` names their files.
pub const ROLES: [&str; 5] = [
    "identity",
    "submit",
    "submit_signatures",
    "signing_policy",
    "delegation",
];

/// A devnet and an entity that has keys, funds and vote power, and nothing on chain yet.
pub struct Fixture {
    pub devnet: Devnet,
    pub dir: tempfile::TempDir,
    pub keys_dir: PathBuf,
    pub config: PathBuf,
}

impl Fixture {
    pub async fn start() -> Fixture {
        let devnet = Devnet::start(DevnetConfig::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let keys_dir = dir.path().join("keys");
        let generated = node(&["keys", "generate", "--dir", keys_dir.to_str().unwrap()]);
        assert!(generated.status.success(), "{}", text(&generated.stderr));
        let config = dir.path().join("node.toml");
        std::fs::write(
            &config,
            format!(
                "[node]\nnetwork = \"local\"\n\n[chain]\nrpc_url = \"{}\"\n",
                devnet.rpc_url()
            ),
        )
        .unwrap();
        let fixture = Fixture {
            devnet,
            dir,
            keys_dir,
            config,
        };
        for role in ROLES {
            let wei = U256::from(100u64) * U256::from(10u64).pow(U256::from(18));
            fixture
                .devnet
                .set_balance(fixture.address(role), wei)
                .await
                .unwrap();
        }
        let deployer = fixture.devnet.deployer().address();
        let wnat = fixture.devnet.contracts().wnat;
        let call = IVotePowerStub::setVotePowerCall {
            _owner: fixture.address("delegation"),
            _votePower: U256::from(fixture.devnet.config().vote_power_wei),
        };
        fixture.devnet.send(deployer, wnat, &call).await.unwrap();
        fixture
    }

    pub fn key(&self, role: &str) -> PrivateKey {
        PrivateKey::from_file(&self.key_path(role)).unwrap()
    }

    pub fn key_path(&self, role: &str) -> PathBuf {
        self.keys_dir.join(format!("{role}.key"))
    }

    pub fn address(&self, role: &str) -> Address {
        self.key(role).address()
    }

    /// `ftso-node <command> --config node.toml --keys DIR <extra>`.
    pub fn run(&self, command: &str, extra: &[&str]) -> Output {
        let mut args = vec![
            command,
            "--config",
            self.config.to_str().unwrap(),
            "--keys",
            self.keys_dir.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        node(&args)
    }

    /// `status --json`: the exit status and the report.
    pub fn status(&self, extra: &[&str]) -> (bool, serde_json::Value) {
        let mut args = vec!["--json"];
        args.extend_from_slice(extra);
        let output = self.run("status", &args);
        let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
            panic!(
                "status printed no JSON ({error}): {}\n{}",
                text(&output.stdout),
                text(&output.stderr)
            )
        });
        (output.status.success(), report)
    }

    /// The transaction count of every role's address.
    pub async fn nonces(&self) -> Vec<u64> {
        let mut nonces = Vec::new();
        for role in ROLES {
            nonces.push(
                self.devnet
                    .provider()
                    .get_transaction_count(self.address(role))
                    .await
                    .unwrap(),
            );
        }
        nonces
    }

    /// Reward epoch E → E+1 with the fresh entity registered for E+1 by the system client's registration duty
    /// (its signing-policy key signs, its identity sends) and the devnet's entities by the scenario.
    pub async fn switch_epoch_registering_the_entity(&self) -> u32 {
        let devnet = &self.devnet;
        let config = SystemClientConfig {
            identity: Some(self.address("identity")),
            keys: RoleKeySources {
                signing_policy: key_file(&self.key_path("signing_policy")),
                system_client_sender: key_file(&self.key_path("identity")),
                ..RoleKeySources::default()
            },
            registration_message: RegistrationMessage::WithChainId,
            ..SystemClientConfig::default()
        };
        let expected = ExpectedNetwork {
            name: "local".into(),
            chain_id: devnet.chain_id(),
        };
        let mut client = SystemClient::connect(&config, provider(devnet), Some(&expected))
            .await
            .unwrap();
        let (current, _) = scenario::current_reward_epoch(devnet).await.unwrap();
        let next = current + 1;
        scenario::start_random_acquisition(devnet).await.unwrap();
        scenario::select_vote_power_block(devnet).await.unwrap();
        let pass = client.run_duties().await.unwrap();
        assert!(
            matches!(pass.registration, Some(Outcome::Sent { .. })),
            "the registration duty sent nothing: {pass:?}"
        );
        for entity in devnet.entities() {
            scenario::register_voter(devnet, entity, next)
                .await
                .unwrap();
        }
        let (_, policy, bytes) = scenario::initialize_signing_policy(devnet).await.unwrap();
        assert!(
            policy
                .voter_index(&self.address("signing_policy"))
                .is_some(),
            "the fresh entity is not in the signing policy of epoch {next}"
        );
        scenario::sign_signing_policy(devnet, &bytes).await.unwrap();
        scenario::start_next_reward_epoch(devnet).await.unwrap();
        next
    }
}

fn key_file(path: &Path) -> KeySource {
    KeySource {
        env: Some("FTSO_NODE_TEST_UNSET_KEY".into()),
        file: Some(path.to_path_buf()),
    }
}

fn provider(devnet: &Devnet) -> DynProvider {
    ProviderBuilder::new()
        .connect_http(devnet.rpc_url().parse().unwrap())
        .erased()
}

/// Runs the binary with no key variables in its environment.
pub fn node(args: &[&str]) -> Output {
    let mut command = Command::new(NODE);
    command.args(args);
    for var in KEY_VARS {
        command.env_remove(var);
    }
    command.env_remove("FTSO_NODE_RPC_URL");
    command.output().unwrap()
}
