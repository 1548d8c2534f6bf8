//! Event topic0 values the indexer stores and the roles decode. Topic0 alone can be ambiguous across
//! contracts: always filter on (emitting address, topic0).

use alloy_primitives::B256;
use alloy_sol_types::SolEvent;

use crate::bindings::{
    IEntityManager, IFlareSystemsCalculator, IFlareSystemsManager, IFtsoRewardOffersManager,
    IRelay, ISubmission, IVoterRegistry,
};
use crate::legacy::{IFlareSystemsCalculatorV1, IVoterRegistryV1};

/// Submission: `NewVotingRoundInitiated()`.
pub const NEW_VOTING_ROUND_INITIATED: B256 = ISubmission::NewVotingRoundInitiated::SIGNATURE_HASH;

/// Relay: `SigningPolicyInitialized(uint24 indexed,uint32,uint16,uint256,address[],uint16[],bytes,uint64)`.
pub const SIGNING_POLICY_INITIALIZED: B256 = IRelay::SigningPolicyInitialized::SIGNATURE_HASH;
/// Relay: `ProtocolMessageRelayed(uint8 indexed,uint32 indexed,bool,bytes32)`.
pub const PROTOCOL_MESSAGE_RELAYED: B256 = IRelay::ProtocolMessageRelayed::SIGNATURE_HASH;
/// Relay: `SigningPolicyRelayed(uint256 indexed)` (pure-relay deployments only).
pub const SIGNING_POLICY_RELAYED: B256 = IRelay::SigningPolicyRelayed::SIGNATURE_HASH;

/// FlareSystemsManager: `RandomAcquisitionStarted(uint24 indexed,uint64)`.
pub const RANDOM_ACQUISITION_STARTED: B256 =
    IFlareSystemsManager::RandomAcquisitionStarted::SIGNATURE_HASH;
/// FlareSystemsManager: `VotePowerBlockSelected(uint24 indexed,uint64,uint64)`.
pub const VOTE_POWER_BLOCK_SELECTED: B256 =
    IFlareSystemsManager::VotePowerBlockSelected::SIGNATURE_HASH;
/// FlareSystemsManager: `SigningPolicySigned(uint24 indexed,address indexed,address indexed,uint64,bool)`.
pub const SIGNING_POLICY_SIGNED: B256 = IFlareSystemsManager::SigningPolicySigned::SIGNATURE_HASH;
/// FlareSystemsManager: `RewardEpochStarted(uint24 indexed,uint32,uint64)`.
pub const REWARD_EPOCH_STARTED: B256 = IFlareSystemsManager::RewardEpochStarted::SIGNATURE_HASH;
/// FlareSystemsManager: `SignUptimeVoteEnabled(uint24 indexed,uint64)`.
pub const SIGN_UPTIME_VOTE_ENABLED: B256 =
    IFlareSystemsManager::SignUptimeVoteEnabled::SIGNATURE_HASH;
/// FlareSystemsManager: `UptimeVoteSubmitted(uint24 indexed,address indexed,address indexed,bytes20[],uint64)`.
pub const UPTIME_VOTE_SUBMITTED: B256 = IFlareSystemsManager::UptimeVoteSubmitted::SIGNATURE_HASH;
/// FlareSystemsManager: `UptimeVoteSigned(uint24 indexed,address indexed,address indexed,bytes32,uint64,bool)`.
pub const UPTIME_VOTE_SIGNED: B256 = IFlareSystemsManager::UptimeVoteSigned::SIGNATURE_HASH;
/// FlareSystemsManager: `RewardsSigned(uint24 indexed,address indexed,address indexed,bytes32,(uint256,uint256)[],uint64,bool)`.
pub const REWARDS_SIGNED: B256 = IFlareSystemsManager::RewardsSigned::SIGNATURE_HASH;

/// VoterRegistry (current): `VoterRegistered(address indexed,uint32 indexed,address indexed,address,address,(bytes32,bytes32),uint256,(uint8,bytes32,bytes32))`.
pub const VOTER_REGISTERED: B256 = IVoterRegistry::VoterRegistered::SIGNATURE_HASH;
/// VoterRegistry (old, uint24 epoch): `VoterRegistered(address indexed,uint24 indexed,address indexed,address,address,bytes32,bytes32,uint256)`.
pub const VOTER_REGISTERED_V1: B256 = IVoterRegistryV1::VoterRegistered::SIGNATURE_HASH;
/// VoterRegistry (current): `VoterRemoved(address indexed,uint32 indexed)`.
pub const VOTER_REMOVED: B256 = IVoterRegistry::VoterRemoved::SIGNATURE_HASH;
/// VoterRegistry (old): `VoterRemoved(address indexed,uint256 indexed)`.
pub const VOTER_REMOVED_V1: B256 = IVoterRegistryV1::VoterRemoved::SIGNATURE_HASH;
/// VoterRegistry (current): `BeneficiaryChilled(bytes20 indexed,uint32)`.
pub const BENEFICIARY_CHILLED: B256 = IVoterRegistry::BeneficiaryChilled::SIGNATURE_HASH;
/// VoterRegistry (old): `BeneficiaryChilled(bytes20 indexed,uint256)`.
pub const BENEFICIARY_CHILLED_V1: B256 = IVoterRegistryV1::BeneficiaryChilled::SIGNATURE_HASH;

/// FlareSystemsCalculator (current): `VoterRegistrationInfo(address indexed,uint32 indexed,address,uint16,uint256,uint256,bytes20[],uint256[])`.
pub const VOTER_REGISTRATION_INFO: B256 =
    IFlareSystemsCalculator::VoterRegistrationInfo::SIGNATURE_HASH;
/// FlareSystemsCalculator (old, uint24 epoch).
pub const VOTER_REGISTRATION_INFO_V1: B256 =
    IFlareSystemsCalculatorV1::VoterRegistrationInfo::SIGNATURE_HASH;

/// FtsoRewardOffersManager: `RewardsOffered(uint24 indexed,bytes21,int8,uint256,uint16,uint24,uint24,address)`.
pub const REWARDS_OFFERED: B256 = IFtsoRewardOffersManager::RewardsOffered::SIGNATURE_HASH;
/// FtsoRewardOffersManager: `InflationRewardsOffered(uint24 indexed,bytes,bytes,uint256,uint16,uint24,bytes,uint16)`.
pub const FTSO_INFLATION_REWARDS_OFFERED: B256 =
    IFtsoRewardOffersManager::InflationRewardsOffered::SIGNATURE_HASH;

/// EntityManager: `PublicKeyRegistered(address indexed,bytes32 indexed,bytes32 indexed)`.
pub const PUBLIC_KEY_REGISTERED: B256 = IEntityManager::PublicKeyRegistered::SIGNATURE_HASH;
/// EntityManager: `SigningPolicyAddressRegistrationConfirmed(address indexed,address indexed)`.
pub const SIGNING_POLICY_ADDRESS_REGISTRATION_CONFIRMED: B256 =
    IEntityManager::SigningPolicyAddressRegistrationConfirmed::SIGNATURE_HASH;
