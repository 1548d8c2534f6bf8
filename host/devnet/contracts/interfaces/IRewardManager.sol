// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// The parts of RewardManager the protocol contracts call.
interface IRewardManager {
    function cleanupBlockNumber() external view returns (uint256);
    function closeExpiredRewardEpoch(uint256 _rewardEpochId) external;
    function receiveRewards(uint24 _rewardEpochId, bool _inflation) external payable;
    function rewardManagerId() external view returns (uint256);
    function getCurrentRewardEpochId() external view returns (uint24);
}
