// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// Community and inflation reward offers; their events define a reward epoch's feed list.
interface IFtsoRewardOffersManager {
    /// One community reward offer.
    struct Offer {
        uint120 amount;
        bytes21 feedId;
        uint16 minRewardedTurnoutBIPS;
        uint24 primaryBandRewardSharePPM;
        uint24 secondaryBandWidthPPM;
        address claimBackAddress;
    }

    event MinimalRewardsOfferValueSet(uint256 valueWei);
    event RewardsOffered(
        uint24 indexed rewardEpochId,
        bytes21 feedId,
        int8 decimals,
        uint256 amount,
        uint16 minRewardedTurnoutBIPS,
        uint24 primaryBandRewardSharePPM,
        uint24 secondaryBandWidthPPM,
        address claimBackAddress
    );
    event InflationRewardsOffered(
        uint24 indexed rewardEpochId,
        bytes feedIds,
        bytes decimals,
        uint256 amount,
        uint16 minRewardedTurnoutBIPS,
        uint24 primaryBandRewardSharePPM,
        bytes secondaryBandWidthPPMs,
        uint16 mode
    );

    function offerRewards(uint24 _nextRewardEpochId, Offer[] calldata _offers) external payable;
    function minimalRewardsOfferValueWei() external view returns (uint256);
    function triggerRewardEpochSwitchover(uint24 _currentRewardEpochId, uint64 _currentRewardEpochExpectedEndTs, uint64 _rewardEpochDurationSeconds)
        external;
}
