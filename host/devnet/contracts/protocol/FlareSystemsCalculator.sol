// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFlareSystemsCalculator} from "../interfaces/IFlareSystemsCalculator.sol";
import {IEntityManager} from "../interfaces/IEntityManager.sol";
import {IVotePower} from "../interfaces/IVotePower.sol";
import {IWNatDelegationFee} from "../interfaces/IWNatDelegationFee.sol";
import {AddressUpdatable, Governed} from "../lib/Base.sol";

/// Registration weight = floor(sqrt(x)) * floor(sqrt(floor(sqrt(x)))) with x the capped WNat vote power of the
/// delegation address at the vote-power block (no P-chain stake on the devnet). Emits VoterRegistrationInfo.
contract FlareSystemsCalculator is IFlareSystemsCalculator, Governed, AddressUpdatable {
    uint24 public wNatCapPPM;
    uint64 public signingPolicySignNonPunishableDurationSeconds;
    uint64 public signingPolicySignNonPunishableDurationBlocks;
    uint64 public signingPolicySignNoRewardsDurationBlocks;

    address public voterRegistry;
    IEntityManager public entityManager;
    IVotePower public wNat;
    IWNatDelegationFee public wNatDelegationFee;

    constructor(
        address _governance,
        address _addressUpdater,
        uint24 _wNatCapPPM,
        uint64 _nonPunishableSeconds,
        uint64 _nonPunishableBlocks,
        uint64 _noRewardsBlocks
    ) Governed(_governance) AddressUpdatable(_addressUpdater) {
        require(_wNatCapPPM <= 1e6, "wNatCapPPM too high");
        wNatCapPPM = _wNatCapPPM;
        signingPolicySignNonPunishableDurationSeconds = _nonPunishableSeconds;
        signingPolicySignNonPunishableDurationBlocks = _nonPunishableBlocks;
        signingPolicySignNoRewardsDurationBlocks = _noRewardsBlocks;
    }

    function calculateRegistrationWeight(address _voter, uint32 _rewardEpochId, uint256 _votePowerBlockNumber)
        external
        returns (uint256 _registrationWeight)
    {
        require(msg.sender == voterRegistry, "only voter registry");
        address delegationAddress = entityManager.getDelegationAddressOfAt(_voter, _votePowerBlockNumber);
        uint256 wNatWeight = wNat.votePowerOfAt(delegationAddress, _votePowerBlockNumber);
        uint256 cap = (wNat.totalVotePowerAt(_votePowerBlockNumber) * wNatCapPPM) / 1e6;
        uint256 wNatCappedWeight = wNatWeight < cap ? wNatWeight : cap;
        uint16 feeBIPS = wNatDelegationFee.getVoterFeePercentage(_voter, _rewardEpochId);
        emit VoterRegistrationInfo(
            _voter,
            _rewardEpochId,
            delegationAddress,
            feeBIPS,
            wNatWeight,
            wNatCappedWeight,
            new bytes20[](0),
            new uint256[](0)
        );
        uint256 root = _sqrt(wNatCappedWeight);
        _registrationWeight = root * _sqrt(root);
    }

    function calculateBurnFactorPPM(uint24, address) external pure returns (uint256) {
        return 0;
    }

    function pChainStakeMirrorEnabled() external pure returns (bool) {
        return false;
    }

    function sqrt(uint256 _x) external pure returns (uint128) {
        return uint128(_sqrt(_x));
    }

    function _updateContractAddresses(bytes32[] memory _nameHashes, address[] memory _addresses) internal override {
        voterRegistry = _lookup(_nameHashes, _addresses, "VoterRegistry");
        entityManager = IEntityManager(_lookup(_nameHashes, _addresses, "EntityManager"));
        wNat = IVotePower(_lookup(_nameHashes, _addresses, "WNat"));
        wNatDelegationFee = IWNatDelegationFee(_lookup(_nameHashes, _addresses, "WNatDelegationFee"));
    }

    /// Integer square root (floor), Newton iteration.
    function _sqrt(uint256 _x) private pure returns (uint256 y) {
        if (_x == 0) return 0;
        uint256 z = (_x + 1) / 2;
        y = _x;
        while (z < y) {
            y = z;
            z = (_x / z + z) / 2;
        }
    }
}
