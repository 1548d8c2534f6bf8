// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IEntityManager} from "../interfaces/IEntityManager.sol";
import {Governed} from "../lib/Base.sol";

/// Verifies a sortition public key registration (FastUpdater in the real network).
interface IPublicKeyVerifier {
    function verifyPublicKey(address _voter, bytes32 _part1, bytes32 _part2, bytes memory _verificationData)
        external
        view;
}

/// Entity address roles with two-step registration and per-block history. Lookups at a block return the
/// input itself when nothing is registered (voter for a role, address for a reverse lookup).
contract EntityManager is IEntityManager, Governed {
    uint8 private constant DELEGATION = 0;
    uint8 private constant SUBMIT = 1;
    uint8 private constant SUBMIT_SIGNATURES = 2;
    uint8 private constant SIGNING_POLICY = 3;

    /// A value valid from `fromBlock` until the next checkpoint.
    struct Checkpoint {
        uint64 fromBlock;
        address value;
    }

    /// A public key valid from `fromBlock`.
    struct KeyCheckpoint {
        uint64 fromBlock;
        bytes32 part1;
        bytes32 part2;
    }

    mapping(uint8 => mapping(address => Checkpoint[])) private roleOf;
    mapping(uint8 => mapping(address => Checkpoint[])) private voterOf;
    mapping(uint8 => mapping(address => address)) private proposed;
    mapping(address => KeyCheckpoint[]) private publicKeys;
    mapping(bytes32 => Checkpoint[]) private voterOfPublicKey;
    mapping(address => bytes20[]) private nodeIds;
    mapping(bytes20 => address) private voterOfNodeId;

    address public publicKeyVerifier;
    uint32 public maxNodeIdsPerEntity;

    constructor(address _governance, uint32 _maxNodeIdsPerEntity) Governed(_governance) {
        maxNodeIdsPerEntity = _maxNodeIdsPerEntity;
    }

    // ---- registration -------------------------------------------------------------------------------------

    function proposeDelegationAddress(address _delegationAddress) external {
        proposed[DELEGATION][msg.sender] = _delegationAddress;
        emit DelegationAddressProposed(msg.sender, _delegationAddress);
    }

    function confirmDelegationAddressRegistration(address _voter) external {
        _confirm(DELEGATION, _voter, "delegation address");
        emit DelegationAddressRegistrationConfirmed(_voter, msg.sender);
    }

    function proposeSubmitAddress(address _submitAddress) external {
        proposed[SUBMIT][msg.sender] = _submitAddress;
        emit SubmitAddressProposed(msg.sender, _submitAddress);
    }

    function confirmSubmitAddressRegistration(address _voter) external {
        _confirm(SUBMIT, _voter, "submit address");
        emit SubmitAddressRegistrationConfirmed(_voter, msg.sender);
    }

    function proposeSubmitSignaturesAddress(address _submitSignaturesAddress) external {
        proposed[SUBMIT_SIGNATURES][msg.sender] = _submitSignaturesAddress;
        emit SubmitSignaturesAddressProposed(msg.sender, _submitSignaturesAddress);
    }

    function confirmSubmitSignaturesAddressRegistration(address _voter) external {
        _confirm(SUBMIT_SIGNATURES, _voter, "submit signatures address");
        emit SubmitSignaturesAddressRegistrationConfirmed(_voter, msg.sender);
    }

    function proposeSigningPolicyAddress(address _signingPolicyAddress) external {
        proposed[SIGNING_POLICY][msg.sender] = _signingPolicyAddress;
        emit SigningPolicyAddressProposed(msg.sender, _signingPolicyAddress);
    }

    function confirmSigningPolicyAddressRegistration(address _voter) external {
        _confirm(SIGNING_POLICY, _voter, "signing policy address");
        emit SigningPolicyAddressRegistrationConfirmed(_voter, msg.sender);
    }

    function registerPublicKey(bytes32 _part1, bytes32 _part2, bytes calldata _verificationData) external {
        require(_part1 != bytes32(0) || _part2 != bytes32(0), "public key invalid");
        bytes32 keyHash = keccak256(abi.encode(_part1, _part2));
        require(_latest(voterOfPublicKey[keyHash]) == address(0), "public key already registered");
        if (publicKeyVerifier != address(0)) {
            IPublicKeyVerifier(publicKeyVerifier).verifyPublicKey(msg.sender, _part1, _part2, _verificationData);
        }
        _unregisterPublicKey(msg.sender);
        publicKeys[msg.sender].push(KeyCheckpoint(uint64(block.number), _part1, _part2));
        _push(voterOfPublicKey[keyHash], msg.sender);
        emit PublicKeyRegistered(msg.sender, _part1, _part2);
    }

    function unregisterPublicKey() external {
        require(_unregisterPublicKey(msg.sender), "public key not registered");
    }

    /// Registers a node id without certificate verification (the devnet has no validators).
    function registerNodeId(bytes20 _nodeId, bytes calldata, bytes calldata) external {
        require(voterOfNodeId[_nodeId] == address(0), "node id already registered");
        require(nodeIds[msg.sender].length < maxNodeIdsPerEntity, "max node ids exceeded");
        nodeIds[msg.sender].push(_nodeId);
        voterOfNodeId[_nodeId] = msg.sender;
        emit NodeIdRegistered(msg.sender, _nodeId);
    }

    function unregisterNodeId(bytes20 _nodeId) external {
        require(voterOfNodeId[_nodeId] == msg.sender, "node id not registered with msg.sender");
        bytes20[] storage ids = nodeIds[msg.sender];
        for (uint256 i = 0; i < ids.length; i++) {
            if (ids[i] == _nodeId) {
                ids[i] = ids[ids.length - 1];
                ids.pop();
                break;
            }
        }
        delete voterOfNodeId[_nodeId];
        emit NodeIdUnregistered(msg.sender, _nodeId);
    }

    function setPublicKeyVerifier(address _publicKeyVerifier) external onlyGovernance {
        publicKeyVerifier = _publicKeyVerifier;
    }

    function setMaxNodeIdsPerEntity(uint32 _maxNodeIdsPerEntity) external onlyGovernance {
        maxNodeIdsPerEntity = _maxNodeIdsPerEntity;
        emit MaxNodeIdsPerEntitySet(_maxNodeIdsPerEntity);
    }

    // ---- lookups ------------------------------------------------------------------------------------------

    function getDelegationAddressOfAt(address _voter, uint256 _blockNumber) external view returns (address) {
        return _roleAt(DELEGATION, _voter, _blockNumber);
    }

    function getDelegationAddressOf(address _voter) external view returns (address) {
        return _roleAt(DELEGATION, _voter, block.number);
    }

    function getNodeIdsOfAt(address _voter, uint256) external view returns (bytes20[] memory) {
        return nodeIds[_voter];
    }

    function getNodeIdsOf(address _voter) external view returns (bytes20[] memory) {
        return nodeIds[_voter];
    }

    function getPublicKeyOfAt(address _voter, uint256 _blockNumber) public view returns (bytes32, bytes32) {
        KeyCheckpoint[] storage history = publicKeys[_voter];
        for (uint256 i = history.length; i > 0; i--) {
            if (history[i - 1].fromBlock <= _blockNumber) {
                return (history[i - 1].part1, history[i - 1].part2);
            }
        }
        return (bytes32(0), bytes32(0));
    }

    function getPublicKeyOf(address _voter) external view returns (bytes32, bytes32) {
        return getPublicKeyOfAt(_voter, block.number);
    }

    function getVoterAddressesAt(address _voter, uint256 _blockNumber)
        public
        view
        returns (VoterAddresses memory _addresses)
    {
        _addresses.submitAddress = _roleAt(SUBMIT, _voter, _blockNumber);
        _addresses.submitSignaturesAddress = _roleAt(SUBMIT_SIGNATURES, _voter, _blockNumber);
        _addresses.signingPolicyAddress = _roleAt(SIGNING_POLICY, _voter, _blockNumber);
    }

    function getVoterAddresses(address _voter) external view returns (VoterAddresses memory _addresses) {
        return getVoterAddressesAt(_voter, block.number);
    }

    function getVoterForNodeId(bytes20 _nodeId, uint256) external view returns (address _voter) {
        return voterOfNodeId[_nodeId];
    }

    function getVoterForPublicKey(bytes32 _part1, bytes32 _part2, uint256 _blockNumber)
        external
        view
        returns (address _voter)
    {
        return _valueAt(voterOfPublicKey[keccak256(abi.encode(_part1, _part2))], _blockNumber, address(0));
    }

    function getVoterForDelegationAddress(address _delegationAddress, uint256 _blockNumber)
        external
        view
        returns (address _voter)
    {
        return _valueAt(voterOf[DELEGATION][_delegationAddress], _blockNumber, _delegationAddress);
    }

    function getVoterForSubmitAddress(address _submitAddress, uint256 _blockNumber)
        external
        view
        returns (address _voter)
    {
        return _valueAt(voterOf[SUBMIT][_submitAddress], _blockNumber, _submitAddress);
    }

    function getVoterForSubmitSignaturesAddress(address _submitSignaturesAddress, uint256 _blockNumber)
        external
        view
        returns (address _voter)
    {
        return _valueAt(voterOf[SUBMIT_SIGNATURES][_submitSignaturesAddress], _blockNumber, _submitSignaturesAddress);
    }

    function getVoterForSigningPolicyAddress(address _signingPolicyAddress, uint256 _blockNumber)
        external
        view
        returns (address _voter)
    {
        return _valueAt(voterOf[SIGNING_POLICY][_signingPolicyAddress], _blockNumber, _signingPolicyAddress);
    }

    // ---- internals ----------------------------------------------------------------------------------------

    function _confirm(uint8 _role, address _voter, string memory _what) private {
        require(proposed[_role][_voter] == msg.sender, string.concat(_what, " not proposed"));
        require(_latest(voterOf[_role][msg.sender]) == address(0), string.concat(_what, " already registered"));
        delete proposed[_role][_voter];
        address old = _latest(roleOf[_role][_voter]);
        if (old != address(0)) {
            _push(voterOf[_role][old], address(0));
        }
        _push(roleOf[_role][_voter], msg.sender);
        _push(voterOf[_role][msg.sender], _voter);
    }

    function _unregisterPublicKey(address _voter) private returns (bool) {
        (bytes32 part1, bytes32 part2) = getPublicKeyOfAt(_voter, block.number);
        if (part1 == bytes32(0) && part2 == bytes32(0)) {
            return false;
        }
        publicKeys[_voter].push(KeyCheckpoint(uint64(block.number), bytes32(0), bytes32(0)));
        _push(voterOfPublicKey[keccak256(abi.encode(part1, part2))], address(0));
        emit PublicKeyUnregistered(_voter, part1, part2);
        return true;
    }

    function _roleAt(uint8 _role, address _voter, uint256 _blockNumber) private view returns (address) {
        return _valueAt(roleOf[_role][_voter], _blockNumber, _voter);
    }

    function _push(Checkpoint[] storage _history, address _value) private {
        uint256 length = _history.length;
        if (length > 0 && _history[length - 1].fromBlock == block.number) {
            _history[length - 1].value = _value;
        } else {
            _history.push(Checkpoint(uint64(block.number), _value));
        }
    }

    function _latest(Checkpoint[] storage _history) private view returns (address) {
        return _history.length == 0 ? address(0) : _history[_history.length - 1].value;
    }

    /// The value at `_blockNumber`, or `_default` if none (or unregistered) then.
    function _valueAt(Checkpoint[] storage _history, uint256 _blockNumber, address _default)
        private
        view
        returns (address)
    {
        for (uint256 i = _history.length; i > 0; i--) {
            if (_history[i - 1].fromBlock <= _blockNumber) {
                address value = _history[i - 1].value;
                return value == address(0) ? _default : value;
            }
        }
        return _default;
    }
}
