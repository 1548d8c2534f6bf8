// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Signature} from "./Types.sol";

/// The reward-epoch state machine, driven by daemonize(), and the signing of policies, uptime votes and rewards.
interface IFlareSystemsManager {
    /// Tunable timing and threshold parameters (same field order as the network's settings tuple).
    struct Settings {
        uint16 randomAcquisitionMaxDurationSeconds;
        uint16 randomAcquisitionMaxDurationBlocks;
        uint16 newSigningPolicyInitializationStartSeconds;
        uint8 newSigningPolicyMinNumberOfVotingRoundsDelay;
        uint16 voterRegistrationMinDurationSeconds;
        uint16 voterRegistrationMinDurationBlocks;
        uint16 submitUptimeVoteMinDurationSeconds;
        uint16 submitUptimeVoteMinDurationBlocks;
        uint24 signingPolicyThresholdPPM;
        uint16 signingPolicyMinNumberOfVoters;
        uint32 rewardExpiryOffsetSeconds;
    }

    /// Parameters of the initial reward epoch.
    struct InitialSettings {
        uint16 initialRandomVotePowerBlockSelectionSize;
        uint24 initialRewardEpochId;
        uint16 initialRewardEpochThreshold;
    }

    /// Number of weight-based claims per reward manager.
    struct NumberOfWeightBasedClaims {
        uint256 rewardManagerId;
        uint256 noOfWeightBasedClaims;
    }

    event RandomAcquisitionStarted(uint24 indexed rewardEpochId, uint64 timestamp);
    event VotePowerBlockSelected(uint24 indexed rewardEpochId, uint64 votePowerBlock, uint64 timestamp);
    event SigningPolicySigned(
        uint24 indexed rewardEpochId,
        address indexed signingPolicyAddress,
        address indexed voter,
        uint64 timestamp,
        bool thresholdReached
    );
    event RewardEpochStarted(uint24 indexed rewardEpochId, uint32 startVotingRoundId, uint64 timestamp);
    event SignUptimeVoteEnabled(uint24 indexed rewardEpochId, uint64 timestamp);
    event UptimeVoteSubmitted(
        uint24 indexed rewardEpochId,
        address indexed signingPolicyAddress,
        address indexed voter,
        bytes20[] nodeIds,
        uint64 timestamp
    );
    event UptimeVoteSigned(
        uint24 indexed rewardEpochId,
        address indexed signingPolicyAddress,
        address indexed voter,
        bytes32 uptimeVoteHash,
        uint64 timestamp,
        bool thresholdReached
    );
    event RewardsSigned(
        uint24 indexed rewardEpochId,
        address indexed signingPolicyAddress,
        address indexed voter,
        bytes32 rewardsHash,
        NumberOfWeightBasedClaims[] noOfWeightBasedClaims,
        uint64 timestamp,
        bool thresholdReached
    );
    event TriggeringVoterRegistrationFailed(uint24 rewardEpochId);
    event ClosingExpiredRewardEpochFailed(uint24 rewardEpochId);
    event SettingCleanUpBlockNumberFailed(uint64 blockNumber);

    function daemonize() external returns (bool);

    function signNewSigningPolicy(uint24 _rewardEpochId, bytes32 _newSigningPolicyHash, Signature calldata _signature)
        external;
    function submitUptimeVote(uint24 _rewardEpochId, bytes20[] calldata _nodeIds, Signature calldata _signature)
        external;
    function signUptimeVote(uint24 _rewardEpochId, bytes32 _uptimeVoteHash, Signature calldata _signature) external;
    function signRewards(
        uint24 _rewardEpochId,
        NumberOfWeightBasedClaims[] calldata _noOfWeightBasedClaims,
        bytes32 _rewardsHash,
        Signature calldata _signature
    ) external;

    function updateSettings(Settings memory _settings) external;
    function setRewardEpochSwitchoverTriggerContracts(address[] calldata _contracts) external;
    function setVoterRegistrationTriggerContract(address _contract) external;
    function setTriggerExpirationAndCleanup(bool _triggerExpirationAndCleanup) external;
    function setSubmit3Aligned(bool _submit3Aligned) external;
    function setRewardsData(
        uint24 _rewardEpochId,
        NumberOfWeightBasedClaims[] calldata _noOfWeightBasedClaims,
        bytes32 _rewardsHash
    ) external;

