// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFlareSystemsManager} from "../interfaces/IFlareSystemsManager.sol";
import {IRelay} from "../interfaces/IRelay.sol";
import {ISubmission} from "../interfaces/ISubmission.sol";
import {IVoterRegistry} from "../interfaces/IVoterRegistry.sol";
import {IRewardManager} from "../interfaces/IRewardManager.sol";
import {Signature} from "../interfaces/Types.sol";
import {AddressUpdatable, Eip191, Governed} from "../lib/Base.sol";

/// Called right after RewardEpochStarted (e.g. reward offer managers emitting inflation offers).
interface IRewardEpochSwitchoverTrigger {
    function triggerRewardEpochSwitchover(uint24 _currentRewardEpochId, uint64 _currentRewardEpochExpectedEndTs, uint64 _rewardEpochDurationSeconds)
        external;
}

/// Called right after VotePowerBlockSelected (VoterPreRegistry).
interface IVoterRegistrationTrigger {
    function triggerVoterRegistration(uint24 _rewardEpochId) external;
}

/// The reward-epoch state machine. `daemonize()` (only the daemon account; every block on a real network) moves
/// the next epoch N through random acquisition, vote-power block selection, voter registration and signing-policy
/// initialization, starts N at the end of the current epoch, initiates each voting round in Submission and opens
/// uptime signing. Policy, uptime and rewards signatures are EIP-191 signatures of registered signing-policy keys.
contract FlareSystemsManager is IFlareSystemsManager, Governed, AddressUpdatable {
    /// A start/end pair of (timestamp, block).
    struct Window {
        uint64 startTs;
        uint64 startBlock;
        uint64 endTs;
        uint64 endBlock;
    }

    /// When a voter did something.
    struct SignInfo {
        uint64 ts;
        uint64 blockNumber;
    }

    /// Everything known about one reward epoch.
    struct EpochState {
        Window randomAcquisition;
        uint64 startTs;
        uint64 startBlock;
        uint64 votePowerBlock;
        uint256 seed;
        bool policyInitialized;
        uint16 threshold;
        uint32 startVotingRoundId;
        Window policySign;
        uint16 policySignWeight;
        bool uptimeEnabled;
        Window uptimeSign;
        bytes32 uptimeVoteHash;
        Window rewardsSign;
        bytes32 rewardsHash;
        bytes32 noOfWeightBasedClaimsHash;
    }

    address public immutable flareDaemon;
    uint64 public immutable firstVotingRoundStartTs;
    uint64 public immutable votingEpochDurationSeconds;
    uint64 public immutable firstRewardEpochStartTs;
    uint64 public immutable rewardEpochDurationSeconds;
    uint32 private immutable firstRewardEpochStartVotingRoundId;
    uint16 private immutable rewardEpochDurationInVotingEpochs;
    uint24 private immutable initialRewardEpochId;
    uint16 private immutable initialRandomVotePowerBlockSelectionSize;

    Settings private settings;
    uint64 public currentRewardEpochExpectedEndTs;
    uint32 public lastInitializedVotingRoundId;
    uint24 public rewardEpochIdToExpireNext;
    uint24 private lastRewardEpochIdWithSignUptimeVoteEnabled;
    bool public triggerExpirationAndCleanup;
    bool public submit3Aligned;

    IVoterRegistry public voterRegistry;
    ISubmission public submission;
    IRelay public relay;
    IRewardManager public rewardManager;
    address public cleanupBlockNumberManager;
    address[] private switchoverTriggerContracts;
    address public voterRegistrationTriggerContract;

    mapping(uint256 => EpochState) private epochs;
    mapping(uint256 => mapping(address => SignInfo)) private policySigns;
    mapping(uint256 => mapping(address => SignInfo)) private uptimeSubmits;
    mapping(uint256 => mapping(address => SignInfo)) private uptimeSigns;
    mapping(uint256 => mapping(address => SignInfo)) private rewardsSigns;
    mapping(uint256 => mapping(bytes32 => uint256)) private uptimeHashWeight;
    mapping(uint256 => mapping(bytes32 => uint256)) private rewardsMessageWeight;
    mapping(uint256 => mapping(uint256 => uint256)) public noOfWeightBasedClaims;

    constructor(
        address _governance,
        address _addressUpdater,
        address _flareDaemon,
        Settings memory _settings,
        uint32 _firstVotingRoundStartTs,
        uint8 _votingEpochDurationSeconds,
        uint32 _firstRewardEpochStartVotingRoundId,
        uint16 _rewardEpochDurationInVotingEpochs,
        InitialSettings memory _initialSettings
    ) Governed(_governance) AddressUpdatable(_addressUpdater) {
        require(_flareDaemon != address(0), "flare daemon zero");
        require(_votingEpochDurationSeconds > 0 && _rewardEpochDurationInVotingEpochs > 0, "zero duration");
        flareDaemon = _flareDaemon;
        firstVotingRoundStartTs = _firstVotingRoundStartTs;
        votingEpochDurationSeconds = _votingEpochDurationSeconds;
        firstRewardEpochStartVotingRoundId = _firstRewardEpochStartVotingRoundId;
        rewardEpochDurationInVotingEpochs = _rewardEpochDurationInVotingEpochs;
        uint64 startTs = _firstVotingRoundStartTs + uint64(_firstRewardEpochStartVotingRoundId) * _votingEpochDurationSeconds;
        uint64 duration = uint64(_rewardEpochDurationInVotingEpochs) * _votingEpochDurationSeconds;
        firstRewardEpochStartTs = startTs;
        rewardEpochDurationSeconds = duration;
        initialRewardEpochId = _initialSettings.initialRewardEpochId;
        initialRandomVotePowerBlockSelectionSize = _initialSettings.initialRandomVotePowerBlockSelectionSize;
        _setSettings(_settings);
        uint24 initial = _initialSettings.initialRewardEpochId;
        currentRewardEpochExpectedEndTs = startTs + (uint64(initial) + 1) * duration;
        require(
            currentRewardEpochExpectedEndTs > block.timestamp + _settings.newSigningPolicyInitializationStartSeconds,
            "reward epoch end not in the future"
        );
        EpochState storage e = epochs[initial];
        e.policyInitialized = true;
        e.threshold = _initialSettings.initialRewardEpochThreshold;
        e.startVotingRoundId = _firstRewardEpochStartVotingRoundId + uint32(initial) * _rewardEpochDurationInVotingEpochs;
        e.startTs = startTs + uint64(initial) * duration;
        e.startBlock = uint64(block.number);
        rewardEpochIdToExpireNext = initial + 1;
        lastRewardEpochIdWithSignUptimeVoteEnabled = initial;
    }

    // ---- the daemon ---------------------------------------------------------------------------------------

    function daemonize() external returns (bool) {
        require(msg.sender == flareDaemon, "only flare daemon");
        uint24 initializationEpoch = getCurrentRewardEpochId();
        uint24 next = initializationEpoch + 1;
        EpochState storage n = epochs[next];
        if (n.randomAcquisition.startTs == 0) {
            if (block.timestamp >= currentRewardEpochExpectedEndTs - settings.newSigningPolicyInitializationStartSeconds) {
                n.randomAcquisition.startTs = uint64(block.timestamp);
                n.randomAcquisition.startBlock = uint64(block.number);
                voterRegistry.setNewSigningPolicyInitializationStartBlockNumber(next);
                emit RandomAcquisitionStarted(next, uint64(block.timestamp));
            }
        } else if (n.votePowerBlock == 0) {
            _trySelectVotePowerBlock(next);
        } else if (!n.policyInitialized && !_isRegistrationOpen(next)) {
            _initializeSigningPolicy(next);
        }
        if (
            block.timestamp >= currentRewardEpochExpectedEndTs && n.policyInitialized
                && getCurrentVotingEpochId() >= n.startVotingRoundId
        ) {
            _startRewardEpoch(next);
        }
        _maybeInitNewVotingRound(initializationEpoch);
        _maybeEnableUptimeVoteSigning();
        return true;
    }

    function _trySelectVotePowerBlock(uint24 _next) private {
        EpochState storage n = epochs[_next];
        (uint256 random, bool secure, uint256 randomTs) = relay.getRandomNumber();
        if (secure && randomTs > n.randomAcquisition.startTs) {
            _selectVotePowerBlock(_next, random);
        } else if (
            block.number > n.randomAcquisition.startBlock + settings.randomAcquisitionMaxDurationBlocks
                && block.timestamp > n.randomAcquisition.startTs + settings.randomAcquisitionMaxDurationSeconds
        ) {
            EpochState storage current = epochs[_next - 1];
            if (current.votePowerBlock != 0) {
                _finishVotePowerBlockSelection(_next, current.votePowerBlock, current.seed);
            } else {
                _selectVotePowerBlock(_next, random);
            }
        }
    }

    function _selectVotePowerBlock(uint24 _next, uint256 _random) private {
        uint64 raStartBlock = epochs[_next].randomAcquisition.startBlock;
        uint64 previousStartBlock = epochs[_next - 1].randomAcquisition.startBlock;
        uint256 size = previousStartBlock == 0 ? initialRandomVotePowerBlockSelectionSize : raStartBlock - previousStartBlock;
        if (size > raStartBlock) size = raStartBlock;
        if (size == 0) size = 1;
        _finishVotePowerBlockSelection(_next, raStartBlock - uint64(_random % size), _random);
    }

    function _finishVotePowerBlockSelection(uint24 _next, uint64 _votePowerBlock, uint256 _seed) private {
        EpochState storage n = epochs[_next];
        n.randomAcquisition.endTs = uint64(block.timestamp);
        n.randomAcquisition.endBlock = uint64(block.number);
        n.votePowerBlock = _votePowerBlock;
        n.seed = _seed;
        emit VotePowerBlockSelected(_next, _votePowerBlock, uint64(block.timestamp));
        if (voterRegistrationTriggerContract != address(0)) {
            try IVoterRegistrationTrigger(voterRegistrationTriggerContract).triggerVoterRegistration(_next) {}
            catch {
                emit TriggeringVoterRegistrationFailed(_next);
            }
        }
    }

    function _isRegistrationOpen(uint256 _next) private view returns (bool) {
        Window storage ra = epochs[_next].randomAcquisition;
        return block.timestamp <= ra.endTs + settings.voterRegistrationMinDurationSeconds
            || block.number <= ra.endBlock + settings.voterRegistrationMinDurationBlocks
            || voterRegistry.getNumberOfRegisteredVoters(_next) < settings.signingPolicyMinNumberOfVoters;
    }

    function _initializeSigningPolicy(uint24 _next) private {
        EpochState storage n = epochs[_next];
        (address[] memory voters, uint16[] memory weights, uint16 weightsSum) =
            voterRegistry.createSigningPolicySnapshot(_next);
        uint16 threshold = uint16((uint256(weightsSum) * settings.signingPolicyThresholdPPM + 999999) / 1e6);
        uint32 startRound = firstRewardEpochStartVotingRoundId + uint32(_next) * rewardEpochDurationInVotingEpochs;
        uint32 earliest = getCurrentVotingEpochId() + settings.newSigningPolicyMinNumberOfVotingRoundsDelay + 1;
        if (earliest > startRound) startRound = earliest;
        n.policyInitialized = true;
        n.threshold = threshold;
        n.startVotingRoundId = startRound;
        n.policySign.startTs = uint64(block.timestamp);
        n.policySign.startBlock = uint64(block.number);
        relay.setSigningPolicy(IRelay.SigningPolicy(_next, startRound, threshold, n.seed, voters, weights));
    }

    function _startRewardEpoch(uint24 _next) private {
        EpochState storage n = epochs[_next];
        n.startTs = uint64(block.timestamp);
        n.startBlock = uint64(block.number);
        currentRewardEpochExpectedEndTs += rewardEpochDurationSeconds;
        emit RewardEpochStarted(_next, n.startVotingRoundId, uint64(block.timestamp));
        for (uint256 i = 0; i < switchoverTriggerContracts.length; i++) {
            IRewardEpochSwitchoverTrigger(switchoverTriggerContracts[i]).triggerRewardEpochSwitchover(
                _next, currentRewardEpochExpectedEndTs, rewardEpochDurationSeconds
            );
        }
    }

    /// Uptime voting opens for epochs in order, from the first one after the initial epoch, once the following
    /// epoch has run for the minimum duration (strictly more seconds and blocks).
    function _maybeEnableUptimeVoteSigning() private {
        uint24 epoch = lastRewardEpochIdWithSignUptimeVoteEnabled + 1;
        if (getCurrentRewardEpochId() <= epoch || epochs[epoch].uptimeEnabled) return;
        EpochState storage following = epochs[epoch + 1];
        if (
            following.startTs + settings.submitUptimeVoteMinDurationSeconds < block.timestamp
                && following.startBlock + settings.submitUptimeVoteMinDurationBlocks < block.number
        ) {
            lastRewardEpochIdWithSignUptimeVoteEnabled = epoch;
            EpochState storage e = epochs[epoch];
            e.uptimeEnabled = true;
            e.uptimeSign.startTs = uint64(block.timestamp);
            e.uptimeSign.startBlock = uint64(block.number);
            emit SignUptimeVoteEnabled(epoch, uint64(block.timestamp));
        }
    }

    /// On the first block of a voting round: submit2 and submitSignatures go to the voters of the epoch current
    /// when this daemonize began, submit1 to the (possibly just started) current epoch's voters.
    function _maybeInitNewVotingRound(uint24 _initializationEpoch) private {
        uint32 votingRoundId = getCurrentVotingEpochId();
        if (votingRoundId <= lastInitializedVotingRoundId) return;
        lastInitializedVotingRoundId = votingRoundId;
        uint24 current = getCurrentRewardEpochId();
        address[] memory submit2 = voterRegistry.getRegisteredSubmitAddresses(_initializationEpoch);
        address[] memory signatures = voterRegistry.getRegisteredSubmitSignaturesAddresses(_initializationEpoch);
        address[] memory submit1 =
            current > _initializationEpoch ? voterRegistry.getRegisteredSubmitAddresses(current) : submit2;
        submission.initNewVotingRound(submit1, submit2, submit3Aligned ? submit1 : submit2, signatures);
    }

    // ---- signing ------------------------------------------------------------------------------------------

    function signNewSigningPolicy(uint24 _rewardEpochId, bytes32 _newSigningPolicyHash, Signature calldata _signature)
        external
    {
        require(
            _newSigningPolicyHash != bytes32(0) && relay.toSigningPolicyHash(_rewardEpochId) == _newSigningPolicyHash,
            "new signing policy hash invalid"
        );
        EpochState storage e = epochs[_rewardEpochId];
        require(e.policySign.endTs == 0, "new signing policy already signed");
        (address signer, address voter, uint16 weight) = _signer(_rewardEpochId - 1, _newSigningPolicyHash, _signature);
        require(policySigns[_rewardEpochId][voter].ts == 0, "voter already signed");
        policySigns[_rewardEpochId][voter] = SignInfo(uint64(block.timestamp), uint64(block.number));
        e.policySignWeight += weight;
        bool reached = e.policySignWeight > epochs[_rewardEpochId - 1].threshold;
        if (reached) {
            e.policySign.endTs = uint64(block.timestamp);
            e.policySign.endBlock = uint64(block.number);
        }
        emit SigningPolicySigned(_rewardEpochId, signer, voter, uint64(block.timestamp), reached);
    }

    function submitUptimeVote(uint24 _rewardEpochId, bytes20[] calldata _nodeIds, Signature calldata _signature)
        external
    {
        require(_rewardEpochId < getCurrentRewardEpochId(), "reward epoch not ended yet");
        require(epochs[_rewardEpochId].uptimeVoteHash == bytes32(0), "submit uptime vote already ended");
        bytes32 messageHash = keccak256(abi.encode(_rewardEpochId, _nodeIds));
        (address signer, address voter,) = _signer(_rewardEpochId, messageHash, _signature);
        uptimeSubmits[_rewardEpochId][voter] = SignInfo(uint64(block.timestamp), uint64(block.number));
        emit UptimeVoteSubmitted(_rewardEpochId, signer, voter, _nodeIds, uint64(block.timestamp));
    }

    function signUptimeVote(uint24 _rewardEpochId, bytes32 _uptimeVoteHash, Signature calldata _signature) external {
        EpochState storage e = epochs[_rewardEpochId];
        require(e.uptimeEnabled, "sign uptime vote not enabled yet");
        require(e.uptimeVoteHash == bytes32(0), "uptime vote hash already signed");
        require(_uptimeVoteHash != bytes32(0), "uptime vote hash zero");
        bytes32 messageHash = keccak256(abi.encode(_rewardEpochId, _uptimeVoteHash));
        (address signer, address voter, uint16 weight) = _signer(_rewardEpochId, messageHash, _signature);
        require(uptimeSigns[_rewardEpochId][voter].ts == 0, "voter already signed");
        uptimeSigns[_rewardEpochId][voter] = SignInfo(uint64(block.timestamp), uint64(block.number));
        uint256 total = uptimeHashWeight[_rewardEpochId][_uptimeVoteHash] + weight;
        uptimeHashWeight[_rewardEpochId][_uptimeVoteHash] = total;
        bool reached = total > e.threshold;
        if (reached) {
            e.uptimeVoteHash = _uptimeVoteHash;
            e.uptimeSign.endTs = uint64(block.timestamp);
            e.uptimeSign.endBlock = uint64(block.number);
            e.rewardsSign.startTs = uint64(block.timestamp);
            e.rewardsSign.startBlock = uint64(block.number);
        }
        emit UptimeVoteSigned(_rewardEpochId, signer, voter, _uptimeVoteHash, uint64(block.timestamp), reached);
    }

    function signRewards(
        uint24 _rewardEpochId,
        NumberOfWeightBasedClaims[] calldata _noOfWeightBasedClaims,
        bytes32 _rewardsHash,
        Signature calldata _signature
    ) external {
        EpochState storage e = epochs[_rewardEpochId];
        require(e.uptimeVoteHash != bytes32(0), "uptime vote hash not signed yet");
        require(epochs[_rewardEpochId + 1].policySign.endTs != 0, "new signing policy not signed yet");
        require(e.rewardsHash == bytes32(0), "rewards hash already signed");
        require(_rewardsHash != bytes32(0), "rewards hash zero");
        bytes32 messageHash =
            keccak256(abi.encode(_rewardEpochId, keccak256(abi.encode(_noOfWeightBasedClaims)), _rewardsHash));
        (address signer, address voter, bool reached) = _recordRewardsSignature(_rewardEpochId, messageHash, _signature);
        if (reached) {
            _setRewards(_rewardEpochId, _noOfWeightBasedClaims, _rewardsHash);
            e.rewardsSign.endTs = uint64(block.timestamp);
            e.rewardsSign.endBlock = uint64(block.number);
        }
        emit RewardsSigned(
            _rewardEpochId, signer, voter, _rewardsHash, _noOfWeightBasedClaims, uint64(block.timestamp), reached
        );
    }

    function _recordRewardsSignature(uint24 _rewardEpochId, bytes32 _messageHash, Signature calldata _signature)
        private
        returns (address signer, address voter, bool reached)
    {
        uint16 weight;
        (signer, voter, weight) = _signer(_rewardEpochId, _messageHash, _signature);
        require(rewardsSigns[_rewardEpochId][voter].ts == 0, "voter already signed");
        rewardsSigns[_rewardEpochId][voter] = SignInfo(uint64(block.timestamp), uint64(block.number));
        uint256 total = rewardsMessageWeight[_rewardEpochId][_messageHash] + weight;
        rewardsMessageWeight[_rewardEpochId][_messageHash] = total;
        reached = total > epochs[_rewardEpochId].threshold;
    }

    /// Recovers the signer and maps it to a voter registered in `_voterEpoch` (reverts if it is not one).
    function _signer(uint256 _voterEpoch, bytes32 _messageHash, Signature calldata _signature)
        private
        view
        returns (address signer, address voter, uint16 weight)
    {
        signer = Eip191.recover(_messageHash, _signature);
        require(signer != address(0), "signature invalid");
        (voter, weight) = voterRegistry.getVoterWithNormalisedWeight(_voterEpoch, signer);
    }

    function _setRewards(uint24 _rewardEpochId, NumberOfWeightBasedClaims[] calldata _claims, bytes32 _rewardsHash)
        private
    {
        EpochState storage e = epochs[_rewardEpochId];
        e.rewardsHash = _rewardsHash;
        e.noOfWeightBasedClaimsHash = keccak256(abi.encode(_claims));
        for (uint256 i = 0; i < _claims.length; i++) {
            noOfWeightBasedClaims[_rewardEpochId][_claims[i].rewardManagerId] = _claims[i].noOfWeightBasedClaims;
        }
    }

    // ---- governance ---------------------------------------------------------------------------------------

    function updateSettings(Settings memory _settings) external onlyGovernance {
        _setSettings(_settings);
    }

    function setRewardEpochSwitchoverTriggerContracts(address[] calldata _contracts) external onlyGovernance {
        switchoverTriggerContracts = _contracts;
    }

    function setVoterRegistrationTriggerContract(address _contract) external onlyGovernance {
        voterRegistrationTriggerContract = _contract;
    }

    function setTriggerExpirationAndCleanup(bool _triggerExpirationAndCleanup) external onlyGovernance {
        triggerExpirationAndCleanup = _triggerExpirationAndCleanup;
    }

    function setSubmit3Aligned(bool _submit3Aligned) external onlyGovernance {
        submit3Aligned = _submit3Aligned;
    }

    function setRewardsData(uint24 _rewardEpochId, NumberOfWeightBasedClaims[] calldata _claims, bytes32 _rewardsHash)
        external
        onlyGovernance
    {
        require(epochs[_rewardEpochId].rewardsHash == bytes32(0), "rewards hash already signed");
        _setRewards(_rewardEpochId, _claims, _rewardsHash);
    }

    function _setSettings(Settings memory _settings) private {
        require(_settings.signingPolicyThresholdPPM <= 1e6, "threshold too high");
        require(_settings.signingPolicyMinNumberOfVoters > 0, "zero voters");
        settings = _settings;
    }

    function _updateContractAddresses(bytes32[] memory _nameHashes, address[] memory _addresses) internal override {
        voterRegistry = IVoterRegistry(_lookup(_nameHashes, _addresses, "VoterRegistry"));
        submission = ISubmission(_lookup(_nameHashes, _addresses, "Submission"));
        relay = IRelay(_lookup(_nameHashes, _addresses, "Relay"));
        rewardManager = IRewardManager(_lookup(_nameHashes, _addresses, "RewardManager"));
        cleanupBlockNumberManager = _lookup(_nameHashes, _addresses, "CleanupBlockNumberManager");
    }

    // ---- views --------------------------------------------------------------------------------------------

    function getCurrentRewardEpochId() public view returns (uint24) {
        return uint24((currentRewardEpochExpectedEndTs - firstRewardEpochStartTs) / rewardEpochDurationSeconds - 1);
    }

    function getCurrentRewardEpoch() external view returns (uint256) {
        return getCurrentRewardEpochId();
    }

    function getCurrentVotingEpochId() public view returns (uint32) {
        if (block.timestamp < firstVotingRoundStartTs) return 0;
        return uint32((block.timestamp - firstVotingRoundStartTs) / votingEpochDurationSeconds);
    }

    function getVotePowerBlock(uint256 _rewardEpochId) external view returns (uint64 _votePowerBlock) {
        _votePowerBlock = epochs[_rewardEpochId].votePowerBlock;
        require(_votePowerBlock != 0, "vote power block not initialized yet");
    }

    function getStartVotingRoundId(uint256 _rewardEpochId) external view returns (uint32) {
        require(epochs[_rewardEpochId].policyInitialized, "reward epoch not initialized yet");
        return epochs[_rewardEpochId].startVotingRoundId;
    }

    function getSeed(uint256 _rewardEpochId) external view returns (uint256) {
        EpochState storage e = epochs[_rewardEpochId];
        // As on the network: the initial epoch has no vote-power block, so its seed is unavailable too.
        require(e.votePowerBlock != 0, "seed not initialized yet");
        return e.seed;
    }

    function getThreshold(uint256 _rewardEpochId) external view returns (uint16) {
        require(epochs[_rewardEpochId].policyInitialized, "reward epoch not initialized yet");
        return epochs[_rewardEpochId].threshold;
    }

    function getVoterRegistrationData(uint256 _rewardEpochId) public view returns (uint256, bool) {
        EpochState storage e = epochs[_rewardEpochId];
        return (e.votePowerBlock, e.randomAcquisition.endTs != 0 && _isRegistrationOpen(_rewardEpochId));
    }

    function isVoterRegistrationEnabled() external view returns (bool enabled) {
        (, enabled) = getVoterRegistrationData(uint256(getCurrentRewardEpochId()) + 1);
    }

    function uptimeVoteHash(uint256 _rewardEpochId) external view returns (bytes32) {
        return epochs[_rewardEpochId].uptimeVoteHash;
    }

    function rewardsHash(uint256 _rewardEpochId) external view returns (bytes32) {
        return epochs[_rewardEpochId].rewardsHash;
    }

    function noOfWeightBasedClaimsHash(uint256 _rewardEpochId) external view returns (bytes32) {
        return epochs[_rewardEpochId].noOfWeightBasedClaimsHash;
    }

    function randomAcquisitionMaxDurationSeconds() external view returns (uint64) {
        return settings.randomAcquisitionMaxDurationSeconds;
    }

    function randomAcquisitionMaxDurationBlocks() external view returns (uint64) {
        return settings.randomAcquisitionMaxDurationBlocks;
    }

    function newSigningPolicyInitializationStartSeconds() external view returns (uint64) {
        return settings.newSigningPolicyInitializationStartSeconds;
    }

    function newSigningPolicyMinNumberOfVotingRoundsDelay() external view returns (uint32) {
        return settings.newSigningPolicyMinNumberOfVotingRoundsDelay;
    }

    function rewardExpiryOffsetSeconds() external view returns (uint32) {
        return settings.rewardExpiryOffsetSeconds;
    }

    function voterRegistrationMinDurationSeconds() external view returns (uint64) {
        return settings.voterRegistrationMinDurationSeconds;
    }

    function voterRegistrationMinDurationBlocks() external view returns (uint64) {
        return settings.voterRegistrationMinDurationBlocks;
    }

    function submitUptimeVoteMinDurationSeconds() external view returns (uint64) {
        return settings.submitUptimeVoteMinDurationSeconds;
    }

    function submitUptimeVoteMinDurationBlocks() external view returns (uint64) {
        return settings.submitUptimeVoteMinDurationBlocks;
    }

    function signingPolicyThresholdPPM() external view returns (uint24) {
        return settings.signingPolicyThresholdPPM;
    }

    function signingPolicyMinNumberOfVoters() external view returns (uint16) {
        return settings.signingPolicyMinNumberOfVoters;
    }

    function getRewardEpochStartInfo(uint24 _rewardEpochId) external view returns (uint64, uint64) {
        return (epochs[_rewardEpochId].startTs, epochs[_rewardEpochId].startBlock);
    }

    function getRandomAcquisitionInfo(uint24 _rewardEpochId) external view returns (uint64, uint64, uint64, uint64) {
        return _window(epochs[_rewardEpochId].randomAcquisition);
    }

    function getVoterSigningPolicySignInfo(uint24 _rewardEpochId, address _voter)
        external
        view
        returns (uint64, uint64)
    {
        SignInfo storage s = policySigns[_rewardEpochId][_voter];
        return (s.ts, s.blockNumber);
    }

    function getSigningPolicySignInfo(uint24 _rewardEpochId) external view returns (uint64, uint64, uint64, uint64) {
        return _window(epochs[_rewardEpochId].policySign);
    }

    function getVoterUptimeVoteSubmitInfo(uint24 _rewardEpochId, address _voter)
        external
        view
        returns (uint64, uint64)
    {
        SignInfo storage s = uptimeSubmits[_rewardEpochId][_voter];
        return (s.ts, s.blockNumber);
    }

    function getVoterUptimeVoteSignInfo(uint24 _rewardEpochId, address _voter) external view returns (uint64, uint64) {
        SignInfo storage s = uptimeSigns[_rewardEpochId][_voter];
        return (s.ts, s.blockNumber);
    }

    function getUptimeVoteSignStartInfo(uint24 _rewardEpochId) external view returns (uint64, uint64) {
        return (epochs[_rewardEpochId].uptimeSign.startTs, epochs[_rewardEpochId].uptimeSign.startBlock);
    }

    function getVoterRewardsSignInfo(uint24 _rewardEpochId, address _voter) external view returns (uint64, uint64) {
        SignInfo storage s = rewardsSigns[_rewardEpochId][_voter];
        return (s.ts, s.blockNumber);
    }

    function getRewardsSignInfo(uint24 _rewardEpochId) external view returns (uint64, uint64, uint64, uint64) {
        return _window(epochs[_rewardEpochId].rewardsSign);
    }

    /// The reward-epoch switchover trigger contracts.
    function getRewardEpochSwitchoverTriggerContracts() external view returns (address[] memory) {
        return switchoverTriggerContracts;
    }

    function _window(Window storage _w) private view returns (uint64, uint64, uint64, uint64) {
        return (_w.startTs, _w.startBlock, _w.endTs, _w.endBlock);
    }
}
