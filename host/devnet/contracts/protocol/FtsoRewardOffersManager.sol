// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFtsoRewardOffersManager} from "../interfaces/IFtsoRewardOffersManager.sol";
import {IFlareSystemsManager} from "../interfaces/IFlareSystemsManager.sol";
import {IRewardManager} from "../interfaces/IRewardManager.sol";
import {AddressUpdatable, Governed} from "../lib/Base.sol";

/// Community reward offers (RewardsOffered, for the next reward epoch, before its random acquisition starts) and
/// inflation offers (InflationRewardsOffered for epoch N+1, emitted when FlareSystemsManager starts epoch N).
/// Together they define the feed list the FTSO data provider votes on in a reward epoch.
contract FtsoRewardOffersManager is IFtsoRewardOffersManager, Governed, AddressUpdatable {
    /// One inflation offer, emitted at every reward epoch switchover (even with amount 0).
    struct InflationConfiguration {
        bytes feedIds;
        bytes decimals;
        uint256 amount;
        uint16 minRewardedTurnoutBIPS;
        uint24 primaryBandRewardSharePPM;
        bytes secondaryBandWidthPPMs;
        uint16 mode;
    }

    uint256 public minimalRewardsOfferValueWei;
    int8 public defaultDecimals;
    IFlareSystemsManager public flareSystemsManager;
    IRewardManager public rewardManager;
    InflationConfiguration[] private inflationConfigurations;
    mapping(bytes21 => int8) private decimalsOf;
    mapping(bytes21 => bool) private decimalsSet;

    constructor(address _governance, address _addressUpdater, uint128 _minimalRewardsOfferValueWei, int8 _defaultDecimals)
        Governed(_governance)
        AddressUpdatable(_addressUpdater)
    {
        minimalRewardsOfferValueWei = _minimalRewardsOfferValueWei;
        defaultDecimals = _defaultDecimals;
        emit MinimalRewardsOfferValueSet(_minimalRewardsOfferValueWei);
    }

    function offerRewards(uint24 _nextRewardEpochId, Offer[] calldata _offers) external payable {
        uint24 current = flareSystemsManager.getCurrentRewardEpochId();
        require(_nextRewardEpochId == current + 1, "not next reward epoch id");
        (uint64 randomAcquisitionStartTs,,,) = flareSystemsManager.getRandomAcquisitionInfo(_nextRewardEpochId);
        require(randomAcquisitionStartTs == 0, "too late for next reward epoch");
        uint256 total = 0;
        for (uint256 i = 0; i < _offers.length; i++) {
            Offer calldata offer = _offers[i];
            require(offer.amount >= minimalRewardsOfferValueWei, "rewards offer value too small");
            require(offer.minRewardedTurnoutBIPS <= 1e4, "invalid minRewardedTurnoutBIPS value");
            require(offer.primaryBandRewardSharePPM <= 1e6, "invalid primaryBandRewardSharePPM value");
            require(offer.secondaryBandWidthPPM <= 1e6, "invalid secondaryBandWidthPPM value");
            total += offer.amount;
            emit RewardsOffered(
                _nextRewardEpochId,
                offer.feedId,
                getDecimals(offer.feedId),
                offer.amount,
                offer.minRewardedTurnoutBIPS,
                offer.primaryBandRewardSharePPM,
                offer.secondaryBandWidthPPM,
                offer.claimBackAddress == address(0) ? msg.sender : offer.claimBackAddress
            );
        }
        require(total == msg.value, "amount offered is not the same as value sent");
        if (total > 0) {
            rewardManager.receiveRewards{value: total}(_nextRewardEpochId, false);
        }
    }

    function triggerRewardEpochSwitchover(uint24 _currentRewardEpochId, uint64, uint64) external {
        require(msg.sender == address(flareSystemsManager), "only flare system manager");
        for (uint256 i = 0; i < inflationConfigurations.length; i++) {
            InflationConfiguration storage c = inflationConfigurations[i];
            emit InflationRewardsOffered(
                _currentRewardEpochId + 1,
                c.feedIds,
                c.decimals,
                c.amount,
                c.minRewardedTurnoutBIPS,
                c.primaryBandRewardSharePPM,
                c.secondaryBandWidthPPMs,
                c.mode
            );
        }
    }

    /// Replaces the inflation offer list (governance).
    function setInflationConfigurations(InflationConfiguration[] calldata _configurations) external onlyGovernance {
        delete inflationConfigurations;
        for (uint256 i = 0; i < _configurations.length; i++) {
            require(_configurations[i].feedIds.length % 21 == 0, "invalid feed ids length");
            inflationConfigurations.push(_configurations[i]);
        }
    }

    /// Sets a feed's decimals (governance); unset feeds use the default.
    function setDecimals(bytes21 _feedId, int8 _decimals) external onlyGovernance {
        decimalsOf[_feedId] = _decimals;
        decimalsSet[_feedId] = true;
    }

    function setMinimalRewardsOfferValue(uint128 _minimalRewardsOfferValueWei) external onlyGovernance {
        minimalRewardsOfferValueWei = _minimalRewardsOfferValueWei;
        emit MinimalRewardsOfferValueSet(_minimalRewardsOfferValueWei);
    }

    /// The decimals used for `_feedId`.
    function getDecimals(bytes21 _feedId) public view returns (int8) {
        return decimalsSet[_feedId] ? decimalsOf[_feedId] : defaultDecimals;
    }

    function _updateContractAddresses(bytes32[] memory _nameHashes, address[] memory _addresses) internal override {
        flareSystemsManager = IFlareSystemsManager(_lookup(_nameHashes, _addresses, "FlareSystemsManager"));
        rewardManager = IRewardManager(_lookup(_nameHashes, _addresses, "RewardManager"));
    }
}
