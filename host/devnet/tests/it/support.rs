//! Helpers shared by the devnet tests: epoch and relay reads, relay reverts, signing transactions.

use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::sol_types::{SolCall, SolEvent};
use ftso_chain::{IFlareSystemsManager, IRelay};
use ftso_devnet::Devnet;

/// The first voting round of `reward_epoch`, as the FlareSystemsManager reports it.
pub async fn start_voting_round(devnet: &Devnet, reward_epoch: u64) -> u32 {
    devnet
        .call(
            devnet.contracts().flare_systems_manager,
            &IFlareSystemsManager::getStartVotingRoundIdCall {
                _rewardEpochId: U256::from(reward_epoch),
            },
        )
        .await
        .unwrap()
}

/// Whether the Relay has finalized `round` of `protocol_id`.
pub async fn is_finalized(devnet: &Devnet, protocol_id: u8, round: u32) -> bool {
    devnet
        .call(
            devnet.contracts().relay,
            &IRelay::isFinalizedCall {
                _protocolId: U256::from(protocol_id),
                _votingRoundId: U256::from(round),
            },
        )
        .await
        .unwrap()
}

/// Asserts that the relay call `input` sent by `from` reverts with a reason containing `reason`.
pub async fn assert_relay_reverts(devnet: &Devnet, from: Address, input: Bytes, reason: &str) {
    let error = devnet
        .call_raw(from, devnet.contracts().relay, input)
        .await
        .unwrap_err();
    assert!(
        format!("{error:#}").contains(reason),
        "revert reason: {error:#}"
    );
}

/// Sends `call` from `from` to `to` (which must succeed) and decodes the receipt's first log as `E`.
pub async fn send_and_decode_first_log<C: SolCall, E: SolEvent>(
    devnet: &Devnet,
    from: Address,
    to: Address,
    call: &C,
) -> E {
    let receipt = devnet.send(from, to, call).await.unwrap();
    E::decode_log_data(receipt.inner.logs()[0].data()).unwrap()
}

/// The current reward epoch id, as the FlareSystemsManager reports it.
pub async fn current_reward_epoch(devnet: &Devnet) -> u32 {
    devnet
        .call(
            devnet.contracts().flare_systems_manager,
            &IFlareSystemsManager::getCurrentRewardEpochIdCall {},
        )
        .await
        .unwrap()
        .to()
}

/// The signing-policy hash the Relay holds for `reward_epoch`.
pub async fn signing_policy_hash(devnet: &Devnet, reward_epoch: u64) -> B256 {
    devnet
        .call(
            devnet.contracts().relay,
            &IRelay::toSigningPolicyHashCall {
                _rewardEpochId: U256::from(reward_epoch),
            },
        )
        .await
        .unwrap()
}
