//! `ftso-node run`: every configured role in one process.

use std::{path::PathBuf, sync::Arc, time::Duration};

use alloy::providers::{Provider as _, ProviderBuilder};
use anyhow::Context as _;
use clap::Args;
use tokio_util::sync::CancellationToken;

use super::devnet::join::DevnetChain;
use crate::{
    config::NodeConfig,
    signal::cancel_on_shutdown_signal,
    supervisor::{Stage, Supervisor},
};

/// Runs the node: the indexer, the feed value plugins and the data provider (more roles as they land).
#[derive(Debug, Args)]
pub struct RunCommand {
    /// Config file (see config/node.example.toml). Without one, every default applies. With `--network`, it
    /// overrides the network's built-in config key by key.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Start from the built-in config of a public network (config/networks/NAME.toml): flare, songbird, coston or
    /// coston2.
    #[arg(long, value_name = "NAME", conflicts_with = "devnet")]
    network: Option<String>,
    /// Start a local devnet (anvil with the project's FSP contracts and one registered entity, blocks every
    /// second) and run against it as that entity (system client and fast updates with its keys), with a fresh
    /// SQLite database.
    #[arg(long)]
    devnet: bool,
    /// Join the devnet that `ftso-node devnet` runs, from the file it writes (`.data/devnet.toml`), as one of its
    /// entities (`--devnet-entity`): that entity's keys, a fresh SQLite database unless `storage.url` is set.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["devnet", "network"])]
    join_devnet: Option<PathBuf>,
    /// The entity of the joined devnet the node acts as (0-based).
    #[arg(long, value_name = "N", default_value_t = 0, requires = "join_devnet")]
    devnet_entity: usize,
}

/// Where the node's devnet comes from, if it runs on one.
enum DevnetMode {
    /// Not on a devnet.
    None,
    /// `--devnet`: one started in process.
    Start,
    /// `--join-devnet FILE --devnet-entity N`.
    Join(PathBuf, usize),
}

impl RunCommand {
    /// Runs until Ctrl-C / SIGTERM, or until a role fails.
    pub fn execute(self) -> anyhow::Result<()> {
        let config = NodeConfig::load(self.network.as_deref(), self.config.as_deref())?;
        let devnet = match (self.devnet, self.join_devnet) {
            (true, _) => DevnetMode::Start,
            (false, Some(file)) => DevnetMode::Join(file, self.devnet_entity),
            (false, None) => DevnetMode::None,
        };
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("cannot start the tokio runtime")?
            .block_on(run(config, devnet))
    }
}

