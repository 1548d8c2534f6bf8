// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IVotePower} from "../interfaces/IVotePower.sol";
import {IRewardManager} from "../interfaces/IRewardManager.sol";
import {Governed} from "../lib/Base.sol";

/// Stand-in for WNat's vote power: settable, not historical (every block sees the current value).
contract VotePowerStub is IVotePower, Governed {
    mapping(address => uint256) private votePower;
    uint256 private totalVotePower;

    constructor(address _governance) Governed(_governance) {}

    /// Sets the vote power of `_owner` (governance only).
    function setVotePower(address _owner, uint256 _votePower) external onlyGovernance {
        totalVotePower = totalVotePower - votePower[_owner] + _votePower;
        votePower[_owner] = _votePower;
    }

    function votePowerOfAt(address _owner, uint256) external view returns (uint256) {
        return votePower[_owner];
    }

    function totalVotePowerAt(uint256) external view returns (uint256) {
        return totalVotePower;
    }
}

/// Stand-in for RewardManager: accepts funds, no cleanup, no claims.
contract RewardManagerStub is IRewardManager {
    uint256 public immutable rewardManagerId;

    event RewardsReceived(uint24 rewardEpochId, bool inflation, uint256 amount);

    constructor(uint256 _rewardManagerId) {
        rewardManagerId = _rewardManagerId;
    }

    function cleanupBlockNumber() external pure returns (uint256) {
        return 0;
    }

    function closeExpiredRewardEpoch(uint256) external {}

    function receiveRewards(uint24 _rewardEpochId, bool _inflation) external payable {
        emit RewardsReceived(_rewardEpochId, _inflation, msg.value);
    }

    function getCurrentRewardEpochId() external pure returns (uint24) {
        return 0;
    }
}
