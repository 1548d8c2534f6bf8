// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IWNatDelegationFee} from "../interfaces/IWNatDelegationFee.sol";
import {IFlareSystemsManager} from "../interfaces/IFlareSystemsManager.sol";
import {AddressUpdatable} from "../lib/Base.sol";

/// Voter delegation fees; a change takes effect `feePercentageUpdateOffset` reward epochs later.
contract WNatDelegationFee is IWNatDelegationFee, AddressUpdatable {
    /// A fee value valid from a reward epoch on.
    struct FeeChange {
        uint16 value;
        uint24 validFromEpochId;
    }

    uint24 public immutable feePercentageUpdateOffset;
    uint16 public immutable defaultFeePercentageBIPS;
    IFlareSystemsManager public flareSystemsManager;
    mapping(address => FeeChange[]) private changes;

    constructor(address _addressUpdater, uint24 _feePercentageUpdateOffset, uint16 _defaultFeePercentageBIPS)
        AddressUpdatable(_addressUpdater)
    {
        require(_feePercentageUpdateOffset > 1, "offset too small");
        require(_defaultFeePercentageBIPS <= 1e4, "default fee percentage too high");
        feePercentageUpdateOffset = _feePercentageUpdateOffset;
        defaultFeePercentageBIPS = _defaultFeePercentageBIPS;
    }

    function setVoterFeePercentage(uint16 _feePercentageBIPS) external returns (uint256) {
        require(_feePercentageBIPS <= 1e4, "fee percentage invalid");
        uint24 validFrom = flareSystemsManager.getCurrentRewardEpochId() + feePercentageUpdateOffset;
        FeeChange[] storage list = changes[msg.sender];
        if (list.length > 0 && list[list.length - 1].validFromEpochId == validFrom) {
            list[list.length - 1].value = _feePercentageBIPS;
        } else {
            list.push(FeeChange(_feePercentageBIPS, validFrom));
        }
        emit FeePercentageChanged(msg.sender, _feePercentageBIPS, validFrom);
        return validFrom;
    }

    function getVoterCurrentFeePercentage(address _voter) external view returns (uint16) {
        return _feeAt(_voter, flareSystemsManager.getCurrentRewardEpochId());
    }

    function getVoterFeePercentage(address _voter, uint256 _rewardEpochId) external view returns (uint16) {
        require(
            _rewardEpochId <= uint256(flareSystemsManager.getCurrentRewardEpochId()) + feePercentageUpdateOffset,
            "invalid reward epoch id"
        );
        return _feeAt(_voter, _rewardEpochId);
    }

    function _feeAt(address _voter, uint256 _rewardEpochId) private view returns (uint16) {
        FeeChange[] storage list = changes[_voter];
        for (uint256 i = list.length; i > 0; i--) {
            if (list[i - 1].validFromEpochId <= _rewardEpochId) return list[i - 1].value;
        }
        return defaultFeePercentageBIPS;
    }

    function _updateContractAddresses(bytes32[] memory _nameHashes, address[] memory _addresses) internal override {
        flareSystemsManager = IFlareSystemsManager(_lookup(_nameHashes, _addresses, "FlareSystemsManager"));
    }
}