async fn run(mut config: NodeConfig, devnet: DevnetMode) -> anyhow::Result<()> {
    // One process-wide rustls provider for every HTTPS client (RPC, plugin http and websockets).
    ftso_feeds::install_crypto_provider();
    let shutdown = CancellationToken::new();
    cancel_on_shutdown_signal(shutdown.clone());
    let data_dir = &config.node.data_dir;
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create data dir {}", data_dir.display()))?;
    // Absolute from here on: database URLs do not take `..` components.
    config.node.data_dir = std::fs::canonicalize(data_dir)
        .with_context(|| format!("cannot resolve data dir {}", data_dir.display()))?;

    // Kept alive until the roles stop: dropping them stops the daemon driver and anvil.
    let devnet = match devnet {
        DevnetMode::None => None,
        DevnetMode::Start => Some(start_devnet(&mut config).await?),
        DevnetMode::Join(file, entity) => Some(join_devnet(&mut config, &file, entity).await?),
    };

    let metrics = crate::admin::install_recorder()?;
    let mut admin = crate::admin::AdminServer::bind(&config.admin, metrics.clone()).await?;
    let mut supervisor = Supervisor::new(shutdown_timeout(
        &config,
        devnet.as_ref().map(|local| &local.chain),
    )?);
    let database_url = config.database_url();
    let storage = ftso_storage::Storage::open(&database_url)
        .await
        .with_context(|| {
            format!(
                "cannot open the database {}",
                ftso_storage::redact_url(&database_url)
            )
        })?;
    if config.node.indexer {
        let rpc_url =
            config.chain.rpc_url.clone().context(
                "the indexer needs chain.rpc_url (or FTSO_NODE_RPC_URL, or `run --devnet`)",
            )?;
        let url = rpc_url
            .parse()
            .with_context(|| format!("invalid rpc_url {}", ftso_storage::redact_url(&rpc_url)))?;
        let provider = ProviderBuilder::new().connect_http(url).erased();
        if let Some(network) = &config.node.network {
            check_chain_id(&provider, network, &rpc_url).await?;
        }
        let indexer = config.indexer.clone();
        let storage = storage.clone();
        supervisor.spawn("indexer", Stage::Serve, |stop| async move {
            Ok(ftso_indexer::run(indexer, storage, provider, stop).await?)
        });
    }
    let mut registry = None;
    if config.node.feeds && !config.feeds.plugins.is_empty() {
        let host = ftso_feeds::FeedsHost::start(feeds_under_admin(&config)).await?;
        registry = Some(host.registry().clone());
        if let Some(admin) = &mut admin {
            admin.merge(ftso_feeds::rest::admin_router(host.registry().clone()));
        }
        supervisor.spawn("feeds", Stage::Serve, |stop| host.serve(stop));
    } else if config.node.feeds {
        tracing::warn!("no feed plugins configured: the feed-values REST contract is not served");
    }
    // One provider and one transaction sender per key for every role that sends, so a key used by two roles
    // keeps one nonce sequence.
    let sending = if config.node.fast_updates
        || config.system_client.is_configured()
        || config.system_client.voting_is_configured()
    {
        Some(sending_chain(&config).await?)
    } else {
        None
    };
    if let (true, Some(chain)) = (config.node.fast_updates, &sending) {
        let client = start_fast_updates(&config, registry.clone(), chain).await?;
        supervisor.spawn("fast-updates", Stage::Produce, |stop| client.run(stop));
    }
    if let Some(admin) = &mut admin {
        let chain = chain_reader(
            &config,
            devnet.as_ref().map(|local| &local.chain),
            storage.clone(),
        )?;
        let devnet_chain_id = devnet.as_ref().map(|local| local.chain.chain_id);
        let status = crate::status::routes(
            &config,
            devnet_chain_id,
            storage.clone(),
            chain,
            registry.clone(),
            metrics,
        );
        admin.merge(status);
    }
    // The data provider in process, for the voting scheduler's "in-process" sub-protocols.
    let mut own_data_provider: Option<Arc<dyn ftso_data_provider::DataProvider>> = None;
    if config.node.data_provider {
        let chain = devnet.as_ref().map(|local| &local.chain);
        if let Some(host) = start_data_provider(&config, chain, storage.clone(), registry).await? {
            own_data_provider = Some(host.role());
            supervisor.spawn("data-provider", Stage::Serve, |stop| host.serve(stop));
        }
    }
    // The voting scheduler hands each message it signs to the finalizer, when both run.
    let finalizing = config.system_client.is_configured() && config.system_client.finalizer.enabled;
    let (own_messages, own_messages_rx) = ftso_system_client::handoff::own_messages();
    let mut own_messages_rx = Some(own_messages_rx);
    if let (true, Some(chain)) = (config.system_client.voting_is_configured(), &sending) {
        let devnet = devnet.as_ref().map(|local| &local.chain);
        let hand_off = finalizing.then_some(own_messages);
        let scheduler = start_voting(&config, devnet, chain, own_data_provider, hand_off).await?;
        supervisor.spawn("voting", Stage::Produce, |stop| scheduler.run(stop));
    } else {
        own_messages_rx = None;
    }
    if let (true, Some(chain)) = (config.system_client.is_configured(), &sending) {
        let devnet = devnet.as_ref().map(|local| &local.chain);
        let client = start_system_client(&config, devnet, chain).await?;
        supervisor.spawn("system-client", Stage::Produce, |stop| client.run(stop));
        if config.system_client.finalizer.enabled {
            let finalizer = start_finalizer(&config, chain, storage, own_messages_rx).await?;
            supervisor.spawn("finalizer", Stage::Produce, |stop| finalizer.run(stop));
        }
    }
    if let Some(admin) = admin {
        supervisor.spawn("admin", Stage::Serve, |stop| admin.serve(stop));
        if let Some(chain) = &sending {
            let senders = chain.senders.clone();
            let interval = config.admin.balance_poll_interval;
            supervisor.spawn("account-balances", Stage::Serve, |stop| {
                crate::admin::poll_account_balances(senders, interval, stop)
            });
        }
    }
    supervisor.run(shutdown).await
}

