//! FastUpdater and its companions (FastUpdatesConfiguration, FastUpdateIncentiveManager, FeeCalculator, the
//! FtsoFeedPublisher stub): deployment, wiring, sortition-key registration, and the harness API tests use to
//! judge fast updates.
//!
//! Seed, reward epoch and weights come from the devnet's real FlareSystemsManager and VoterRegistry (no
//! flare-systems mock): the seed of reward epoch 0 is not available (as on the network), so fast updates start
//! with reward epoch 1, whose snapshot holds the sortition keys registered before its signing-policy
//! initialization.

use alloy::primitives::{Address, FixedBytes, U256, address, keccak256};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionReceipt;
use alloy::sol_types::{SolCall, SolValue};
use anyhow::Context;
use ftso_chain::{
    IEntityManager, IFastUpdateIncentiveManager, IFastUpdater, IFastUpdatesConfiguration,
    ISubmission,
};
use ftso_core::fast_updates::{SortitionKey, key_registration};

use crate::admin::IFtsoFeedPublisherAdmin;
use crate::config::DevnetConfig;
use crate::contracts::Contracts;
use crate::devnet::{Devnet, DevnetProvider, deploy_artifact, send_call};
use crate::entity::Entity;

/// The address the Go client makes its `fetchCurrentFeeds` eth_call from (`fetch_current_feeds_address`); the
/// devnet funds it so that call can carry its value, as on the networks.
pub const FETCH_CURRENT_FEEDS_ADDRESS: Address =
    address!("0x000000000000000000000000000000000000dEaD");

/// The addresses [`deploy`] produced.
pub(crate) struct FastUpdateContracts {
    pub fast_updater: Address,
    pub configuration: Address,
    pub incentive_manager: Address,
    pub fee_calculator: Address,
    pub feed_publisher: Address,
}

/// Deploys the five contracts (governance, governance settings and address updater are `gov`).
pub(crate) async fn deploy(
    provider: &DevnetProvider,
    config: &DevnetConfig,
    gov: Address,
    daemon: Address,
    first_voting_round_start_ts: u64,
) -> anyhow::Result<FastUpdateContracts> {
    let deploy = |name: &'static str, args: Vec<u8>| async move {
        deploy_artifact(provider, gov, name, &args).await
    };
    let fu = &config.fast_updates;
    let t0 =
        u32::try_from(first_voting_round_start_ts).context("voting round 0 start beyond u32")?;
    // uint8 arguments encode as uint256 words (u8 is no SolValue).
    let ve = U256::from(config.voting_epoch.as_secs());
    let window = U256::from(fu.submission_window);
    let fast_updater = deploy(
        "FastUpdater",
        (gov, gov, gov, daemon, t0, ve, window).abi_encode_params(),
    )
    .await?;
    let configuration = deploy(
        "FastUpdatesConfiguration",
        (gov, gov, gov).abi_encode_params(),
    )
    .await?;
    // (gs, gov, updater, sample size, range, sample increase limit, range increase limit, sample increase price,
    // range increase price, incentive duration): the limits and prices of the networks' v2 configuration.
    let incentive_manager = deploy(
        "FastUpdateIncentiveManager",
        (
            gov,
            gov,
            gov,
            U256::from(fu.sample_size),
            U256::from(fu.range),
            U256::from(0x10u64) << 112,
            U256::from(0x3C00u64) << 96,
            U256::from(1425u64),
            U256::from(200_000u64),
            window,
        )
            .abi_encode_params(),
    )
    .await?;
    let fee_calculator = deploy(
        "FeeCalculator",
        (gov, gov, U256::from(fu.fee_per_feed_wei)).abi_encode_params(),
    )
    .await?;
    let feed_publisher = deploy("FtsoFeedPublisherStub", (gov, t0, ve).abi_encode_params()).await?;
    Ok(FastUpdateContracts {
        fast_updater,
        configuration,
        incentive_manager,
        fee_calculator,
        feed_publisher,
    })
}

/// The contracts [`deploy`] made that take `updateContractAddresses`.
pub(crate) fn address_updatable(contracts: &Contracts) -> [Address; 3] {
    [
        contracts.fast_updater,
        contracts.fast_updates_configuration,
        contracts.fast_update_incentive_manager,
    ]
}

