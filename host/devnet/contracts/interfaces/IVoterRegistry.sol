// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PublicKey, Signature} from "./Types.sol";

/// Per-reward-epoch voter registration (current uint32 event layout).
interface IVoterRegistry {
    event BeneficiaryChilled(bytes20 indexed beneficiary, uint32 untilRewardEpochId);
    event VoterRemoved(address indexed voter, uint32 indexed rewardEpochId);
    event VoterRegistered(
        address indexed voter,
        uint32 indexed rewardEpochId,
        address indexed signingPolicyAddress,
        address submitAddress,
        address submitSignaturesAddress,
        PublicKey publicKey,
        uint256 registrationWeight,
        Signature signature
    );

    function registerVoter(address _voter, Signature calldata _signature) external;
    function setNewSigningPolicyInitializationStartBlockNumber(uint256 _rewardEpochId) external;
    function createSigningPolicySnapshot(uint256 _rewardEpochId)
        external
        returns (address[] memory _signingPolicyAddresses, uint16[] memory _normalisedWeights, uint16 _normalisedWeightsSum);
    function chill(bytes20[] calldata _beneficiaryList, uint32 _noOfRewardEpochIds) external;
    function setMaxVoters(uint256 _maxVoters) external;
    function setPublicKeyRequired(bool _publicKeyRequired) external;

    function maxVoters() external view returns (uint256);
    function chilledUntilRewardEpochId(bytes20 _beneficiary) external view returns (uint256 _rewardEpochId);
    function newSigningPolicyInitializationStartBlockNumber(uint256 _rewardEpochId) external view returns (uint256);
    function publicKeyRequired() external view returns (bool);
    function getRegisteredVoters(uint256 _rewardEpochId) external view returns (address[] memory);
    function getNumberOfRegisteredVoters(uint256 _rewardEpochId) external view returns (uint256);
    function isVoterRegistered(address _voter, uint256 _rewardEpochId) external view returns (bool);
    function getRegisteredDelegationAddresses(uint256 _rewardEpochId)
        external view returns (address[] memory _delegationAddresses);
    function getRegisteredSubmitAddresses(uint256 _rewardEpochId) external view returns (address[] memory);
    function getRegisteredSubmitSignaturesAddresses(uint256 _rewardEpochId)
        external view returns (address[] memory _signingPolicyAddresses);
    function getRegisteredSigningPolicyAddresses(uint256 _rewardEpochId)
        external view returns (address[] memory _signingPolicyAddresses);
    function getRegisteredPublicKeys(uint256 _rewardEpochId)
        external view returns (bytes32[] memory _parts1, bytes32[] memory _parts2);
    function getRegisteredNodeIds(uint256 _rewardEpochId) external view returns (bytes20[][] memory _nodeIds);
    function getRegisteredVotersAndRegistrationWeights(uint256 _rewardEpochId)
        external view returns (address[] memory _voters, uint256[] memory _registrationWeights);
    function getRegisteredVotersAndNormalisedWeights(uint256 _rewardEpochId)
        external view returns (address[] memory _voters, uint16[] memory _normalisedWeights);
    function getVoterWithNormalisedWeight(uint256 _rewardEpochId, address _signingPolicyAddress)
        external view returns (address _voter, uint16 _normalisedWeight);
    function getPublicKeyAndNormalisedWeight(uint256 _rewardEpochId, address _signingPolicyAddress)
        external view
        returns (
            bytes32 _publicKeyPart1,
            bytes32 _publicKeyPart2,
            uint16 _normalisedWeight,
            uint16 _normalisedWeightsSumOfVotersWithPublicKeys
        );
    function getVoterRegistrationWeight(address _voter, uint256 _rewardEpochId)
        external view returns (uint256 _registrationWeight);
    function getVoterNormalisedWeight(address _voter, uint256 _rewardEpochId)
        external view returns (uint16 _normalisedWeight);
    function getWeightsSums(uint256 _rewardEpochId)
        external view
        returns (uint128 _weightsSum, uint16 _normalisedWeightsSum, uint16 _normalisedWeightsSumOfVotersWithPublicKeys);
}
