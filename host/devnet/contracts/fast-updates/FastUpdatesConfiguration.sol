// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFastUpdatesConfiguration} from "../interfaces/IFastUpdatesConfiguration.sol";
import {IFastUpdater} from "../interfaces/IFastUpdater.sol";
import {AddressUpdatable, Governed} from "../lib/Base.sol";

/// The fast-updates feed list. Added feeds reuse the indices of removed ones first; a removed feed keeps its
/// index with a zero id. Adding or updating a feed resets its FastUpdater value to the FTSO anchor.
contract FastUpdatesConfiguration is IFastUpdatesConfiguration, Governed, AddressUpdatable {
    FeedConfiguration[] private feedConfigurations;
    /// Index + 1 of each listed feed id (0 = not listed).
    mapping(bytes21 => uint256) private indexPlusOne;
    uint256[] private unusedIndices;

    IFastUpdater public fastUpdater;

    constructor(address _governanceSettings, address _governance, address _addressUpdater)
        Governed(_governance)
        AddressUpdatable(_addressUpdater)
    {
        require(_governanceSettings != address(0), "governance settings zero");
    }

    function addFeeds(FeedConfiguration[] calldata _feedConfigs) external onlyGovernance {
        uint256[] memory indices = new uint256[](_feedConfigs.length);
        for (uint256 i = 0; i < _feedConfigs.length; i++) {
            bytes21 feedId = _feedConfigs[i].feedId;
            require(feedId != bytes21(0), "invalid feed id");
            require(indexPlusOne[feedId] == 0, "feed already exists");
            uint256 index;
            if (unusedIndices.length > 0) {
                index = unusedIndices[unusedIndices.length - 1];
                unusedIndices.pop();
                feedConfigurations[index] = _feedConfigs[i];
            } else {
                index = feedConfigurations.length;
                feedConfigurations.push(_feedConfigs[i]);
            }
            indexPlusOne[feedId] = index + 1;
            indices[i] = index;
            emit FeedAdded(feedId, _feedConfigs[i].rewardBandValue, _feedConfigs[i].inflationShare, index);
        }
        fastUpdater.resetFeeds(indices);
    }

    function updateFeeds(FeedConfiguration[] calldata _feedConfigs) external onlyGovernance {
        uint256[] memory indices = new uint256[](_feedConfigs.length);
        for (uint256 i = 0; i < _feedConfigs.length; i++) {
            bytes21 feedId = _feedConfigs[i].feedId;
            require(feedId != bytes21(0), "invalid feed id");
            uint256 index = indexPlusOne[feedId];
            require(index != 0, "feed does not exist");
            index -= 1;
            feedConfigurations[index] = _feedConfigs[i];
            indices[i] = index;
            emit FeedUpdated(feedId, _feedConfigs[i].rewardBandValue, _feedConfigs[i].inflationShare, index);
        }
        fastUpdater.resetFeeds(indices);
    }

    function removeFeeds(bytes21[] calldata _feedIds) external onlyGovernance {
        uint256[] memory indices = new uint256[](_feedIds.length);
        for (uint256 i = 0; i < _feedIds.length; i++) {
            uint256 index = indexPlusOne[_feedIds[i]];
            require(index != 0, "feed does not exist");
            index -= 1;
            delete feedConfigurations[index];
            delete indexPlusOne[_feedIds[i]];
            unusedIndices.push(index);
            indices[i] = index;
            emit FeedRemoved(_feedIds[i], index);
        }
        fastUpdater.removeFeeds(indices);
    }

    function getFeedIndex(bytes21 _feedId) external view returns (uint256) {
        uint256 index = indexPlusOne[_feedId];
        require(index != 0, "feed does not exist");
        return index - 1;
    }

    function getFeedId(uint256 _index) external view returns (bytes21) {
        require(_index < feedConfigurations.length, "invalid index");
        return feedConfigurations[_index].feedId;
    }

    function getFeedIds() external view returns (bytes21[] memory _feedIds) {
        _feedIds = new bytes21[](feedConfigurations.length);
        for (uint256 i = 0; i < _feedIds.length; i++) {
            _feedIds[i] = feedConfigurations[i].feedId;
        }
    }

    function getNumberOfFeeds() external view returns (uint256) {
        return feedConfigurations.length;
    }

    function getFeedConfigurations() external view returns (FeedConfiguration[] memory) {
        return feedConfigurations;
    }

    function getUnusedIndices() external view returns (uint256[] memory) {
        return unusedIndices;
    }

    function _updateContractAddresses(bytes32[] memory _nameHashes, address[] memory _addresses) internal override {
        fastUpdater = IFastUpdater(_lookup(_nameHashes, _addresses, "FastUpdater"));
    }
}
