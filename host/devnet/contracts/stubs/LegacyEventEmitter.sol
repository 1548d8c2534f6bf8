// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// Emits the old (uint24 reward epoch) VoterRegistered and VoterRegistrationInfo layouts that pre-upgrade
/// VoterRegistry / FlareSystemsCalculator deployments emitted, so decoders can be tested on both.
contract LegacyEventEmitter {
    event VoterRegistered(
        address indexed voter,
        uint24 indexed rewardEpochId,
        address indexed signingPolicyAddress,
        address submitAddress,
        address submitSignaturesAddress,
        bytes32 publicKeyPart1,
        bytes32 publicKeyPart2,
        uint256 registrationWeight
    );
    event VoterRegistrationInfo(
        address indexed voter,
        uint24 indexed rewardEpochId,
        address delegationAddress,
        uint16 delegationFeeBIPS,
        uint256 wNatWeight,
        uint256 wNatCappedWeight,
        bytes20[] nodeIds,
        uint256[] nodeWeights
    );

    function emitVoterRegistered(
        address _voter,
        uint24 _rewardEpochId,
        address _signingPolicyAddress,
        address _submitAddress,
        address _submitSignaturesAddress,
        bytes32 _publicKeyPart1,
        bytes32 _publicKeyPart2,
        uint256 _registrationWeight
    ) external {
        emit VoterRegistered(
            _voter,
            _rewardEpochId,
            _signingPolicyAddress,
            _submitAddress,
            _submitSignaturesAddress,
            _publicKeyPart1,
            _publicKeyPart2,
            _registrationWeight
        );
    }

    function emitVoterRegistrationInfo(
        address _voter,
        uint24 _rewardEpochId,
        address _delegationAddress,
        uint16 _delegationFeeBIPS,
        uint256 _wNatWeight,
        uint256 _wNatCappedWeight
    ) external {
        emit VoterRegistrationInfo(
            _voter,
            _rewardEpochId,
            _delegationAddress,
            _delegationFeeBIPS,
            _wNatWeight,
            _wNatCappedWeight,
            new bytes20[](0),
            new uint256[](0)
        );
    }
}
