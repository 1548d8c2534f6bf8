// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// The fee `FastUpdater.fetchCurrentFeeds` charges per feed.
interface IFeeCalculator {
    event DefaultFeeSet(uint256 fee);

    function calculateFeeByIndices(uint256[] memory _indices) external view returns (uint256 _fee);
    function calculateFeeByIds(bytes21[] memory _feedIds) external view returns (uint256 _fee);
    function defaultFee() external view returns (uint256);
    function setDefaultFee(uint256 _fee) external;
}
