//! Deployment order and wiring (contracts-and-localnet B4): EntityManager and the entities' address roles first,
//! then VoterRegistry with the entities as epoch-0 voters, the rest, the registry at its network address,
//! address-updater wiring, switchover triggers and reward offers.

use alloy::primitives::aliases::{U24, U120};
use alloy::primitives::{Address, B256, Bytes, FixedBytes, I256, U256};
use alloy::providers::Provider;
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::{SolCall, SolValue};
use anyhow::Context;
use ftso_chain::names::{self, FLARE_CONTRACT_REGISTRY_ADDRESS};
use ftso_chain::{
    IAddressUpdatable, IEntityManager, IFlareSystemsManager, IFtsoRewardOffersManager, IRelay,
};
use ftso_core::signing_policy::SigningPolicy;

use crate::admin::{IFlareContractRegistryAdmin, IFtsoRewardOffersManagerAdmin, IVotePowerStub};
use crate::artifacts::artifact;
use crate::config::DevnetConfig;
use crate::contracts::Contracts;
use crate::devnet::{DevnetProvider, deploy_artifact, send_call};
use crate::entity::Entity;
use crate::fast_updates;

/// Initial (epoch 0) registration weight of every entity; only the ratios matter.
const INITIAL_WEIGHT: u64 = 1000;
/// Reward offer per feed for reward epoch 1, in wei.
const OFFER_WEI: u64 = 1_000_000_000_000_000_000;

/// What deployment produced.
pub(crate) struct Deployed {
    pub contracts: Contracts,
    pub initial_signing_policy: SigningPolicy,
    pub first_voting_round_start_ts: u64,
}

