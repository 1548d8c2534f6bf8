// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFastUpdateIncentiveManager} from "../interfaces/IFastUpdateIncentiveManager.sol";
import {IFastUpdatesConfiguration} from "../interfaces/IFastUpdatesConfiguration.sol";
import {AddressUpdatable, Governed} from "../lib/Base.sol";

/// The fast-updates parameters FastUpdater reads every block: expected sample size E and range R (8x120 fixed
/// point), precision R / E (0x127) and scale 1 + precision (1x127). Incentive offers are not supported on the
/// devnet (the parameters stay at their base values, which governance sets); the reward-epoch switchover emits
/// InflationRewardsOffered with the current feed configurations and no funds.
contract FastUpdateIncentiveManager is IFastUpdateIncentiveManager, Governed, AddressUpdatable {
    uint256 private constant ONE_SCALE = 1 << 127;

    uint256 private sampleSize;
    uint256 private range;
    uint256 private sampleIncreasePrice;
    uint256 private duration;
    uint256 private baseScale;
    uint256 public sampleIncreaseLimit;
    uint256 public rangeIncreaseLimit;
    uint256 public rangeIncreasePrice;

    address public fastUpdater;
    address public flareSystemsManager;
    IFastUpdatesConfiguration public fastUpdatesConfiguration;

    constructor(
        address _governanceSettings,
        address _governance,
        address _addressUpdater,
        uint256 _sampleSize,
        uint256 _range,
        uint256 _sampleIncreaseLimit,
        uint256 _rangeIncreaseLimit,
        uint256 _sampleIncreasePrice,
        uint256 _rangeIncreasePrice,
        uint256 _duration
    ) Governed(_governance) AddressUpdatable(_addressUpdater) {
        require(_governanceSettings != address(0), "governance settings zero");
        sampleIncreaseLimit = _sampleIncreaseLimit;
        rangeIncreaseLimit = _rangeIncreaseLimit;
        rangeIncreasePrice = _rangeIncreasePrice;
        _setParameters(_sampleSize, _range, _sampleIncreasePrice, _duration);
    }

    function offerIncentive(IncentiveOffer calldata) external payable {
        revert("incentive offers not supported on the devnet");
    }

    function advance() external view {
        require(msg.sender == fastUpdater, "only fast updater");
    }

    function triggerRewardEpochSwitchover(uint24 _currentRewardEpochId, uint64, uint64) external {
        require(msg.sender == flareSystemsManager, "only flare system manager");
        IFastUpdatesConfiguration.FeedConfiguration[] memory feeds = fastUpdatesConfiguration.getFeedConfigurations();
        FeedConfiguration[] memory offered = new FeedConfiguration[](feeds.length);
        for (uint256 i = 0; i < feeds.length; i++) {
            offered[i] = FeedConfiguration(feeds[i].feedId, feeds[i].rewardBandValue, feeds[i].inflationShare);
        }
        emit InflationRewardsOffered(_currentRewardEpochId + 1, offered, 0);
    }

    /// Sets the base sample size, range, sample-size increase price and incentive duration.
    function setIncentiveParameters(uint256 _sampleSize, uint256 _range, uint256 _sampleIncreasePrice, uint256 _duration)
        external
        onlyGovernance
    {
        _setParameters(_sampleSize, _range, _sampleIncreasePrice, _duration);
    }

    function getExpectedSampleSize() external view returns (uint256) {
        return sampleSize;
    }

    function getRange() external view returns (uint256) {
        return range;
    }

    function getCurrentSampleSizeIncreasePrice() external view returns (uint256) {
        return sampleIncreasePrice;
    }

    function getPrecision() public view returns (uint256) {
        return (range << 127) / sampleSize;
    }

    function getScale() external view returns (uint256) {
        return ONE_SCALE + getPrecision();
    }

    function getBaseScale() external view returns (uint256) {
        return baseScale;
    }

    function getIncentiveDuration() external view returns (uint256) {
        return duration;
    }

    function _setParameters(uint256 _sampleSize, uint256 _range, uint256 _sampleIncreasePrice, uint256 _duration)
        private
    {
        require(_sampleSize > 0 && _sampleSize >> 128 == 0, "invalid sample size");
        require(_range > 0 && _range <= _sampleSize, "invalid range");
        sampleSize = _sampleSize;
        range = _range;
        sampleIncreasePrice = _sampleIncreasePrice;
        duration = _duration;
        baseScale = ONE_SCALE + getPrecision();
    }

    function _updateContractAddresses(bytes32[] memory _nameHashes, address[] memory _addresses) internal override {
        fastUpdater = _lookup(_nameHashes, _addresses, "FastUpdater");
        flareSystemsManager = _lookup(_nameHashes, _addresses, "FlareSystemsManager");
        fastUpdatesConfiguration =
            IFastUpdatesConfiguration(_lookup(_nameHashes, _addresses, "FastUpdatesConfiguration"));
    }
}
