// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IRelay} from "../interfaces/IRelay.sol";
import {Eip191} from "../lib/Base.sol";

/// Signing-policy hashes, finalized protocol Merkle roots and the secure random, with the network's relay rules:
/// `relay()` calldata = selector | signing policy bytes | 38-byte message | u16 count | count x (v | r | s | u16 index).
/// The policy must hash (chunked legacy keccak) to the stored hash of its epoch; v is 27/28; signer indices strictly
/// increase; the signed weight must be strictly greater than the threshold (raised by thresholdIncreaseBIPS when the
/// message belongs to a later reward epoch whose policy is not initialized yet).
contract Relay is IRelay {
    /// Static configuration.
    struct Config {
        uint8 randomNumberProtocolId;
        uint32 firstVotingRoundStartTs;
        uint8 votingEpochDurationSeconds;
        uint32 firstRewardEpochStartVotingRoundId;
        uint16 rewardEpochDurationInVotingEpochs;
        uint16 thresholdIncreaseBIPS;
        uint32 messageFinalizationWindowInRewardEpochs;
        address payable feeCollectionAddress;
    }

    uint256 private constant POLICY_PREFIX_BYTES = 43;
    uint256 private constant VOTER_BYTES = 22;
    uint256 private constant MESSAGE_BYTES = 38;
    uint256 private constant SIGNATURE_BYTES = 67;
    uint256 private constant THRESHOLD_BIPS = 10000;
    uint256 private constant MIN_THRESHOLD_BIPS = 5000;
    uint256 private constant MAX_THRESHOLD_BIPS = 6600;
    uint256 private constant MAX_VOTERS = 300;

    Config private config;
    uint32 private randomVotingRoundId;
    bool private isSecureRandom;
    uint32 private lastInitializedRewardEpoch;

    address public signingPolicySetter;
    uint256 public initialRewardEpochId;
    uint256 public startingVotingRoundIdForInitialRewardEpochId;

    mapping(uint256 => bytes32) public toSigningPolicyHash;
    mapping(uint256 => uint256) public startingVotingRoundIds;
    mapping(uint256 => mapping(uint256 => bytes32)) private roots;
    mapping(uint256 => bool) private secureRandomRounds;

    /// `_initialPolicy` is the initial reward epoch's policy; its hash is computed here.
    constructor(Config memory _config, SigningPolicy memory _initialPolicy, address _signingPolicySetter) {
        require(_config.thresholdIncreaseBIPS >= THRESHOLD_BIPS, "threshold increase too small");
        require(_config.randomNumberProtocolId > 1, "random number protocol id must be > 1");
        require(_config.votingEpochDurationSeconds > 0 && _config.rewardEpochDurationInVotingEpochs > 0, "zero durations");
        config = _config;
        signingPolicySetter = _signingPolicySetter;
        initialRewardEpochId = _initialPolicy.rewardEpochId;
        startingVotingRoundIdForInitialRewardEpochId = _initialPolicy.startVotingRoundId;
        lastInitializedRewardEpoch = _initialPolicy.rewardEpochId;
        startingVotingRoundIds[_initialPolicy.rewardEpochId] = _initialPolicy.startVotingRoundId;
        toSigningPolicyHash[_initialPolicy.rewardEpochId] = signingPolicyHash(encodeSigningPolicy(_initialPolicy));
    }

    // ---- signing policies ---------------------------------------------------------------------------------

    function setSigningPolicy(SigningPolicy memory _signingPolicy) external returns (bytes32 policyHash) {
        require(msg.sender == signingPolicySetter, "only sign policy setter");
        require(lastInitializedRewardEpoch + 1 == _signingPolicy.rewardEpochId, "not next reward epoch");
        bytes memory policyBytes = encodeSigningPolicy(_signingPolicy);
        policyHash = signingPolicyHash(policyBytes);
        lastInitializedRewardEpoch = _signingPolicy.rewardEpochId;
        toSigningPolicyHash[_signingPolicy.rewardEpochId] = policyHash;
        startingVotingRoundIds[_signingPolicy.rewardEpochId] = _signingPolicy.startVotingRoundId;
        emit SigningPolicyInitialized(
            _signingPolicy.rewardEpochId,
            _signingPolicy.startVotingRoundId,
            _signingPolicy.threshold,
            _signingPolicy.seed,
            _signingPolicy.voters,
            _signingPolicy.weights,
            policyBytes,
            uint64(block.timestamp)
        );
    }

    /// u16 n | u24 rewardEpochId | u32 startVotingRoundId | u16 threshold | bytes32 seed | n x (address | u16 weight).
    function encodeSigningPolicy(SigningPolicy memory _policy) public pure returns (bytes memory out) {
        uint256 n = _policy.voters.length;
        require(n > 0, "must be non-trivial");
        require(n <= MAX_VOTERS, "too many voters");
        require(n == _policy.weights.length, "size mismatch");
        uint256 totalWeight = 0;
        for (uint256 i = 0; i < n; i++) totalWeight += _policy.weights[i];
        require(totalWeight < 2 ** 16, "total weight too big");
        require(uint256(_policy.threshold) * THRESHOLD_BIPS >= totalWeight * MIN_THRESHOLD_BIPS, "too small threshold");
        require(uint256(_policy.threshold) * THRESHOLD_BIPS <= totalWeight * MAX_THRESHOLD_BIPS, "too big threshold");
        out = abi.encodePacked(
            uint16(n), _policy.rewardEpochId, _policy.startVotingRoundId, _policy.threshold, _policy.seed
        );
        for (uint256 i = 0; i < n; i++) {
            out = bytes.concat(out, abi.encodePacked(_policy.voters[i], _policy.weights[i]));
        }
    }

    /// The legacy chained hash: zero-pad to 32-byte words w0..wk; h = keccak(w0|w1), then h = keccak(h|wi).
    function signingPolicyHash(bytes memory _policyBytes) public pure returns (bytes32 h) {
        uint256 words = (_policyBytes.length + 31) / 32;
        require(words >= 2, "Invalid sign policy length");
        bytes memory padded = bytes.concat(_policyBytes, new bytes(words * 32 - _policyBytes.length));
        bytes32 w0;
        bytes32 w1;
        assembly {
            w0 := mload(add(padded, 32))
            w1 := mload(add(padded, 64))
        }
        h = keccak256(abi.encodePacked(w0, w1));
        for (uint256 i = 2; i < words; i++) {
            bytes32 w;
            assembly {
                w := mload(add(padded, add(32, mul(i, 32))))
            }
            h = keccak256(abi.encodePacked(h, w));
        }
    }

    // ---- finalization -------------------------------------------------------------------------------------

    function relay() external returns (bytes memory) {
        bytes calldata data = msg.data[4:];
        (uint256 policyLength, uint256 policyEpoch, uint256 threshold) = _checkSigningPolicy(data);
        require(data.length >= policyLength + MESSAGE_BYTES, "Too short message");
        uint8 protocolId = uint8(data[policyLength]);
        require(protocolId > 1, "Protocol id not supported");
        uint32 votingRoundId = uint32(bytes4(data[policyLength + 1:policyLength + 5]));
        bool secure = data[policyLength + 5] != 0;
        bytes32 merkleRoot = bytes32(data[policyLength + 6:policyLength + MESSAGE_BYTES]);
        require(roots[protocolId][votingRoundId] == bytes32(0), "Already relayed");
        threshold = _checkRoundAndThreshold(votingRoundId, policyEpoch, threshold);
        bytes32 messageHash = keccak256(data[policyLength:policyLength + MESSAGE_BYTES]);
        _verifySignatures(data, policyLength, messageHash, threshold);

        roots[protocolId][votingRoundId] = merkleRoot;
        if (protocolId == config.randomNumberProtocolId) {
            // As in the reference: the latest relayed random round wins, whatever its number.
            secureRandomRounds[votingRoundId] = secure;
            randomVotingRoundId = votingRoundId;
            isSecureRandom = secure;
        }
        emit ProtocolMessageRelayed(protocolId, votingRoundId, secure, merkleRoot);
        return "";
    }

    function _checkSigningPolicy(bytes calldata _data)
        private
        view
        returns (uint256 policyLength, uint256 policyEpoch, uint256 threshold)
    {
        require(_data.length >= POLICY_PREFIX_BYTES, "Invalid sign policy metadata");
        uint256 n = uint16(bytes2(_data[0:2]));
        policyLength = POLICY_PREFIX_BYTES + n * VOTER_BYTES;
        require(_data.length >= policyLength, "Invalid sign policy length");
        policyEpoch = uint24(bytes3(_data[2:5]));
        threshold = uint16(bytes2(_data[9:11]));
        require(
            signingPolicyHash(_data[0:policyLength]) == toSigningPolicyHash[policyEpoch], "Signing policy hash mismatch"
        );
    }

    function _checkRoundAndThreshold(uint256 _votingRoundId, uint256 _policyEpoch, uint256 _threshold)
        private
        view
        returns (uint256)
    {
        require(_votingRoundId >= config.firstRewardEpochStartVotingRoundId, "Invalid voting round id");
        uint256 expectedEpoch =
            (_votingRoundId - config.firstRewardEpochStartVotingRoundId) / config.rewardEpochDurationInVotingEpochs;
        require(expectedEpoch >= _policyEpoch, "Wrong sign policy reward epoch");
        require(
            expectedEpoch + config.messageFinalizationWindowInRewardEpochs >= lastInitializedRewardEpoch,
            "Message too old"
        );
        require(_votingRoundId >= startingVotingRoundIds[_policyEpoch], "Delayed sign policy");
        bool nextInitialized = toSigningPolicyHash[_policyEpoch + 1] != bytes32(0);
        if (nextInitialized) {
            require(_votingRoundId < startingVotingRoundIds[_policyEpoch + 1], "Must use new sign policy");
        }
        if (expectedEpoch > _policyEpoch && !nextInitialized) {
            return (_threshold * config.thresholdIncreaseBIPS) / THRESHOLD_BIPS;
        }
        return _threshold;
    }

    function _verifySignatures(bytes calldata _data, uint256 _policyLength, bytes32 _messageHash, uint256 _threshold)
        private
        pure
    {
        uint256 start = _policyLength + MESSAGE_BYTES;
        require(_data.length >= start + 2, "No signature count");
        uint256 count = uint16(bytes2(_data[start:start + 2]));
        start += 2;
        require(_data.length >= start + count * SIGNATURE_BYTES, "Not enough signatures");
        bytes32 digest = Eip191.digest(_messageHash);
        uint256 weight = 0;
        uint256 nextMinIndex = 0;
        for (uint256 i = 0; i < count; i++) {
            (uint256 index, uint256 voterWeight) =
                _checkSignature(_data, start + i * SIGNATURE_BYTES, digest, nextMinIndex);
            nextMinIndex = index + 1;
            weight += voterWeight;
            if (weight > _threshold) {
                return;
            }
        }
        revert("Not enough weight");
    }

    /// Checks the signature at `_offset` against the policy's voter at its index; returns (index, weight).
    function _checkSignature(bytes calldata _data, uint256 _offset, bytes32 _digest, uint256 _minIndex)
        private
        pure
        returns (uint256 index, uint256 voterWeight)
    {
        index = uint16(bytes2(_data[_offset + 65:_offset + 67]));
        require(index < uint16(bytes2(_data[0:2])), "Index out of range");
        require(index >= _minIndex, "Index out of order");
        address signer = _recoverAt(_data, _offset, _digest);
        require(signer != address(0), "ecrecover error");
        address voter;
        (voter, voterWeight) = _voterAt(_data, index);
        require(signer == voter, "Wrong signature");
    }

    function _recoverAt(bytes calldata _data, uint256 _offset, bytes32 _digest) private pure returns (address) {
        return ecrecover(
            _digest,
            uint8(_data[_offset]),
            bytes32(_data[_offset + 1:_offset + 33]),
            bytes32(_data[_offset + 33:_offset + 65])
        );
    }

    function _voterAt(bytes calldata _data, uint256 _index) private pure returns (address, uint256) {
        uint256 offset = POLICY_PREFIX_BYTES + _index * VOTER_BYTES;
        return (address(bytes20(_data[offset:offset + 20])), uint16(bytes2(_data[offset + 20:offset + 22])));
    }

    // ---- views --------------------------------------------------------------------------------------------

    function verify(uint256 _protocolId, uint256 _votingRoundId, bytes32 _leaf, bytes32[] calldata _proof)
        external
        payable
        returns (bool)
    {
        require(_protocolId > 1, "protocol id not supported");
        bytes32 h = _leaf;
        for (uint256 i = 0; i < _proof.length; i++) {
            h = h < _proof[i] ? keccak256(abi.encode(h, _proof[i])) : keccak256(abi.encode(_proof[i], h));
        }
        bytes32 root = roots[_protocolId][_votingRoundId];
        return root != bytes32(0) && root == h;
    }

    function isFinalized(uint256 _protocolId, uint256 _votingRoundId) external view returns (bool) {
        return roots[_protocolId][_votingRoundId] != bytes32(0);
    }

    function merkleRoots(uint256 _protocolId, uint256 _votingRoundId) external view returns (bytes32) {
        return roots[_protocolId][_votingRoundId];
    }

    function getVotingRoundId(uint256 _timestamp) external view returns (uint256) {
        require(_timestamp >= config.firstVotingRoundStartTs, "timestamp too early");
        return (_timestamp - config.firstVotingRoundStartTs) / config.votingEpochDurationSeconds;
    }

    function lastInitializedRewardEpochData() external view returns (uint32, uint32) {
        return (lastInitializedRewardEpoch, uint32(startingVotingRoundIds[lastInitializedRewardEpoch]));
    }

    function feeCollectionAddress() external view returns (address payable) {
        return config.feeCollectionAddress;
    }

    function protocolFeeInWei(uint256) external pure returns (uint256) {
        return 0;
    }

    function stateData()
        external
        view
        returns (uint8, uint32, uint8, uint32, uint16, uint16, uint32, bool, uint32, bool, uint32)
    {
        Config storage c = config;
        return (
            c.randomNumberProtocolId,
            c.firstVotingRoundStartTs,
            c.votingEpochDurationSeconds,
            c.firstRewardEpochStartVotingRoundId,
            c.rewardEpochDurationInVotingEpochs,
            c.thresholdIncreaseBIPS,
            randomVotingRoundId,
            isSecureRandom,
            lastInitializedRewardEpoch,
            false,
            c.messageFinalizationWindowInRewardEpochs
        );
    }

    function getRandomNumber() external view returns (uint256, bool, uint256) {
        return (
            uint256(keccak256(abi.encode(roots[config.randomNumberProtocolId][randomVotingRoundId]))),
            isSecureRandom,
            _roundEndTs(randomVotingRoundId)
        );
    }

    function getRandomNumberHistorical(uint256 _votingRoundId) external view returns (uint256, bool, uint256) {
        bytes32 root = roots[config.randomNumberProtocolId][_votingRoundId];
        require(root != bytes32(0), "no random number");
        return (uint256(keccak256(abi.encode(root))), secureRandomRounds[_votingRoundId], _roundEndTs(_votingRoundId));
    }

    function _roundEndTs(uint256 _votingRoundId) private view returns (uint256) {
        return config.firstVotingRoundStartTs + (_votingRoundId + 1) * config.votingEpochDurationSeconds;
    }
}