    function firstRewardEpochStartTs() external view returns (uint64);
    function rewardEpochDurationSeconds() external view returns (uint64);
    function firstVotingRoundStartTs() external view returns (uint64);
    function votingEpochDurationSeconds() external view returns (uint64);
    function getVotePowerBlock(uint256 _rewardEpochId) external view returns (uint64 _votePowerBlock);
    function getStartVotingRoundId(uint256 _rewardEpochId) external view returns (uint32);
    function getCurrentRewardEpochId() external view returns (uint24);
    function getCurrentVotingEpochId() external view returns (uint32);
    function getCurrentRewardEpoch() external view returns (uint256);
    function getSeed(uint256 _rewardEpochId) external view returns (uint256);
    function getThreshold(uint256 _rewardEpochId) external view returns (uint16);
    function getVoterRegistrationData(uint256 _rewardEpochId)
        external view returns (uint256 _votePowerBlock, bool _enabled);
    function isVoterRegistrationEnabled() external view returns (bool);

    function uptimeVoteHash(uint256 _rewardEpochId) external view returns (bytes32);
    function rewardsHash(uint256 _rewardEpochId) external view returns (bytes32);
    function noOfWeightBasedClaims(uint256 _rewardEpochId, uint256 _rewardManagerId) external view returns (uint256);
    function noOfWeightBasedClaimsHash(uint256 _rewardEpochId) external view returns (bytes32);
    function randomAcquisitionMaxDurationSeconds() external view returns (uint64);
    function randomAcquisitionMaxDurationBlocks() external view returns (uint64);
    function newSigningPolicyInitializationStartSeconds() external view returns (uint64);
    function newSigningPolicyMinNumberOfVotingRoundsDelay() external view returns (uint32);
    function rewardExpiryOffsetSeconds() external view returns (uint32);
    function voterRegistrationMinDurationSeconds() external view returns (uint64);
    function voterRegistrationMinDurationBlocks() external view returns (uint64);
    function submitUptimeVoteMinDurationSeconds() external view returns (uint64);
    function submitUptimeVoteMinDurationBlocks() external view returns (uint64);
    function signingPolicyThresholdPPM() external view returns (uint24);
    function signingPolicyMinNumberOfVoters() external view returns (uint16);
    function currentRewardEpochExpectedEndTs() external view returns (uint64 _currentRewardEpochExpectedEndTs);
    function lastInitializedVotingRoundId() external view returns (uint32 _lastInitializedVotingRoundId);
    function rewardEpochIdToExpireNext() external view returns (uint24 _rewardEpochIdToExpireNext);
    function getRewardEpochStartInfo(uint24 _rewardEpochId)
        external view returns (uint64 _rewardEpochStartTs, uint64 _rewardEpochStartBlock);
    function getRandomAcquisitionInfo(uint24 _rewardEpochId)
        external view
        returns (
            uint64 _randomAcquisitionStartTs,
            uint64 _randomAcquisitionStartBlock,
            uint64 _randomAcquisitionEndTs,
            uint64 _randomAcquisitionEndBlock
        );
    function getVoterSigningPolicySignInfo(uint24 _rewardEpochId, address _voter)
        external view returns (uint64 _signingPolicySignTs, uint64 _signingPolicySignBlock);
    function getSigningPolicySignInfo(uint24 _rewardEpochId)
        external view
        returns (
            uint64 _signingPolicySignStartTs,
            uint64 _signingPolicySignStartBlock,
            uint64 _signingPolicySignEndTs,
            uint64 _signingPolicySignEndBlock
        );
    function getVoterUptimeVoteSubmitInfo(uint24 _rewardEpochId, address _voter)
        external view returns (uint64 _uptimeVoteSubmitTs, uint64 _uptimeVoteSubmitBlock);
    function getVoterUptimeVoteSignInfo(uint24 _rewardEpochId, address _voter)
        external view returns (uint64 _uptimeVoteSignTs, uint64 _uptimeVoteSignBlock);
    function getUptimeVoteSignStartInfo(uint24 _rewardEpochId)
        external view returns (uint64 _uptimeVoteSignStartTs, uint64 _uptimeVoteSignStartBlock);
    function getVoterRewardsSignInfo(uint24 _rewardEpochId, address _voter)
        external view returns (uint64 _rewardsSignTs, uint64 _rewardsSignBlock);
    function getRewardsSignInfo(uint24 _rewardEpochId)
        external view
        returns (
            uint64 _rewardsSignStartTs,
            uint64 _rewardsSignStartBlock,
            uint64 _rewardsSignEndTs,
            uint64 _rewardsSignEndBlock
        );
}
