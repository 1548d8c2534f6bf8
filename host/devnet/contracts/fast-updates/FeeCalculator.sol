// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFeeCalculator} from "../interfaces/IFeeCalculator.sol";
import {Governed} from "../lib/Base.sol";

/// The fetch fee: the default fee for every feed (the devnet has no per-category or per-feed fees).
contract FeeCalculator is IFeeCalculator, Governed {
    uint256 public defaultFee;

    constructor(address _governanceSettings, address _governance, uint256 _defaultFee) Governed(_governance) {
        require(_governanceSettings != address(0), "governance settings zero");
        _setDefaultFee(_defaultFee);
    }

    function setDefaultFee(uint256 _fee) external onlyGovernance {
        _setDefaultFee(_fee);
    }

    function calculateFeeByIndices(uint256[] memory _indices) external view returns (uint256) {
        return defaultFee * _indices.length;
    }

    function calculateFeeByIds(bytes21[] memory _feedIds) external view returns (uint256) {
        return defaultFee * _feedIds.length;
    }

    function _setDefaultFee(uint256 _fee) private {
        require(_fee > 0, "default fee zero");
        defaultFee = _fee;
        emit DefaultFeeSet(_fee);
    }
}
