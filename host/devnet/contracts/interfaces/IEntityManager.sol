// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// Entity address roles (two-step propose/confirm), sortition public keys and node ids, with per-block history.
interface IEntityManager {
    /// The three hot addresses of an entity.
    struct VoterAddresses {
        address submitAddress;
        address submitSignaturesAddress;
        address signingPolicyAddress;
    }

    event NodeIdRegistered(address indexed voter, bytes20 indexed nodeId);
    event NodeIdUnregistered(address indexed voter, bytes20 indexed nodeId);
    event PublicKeyRegistered(address indexed voter, bytes32 indexed part1, bytes32 indexed part2);
    event PublicKeyUnregistered(address indexed voter, bytes32 indexed part1, bytes32 indexed part2);
    event DelegationAddressProposed(address indexed voter, address indexed delegationAddress);
    event DelegationAddressRegistrationConfirmed(address indexed voter, address indexed delegationAddress);
    event SubmitAddressProposed(address indexed voter, address indexed submitAddress);
    event SubmitAddressRegistrationConfirmed(address indexed voter, address indexed submitAddress);
    event SubmitSignaturesAddressProposed(address indexed voter, address indexed submitSignaturesAddress);
    event SubmitSignaturesAddressRegistrationConfirmed(address indexed voter, address indexed submitSignaturesAddress);
    event SigningPolicyAddressProposed(address indexed voter, address indexed signingPolicyAddress);
    event SigningPolicyAddressRegistrationConfirmed(address indexed voter, address indexed signingPolicyAddress);
    event MaxNodeIdsPerEntitySet(uint256 maxNodeIdsPerEntity);

    function registerNodeId(bytes20 _nodeId, bytes calldata _certificateRaw, bytes calldata _signature) external;
    function unregisterNodeId(bytes20 _nodeId) external;
    function registerPublicKey(bytes32 _part1, bytes32 _part2, bytes calldata _verificationData) external;
    function unregisterPublicKey() external;
    function proposeDelegationAddress(address _delegationAddress) external;
    function confirmDelegationAddressRegistration(address _voter) external;
    function proposeSubmitAddress(address _submitAddress) external;
    function confirmSubmitAddressRegistration(address _voter) external;
    function proposeSubmitSignaturesAddress(address _submitSignaturesAddress) external;
    function confirmSubmitSignaturesAddressRegistration(address _voter) external;
    function proposeSigningPolicyAddress(address _signingPolicyAddress) external;
    function confirmSigningPolicyAddressRegistration(address _voter) external;
    function setPublicKeyVerifier(address _publicKeyVerifier) external;
    function setMaxNodeIdsPerEntity(uint32 _maxNodeIdsPerEntity) external;

    function getDelegationAddressOfAt(address _voter, uint256 _blockNumber) external view returns (address);
    function getDelegationAddressOf(address _voter) external view returns (address);
    function getNodeIdsOfAt(address _voter, uint256 _blockNumber) external view returns (bytes20[] memory);
    function getNodeIdsOf(address _voter) external view returns (bytes20[] memory);
    function getPublicKeyOfAt(address _voter, uint256 _blockNumber) external view returns (bytes32, bytes32);
    function getPublicKeyOf(address _voter) external view returns (bytes32, bytes32);
    function getVoterAddressesAt(address _voter, uint256 _blockNumber)
        external view returns (VoterAddresses memory _addresses);
    function getVoterAddresses(address _voter) external view returns (VoterAddresses memory _addresses);
    function getVoterForNodeId(bytes20 _nodeId, uint256 _blockNumber) external view returns (address _voter);
    function getVoterForPublicKey(bytes32 _part1, bytes32 _part2, uint256 _blockNumber)
        external view returns (address _voter);
    function getVoterForDelegationAddress(address _delegationAddress, uint256 _blockNumber)
        external view returns (address _voter);
    function getVoterForSubmitAddress(address _submitAddress, uint256 _blockNumber)
        external view returns (address _voter);
    function getVoterForSubmitSignaturesAddress(address _submitSignaturesAddress, uint256 _blockNumber)
        external view returns (address _voter);
    function getVoterForSigningPolicyAddress(address _signingPolicyAddress, uint256 _blockNumber)
        external view returns (address _voter);
    function publicKeyVerifier() external view returns (address);
    function maxNodeIdsPerEntity() external view returns (uint32);
}