/// Deploys, wires and registers everything; see the module docs for the order.
pub(crate) async fn deploy(
    provider: &DevnetProvider,
    config: &DevnetConfig,
    deployer: &PrivateKeySigner,
    daemon: &PrivateKeySigner,
    entities: &[Entity],
) -> anyhow::Result<Deployed> {
    let gov = deployer.address();
    let deploy = |name: &'static str, args: Vec<u8>| async move {
        deploy_artifact(provider, gov, name, &args).await
    };

    // 1. EntityManager and the entities' four address roles.
    let entity_manager = deploy("EntityManager", (gov, 4u32).abi_encode_params()).await?;
    for entity in entities {
        register_entity(provider, entity_manager, entity).await?;
    }

    // 2. Vote power of the delegation addresses.
    let wnat = deploy("VotePowerStub", (gov,).abi_encode_params()).await?;
    for entity in entities {
        let call = IVotePowerStub::setVotePowerCall {
            _owner: entity.delegation_address(),
            _votePower: U256::from(config.vote_power_wei),
        };
        send_call(provider, gov, wnat, &call).await?;
    }

    // 3. VoterRegistry with every entity as an epoch-0 voter; the init block is after their registration.
    let init_block = provider.get_block_number().await?;
    let identities: Vec<Address> = entities.iter().map(Entity::identity_address).collect();
    let weights = vec![U256::from(INITIAL_WEIGHT); entities.len()];
    let voter_registry = deploy(
        "VoterRegistry",
        (
            gov,
            gov,
            U256::from(100u64),
            U256::ZERO,
            U256::from(init_block),
            identities,
            weights,
        )
            .abi_encode_params(),
    )
    .await?;
    let calculator = deploy(
        "FlareSystemsCalculator",
        (gov, gov, U256::from(1_000_000u32), 150u64, 50u64, 50u64).abi_encode_params(),
    )
    .await?;
    let fee = deploy(
        "WNatDelegationFee",
        (gov, U256::from(2u32), 2000u16).abi_encode_params(),
    )
    .await?;
    let reward_manager = deploy(
        "RewardManagerStub",
        (U256::from(config.chain_id),).abi_encode_params(),
    )
    .await?;

    // 4. FlareSystemsManager (before the Relay, whose policy setter it is). Reward epoch 0 starts now.
    let now = latest_timestamp(provider).await?;
    let ve = config.voting_epoch.as_secs();
    let first_round = config.first_reward_epoch_start_voting_round_id;
    let t0 = now
        .checked_sub(u64::from(first_round) * ve)
        .context("first_reward_epoch_start_voting_round_id too large for the current time")?;
    let initial_signing_policy = initial_policy(entities, first_round)?;
    let settings = fsm_settings(config)?;
    // InitialSettings (uint16 selection size, uint24 initial epoch, uint16 threshold); small uints encode as uint256.
    let initial = (
        U256::from(5u64),
        U256::ZERO,
        U256::from(initial_signing_policy.threshold),
    );
    let fsm = deploy(
        "FlareSystemsManager",
        (
            gov,
            gov,
            daemon.address(),
            settings,
            u32::try_from(t0)?,
            U256::from(ve),
            first_round,
            u16::try_from(config.reward_epoch_voting_epochs)?,
            initial,
        )
            .abi_encode_params(),
    )
    .await?;

    // 5. Relay with the initial policy (the contract computes its legacy hash).
    let relay_config = (
        U256::from(config.ftso_protocol_id),
        u32::try_from(t0)?,
        U256::from(ve),
        first_round,
        u16::try_from(config.reward_epoch_voting_epochs)?,
        12000u16,
        10u32,
        gov,
    );
    let policy = IRelay::SigningPolicy {
        rewardEpochId: U24::ZERO,
        startVotingRoundId: initial_signing_policy.start_voting_round_id,
        threshold: initial_signing_policy.threshold,
        seed: U256::from_be_bytes(initial_signing_policy.seed.0),
        voters: initial_signing_policy.voters.clone(),
        weights: initial_signing_policy.weights.clone(),
    };
    let relay = deploy("Relay", (relay_config, policy, fsm).abi_encode_params()).await?;
    let submission = deploy("Submission", (gov, gov, false).abi_encode_params()).await?;
    let offers = deploy(
        "FtsoRewardOffersManager",
        (
            gov,
            gov,
            U256::from(1u64),
            I256::try_from(config.feed_decimals)?,
        )
            .abi_encode_params(),
    )
    .await?;
    let legacy_event_emitter = deploy("LegacyEventEmitter", Vec::new()).await?;
    let fu = fast_updates::deploy(provider, config, gov, daemon.address(), t0).await?;

    let contracts = Contracts {
        flare_contract_registry: FLARE_CONTRACT_REGISTRY_ADDRESS,
        flare_systems_manager: fsm,
        relay,
        submission,
        voter_registry,
        flare_systems_calculator: calculator,
        entity_manager,
        ftso_reward_offers_manager: offers,
        wnat_delegation_fee: fee,
        wnat,
        reward_manager,
        fast_updater: fu.fast_updater,
        fast_updates_configuration: fu.configuration,
        fast_update_incentive_manager: fu.incentive_manager,
        fee_calculator: fu.fee_calculator,
        ftso_feed_publisher: fu.feed_publisher,
        legacy_event_emitter,
    };

    // 6. FlareContractRegistry at its network address, then address-updater wiring.
    install_registry(provider, gov, &contracts).await?;
    let mut wiring: Vec<(&str, Address)> = contracts.all();
    wiring.push((names::ADDRESS_UPDATER, gov));
    wiring.push(("CleanupBlockNumberManager", gov));
    let hashes: Vec<B256> = wiring
        .iter()
        .map(|(name, _)| names::name_hash(name))
        .collect();
    let addresses: Vec<Address> = wiring.iter().map(|(_, a)| *a).collect();
    let targets = [voter_registry, calculator, fee, fsm, submission, offers];
    for target in targets
        .into_iter()
        .chain(fast_updates::address_updatable(&contracts))
    {
        let call = IAddressUpdatable::updateContractAddressesCall {
            _contractNameHashes: hashes.clone(),
            _contractAddresses: addresses.clone(),
        };
        send_call(provider, gov, target, &call).await?;
    }
    let call = IFlareSystemsManager::setRewardEpochSwitchoverTriggerContractsCall {
        _contracts: vec![offers, contracts.fast_update_incentive_manager],
    };
    send_call(provider, gov, fsm, &call).await?;

    // 7. Reward offers: community offers for epoch 1, inflation offers for every later epoch.
    offer_rewards(provider, config, gov, offers).await?;

    // 8. Fast updates: submitAndPass route, key verifier, feeds, the entities' sortition keys, score cutoffs.
    fast_updates::configure(
        provider,
        config,
        gov,
        daemon.address(),
        &contracts,
        entities,
    )
    .await?;

    Ok(Deployed {
        contracts,
        initial_signing_policy,
        first_voting_round_start_ts: t0,
    })
}