/// How long a shutdown waits for the producers (see [`Stage::Produce`]): `node.shutdown_timeout`, or else one voting
/// round plus the reveal deadline of the devnet's or `node.network`'s epochs (a round whose commit was sent just
/// before the shutdown reveals by then), or else [`SHUTDOWN_TIMEOUT_WITHOUT_NETWORK`].
fn shutdown_timeout(config: &NodeConfig, devnet: Option<&DevnetChain>) -> anyhow::Result<Duration> {
    if let Some(timeout) = config.node.shutdown_timeout {
        return Ok(timeout);
    }
    let timeout = match data_provider_chain(config, devnet)? {
        Some((epochs, _)) => Duration::from_secs(
            epochs
                .voting_epoch_duration_seconds
                .saturating_add(epochs.reveal_deadline_seconds),
        ),
        None => SHUTDOWN_TIMEOUT_WITHOUT_NETWORK,
    };
    Ok(timeout)
}

/// The producers' shutdown timeout when no network is known (no voting rounds to finish).
const SHUTDOWN_TIMEOUT_WITHOUT_NETWORK: Duration = Duration::from_secs(30);

/// The feeds config for `run`: the plugin admin routes are served by the node's admin server (`admin.listen`), so
/// the feeds host binds no admin listener of its own; a `feeds.admin_listen` other than the default is ignored with
/// a WARN (it applies to `ftso-node feeds` only).
fn feeds_under_admin(config: &NodeConfig) -> ftso_feeds::FeedsConfig {
    let mut feeds = config.feeds.clone();
    let default = ftso_feeds::FeedsConfig::default().admin_listen;
    if feeds.admin_listen.is_some() && feeds.admin_listen != default {
        tracing::warn!(
            admin_listen = ?feeds.admin_listen,
            admin = %config.admin.listen,
            "feeds.admin_listen is for `ftso-node feeds`; under `run` the plugin admin routes are on admin.listen"
        );
    }
    feeds.admin_listen = None;
    feeds
}

/// The chain as the sending roles use it: one provider, and one transaction sender per key (its own nonce
/// sequence) shared by the system client and the fast-updates client.
#[derive(Debug)]
struct SendingChain {
    provider: alloy::providers::DynProvider,
    senders: ftso_chain::tx::Senders,
}

/// Connects to `chain.rpc_url` and reads its chain id, which every transaction is signed for.
async fn sending_chain(config: &NodeConfig) -> anyhow::Result<SendingChain> {
    let rpc_url = config.chain.rpc_url.clone().context(
        "the system client and the fast-updates client need chain.rpc_url (or FTSO_NODE_RPC_URL, or `run --devnet`)",
    )?;
    let url = rpc_url
        .parse()
        .with_context(|| format!("invalid rpc_url {}", ftso_storage::redact_url(&rpc_url)))?;
    let provider = ProviderBuilder::new().connect_http(url).erased();
    let chain_id = provider.get_chain_id().await.with_context(|| {
        format!(
            "cannot read the chain id from {}",
            ftso_storage::redact_url(&rpc_url)
        )
    })?;
    let senders = ftso_chain::tx::Senders::new(provider.clone(), chain_id);
    Ok(SendingChain { provider, senders })
}

/// Starts the fast-updates client with our values from `fast_updates.value_provider_url` or else the in-process
/// plugins; its submission accounts send through the node's shared senders.
async fn start_fast_updates(
    config: &NodeConfig,
    registry: Option<ftso_feeds::Registry>,
    chain: &SendingChain,
) -> anyhow::Result<ftso_fast_updates::FastUpdatesClient> {
    let fu = &config.fast_updates;
    let values: Arc<dyn ftso_feeds::FeedValueSource> = match (&fu.value_provider_url, registry) {
        (Some(url), _) => Arc::new(ftso_feeds::source::HttpFeedValues::new(
            url,
            fu.value_provider_timeout,
        )?),
        (None, Some(registry)) => Arc::new(registry),
        (None, None) => anyhow::bail!(
            "the fast-updates client needs feed values: feed plugins or fast_updates.value_provider_url"
        ),
    };
    ftso_fast_updates::FastUpdatesClient::start(fu, chain.provider.clone(), &chain.senders, values)
        .await
        .context("fast-updates client start-up")
}

