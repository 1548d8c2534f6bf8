//! Scripted protocol steps on a devnet, signed with the test entities' keys: relaying protocol messages and
//! moving through a whole reward-epoch switch (A5 of the reference digest) with time warps.

use alloy::primitives::{B256, Bytes, U256, keccak256};
use alloy::providers::Provider;
use alloy::rpc::types::{Filter, TransactionReceipt};
use alloy::sol_types::SolEvent;
use anyhow::{Context, anyhow, bail, ensure};
use ftso_chain::{IFlareSystemsManager, IRelay, IVoterRegistry};
use ftso_core::protocol_message::ProtocolMessageMerkleRoot;
use ftso_core::registration::{self, RegistrationScheme};
use ftso_core::relay::{RelaySignature, relay_calldata};
use ftso_core::signing;
use ftso_core::signing_policy::{self, SigningPolicy};

use crate::devnet::Devnet;
use crate::entity::Entity;

/// The outcome of [`complete_reward_epoch`].
#[derive(Debug, Clone)]
pub struct RewardEpochSwitch {
    /// The reward epoch that started.
    pub reward_epoch_id: u32,
    /// Its signing policy (decoded from SigningPolicyInitialized).
    pub signing_policy: SigningPolicy,
    /// The policy bytes exactly as emitted.
    pub signing_policy_bytes: Bytes,
    /// Receipts of the daemonize calls that emitted RandomAcquisitionStarted, VotePowerBlockSelected,
    /// SigningPolicyInitialized and RewardEpochStarted, in that order.
    pub daemonize_receipts: Vec<TransactionReceipt>,
    /// Receipts of the registerVoter calls.
    pub registration_receipts: Vec<TransactionReceipt>,
    /// Receipts of the signNewSigningPolicy calls.
    pub signing_receipts: Vec<TransactionReceipt>,
}

/// The signing-policy bytes of `reward_epoch_id`: the initial policy for epoch 0, else from the Relay's
/// SigningPolicyInitialized log.
pub async fn signing_policy_bytes(devnet: &Devnet, reward_epoch_id: u32) -> anyhow::Result<Bytes> {
    if reward_epoch_id == devnet.initial_signing_policy().reward_epoch_id {
        return Ok(Bytes::from(devnet.initial_signing_policy().encode()?));
    }
    let filter = Filter::new()
        .address(devnet.contracts().relay)
        .event_signature(IRelay::SigningPolicyInitialized::SIGNATURE_HASH)
        .topic1(B256::from(U256::from(reward_epoch_id)))
        .from_block(0u64);
    let logs = devnet
        .provider()
        .get_logs(&filter)
        .await
        .context("eth_getLogs SigningPolicyInitialized")?;
    let log = logs
        .last()
        .ok_or_else(|| anyhow!("no signing policy for reward epoch {reward_epoch_id}"))?;
    let event = IRelay::SigningPolicyInitialized::decode_log_data(log.data())?;
    Ok(event.signingPolicyBytes)
}

/// Builds `relay()` calldata for `message` under the policy `policy_bytes`, signed by `signers`
/// (signing-policy keys of voters in that policy, in any order).
pub fn relay_input(
    policy_bytes: &[u8],
    message: &ProtocolMessageMerkleRoot,
    signers: &[&Entity],
) -> anyhow::Result<Bytes> {
    let policy = SigningPolicy::decode(policy_bytes)?;
    let encoded = message.encode();
    let hash = keccak256(encoded);
    let mut signatures = Vec::with_capacity(signers.len());
    for entity in signers {
        let index = policy
            .voter_index(&entity.signing_policy_address())
            .ok_or_else(|| anyhow!("{} is not in the policy", entity.signing_policy_address()))?;
        let signature = signing::sign_eip191(&entity.signing_policy, &hash)?;
        signatures.push(RelaySignature {
            index: u16::try_from(index)?,
            signature: signing::to_vrs_bytes(&signature),
        });
    }
    signatures.sort_by_key(|s| s.index);
    Ok(Bytes::from(relay_calldata(
        policy_bytes,
        &encoded,
        &signatures,
    )?))
}

/// Relays `message` under `reward_epoch_id`'s policy, signed by `signers`, sent by the first signer's
/// signing-policy key; the Relay must accept it.
pub async fn relay_message(
    devnet: &Devnet,
    reward_epoch_id: u32,
    message: &ProtocolMessageMerkleRoot,
    signers: &[&Entity],
) -> anyhow::Result<TransactionReceipt> {
    let sender = signers
        .first()
        .ok_or_else(|| anyhow!("no signers"))?
        .signing_policy_address();
    let policy_bytes = signing_policy_bytes(devnet, reward_epoch_id).await?;
    let input = relay_input(&policy_bytes, message, signers)?;
    devnet
        .send_raw(sender, devnet.contracts().relay, input)
        .await
        .context("relay()")
}