/// Proposes and confirms the four address roles of one entity.
async fn register_entity(
    provider: &DevnetProvider,
    em: Address,
    entity: &Entity,
) -> anyhow::Result<()> {
    let identity = entity.identity_address();
    send_call(
        provider,
        identity,
        em,
        &IEntityManager::proposeSubmitAddressCall {
            _submitAddress: entity.submit_address(),
        },
    )
    .await?;
    send_call(
        provider,
        entity.submit_address(),
        em,
        &IEntityManager::confirmSubmitAddressRegistrationCall { _voter: identity },
    )
    .await?;
    let call = IEntityManager::proposeSubmitSignaturesAddressCall {
        _submitSignaturesAddress: entity.submit_signatures_address(),
    };
    send_call(provider, identity, em, &call).await?;
    let call = IEntityManager::confirmSubmitSignaturesAddressRegistrationCall { _voter: identity };
    send_call(provider, entity.submit_signatures_address(), em, &call).await?;
    let call = IEntityManager::proposeSigningPolicyAddressCall {
        _signingPolicyAddress: entity.signing_policy_address(),
    };
    send_call(provider, identity, em, &call).await?;
    let call = IEntityManager::confirmSigningPolicyAddressRegistrationCall { _voter: identity };
    send_call(provider, entity.signing_policy_address(), em, &call).await?;
    let call = IEntityManager::proposeDelegationAddressCall {
        _delegationAddress: entity.delegation_address(),
    };
    send_call(provider, identity, em, &call).await?;
    let call = IEntityManager::confirmDelegationAddressRegistrationCall { _voter: identity };
    send_call(provider, entity.delegation_address(), em, &call).await?;
    Ok(())
}

/// The epoch-0 policy: every entity's signing-policy address with equal normalised weight, threshold 50% rounded up.
fn initial_policy(entities: &[Entity], start_round: u32) -> anyhow::Result<SigningPolicy> {
    let n = u64::try_from(entities.len())?;
    let normalised = u16::try_from(INITIAL_WEIGHT * 65535 / (INITIAL_WEIGHT * n))?;
    let sum = u64::from(normalised) * n;
    Ok(SigningPolicy {
        reward_epoch_id: 0,
        start_voting_round_id: start_round,
        threshold: u16::try_from(sum.div_ceil(2))?,
        seed: B256::ZERO,
        voters: entities
            .iter()
            .map(Entity::signing_policy_address)
            .collect(),
        weights: vec![normalised; entities.len()],
    })
}

