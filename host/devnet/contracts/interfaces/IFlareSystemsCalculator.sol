// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// Registration weights; emits the registration info the FTSO data provider reads its weights from.
interface IFlareSystemsCalculator {
    event VoterRegistrationInfo(
        address indexed voter,
        uint32 indexed rewardEpochId,
        address delegationAddress,
        uint16 delegationFeeBIPS,
        uint256 wNatWeight,
        uint256 wNatCappedWeight,
        bytes20[] nodeIds,
        uint256[] nodeWeights
    );

    function calculateRegistrationWeight(address _voter, uint32 _rewardEpochId, uint256 _votePowerBlockNumber)
        external returns (uint256 _registrationWeight);
    function calculateBurnFactorPPM(uint24 _rewardEpochId, address _voter) external view returns (uint256);
    function wNatCapPPM() external view returns (uint24);
    function signingPolicySignNonPunishableDurationSeconds() external view returns (uint64);
    function signingPolicySignNonPunishableDurationBlocks() external view returns (uint64);
    function signingPolicySignNoRewardsDurationBlocks() external view returns (uint64);
    function pChainStakeMirrorEnabled() external view returns (bool);
    function sqrt(uint256 _x) external pure returns (uint128);
}