/// Starts the data provider over the indexer database, with our values from `data_provider.feed_values_url` or
/// else the in-process plugins; `None` (with a WARN) when the network or the values are unknown.
async fn start_data_provider(
    config: &NodeConfig,
    devnet: Option<&DevnetChain>,
    storage: ftso_storage::Storage,
    registry: Option<ftso_feeds::Registry>,
) -> anyhow::Result<Option<ftso_data_provider::DataProviderHost>> {
    let dp = &config.data_provider;
    let values: Arc<dyn ftso_feeds::FeedValueSource> = match (&dp.feed_values_url, registry) {
        (Some(url), _) => Arc::new(ftso_feeds::source::HttpFeedValues::new(
            url,
            dp.feed_values_timeout,
        )?),
        (None, Some(registry)) => Arc::new(registry),
        (None, None) => {
            tracing::warn!(
                "no feed values (no feed plugins, no data_provider.feed_values_url): the data provider is not run"
            );
            return Ok(None);
        }
    };
    let Some(chain) = chain_reader(config, devnet, storage)? else {
        tracing::warn!(
            "node.network is not set (use --network or --devnet): the data provider is not run"
        );
        return Ok(None);
    };
    let host = ftso_data_provider::DataProviderHost::start(dp, dp.api_keys(), chain.reader, values)
        .await?;
    Ok(Some(host))
}

/// The indexer database as the data provider reads it (the network's epoch settings, FSP contracts and protocol
/// parameters); `None` when the network is unknown.
fn chain_reader(
    config: &NodeConfig,
    devnet: Option<&DevnetChain>,
    storage: ftso_storage::Storage,
) -> anyhow::Result<Option<ftso_status::ChainParts>> {
    let Some((epochs, contracts)) = data_provider_chain(config, devnet)? else {
        return Ok(None);
    };
    let mut params = ftso_data_provider::chain::ProtocolParams::new(epochs);
    params.fip16_activation_reward_epoch = config.data_provider.fip16_activation_reward_epoch;
    if let Some(profile) = config
        .node
        .network
        .as_deref()
        .and_then(ftso_core::epoch::profile)
    {
        params.initial_reward_epoch_id = profile.initial_reward_epoch_id;
    }
    let reader = Arc::new(ftso_data_provider::chain::ChainReader::new(
        storage,
        contracts.clone(),
        params,
    ));
    Ok(Some(ftso_status::ChainParts { reader, contracts }))
}

/// The epoch settings and FSP contract addresses the data provider reads the database with: the devnet's, or those
/// of `node.network`.
fn data_provider_chain(
    config: &NodeConfig,
    devnet: Option<&DevnetChain>,
) -> anyhow::Result<
    Option<(
        ftso_core::epoch::EpochSettings,
        ftso_data_provider::chain::ContractAddresses,
    )>,
> {
    if let Some(devnet) = devnet {
        return Ok(Some((devnet.epochs, devnet.contracts.clone())));
    }
    let Some(network) = config.node.network.as_deref() else {
        return Ok(None);
    };
    let epochs = ftso_core::epoch::profile(network)
        .with_context(|| format!("unknown node.network {network:?}"))?
        .epochs;
    let contracts = ftso_data_provider::chain::ContractAddresses::for_network(network)
        .with_context(|| {
            format!("the data provider knows no FSP contract addresses for network {network:?}")
        })?;
    Ok(Some((epochs, contracts)))
}

/// The node's devnet: started by `run --devnet` (dropping it stops the daemon driver, removes the node's key files
/// and stops anvil, in that order: fields drop in declaration order, the driver must not outlive anvil) or joined
/// by `run --join-devnet` (only the key files are ours).
struct LocalDevnet {
    _driver: Option<ftso_devnet::DaemonDriver>,
    _keys: super::devnet::entity::EntityKeyFiles,
    _devnet: Option<ftso_devnet::Devnet>,
    chain: DevnetChain,
}

