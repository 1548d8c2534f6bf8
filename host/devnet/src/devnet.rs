//! The running devnet: the anvil child process, a wallet-backed provider, and the deployed contracts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy::network::{EthereumWallet, TransactionBuilder};
use alloy::node_bindings::{Anvil, AnvilInstance};
use alloy::primitives::{Address, Bytes, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::{TransactionReceipt, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::SolCall;
use anyhow::{Context, anyhow, bail, ensure};
use ftso_chain::IFlareSystemsManager;
use ftso_core::signing_policy::SigningPolicy;
use tokio::sync::Mutex;

use crate::anvil::anvil_path;
use crate::config::DevnetConfig;
use crate::contracts::Contracts;
use crate::deploy;
use crate::driver::DaemonDriver;
use crate::entity::Entity;

/// The provider type handed out by [`Devnet::provider`]: HTTP, with a wallet holding the deployer, the daemon
/// and every entity key, so a transaction's `from` picks its signer.
pub type DevnetProvider = DynProvider;

/// Accounts before the entities: 0 = deployer (governance, address updater), 1 = daemon.
const SYSTEM_ACCOUNTS: usize = 2;
/// Keys per entity.
const KEYS_PER_ENTITY: usize = 5;
/// How long to wait for a sent transaction to be mined.
const RECEIPT_TIMEOUT: Duration = Duration::from_secs(60);

/// A running devnet. Dropping it kills anvil (also when a test panics).
#[derive(Debug)]
pub struct Devnet {
    // Field order matters for Drop: the provider goes before the node.
    provider: DevnetProvider,
    config: DevnetConfig,
    rpc_url: String,
    contracts: Contracts,
    entities: Vec<Entity>,
    deployer: PrivateKeySigner,
    daemon: PrivateKeySigner,
    initial_signing_policy: SigningPolicy,
    first_voting_round_start_ts: u64,
    daemon_lock: Arc<Mutex<()>>,
    startup: Duration,
    anvil: AnvilInstance,
}

impl Devnet {
    /// Starts anvil on a free loopback port, deploys and wires the contracts, registers the entities and the
    /// reward offers. Reward epoch 0 is current when this returns.
    pub async fn start(config: DevnetConfig) -> anyhow::Result<Devnet> {
        config.validate()?;
        install_crypto_provider();
        let started = Instant::now();
        let anvil = spawn_anvil(&config)?;
        let keys = anvil.keys();
        ensure!(
            keys.len() >= SYSTEM_ACCOUNTS + KEYS_PER_ENTITY * config.entities,
            "anvil returned too few keys"
        );
        let signer = |i: usize| -> PrivateKeySigner { PrivateKeySigner::from(keys[i].clone()) };
        let deployer = signer(0);
        let daemon = signer(1);
        let entities: Vec<Entity> = (0..config.entities)
            .map(|e| {
                let base = SYSTEM_ACCOUNTS + KEYS_PER_ENTITY * e;
                Entity {
                    identity: signer(base),
                    submit: signer(base + 1),
                    submit_signatures: signer(base + 2),
                    signing_policy: signer(base + 3),
                    delegation: signer(base + 4),
                }
            })
            .collect();
        let mut wallet = EthereumWallet::new(deployer.clone());
        wallet.register_signer(daemon.clone());
        for entity in &entities {
            for key in [
                &entity.identity,
                &entity.submit,
                &entity.submit_signatures,
                &entity.signing_policy,
                &entity.delegation,
            ] {
                wallet.register_signer(key.clone());
            }
        }
        let rpc_url = anvil.endpoint();
        let url = rpc_url
            .parse()
            .with_context(|| format!("anvil endpoint {rpc_url}"))?;
        // Nonces are read from the node for every transaction: a cached nonce would be consumed by a transaction
        // that fails gas estimation (a revert) and leave a gap that blocks the account's next transaction.
        let provider = ProviderBuilder::new()
            .disable_recommended_fillers()
            .with_gas_estimation()
            .with_simple_nonce_management()
            .with_chain_id(config.chain_id)
            .wallet(wallet)
            .connect_http(url)
            .erased();
        let chain_id = provider.get_chain_id().await.context("eth_chainId")?;
        ensure!(
            chain_id == config.chain_id,
            "anvil reports chain id {chain_id}, expected {}",
            config.chain_id
        );

        let deployed = deploy::deploy(&provider, &config, &deployer, &daemon, &entities).await?;
        let devnet = Devnet {
            provider,
            config,
            rpc_url,
            contracts: deployed.contracts,
            entities,
            deployer,
            daemon,
            initial_signing_policy: deployed.initial_signing_policy,
            first_voting_round_start_ts: deployed.first_voting_round_start_ts,
            daemon_lock: Arc::new(Mutex::new(())),
            startup: started.elapsed(),
            anvil,
        };
        devnet.daemonize().await.context("first daemonize")?;
        // Deployment runs with automine (a block per transaction); interval mining starts afterwards.
        if let Some(block_time) = devnet.config.block_time {
            let _: serde_json::Value = devnet
                .provider
                .raw_request(
                    "evm_setIntervalMining".into(),
                    (block_time.as_secs().max(1),),
                )
                .await
                .context("evm_setIntervalMining")?;
        }
        tracing::info!(
            rpc = %devnet.rpc_url,
            startup_ms = devnet.startup.as_millis(),
            entities = devnet.entities.len(),
            "devnet started"
        );
        Ok(devnet)
    }

    /// The HTTP JSON-RPC endpoint.
    pub fn rpc_url(&self) -> &str {
        &self.rpc_url
    }

    /// The loopback port anvil listens on.
    pub fn port(&self) -> u16 {
        self.anvil.port()
    }

    /// The chain id.
    pub fn chain_id(&self) -> u64 {
        self.config.chain_id
    }

    /// The configuration the devnet was started with.
    pub fn config(&self) -> &DevnetConfig {
        &self.config
    }

    /// The deployed contracts.
    pub fn contracts(&self) -> &Contracts {
        &self.contracts
    }

    /// The registered test entities.
    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    /// A provider whose wallet holds the deployer, the daemon and every entity key.
    pub fn provider(&self) -> &DevnetProvider {
        &self.provider
    }

    /// The deployer (governance and address updater) account.
    pub fn deployer(&self) -> &PrivateKeySigner {
        &self.deployer
    }

    /// The daemon account (FlareSystemsManager's flareDaemon).
    pub fn daemon_account(&self) -> &PrivateKeySigner {
        &self.daemon
    }

    /// The initial reward epoch's (epoch 0) signing policy, as held by the Relay.
    pub fn initial_signing_policy(&self) -> &SigningPolicy {
        &self.initial_signing_policy
    }

    /// Start of voting round 0 (unix seconds).
    pub fn first_voting_round_start_ts(&self) -> u64 {
        self.first_voting_round_start_ts
    }

    /// How long [`Devnet::start`] took up to the first daemonize (spawn, deploy, wire, register).
    pub fn startup_time(&self) -> Duration {
        self.startup
    }

    /// The voting round containing unix time `ts`.
    pub fn voting_round_at(&self, ts: u64) -> u32 {
        let elapsed = ts.saturating_sub(self.first_voting_round_start_ts);
        u32::try_from(elapsed / self.config.voting_epoch.as_secs()).unwrap_or(u32::MAX)
    }

    /// Mines `blocks` empty blocks.
    pub async fn mine(&self, blocks: u64) -> anyhow::Result<()> {
        let _: serde_json::Value = self
            .provider
            .raw_request("anvil_mine".into(), (format!("{blocks:#x}"),))
            .await
            .context("anvil_mine")?;
        Ok(())
    }

    /// Moves chain time forward by `seconds` and mines one block at the new time.
    pub async fn warp(&self, seconds: u64) -> anyhow::Result<()> {
        let now = self.latest_timestamp().await?;
        self.warp_to(now + seconds.max(1)).await
    }

    /// Mines one block with timestamp `ts` (must be later than the latest block).
    pub async fn warp_to(&self, ts: u64) -> anyhow::Result<()> {
        let _: serde_json::Value = self
            .provider
            .raw_request("evm_setNextBlockTimestamp".into(), (ts,))
            .await
            .context("evm_setNextBlockTimestamp")?;
        let _: serde_json::Value = self
            .provider
            .raw_request("evm_mine".into(), ())
            .await
            .context("evm_mine")?;
        Ok(())
    }

    /// Timestamp of the latest block.
    pub async fn latest_timestamp(&self) -> anyhow::Result<u64> {
        let block = self
            .provider
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await
            .context("eth_getBlockByNumber")?
            .ok_or_else(|| anyhow!("no latest block"))?;
        Ok(block.header.timestamp)
    }

    /// One daemon step: `FlareSystemsManager.daemonize()` sent by the daemon account.
    pub async fn daemonize(&self) -> anyhow::Result<TransactionReceipt> {
        self.daemonize_contract(self.contracts.flare_systems_manager)
            .await
            .context("daemonize")
    }

    /// One FastUpdater daemon step: `FastUpdater.daemonize()` sent by the daemon account (applies the reward
    /// epoch change to FastUpdater and writes the score cutoff of the next block).
    pub async fn daemonize_fast_updater(&self) -> anyhow::Result<TransactionReceipt> {
        self.daemonize_contract(self.contracts.fast_updater)
            .await
            .context("FastUpdater daemonize")
    }

    /// `daemonize()` on `contract` from the daemon account, one at a time (FlareSystemsManager and FastUpdater
    /// share the selector).
    async fn daemonize_contract(&self, contract: Address) -> anyhow::Result<TransactionReceipt> {
        let _guard = self.daemon_lock.lock().await;
        let call = IFlareSystemsManager::daemonizeCall {};
        send_call(&self.provider, self.daemon.address(), contract, &call).await
    }

    /// Starts a background task that calls `daemonize()` on FlareSystemsManager and FastUpdater once per new block
    /// (as the network's FlareDaemon does), checking every `poll` for a new block; see [`DaemonDriver`]. Stops when the returned handle is dropped.
    pub fn spawn_daemon_driver(&self, poll: Duration) -> DaemonDriver {
        DaemonDriver::spawn(
            self.provider.clone(),
            self.daemon.address(),
            [
                self.contracts.flare_systems_manager,
                self.contracts.fast_updater,
            ],
            Arc::clone(&self.daemon_lock),
            poll,
            self.config.block_time.is_some(),
        )
    }

    /// Sends `call` to `to` from `from` (any key in the wallet) and waits for a successful receipt.
    pub async fn send<C: SolCall>(
        &self,
        from: Address,
        to: Address,
        call: &C,
    ) -> anyhow::Result<TransactionReceipt> {
        send_call(&self.provider, from, to, call).await
    }

    /// Sends raw calldata (e.g. `relay()` or `submit1()` with a payload) and waits for a successful receipt.
    pub async fn send_raw(
        &self,
        from: Address,
        to: Address,
        input: Bytes,
    ) -> anyhow::Result<TransactionReceipt> {
        send_tx(
            &self.provider,
            TransactionRequest::default()
                .from(from)
                .to(to)
                .input(input.into()),
        )
        .await
    }

    /// `eth_call` of `call` on `to`.
    pub async fn call<C: SolCall>(&self, to: Address, call: &C) -> anyhow::Result<C::Return> {
        let tx = TransactionRequest::default()
            .to(to)
            .input(Bytes::from(call.abi_encode()).into());
        let output = self
            .provider
            .call(tx)
            .await
            .with_context(|| format!("eth_call to {to}"))?;
        C::abi_decode_returns(&output).context("decoding call result")
    }

    /// `eth_call` of raw calldata from `from`; the error carries the revert reason.
    pub async fn call_raw(
        &self,
        from: Address,
        to: Address,
        input: Bytes,
    ) -> anyhow::Result<Bytes> {
        let tx = TransactionRequest::default()
            .from(from)
            .to(to)
            .input(input.into());
        Ok(self.provider.call(tx).await?)
    }

    /// Sets the native balance of `address`.
    pub async fn set_balance(&self, address: Address, wei: U256) -> anyhow::Result<()> {
        let _: serde_json::Value = self
            .provider
            .raw_request("anvil_setBalance".into(), (address, wei))
            .await
            .context("anvil_setBalance")?;
        Ok(())
    }
}

/// Installs rustls' ring provider once, in case TLS-capable reqwest is unified into the build without one
/// (tests that build their own alloy HTTP providers call it before the first one).
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

fn spawn_anvil(config: &DevnetConfig) -> anyhow::Result<AnvilInstance> {
    let path = anvil_path()?;
    let accounts = SYSTEM_ACCOUNTS + KEYS_PER_ENTITY * config.entities;
    let anvil = Anvil::at(&path)
        .port(0u16)
        .arg("--host")
        .arg("127.0.0.1")
        .arg("--chain-id")
        .arg(config.chain_id.to_string())
        .arg("--accounts")
        .arg(accounts.to_string())
        .arg("--hardfork")
        .arg("cancun")
        .arg("--balance")
        .arg("1000000");
    anvil
        .try_spawn()
        .with_context(|| format!("spawning anvil at {}", path.display()))
}

/// Sends `call` and waits for a successful receipt.
pub(crate) async fn send_call<C: SolCall>(
    provider: &DevnetProvider,
    from: Address,
    to: Address,
    call: &C,
) -> anyhow::Result<TransactionReceipt> {
    let tx = TransactionRequest::default()
        .from(from)
        .to(to)
        .input(Bytes::from(call.abi_encode()).into());
    send_tx(provider, tx)
        .await
        .with_context(|| format!("{} to {to}", C::SIGNATURE))
}

/// Sends a transaction and waits for its receipt; a failed status is an error.
pub(crate) async fn send_tx(
    provider: &DevnetProvider,
    tx: TransactionRequest,
) -> anyhow::Result<TransactionReceipt> {
    let pending = provider.send_transaction(tx).await?;
    wait_for_receipt(provider, *pending.tx_hash()).await
}

/// Waits for the receipt of `hash`; a failed status is an error.
pub(crate) async fn wait_for_receipt(
    provider: &DevnetProvider,
    hash: alloy::primitives::TxHash,
) -> anyhow::Result<TransactionReceipt> {
    // With automine the receipt exists as soon as eth_sendTransaction returns; poll briefly otherwise.
    let mut delay = Duration::from_millis(5);
    let deadline = Instant::now() + RECEIPT_TIMEOUT;
    let receipt = loop {
        if let Some(receipt) = provider.get_transaction_receipt(hash).await? {
            break receipt;
        }
        ensure!(
            Instant::now() < deadline,
            "transaction {hash} not mined within {RECEIPT_TIMEOUT:?}"
        );
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_millis(200));
    };
    if !receipt.status() {
        bail!("transaction {hash} reverted");
    }
    Ok(receipt)
}

/// Deploys the embedded artifact `name` with ABI-encoded constructor `args` from `from`; returns the new address.
pub(crate) async fn deploy_artifact(
    provider: &DevnetProvider,
    from: Address,
    name: &str,
    args: &[u8],
) -> anyhow::Result<Address> {
    let mut code = crate::artifacts::artifact(name)?.bytecode.to_vec();
    code.extend_from_slice(args);
    deploy_code(provider, from, code)
        .await
        .with_context(|| format!("deploying {name}"))
}

/// Deploys `creation` code (constructor arguments already appended) from `from`; returns the new address.
pub(crate) async fn deploy_code(
    provider: &DevnetProvider,
    from: Address,
    creation: Vec<u8>,
) -> anyhow::Result<Address> {
    let tx = TransactionRequest::default()
        .from(from)
        .with_deploy_code(Bytes::from(creation));
    let receipt = send_tx(provider, tx).await?;
    receipt
        .contract_address
        .ok_or_else(|| anyhow!("deployment receipt without contract address"))
}