/// After the address-updater wiring: the submitAndPass route, the public-key verifier, the anchors and the feed
/// list, a funded fetch address, the entities' sortition keys, and a full ring of score cutoffs.
pub(crate) async fn configure(
    provider: &DevnetProvider,
    config: &DevnetConfig,
    gov: Address,
    daemon: Address,
    contracts: &Contracts,
    entities: &[Entity],
) -> anyhow::Result<()> {
    let call = ISubmission::setSubmitAndPassDataCall {
        _submitAndPassContract: contracts.fast_updater,
        _submitAndPassSelector: FixedBytes(IFastUpdater::submitUpdatesCall::SELECTOR),
    };
    send_call(provider, gov, contracts.submission, &call).await?;
    let call = IEntityManager::setPublicKeyVerifierCall {
        _publicKeyVerifier: contracts.fast_updater,
    };
    send_call(provider, gov, contracts.entity_manager, &call).await?;

    let fu = &config.fast_updates;
    let mut feeds = Vec::with_capacity(config.feeds.len());
    for (category, name) in &config.feeds {
        let id = FixedBytes(DevnetConfig::feed_id(*category, name));
        let call = IFtsoFeedPublisherAdmin::setFeedCall {
            _feedId: id,
            _value: fu.anchor_value,
            _decimals: fu.anchor_decimals,
        };
        send_call(provider, gov, contracts.ftso_feed_publisher, &call).await?;
        feeds.push(IFastUpdatesConfiguration::FeedConfiguration {
            feedId: id,
            rewardBandValue: 2000,
            inflationShare: alloy::primitives::aliases::U24::from(100u32),
        });
    }
    if !feeds.is_empty() {
        let call = IFastUpdatesConfiguration::addFeedsCall {
            _feedConfigs: feeds,
        };
        send_call(provider, gov, contracts.fast_updates_configuration, &call).await?;
    }

    let _: serde_json::Value = provider
        .raw_request(
            "anvil_setBalance".into(),
            (
                FETCH_CURRENT_FEEDS_ADDRESS,
                U256::from(10u64).pow(U256::from(30u64)),
            ),
        )
        .await
        .context("anvil_setBalance for the fetch address")?;

    for entity in entities {
        register_sortition_key(
            provider,
            contracts.entity_manager,
            entity,
            &entity.sortition_key()?,
        )
        .await?;
    }
    fill_score_cutoffs(
        provider,
        daemon,
        contracts.fast_updater,
        fu.submission_window,
    )
    .await
}

/// `EntityManager.registerPublicKey` from the entity's identity address, with a fresh Schnorr proof.
async fn register_sortition_key(
    provider: &DevnetProvider,
    entity_manager: Address,
    entity: &Entity,
    key: &SortitionKey,
) -> anyhow::Result<TransactionReceipt> {
    let mut nonce_error = None;
    let registration = key_registration::sign(key, &entity.identity_address(), |bytes| {
        if let Err(error) = getrandom::fill(bytes) {
            nonce_error = Some(error);
        }
    });
    if let Some(error) = nonce_error {
        anyhow::bail!("no randomness for the registration nonce: {error}");
    }
    crate::devnet::send_tx(
        provider,
        alloy::rpc::types::TransactionRequest::default()
            .from(entity.identity_address())
            .to(entity_manager)
            .input(alloy::primitives::Bytes::from(registration.calldata()).into()),
    )
    .await
    .context("registerPublicKey")
}

/// `submissionWindow + 1` consecutive FastUpdater daemonize calls: every slot of the cutoff ring is written.
async fn fill_score_cutoffs(
    provider: &DevnetProvider,
    daemon: Address,
    fast_updater: Address,
    submission_window: u8,
) -> anyhow::Result<()> {
    for _ in 0..=submission_window {
        send_call(
            provider,
            daemon,
            fast_updater,
            &IFastUpdater::daemonizeCall {},
        )
        .await?;
    }
    Ok(())
}

impl Entity {
    /// The entity's sortition key on the devnet, derived from its identity key (the devnet registers it at
    /// start); a test that needs another key registers it with [`Devnet::register_sortition_key`].
    pub fn sortition_key(&self) -> anyhow::Result<SortitionKey> {
        let seed = [
            b"ftso-devnet sortition key".as_slice(),
            &self.identity.to_bytes()[..],
        ]
        .concat();
        SortitionKey::from_be_bytes(keccak256(seed).as_slice())
            .context("deriving the sortition key")
    }
}

/// The harness API for fast updates.
impl Devnet {
    /// Registers `key` as the sortition key of `entity` (replacing its key). It takes effect from the first
    /// reward epoch whose signing-policy initialization starts after this block.
    pub async fn register_sortition_key(
        &self,
        entity: &Entity,
        key: &SortitionKey,
    ) -> anyhow::Result<TransactionReceipt> {
        register_sortition_key(
            self.provider(),
            self.contracts().entity_manager,
            entity,
            key,
        )
        .await
    }