/// Starts the devnet, points the config at it, makes the node its entity, and gives it a database of its own (a
/// devnet is a new chain). One entity: it holds all the weight, so its own signatures carry the signing policy
/// (reward epoch 1, the first with a sortition seed) and every finalization.
async fn start_devnet(config: &mut NodeConfig) -> anyhow::Result<LocalDevnet> {
    let devnet_config = ftso_devnet::DevnetConfig {
        entities: 1,
        block_time: Some(Duration::from_secs(1)),
        ..ftso_devnet::DevnetConfig::default()
    };
    let devnet = ftso_devnet::Devnet::start(devnet_config)
        .await
        .context("cannot start the devnet")?;
    let driver = devnet.spawn_daemon_driver(Duration::from_millis(500));
    tracing::info!(
        rpc_url = devnet.rpc_url(),
        chain_id = devnet.chain_id(),
        "devnet running"
    );
    let chain = DevnetChain::of(&devnet);
    let entity = devnet
        .entities()
        .first()
        .context("the devnet has no entity")?;
    let keys = become_devnet_entity(config, &chain, entity, 0).await?;
    Ok(LocalDevnet {
        _driver: Some(driver),
        _keys: keys,
        _devnet: Some(devnet),
        chain,
    })
}

/// Joins the devnet of `file` (written by `ftso-node devnet`) as its entity `index`.
async fn join_devnet(
    config: &mut NodeConfig,
    file: &std::path::Path,
    index: usize,
) -> anyhow::Result<LocalDevnet> {
    let (chain, entity) = super::devnet::join::read(file, index)?;
    tracing::info!(rpc_url = %chain.rpc_url, chain_id = chain.chain_id, "joining the devnet");
    let keys = become_devnet_entity(config, &chain, &entity, index).await?;
    Ok(LocalDevnet {
        _driver: None,
        _keys: keys,
        _devnet: None,
        chain,
    })
}

/// Points the config at the devnet's RPC, gives the node a database of its own unless `storage.url` is set (a
/// devnet is a new chain) and makes it the entity.
async fn become_devnet_entity(
    config: &mut NodeConfig,
    chain: &DevnetChain,
    entity: &ftso_devnet::Entity,
    index: usize,
) -> anyhow::Result<super::devnet::entity::EntityKeyFiles> {
    config.chain.rpc_url = Some(chain.rpc_url.clone());
    if config.storage.url.is_none() {
        let path = config.node.data_dir.join("devnet-indexer.db");
        for stale in [
            path.clone(),
            path.with_extension("db-wal"),
            path.with_extension("db-shm"),
        ] {
            if stale.exists() {
                std::fs::remove_file(&stale)
                    .with_context(|| format!("cannot remove {}", stale.display()))?;
            }
        }
        config.storage.url = Some(format!("sqlite://{}?mode=rwc", path.display()));
    }
    super::devnet::entity::act_as_entity(chain, entity, index, config).await
}

/// Fails unless the RPC serves the chain of `network` (a node configured for Flare must not vote on Songbird).
async fn check_chain_id(
    provider: &impl alloy::providers::Provider,
    network: &str,
    rpc_url: &str,
) -> anyhow::Result<()> {
    let Some(expected) = ftso_core::epoch::profile(network).and_then(|profile| profile.chain_id)
    else {
        return Ok(());
    };
    let actual = provider.get_chain_id().await.with_context(|| {
        format!(
            "cannot read the chain id from {}",
            ftso_storage::redact_url(rpc_url)
        )
    })?;
    anyhow::ensure!(
        actual == expected,
        "node.network is `{network}` (chain {expected}) but {} serves chain {actual}",
        ftso_storage::redact_url(rpc_url)
    );
    tracing::info!(network, chain_id = actual, "chain id checked");
    Ok(())
}

/// The finalizer: relays from the signing-policy key, reading the submitSignatures transactions and signing
/// policies that the indexer writes to `storage`.
async fn start_finalizer(
    config: &NodeConfig,
    chain: &SendingChain,
    storage: ftso_storage::Storage,
    own_messages: Option<ftso_system_client::handoff::OwnMessageReceiver>,
) -> anyhow::Result<ftso_system_client::finalizer::Finalizer> {
    let (_, contracts) =
        ftso_system_client::sanity::check(&chain.provider, None, config.system_client.registry)
            .await
            .context("finalizer start-up")?;
    ftso_system_client::finalizer::Finalizer::connect(
        &config.system_client,
        storage,
        &chain.senders,
        contracts,
        own_messages,
    )
    .await
    .context("finalizer start-up")
}

