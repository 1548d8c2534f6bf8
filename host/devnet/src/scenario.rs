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

/// Moves the devnet from its current reward epoch E to E+1 with every entity registered: random acquisition,
/// a secure random relayed under E's policy, vote-power block, registerVoter (chain-id message), signing policy
/// initialized and signed by E's voters, and RewardEpochStarted at E's end.
pub async fn complete_reward_epoch(devnet: &Devnet) -> anyhow::Result<RewardEpochSwitch> {
    let fsm = devnet.contracts().flare_systems_manager;
    let current: u32 = devnet
        .call(fsm, &IFlareSystemsManager::getCurrentRewardEpochIdCall {})
        .await?
        .to();
    let next = current + 1;
    let end: u64 = devnet
        .call(
            fsm,
            &IFlareSystemsManager::currentRewardEpochExpectedEndTsCall {},
        )
        .await?;
    let lead = devnet.config().signing_policy_init_lead.as_secs();
    let mut daemonize_receipts = Vec::new();

    // 1. Random acquisition starts at end - lead.
    let now = devnet.latest_timestamp().await?;
    if now + 1 < end - lead {
        devnet.warp_to(end - lead).await?;
    }
    daemonize_receipts.push(
        daemonize_until(
            devnet,
            IFlareSystemsManager::RandomAcquisitionStarted::SIGNATURE_HASH,
        )
        .await?,
    );

    // 2. A secure random: the FTSO protocol's message for the current round, finalized under E's policy.
    let current_policy_bytes = signing_policy_bytes(devnet, current).await?;
    let all: Vec<&Entity> = devnet.entities().iter().collect();
    let current_policy = SigningPolicy::decode(&current_policy_bytes)?;
    let signers: Vec<&Entity> = all
        .iter()
        .copied()
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
    while devnet
        .call(
            devnet.contracts().relay,
            &IRelay::isFinalizedCall {
                _protocolId: U256::from(protocol_id),
                _votingRoundId: U256::from(round),
            },
        )
        .await?
    {
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

    // 3. Vote-power block.
    daemonize_receipts.push(
        daemonize_until(
            devnet,
            IFlareSystemsManager::VotePowerBlockSelected::SIGNATURE_HASH,
        )
        .await?,
    );

    // 4. Every entity registers for E+1.
    let mut registration_receipts = Vec::new();
    for entity in devnet.entities() {
        let signed = registration::sign_voter_registration(
            &entity.signing_policy,
            RegistrationScheme::WithChainId,
            devnet.chain_id(),
            next,
            entity.identity_address(),
        )?;
        let call = IVoterRegistry::registerVoterCall {
            _voter: entity.identity_address(),
            _signature: to_signature(&signed.signature),
        };
        registration_receipts.push(
            devnet
                .send(
                    entity.signing_policy_address(),
                    devnet.contracts().voter_registry,
                    &call,
                )
                .await
                .context("registerVoter")?,
        );
    }

    // 5. Registration closes; the policy is initialized.
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
    let event = IRelay::SigningPolicyInitialized::decode_log_data(log.data())?;
    daemonize_receipts.push(receipt);
    let signing_policy_bytes = event.signingPolicyBytes.clone();
    let signing_policy = SigningPolicy::decode(&signing_policy_bytes)?;
    ensure!(
        signing_policy.reward_epoch_id == next,
        "policy for epoch {} initialized",
        signing_policy.reward_epoch_id
    );

    // 6. E's voters sign the new policy until the threshold is reached.
    let hash = signing_policy::legacy_hash(&signing_policy_bytes);
    let mut signing_receipts = Vec::new();
    for entity in &signers {
        let signed = registration::sign_new_signing_policy(&entity.signing_policy, &hash)?;
        let call = IFlareSystemsManager::signNewSigningPolicyCall {
            _rewardEpochId: alloy::primitives::aliases::U24::from(next),
            _newSigningPolicyHash: hash,
            _signature: fsm_signature(&signed.signature),
        };
        let receipt = devnet
            .send(entity.signing_policy_address(), fsm, &call)
            .await
            .context("signNewSigningPolicy")?;
        let reached = receipt.inner.logs().iter().any(|l| {
            IFlareSystemsManager::SigningPolicySigned::decode_log_data(l.data())
                .is_ok_and(|e| e.thresholdReached)
        });
        signing_receipts.push(receipt);
        if reached {
            break;
        }
    }

    // 7. E ends; E+1 starts.
    let now = devnet.latest_timestamp().await?;
    if now < end {
        devnet.warp_to(end).await?;
    }
    daemonize_receipts.push(
        daemonize_until(
            devnet,
            IFlareSystemsManager::RewardEpochStarted::SIGNATURE_HASH,
        )
        .await?,
    );

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
