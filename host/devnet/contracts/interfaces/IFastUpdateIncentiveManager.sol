// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// Fast-updates parameters: expected sample size and range (8x120 fixed point), precision (0x127) and scale
/// (1x127). All fixed-point types are uint256 in the ABI.
interface IFastUpdateIncentiveManager {
    /// An incentive offer: raise the range by `rangeIncrease`, up to `rangeLimit`.
    struct IncentiveOffer {
        uint256 rangeIncrease;
        uint256 rangeLimit;
    }

    /// A feed of FastUpdatesConfiguration (same layout as `IFastUpdatesConfiguration.FeedConfiguration`).
    struct FeedConfiguration {
        bytes21 feedId;
        uint32 rewardBandValue;
        uint24 inflationShare;
    }

    event IncentiveOffered(
        uint24 indexed rewardEpochId, uint256 rangeIncrease, uint256 sampleSizeIncrease, uint256 offerAmount
    );
    event InflationRewardsOffered(
        uint24 indexed rewardEpochId, FeedConfiguration[] feedConfigurations, uint256 amount
    );

    function offerIncentive(IncentiveOffer calldata _offer) external payable;
    function advance() external;
    function triggerRewardEpochSwitchover(
        uint24 _currentRewardEpochId,
        uint64 _currentRewardEpochExpectedEndTs,
        uint64 _rewardEpochDurationSeconds
    ) external;
    function setIncentiveParameters(uint256 _sampleSize, uint256 _range, uint256 _sampleIncreasePrice, uint256 _duration)
        external;

    function getExpectedSampleSize() external view returns (uint256);
    function getRange() external view returns (uint256);
    function getCurrentSampleSizeIncreasePrice() external view returns (uint256);
    function getPrecision() external view returns (uint256);
    function getScale() external view returns (uint256);
    function getBaseScale() external view returns (uint256);
    function getIncentiveDuration() external view returns (uint256);
}
