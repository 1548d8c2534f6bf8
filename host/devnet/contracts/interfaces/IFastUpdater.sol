// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Signature} from "./Types.sol";

/// A BN254 (alt_bn128) G1 point in affine coordinates.
struct G1Point {
    uint256 x;
    uint256 y;
}

/// A sortition ticket (block, replicate) with its VRF output gamma and the DLEQ proof (c, s).
struct SortitionCredential {
    uint256 replicate;
    G1Point gamma;
    uint256 c;
    uint256 s;
}

/// Block-latency feeds moved by the unit deltas of sortition winners (the network's FastUpdater ABI).
interface IFastUpdater {
    /// One submission: the ticket's block, its credential, 2-bit deltas and the signing-policy key's signature.
    struct FastUpdates {
        uint256 sortitionBlock;
        SortitionCredential sortitionCredential;
        bytes deltas;
        Signature signature;
    }

    /// OpenZeppelin ECDSA: the signature does not recover (v not 27/28, r or s zero).
    error ECDSAInvalidSignature();
    /// OpenZeppelin ECDSA: s is in the upper half of the curve order.
    error ECDSAInvalidSignatureS(bytes32 s);

    event FastUpdateFeedsSubmitted(uint32 indexed votingRoundId, address indexed signingPolicyAddress);
    event FastUpdateFeeds(uint256 indexed votingEpochId, uint256[] feeds, int8[] decimals);
    event FastUpdateFeedReset(
        uint256 indexed votingRoundId, uint256 indexed index, bytes21 indexed id, uint256 value, int8 decimals
    );
    event FastUpdateFeedRemoved(uint256 indexed index);

    function submitUpdates(FastUpdates calldata _updates) external;
    function fetchCurrentFeeds(uint256[] calldata _indices)
        external payable returns (uint256[] memory _feeds, int8[] memory _decimals, uint64 _timestamp);
    function fetchAllCurrentFeeds()
        external payable
        returns (bytes21[] memory _feedIds, uint256[] memory _feeds, int8[] memory _decimals, uint64 _timestamp);
    function currentSortitionWeight(address _signingPolicyAddress) external view returns (uint256 _weight);
    function currentScoreCutoff() external view returns (uint256 _cutoff);
    function blockScoreCutoff(uint256 _blockNum) external view returns (uint256 _cutoff);
    function submissionWindow() external view returns (uint8);
    function currentRewardEpochId() external view returns (uint24);
    function numberOfUpdates(uint256 _historySize) external view returns (uint256[] memory _noOfUpdates);
    function numberOfUpdatesInBlock(uint256 _blockNumber) external view returns (uint256 _noOfUpdates);
    function verifyPublicKey(address _voter, bytes32 _part1, bytes32 _part2, bytes memory _verificationData)
        external view;

    function daemonize() external returns (bool);
    function resetFeeds(uint256[] calldata _indices) external;
    function removeFeeds(uint256[] memory _indices) external;
    function setFreeFetchAddresses(address[] calldata _freeFetchAddresses) external;
    function setFeeDestination(address _feeDestination) external;
    function setSubmissionWindow(uint8 _submissionWindow) external;
}
