// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// Store of signing-policy hashes and finalized Merkle roots; source of the secure random.
interface IRelay {
    /// A reward epoch's signing policy as FlareSystemsManager hands it to the relay.
    struct SigningPolicy {
        uint24 rewardEpochId;
        uint32 startVotingRoundId;
        uint16 threshold;
        uint256 seed;
        address[] voters;
        uint16[] weights;
    }

    event SigningPolicyInitialized(
        uint24 indexed rewardEpochId,
        uint32 startVotingRoundId,
        uint16 threshold,
        uint256 seed,
        address[] voters,
        uint16[] weights,
        bytes signingPolicyBytes,
        uint64 timestamp
    );
    event SigningPolicyRelayed(uint256 indexed rewardEpochId);
    event ProtocolMessageRelayed(
        uint8 indexed protocolId, uint32 indexed votingRoundId, bool isSecureRandom, bytes32 merkleRoot
    );

    function relay() external returns (bytes memory);
    function setSigningPolicy(SigningPolicy memory _signingPolicy) external returns (bytes32);
    function verify(uint256 _protocolId, uint256 _votingRoundId, bytes32 _leaf, bytes32[] calldata _proof)
        external payable returns (bool);

    function signingPolicySetter() external view returns (address);
    function toSigningPolicyHash(uint256 _rewardEpochId) external view returns (bytes32 _signingPolicyHash);
    function isFinalized(uint256 _protocolId, uint256 _votingRoundId) external view returns (bool);
    function merkleRoots(uint256 _protocolId, uint256 _votingRoundId) external view returns (bytes32 _merkleRoot);
    function startingVotingRoundIds(uint256 _rewardEpochId) external view returns (uint256 _startingVotingRoundId);
    function getVotingRoundId(uint256 _timestamp) external view returns (uint256 _votingRoundId);
    function lastInitializedRewardEpochData()
        external view
        returns (uint32 _lastInitializedRewardEpoch, uint32 _startingVotingRoundIdForLastInitializedRewardEpoch);
    function feeCollectionAddress() external view returns (address payable);
    function protocolFeeInWei(uint256 _protocolId) external view returns (uint256);
    function initialRewardEpochId() external view returns (uint256);
    function startingVotingRoundIdForInitialRewardEpochId() external view returns (uint256);
    function stateData()
        external view
        returns (
            uint8 randomNumberProtocolId,
            uint32 firstVotingRoundStartTs,
            uint8 votingEpochDurationSeconds,
            uint32 firstRewardEpochStartVotingRoundId,
            uint16 rewardEpochDurationInVotingEpochs,
            uint16 thresholdIncreaseBIPS,
            uint32 randomVotingRoundId,
            bool isSecureRandom,
            uint32 lastInitializedRewardEpoch,
            bool noSigningPolicyRelay,
            uint32 messageFinalizationWindowInRewardEpochs
        );
    function getRandomNumber()
        external view returns (uint256 _randomNumber, bool _isSecureRandom, uint256 _randomTimestamp);
    function getRandomNumberHistorical(uint256 _votingRoundId)
        external view returns (uint256 _randomNumber, bool _isSecureRandom, uint256 _randomTimestamp);
}
