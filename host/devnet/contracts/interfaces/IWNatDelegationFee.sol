// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// Per-voter delegation fee with a scheduled (offset) activation.
interface IWNatDelegationFee {
    event FeePercentageChanged(address indexed voter, uint16 value, uint24 validFromEpochId);

    function setVoterFeePercentage(uint16 _feePercentageBIPS) external returns (uint256);
    function feePercentageUpdateOffset() external view returns (uint24);
    function defaultFeePercentageBIPS() external view returns (uint16);
    function getVoterCurrentFeePercentage(address _voter) external view returns (uint16);
    function getVoterFeePercentage(address _voter, uint256 _rewardEpochId) external view returns (uint16);
}