/// The current reward epoch id and its expected end (unix seconds).
pub async fn current_reward_epoch(devnet: &Devnet) -> anyhow::Result<(u32, u64)> {
    let fsm = devnet.contracts().flare_systems_manager;
    let current: u32 = devnet
        .call(fsm, &IFlareSystemsManager::getCurrentRewardEpochIdCall {})
        .await?
        .to();
    let end: u64 = devnet
        .call(
            fsm,
            &IFlareSystemsManager::currentRewardEpochExpectedEndTsCall {},
        )
        .await?;
    Ok((current, end))
}

/// Step 1: warps to `end - signing_policy_init_lead` (if earlier) and daemonizes until RandomAcquisitionStarted.
pub async fn start_random_acquisition(devnet: &Devnet) -> anyhow::Result<TransactionReceipt> {
    let (_, end) = current_reward_epoch(devnet).await?;
    let lead = devnet.config().signing_policy_init_lead.as_secs();
    if devnet.latest_timestamp().await? + 1 < end - lead {
        devnet.warp_to(end - lead).await?;
    }
    daemonize_until(
        devnet,
        IFlareSystemsManager::RandomAcquisitionStarted::SIGNATURE_HASH,
    )
    .await
}

/// Step 2: finalizes a secure random (an FTSO-protocol message for the current or a later round) under the
/// current epoch's policy, signed by all its voters among the entities, then daemonizes until
/// VotePowerBlockSelected.
pub async fn select_vote_power_block(devnet: &Devnet) -> anyhow::Result<TransactionReceipt> {
    let (current, _) = current_reward_epoch(devnet).await?;
    let current_policy_bytes = signing_policy_bytes(devnet, current).await?;
    let current_policy = SigningPolicy::decode(&current_policy_bytes)?;
    let signers: Vec<&Entity> = devnet
        .entities()
        .iter()
        .filter(|e| {
            current_policy
                .voter_index(&e.signing_policy_address())
                .is_some()
        })
        .collect();
    let protocol_id = devnet.config().ftso_protocol_id;
    // The Relay's random follows the latest random round, so pick the current round or a later one.
    let state = devnet
        .call(devnet.contracts().relay, &IRelay::stateDataCall {})
        .await?;
    let mut round = devnet.voting_round_at(devnet.latest_timestamp().await?);
    if state.randomVotingRoundId != 0 && round <= state.randomVotingRoundId {
        round = state.randomVotingRoundId + 1;
    }
    loop {
        let call = IRelay::isFinalizedCall {
            _protocolId: U256::from(protocol_id),
            _votingRoundId: U256::from(round),
        };
        if !devnet.call(devnet.contracts().relay, &call).await? {
            break;
        }
        round += 1;
    }
    let message = ProtocolMessageMerkleRoot {
        protocol_id,
        voting_round_id: round,
        is_secure_random: true,
        merkle_root: keccak256(format!("devnet random {round}")),
    };
    relay_message(devnet, current, &message, &signers)
        .await
        .context("relaying the secure random")?;
    daemonize_until(
        devnet,
        IFlareSystemsManager::VotePowerBlockSelected::SIGNATURE_HASH,
    )
    .await
}

/// Step 3: `registerVoter` for one entity and `reward_epoch_id`, signed (chain-id message) by its
/// signing-policy key and sent from it.
pub async fn register_voter(
    devnet: &Devnet,
    entity: &Entity,
    reward_epoch_id: u32,
) -> anyhow::Result<TransactionReceipt> {
    let signed = registration::sign_voter_registration(
        &entity.signing_policy,
        RegistrationScheme::WithChainId,
        devnet.chain_id(),
        reward_epoch_id,
        entity.identity_address(),
    )?;
    let call = IVoterRegistry::registerVoterCall {
        _voter: entity.identity_address(),
        _signature: to_signature(&signed.signature),
    };
    devnet
        .send(
            entity.signing_policy_address(),
            devnet.contracts().voter_registry,
            &call,
        )
        .await
        .context("registerVoter")
}

/// Step 4: lets the registration window pass and daemonizes until SigningPolicyInitialized; returns the receipt,
/// the decoded policy and its bytes.
pub async fn initialize_signing_policy(
    devnet: &Devnet,
) -> anyhow::Result<(TransactionReceipt, SigningPolicy, Bytes)> {
    devnet
        .warp(devnet.config().voter_registration_min_duration.as_secs() + 1)
        .await?;
    let receipt = daemonize_until(devnet, IRelay::SigningPolicyInitialized::SIGNATURE_HASH).await?;
    let log = receipt
        .inner
        .logs()
        .iter()
        .find(|l| l.topic0() == Some(&IRelay::SigningPolicyInitialized::SIGNATURE_HASH))
        .ok_or_else(|| anyhow!("SigningPolicyInitialized log missing"))?;
    let bytes = IRelay::SigningPolicyInitialized::decode_log_data(log.data())?.signingPolicyBytes;
    let policy = SigningPolicy::decode(&bytes)?;
    Ok((receipt, policy, bytes))
}