/// The voting-round scheduler: start-up sanity as the system client's, the rounds of the devnet or of
/// `node.network`, and the sub-protocols' data providers (this node's in process, or URLs). On the devnet, offsets
/// left at their (90 s round) defaults are scaled to its short rounds.
async fn start_voting(
    config: &NodeConfig,
    devnet: Option<&DevnetChain>,
    chain: &SendingChain,
    own_data_provider: Option<Arc<dyn ftso_data_provider::DataProvider>>,
    own_messages: Option<ftso_system_client::handoff::OwnMessageSender>,
) -> anyhow::Result<ftso_system_client::VotingScheduler> {
    let (epochs, _) = data_provider_chain(config, devnet)?.context(
        "the voting scheduler needs the network's voting rounds: set node.network (or use --devnet)",
    )?;
    let mut system_client = config.system_client.clone();
    let defaults = ftso_system_client::VotingConfig::default();
    let voting = &system_client.voting;
    if devnet.is_some()
        && (voting.submit1, voting.submit2, voting.submit_signatures)
            == (
                defaults.submit1,
                defaults.submit2,
                defaults.submit_signatures,
            )
    {
        system_client.voting = voting.scaled_to(&epochs);
    }
    let voting = &system_client.voting;
    let (_, contracts) =
        ftso_system_client::sanity::check(&chain.provider, None, system_client.registry)
            .await
            .context("voting scheduler start-up")?;
    let protocols = ftso_system_client::voting::build_protocols(
        voting,
        own_data_provider,
        voting
            .submit1
            .data_fetch_timeout
            .max(voting.submit2.data_fetch_timeout)
            .max(voting.submit_signatures.data_fetch_timeout),
    )?;
    ftso_system_client::VotingScheduler::new(
        &system_client,
        &chain.senders,
        contracts,
        epochs,
        protocols,
        own_messages,
    )
    .context("voting scheduler start-up")
}

/// Connects the system client: start-up sanity first (the RPC's chain id is the network's, the registry resolves
/// the FSP contracts), so nothing is sent to a wrong chain or registry.
async fn start_system_client(
    config: &NodeConfig,
    devnet: Option<&DevnetChain>,
    chain: &SendingChain,
) -> anyhow::Result<ftso_system_client::SystemClient> {
    let expected = if let Some(devnet) = devnet {
        Some(ftso_system_client::ExpectedNetwork {
            name: "local".into(),
            chain_id: devnet.chain_id,
        })
    } else {
        config.node.network.as_deref().and_then(|name| {
            let chain_id = ftso_core::epoch::profile(name)?.chain_id?;
            Some(ftso_system_client::ExpectedNetwork {
                name: name.to_owned(),
                chain_id,
            })
        })
    };
    let (_, contracts) = ftso_system_client::sanity::check(
        &chain.provider,
        expected.as_ref(),
        config.system_client.registry,
    )
    .await
    .context("system client start-up")?;
    ftso_system_client::SystemClient::new(&config.system_client, &chain.senders, contracts)
        .context("system client start-up")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shutdown_waits_one_round_and_the_reveal_deadline_unless_configured() {
        let flare = NodeConfig::from_toml_str("[node]\nnetwork = \"flare\"\n").unwrap();
        assert_eq!(
            shutdown_timeout(&flare, None).unwrap(),
            Duration::from_secs(90 + 45)
        );
        let configured =
            NodeConfig::from_toml_str("[node]\nnetwork = \"flare\"\nshutdown_timeout = \"10s\"\n")
                .unwrap();
        assert_eq!(
            shutdown_timeout(&configured, None).unwrap(),
            Duration::from_secs(10)
        );
        assert_eq!(
            shutdown_timeout(&NodeConfig::default(), None).unwrap(),
            SHUTDOWN_TIMEOUT_WITHOUT_NETWORK
        );
    }
}
