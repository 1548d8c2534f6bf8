// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// The WNat vote-power reads used by FlareSystemsCalculator.
interface IVotePower {
    function votePowerOfAt(address _owner, uint256 _blockNumber) external view returns (uint256);
    function totalVotePowerAt(uint256 _blockNumber) external view returns (uint256);
}
