// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// The fast-updates feed list: indices are stable (a removed feed leaves a zero id and its index is reused).
interface IFastUpdatesConfiguration {
    /// One feed: id, reward band (in feed units) and inflation share.
    struct FeedConfiguration {
        bytes21 feedId;
        uint32 rewardBandValue;
        uint24 inflationShare;
    }

    event FeedAdded(bytes21 indexed feedId, uint32 rewardBandValue, uint24 inflationShare, uint256 index);
    event FeedUpdated(bytes21 indexed feedId, uint32 rewardBandValue, uint24 inflationShare, uint256 index);
    event FeedRemoved(bytes21 indexed feedId, uint256 index);

    function addFeeds(FeedConfiguration[] calldata _feedConfigs) external;
    function updateFeeds(FeedConfiguration[] calldata _feedConfigs) external;
    function removeFeeds(bytes21[] calldata _feedIds) external;

    function getFeedIndex(bytes21 _feedId) external view returns (uint256 _index);
    function getFeedId(uint256 _index) external view returns (bytes21 _feedId);
    function getFeedIds() external view returns (bytes21[] memory _feedIds);
    function getNumberOfFeeds() external view returns (uint256);
    function getFeedConfigurations() external view returns (FeedConfiguration[] memory);
    function getUnusedIndices() external view returns (uint256[] memory);
}