fn fsm_settings(config: &DevnetConfig) -> anyhow::Result<IFlareSystemsManager::Settings> {
    let secs = |d: std::time::Duration| {
        u16::try_from(d.as_secs()).context("duration does not fit u16 seconds")
    };
    Ok(IFlareSystemsManager::Settings {
        randomAcquisitionMaxDurationSeconds: secs(config.signing_policy_init_lead)?,
        randomAcquisitionMaxDurationBlocks: 20,
        newSigningPolicyInitializationStartSeconds: secs(config.signing_policy_init_lead)?,
        newSigningPolicyMinNumberOfVotingRoundsDelay: 0,
        voterRegistrationMinDurationSeconds: secs(config.voter_registration_min_duration)?,
        voterRegistrationMinDurationBlocks: 1,
        submitUptimeVoteMinDurationSeconds: secs(config.submit_uptime_vote_min_duration)?,
        submitUptimeVoteMinDurationBlocks: 1,
        signingPolicyThresholdPPM: U24::from(500_000u32),
        signingPolicyMinNumberOfVoters: u16::try_from(config.entities.min(2))?,
        rewardExpiryOffsetSeconds: 3600,
    })
}

/// Installs FlareContractRegistry's runtime code at the network address and registers every contract.
async fn install_registry(
    provider: &DevnetProvider,
    gov: Address,
    contracts: &Contracts,
) -> anyhow::Result<()> {
    let code = artifact("FlareContractRegistry")?.deployed_bytecode;
    let _: serde_json::Value = provider
        .raw_request(
            "anvil_setCode".into(),
            (FLARE_CONTRACT_REGISTRY_ADDRESS, code),
        )
        .await
        .context("anvil_setCode for FlareContractRegistry")?;
    for (name, address) in contracts.all() {
        let call = IFlareContractRegistryAdmin::setContractAddressCall {
            _name: name.to_string(),
            _address: address,
        };
        send_call(provider, gov, FLARE_CONTRACT_REGISTRY_ADDRESS, &call).await?;
    }
    Ok(())
}

async fn offer_rewards(
    provider: &DevnetProvider,
    config: &DevnetConfig,
    gov: Address,
    offers: Address,
) -> anyhow::Result<()> {
    if config.feeds.is_empty() {
        return Ok(());
    }
    let ids: Vec<[u8; 21]> = config
        .feeds
        .iter()
        .map(|(c, n)| DevnetConfig::feed_id(*c, n))
        .collect();
    let inflation = IFtsoRewardOffersManagerAdmin::InflationConfiguration {
        feedIds: Bytes::from(ids.concat()),
        decimals: Bytes::from(vec![config.feed_decimals.to_be_bytes()[0]; ids.len()]),
        amount: U256::ZERO,
        minRewardedTurnoutBIPS: 0,
        primaryBandRewardSharePPM: U24::from(700_000u32),
        secondaryBandWidthPPMs: Bytes::from([0x00u8, 0x27, 0x10].repeat(ids.len())),
        mode: 0,
    };
    let call = IFtsoRewardOffersManagerAdmin::setInflationConfigurationsCall {
        _configurations: vec![inflation],
    };
    send_call(provider, gov, offers, &call).await?;
    let list: Vec<IFtsoRewardOffersManager::Offer> = ids
        .iter()
        .map(|id| IFtsoRewardOffersManager::Offer {
            amount: U120::from(OFFER_WEI),
            feedId: FixedBytes::from(*id),
            minRewardedTurnoutBIPS: 0,
            primaryBandRewardSharePPM: U24::from(700_000u32),
            secondaryBandWidthPPM: U24::from(10_000u32),
            claimBackAddress: gov,
        })
        .collect();
    let total = U256::from(OFFER_WEI) * U256::from(ids.len());
    let call = IFtsoRewardOffersManager::offerRewardsCall {
        _nextRewardEpochId: U24::from(1u32),
        _offers: list,
    };
    let tx = alloy::rpc::types::TransactionRequest::default()
        .from(gov)
        .to(offers)
        .value(total)
        .input(Bytes::from(call.abi_encode()).into());
    crate::devnet::send_tx(provider, tx)
        .await
        .context("offerRewards")?;
    Ok(())
}

async fn latest_timestamp(provider: &DevnetProvider) -> anyhow::Result<u64> {
    let block = provider
        .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
        .await?
        .context("no latest block")?;
    Ok(block.header.timestamp)
}