    /// Sets FastUpdater's submission window (governance) and refills the cutoff ring.
    pub async fn set_fast_updates_submission_window(&self, blocks: u8) -> anyhow::Result<()> {
        let call = IFastUpdater::setSubmissionWindowCall {
            _submissionWindow: blocks,
        };
        self.send(
            self.deployer().address(),
            self.contracts().fast_updater,
            &call,
        )
        .await?;
        self.fill_score_cutoffs().await
    }

    /// Sets the expected sample size E and range (8x120 fixed point, E below 2^128; a ticket wins with probability
    /// ≈ E/4096, e.g. 1/32 for E = 2^127) and refills the cutoff ring.
    pub async fn set_fast_updates_sample_size(
        &self,
        sample_size: u128,
        range: u128,
    ) -> anyhow::Result<()> {
        let call = IFastUpdateIncentiveManager::setIncentiveParametersCall {
            _sampleSize: U256::from(sample_size),
            _range: U256::from(range),
            _sampleIncreasePrice: U256::from(1425u64),
            _duration: U256::from(self.config().fast_updates.submission_window),
        };
        self.send(
            self.deployer().address(),
            self.contracts().fast_update_incentive_manager,
            &call,
        )
        .await?;
        self.fill_score_cutoffs().await
    }

    /// Sets the FTSO anchor of feed `index` and resets the FastUpdater value to it (rescaled as the contract
    /// does).
    pub async fn reset_fast_update_feed(
        &self,
        index: usize,
        value: i32,
        decimals: i8,
    ) -> anyhow::Result<()> {
        let call = IFastUpdatesConfiguration::getFeedIdCall {
            _index: U256::from(index),
        };
        let id = self
            .call(self.contracts().fast_updates_configuration, &call)
            .await?;
        let gov = self.deployer().address();
        let call = IFtsoFeedPublisherAdmin::setFeedCall {
            _feedId: id,
            _value: value,
            _decimals: decimals,
        };
        self.send(gov, self.contracts().ftso_feed_publisher, &call)
            .await?;
        let call = IFastUpdater::resetFeedsCall {
            _indices: vec![U256::from(index)],
        };
        self.send(gov, self.contracts().fast_updater, &call).await?;
        Ok(())
    }

    /// Every fast-updates feed's current value and decimals (`fetchCurrentFeeds` as an eth_call from the funded
    /// fetch address, as the Go client reads them).
    pub async fn fast_update_feeds(&self) -> anyhow::Result<IFastUpdater::fetchCurrentFeedsReturn> {
        let ids = self
            .call(
                self.contracts().fast_updates_configuration,
                &IFastUpdatesConfiguration::getFeedIdsCall {},
            )
            .await?;
        let call = IFastUpdater::fetchCurrentFeedsCall {
            _indices: (0..ids.len()).map(U256::from).collect(),
        };
        let fee = U256::from(self.config().fast_updates.fee_per_feed_wei) * U256::from(ids.len());
        let tx = alloy::rpc::types::TransactionRequest::default()
            .from(FETCH_CURRENT_FEEDS_ADDRESS)
            .to(self.contracts().fast_updater)
            .value(fee)
            .input(alloy::primitives::Bytes::from(call.abi_encode()).into());
        let output = self
            .provider()
            .call(tx)
            .await
            .context("fetchCurrentFeeds")?;
        IFastUpdater::fetchCurrentFeedsCall::abi_decode_returns(&output)
            .context("decoding fetchCurrentFeeds")
    }

    /// `submissionWindow + 1` FastUpdater daemonize calls, so every block in reach has a score cutoff.
    pub async fn fill_score_cutoffs(&self) -> anyhow::Result<()> {
        let window = self
            .call(
                self.contracts().fast_updater,
                &IFastUpdater::submissionWindowCall {},
            )
            .await?;
        for _ in 0..=window {
            self.daemonize_fast_updater().await?;
        }
        Ok(())
    }

    /// The seed FastUpdater uses in reward epoch `reward_epoch_id` (`FlareSystemsManager.getSeed`).
    pub async fn sortition_seed(&self, reward_epoch_id: u32) -> anyhow::Result<U256> {
        let call = ftso_chain::IFlareSystemsManager::getSeedCall {
            _rewardEpochId: U256::from(reward_epoch_id),
        };
        self.call(self.contracts().flare_systems_manager, &call)
            .await
    }
}