/// Step 5: the previous epoch's voters (among the entities) sign the new policy until the threshold is reached.
pub async fn sign_signing_policy(
    devnet: &Devnet,
    policy_bytes: &[u8],
) -> anyhow::Result<Vec<TransactionReceipt>> {
    let policy = SigningPolicy::decode(policy_bytes)?;
    let previous_bytes =
        signing_policy_bytes(devnet, policy.reward_epoch_id.saturating_sub(1)).await?;
    let previous = SigningPolicy::decode(&previous_bytes)?;
    let hash = signing_policy::legacy_hash(policy_bytes);
    let mut receipts = Vec::new();
    for entity in devnet
        .entities()
        .iter()
        .filter(|e| previous.voter_index(&e.signing_policy_address()).is_some())
    {
        let signed = registration::sign_new_signing_policy(&entity.signing_policy, &hash)?;
        let call = IFlareSystemsManager::signNewSigningPolicyCall {
            _rewardEpochId: alloy::primitives::aliases::U24::from(policy.reward_epoch_id),
            _newSigningPolicyHash: hash,
            _signature: fsm_signature(&signed.signature),
        };
        let fsm = devnet.contracts().flare_systems_manager;
        let receipt = devnet
            .send(entity.signing_policy_address(), fsm, &call)
            .await
            .context("signNewSigningPolicy")?;
        let reached = receipt.inner.logs().iter().any(|l| {
            IFlareSystemsManager::SigningPolicySigned::decode_log_data(l.data())
                .is_ok_and(|e| e.thresholdReached)
        });
        receipts.push(receipt);
        if reached {
            return Ok(receipts);
        }
    }
    bail!("the entities' signatures did not reach the threshold")
}

/// Step 6: warps to the current epoch's end (if earlier) and daemonizes until RewardEpochStarted.
pub async fn start_next_reward_epoch(devnet: &Devnet) -> anyhow::Result<TransactionReceipt> {
    let (_, end) = current_reward_epoch(devnet).await?;
    if devnet.latest_timestamp().await? < end {
        devnet.warp_to(end).await?;
    }
    daemonize_until(
        devnet,
        IFlareSystemsManager::RewardEpochStarted::SIGNATURE_HASH,
    )
    .await
}

/// Moves the devnet from its current reward epoch E to E+1 with every entity registered: steps 1 to 6 above
/// (random acquisition, secure random and vote-power block, registerVoter for all, policy initialized, signed
/// by E's voters, RewardEpochStarted at E's end).
pub async fn complete_reward_epoch(devnet: &Devnet) -> anyhow::Result<RewardEpochSwitch> {
    let (current, _) = current_reward_epoch(devnet).await?;
    let next = current + 1;
    let mut daemonize_receipts = vec![start_random_acquisition(devnet).await?];
    daemonize_receipts.push(select_vote_power_block(devnet).await?);
    let mut registration_receipts = Vec::new();
    for entity in devnet.entities() {
        registration_receipts.push(register_voter(devnet, entity, next).await?);
    }
    let (receipt, signing_policy, signing_policy_bytes) = initialize_signing_policy(devnet).await?;
    daemonize_receipts.push(receipt);
    ensure!(
        signing_policy.reward_epoch_id == next,
        "policy for epoch {} initialized",
        signing_policy.reward_epoch_id
    );
    let signing_receipts = sign_signing_policy(devnet, &signing_policy_bytes).await?;
    daemonize_receipts.push(start_next_reward_epoch(devnet).await?);
    Ok(RewardEpochSwitch {
        reward_epoch_id: next,
        signing_policy,
        signing_policy_bytes,
        daemonize_receipts,
        registration_receipts,
        signing_receipts,
    })
}

/// Calls daemonize (warping a second between attempts) until a receipt carries `topic0`.
async fn daemonize_until(devnet: &Devnet, topic0: B256) -> anyhow::Result<TransactionReceipt> {
    for _ in 0..10 {
        let receipt = devnet.daemonize().await?;
        if receipt
            .inner
            .logs()
            .iter()
            .any(|l| l.topic0() == Some(&topic0))
        {
            return Ok(receipt);
        }
        devnet.warp(1).await?;
    }
    bail!("daemonize did not emit {topic0} within 10 steps")
}

/// `v ‖ r ‖ s` bytes as VoterRegistry's Signature struct.
pub fn to_signature(vrs: &[u8; 65]) -> IVoterRegistry::Signature {
    IVoterRegistry::Signature {
        v: vrs[0],
        r: B256::from_slice(&vrs[1..33]),
        s: B256::from_slice(&vrs[33..65]),
    }
}

/// `v ‖ r ‖ s` bytes as FlareSystemsManager's Signature struct.
pub fn fsm_signature(vrs: &[u8; 65]) -> IFlareSystemsManager::Signature {
    IFlareSystemsManager::Signature {
        v: vrs[0],
        r: B256::from_slice(&vrs[1..33]),
        s: B256::from_slice(&vrs[33..65]),
    }
}
