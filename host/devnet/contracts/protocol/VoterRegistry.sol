// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IVoterRegistry} from "../interfaces/IVoterRegistry.sol";
import {IEntityManager} from "../interfaces/IEntityManager.sol";
import {IFlareSystemsCalculator} from "../interfaces/IFlareSystemsCalculator.sol";
import {IFlareSystemsManager} from "../interfaces/IFlareSystemsManager.sol";
import {PublicKey, Signature} from "../interfaces/Types.sol";
import {AddressUpdatable, Eip191, Governed} from "../lib/Base.sol";

/// Voter registration for the next reward epoch, and the signing-policy snapshot with normalised weights.
contract VoterRegistry is IVoterRegistry, Governed, AddressUpdatable {
    /// What a registered voter brings into an epoch.
    struct VoterInfo {
        address signingPolicyAddress;
        address submitAddress;
        address submitSignaturesAddress;
        address delegationAddress;
        bytes32 publicKeyPart1;
        bytes32 publicKeyPart2;
        uint256 weight;
        uint16 normalisedWeight;
    }

    /// Totals of an epoch, filled by the snapshot.
    struct EpochTotals {
        bool snapshotCreated;
        uint128 weightsSum;
        uint16 normalisedWeightsSum;
        uint16 normalisedWeightsSumOfVotersWithPublicKeys;
    }

    uint16 private constant UINT16_MAX = type(uint16).max;

    uint256 public maxVoters;
    bool public publicKeyRequired;
    uint256 private immutable initialRewardEpochId;

    mapping(uint256 => address[]) private voters;
    mapping(uint256 => mapping(address => VoterInfo)) private infos;
    mapping(uint256 => mapping(address => bool)) private registered;
    mapping(uint256 => EpochTotals) private totals;
    mapping(uint256 => uint256) private weightsSumOf;
    mapping(uint256 => uint256) public newSigningPolicyInitializationStartBlockNumber;
    mapping(bytes20 => uint256) public chilledUntilRewardEpochId;

    IFlareSystemsManager public flareSystemsManager;
    IEntityManager public entityManager;
    IFlareSystemsCalculator public flareSystemsCalculator;

    modifier onlyFlareSystemsManager() {
        require(msg.sender == address(flareSystemsManager), "only flare system manager");
        _;
    }

    /// Initial voters take part in `_initialRewardEpochId` with the given weights; their addresses are read
    /// from EntityManager at `_initialNewSigningPolicyInitializationStartBlockNumber` once it is wired.
    constructor(
        address _governance,
        address _addressUpdater,
        uint256 _maxVoters,
        uint256 _initialRewardEpochId,
        uint256 _initialNewSigningPolicyInitializationStartBlockNumber,
        address[] memory _initialVoters,
        uint256[] memory _initialWeights
    ) Governed(_governance) AddressUpdatable(_addressUpdater) {
        require(_initialVoters.length > 0 && _initialVoters.length == _initialWeights.length, "invalid initial voters");
        require(_initialNewSigningPolicyInitializationStartBlockNumber < block.number, "invalid block number");
        maxVoters = _maxVoters;
        initialRewardEpochId = _initialRewardEpochId;
        newSigningPolicyInitializationStartBlockNumber[_initialRewardEpochId] =
            _initialNewSigningPolicyInitializationStartBlockNumber;
        for (uint256 i = 0; i < _initialVoters.length; i++) {
            voters[_initialRewardEpochId].push(_initialVoters[i]);
            registered[_initialRewardEpochId][_initialVoters[i]] = true;
            infos[_initialRewardEpochId][_initialVoters[i]].weight = _initialWeights[i];
            weightsSumOf[_initialRewardEpochId] += _initialWeights[i];
        }
    }

    // ---- registration -------------------------------------------------------------------------------------

    function registerVoter(address _voter, Signature calldata _signature) external {
        uint256 nextEpoch = uint256(flareSystemsManager.getCurrentRewardEpochId()) + 1;
        uint256 initBlock = newSigningPolicyInitializationStartBlockNumber[nextEpoch];
        require(initBlock != 0, "registration not available yet");
        IEntityManager.VoterAddresses memory addrs = entityManager.getVoterAddressesAt(_voter, initBlock);
        require(addrs.signingPolicyAddress != _voter, "signing policy address not set");
        require(addrs.submitAddress != _voter, "submit address not set");
        require(addrs.submitSignaturesAddress != _voter, "submit signatures address not set");
        bytes32 messageHash = keccak256(abi.encode(block.chainid, uint32(nextEpoch), _voter));
        require(Eip191.recover(messageHash, _signature) == addrs.signingPolicyAddress, "invalid signature");
        (uint256 votePowerBlock, bool enabled) = flareSystemsManager.getVoterRegistrationData(nextEpoch);
        require(votePowerBlock != 0, "vote power block zero");
        require(enabled, "voter registration not enabled");
        address delegationAddress = entityManager.getDelegationAddressOfAt(_voter, votePowerBlock);
        require(delegationAddress != _voter, "delegation address not set");
        uint256 weight =
            flareSystemsCalculator.calculateRegistrationWeight(_voter, uint32(nextEpoch), votePowerBlock);
        require(weight > 0, "voter weight zero");
        _store(nextEpoch, _voter, initBlock, addrs, delegationAddress, weight);
        _emitRegistered(nextEpoch, _voter, _signature);
    }

    function _store(
        uint256 _epoch,
        address _voter,
        uint256 _initBlock,
        IEntityManager.VoterAddresses memory _addrs,
        address _delegationAddress,
        uint256 _weight
    ) private {
        (bytes32 part1, bytes32 part2) = entityManager.getPublicKeyOfAt(_voter, _initBlock);
        require(!publicKeyRequired || part1 != bytes32(0) || part2 != bytes32(0), "public key required");
        require(!registered[_epoch][_voter], "already registered");
        if (voters[_epoch].length >= maxVoters) {
            _removeLowestWeightVoter(_epoch, _weight);
        }
        voters[_epoch].push(_voter);
        registered[_epoch][_voter] = true;
        weightsSumOf[_epoch] += _weight;
        infos[_epoch][_voter] = VoterInfo({
            signingPolicyAddress: _addrs.signingPolicyAddress,
            submitAddress: _addrs.submitAddress,
            submitSignaturesAddress: _addrs.submitSignaturesAddress,
            delegationAddress: _delegationAddress,
            publicKeyPart1: part1,
            publicKeyPart2: part2,
            weight: _weight,
            normalisedWeight: 0
        });
    }

    function _emitRegistered(uint256 _epoch, address _voter, Signature calldata _signature) private {
        VoterInfo storage info = infos[_epoch][_voter];
        emit VoterRegistered(
            _voter,
            uint32(_epoch),
            info.signingPolicyAddress,
            info.submitAddress,
            info.submitSignaturesAddress,
            PublicKey(info.publicKeyPart1, info.publicKeyPart2),
            info.weight,
            _signature
        );
    }

    function setNewSigningPolicyInitializationStartBlockNumber(uint256 _rewardEpochId)
        external
        onlyFlareSystemsManager
    {
        require(newSigningPolicyInitializationStartBlockNumber[_rewardEpochId] == 0, "already set");
        newSigningPolicyInitializationStartBlockNumber[_rewardEpochId] = block.number;
    }

    function createSigningPolicySnapshot(uint256 _rewardEpochId)
        external
        onlyFlareSystemsManager
        returns (address[] memory _signingPolicyAddresses, uint16[] memory _normalisedWeights, uint16 _normalisedWeightsSum)
    {
        return _snapshot(_rewardEpochId);
    }

    function chill(bytes20[] calldata _beneficiaryList, uint32 _noOfRewardEpochIds) external onlyGovernance {
        uint256 untilEpoch = uint256(flareSystemsManager.getCurrentRewardEpochId()) + _noOfRewardEpochIds;
        for (uint256 i = 0; i < _beneficiaryList.length; i++) {
            chilledUntilRewardEpochId[_beneficiaryList[i]] = untilEpoch;
            emit BeneficiaryChilled(_beneficiaryList[i], uint32(untilEpoch));
        }
    }

    function setMaxVoters(uint256 _maxVoters) external onlyGovernance {
        require(_maxVoters <= UINT16_MAX, "max voters too high");
        maxVoters = _maxVoters;
    }

    function setPublicKeyRequired(bool _publicKeyRequired) external onlyGovernance {
        publicKeyRequired = _publicKeyRequired;
    }

    // ---- views --------------------------------------------------------------------------------------------

    function getRegisteredVoters(uint256 _rewardEpochId) external view returns (address[] memory) {
        return voters[_rewardEpochId];
    }

    function getNumberOfRegisteredVoters(uint256 _rewardEpochId) external view returns (uint256) {
        return voters[_rewardEpochId].length;
    }

    function isVoterRegistered(address _voter, uint256 _rewardEpochId) external view returns (bool) {
        return registered[_rewardEpochId][_voter];
    }

    function getRegisteredDelegationAddresses(uint256 _rewardEpochId) external view returns (address[] memory r) {
        address[] storage list = voters[_rewardEpochId];
        r = new address[](list.length);
        for (uint256 i = 0; i < list.length; i++) r[i] = infos[_rewardEpochId][list[i]].delegationAddress;
    }

    function getRegisteredSubmitAddresses(uint256 _rewardEpochId) external view returns (address[] memory r) {
        address[] storage list = voters[_rewardEpochId];
        r = new address[](list.length);
        for (uint256 i = 0; i < list.length; i++) r[i] = infos[_rewardEpochId][list[i]].submitAddress;
    }

    function getRegisteredSubmitSignaturesAddresses(uint256 _rewardEpochId)
        external
        view
        returns (address[] memory r)
    {
        address[] storage list = voters[_rewardEpochId];
        r = new address[](list.length);
        for (uint256 i = 0; i < list.length; i++) r[i] = infos[_rewardEpochId][list[i]].submitSignaturesAddress;
    }

    function getRegisteredSigningPolicyAddresses(uint256 _rewardEpochId)
        external
        view
        returns (address[] memory r)
    {
        address[] storage list = voters[_rewardEpochId];
        r = new address[](list.length);
        for (uint256 i = 0; i < list.length; i++) r[i] = infos[_rewardEpochId][list[i]].signingPolicyAddress;
    }

    function getRegisteredPublicKeys(uint256 _rewardEpochId)
        external
        view
        returns (bytes32[] memory _parts1, bytes32[] memory _parts2)
    {
        address[] storage list = voters[_rewardEpochId];
        _parts1 = new bytes32[](list.length);
        _parts2 = new bytes32[](list.length);
        for (uint256 i = 0; i < list.length; i++) {
            _parts1[i] = infos[_rewardEpochId][list[i]].publicKeyPart1;
            _parts2[i] = infos[_rewardEpochId][list[i]].publicKeyPart2;
        }
    }

    function getRegisteredNodeIds(uint256 _rewardEpochId) external view returns (bytes20[][] memory _nodeIds) {
        _nodeIds = new bytes20[][](voters[_rewardEpochId].length);
    }

    function getRegisteredVotersAndRegistrationWeights(uint256 _rewardEpochId)
        external
        view
        returns (address[] memory _voters, uint256[] memory _registrationWeights)
    {
        _voters = voters[_rewardEpochId];
        _registrationWeights = new uint256[](_voters.length);
        for (uint256 i = 0; i < _voters.length; i++) _registrationWeights[i] = infos[_rewardEpochId][_voters[i]].weight;
    }

    function getRegisteredVotersAndNormalisedWeights(uint256 _rewardEpochId)
        external
        view
        returns (address[] memory _voters, uint16[] memory _normalisedWeights)
    {
        require(totals[_rewardEpochId].snapshotCreated, "reward epoch id not supported");
        _voters = voters[_rewardEpochId];
        _normalisedWeights = new uint16[](_voters.length);
        for (uint256 i = 0; i < _voters.length; i++) {
            _normalisedWeights[i] = infos[_rewardEpochId][_voters[i]].normalisedWeight;
        }
    }

    function getVoterWithNormalisedWeight(uint256 _rewardEpochId, address _signingPolicyAddress)
        external
        view
        returns (address _voter, uint16 _normalisedWeight)
    {
        uint256 weight;
        (_voter, weight) = _voterAndWeight(_rewardEpochId, _signingPolicyAddress);
        _normalisedWeight = uint16((weight * UINT16_MAX) / weightsSumOf[_rewardEpochId]);
    }

    function getPublicKeyAndNormalisedWeight(uint256 _rewardEpochId, address _signingPolicyAddress)
        external
        view
        returns (bytes32, bytes32, uint16, uint16)
    {
        (address voter, uint256 weight) = _voterAndWeight(_rewardEpochId, _signingPolicyAddress);
        VoterInfo storage info = infos[_rewardEpochId][voter];
        return (
            info.publicKeyPart1,
            info.publicKeyPart2,
            uint16((weight * UINT16_MAX) / weightsSumOf[_rewardEpochId]),
            totals[_rewardEpochId].normalisedWeightsSumOfVotersWithPublicKeys
        );
    }

    /// The voter whose signing-policy address was `_signingPolicyAddress` at the epoch's snapshot block, and its
    /// registration weight (the network's lookup and revert reasons).
    function _voterAndWeight(uint256 _rewardEpochId, address _signingPolicyAddress)
        private
        view
        returns (address voter, uint256 weight)
    {
        require(weightsSumOf[_rewardEpochId] > 0, "reward epoch id not supported");
        voter = entityManager.getVoterForSigningPolicyAddress(
            _signingPolicyAddress, newSigningPolicyInitializationStartBlockNumber[_rewardEpochId]
        );
        require(voter != _signingPolicyAddress, "invalid signing policy address");
        weight = registered[_rewardEpochId][voter] ? infos[_rewardEpochId][voter].weight : 0;
        require(weight > 0, "voter not registered");
    }

    function getVoterRegistrationWeight(address _voter, uint256 _rewardEpochId) external view returns (uint256) {
        require(registered[_rewardEpochId][_voter], "voter not registered");
        return infos[_rewardEpochId][_voter].weight;
    }

    function getVoterNormalisedWeight(address _voter, uint256 _rewardEpochId) external view returns (uint16) {
        require(registered[_rewardEpochId][_voter], "voter not registered");
        require(totals[_rewardEpochId].snapshotCreated, "reward epoch id not supported");
        return infos[_rewardEpochId][_voter].normalisedWeight;
    }

    function getWeightsSums(uint256 _rewardEpochId) external view returns (uint128, uint16, uint16) {
        EpochTotals storage t = totals[_rewardEpochId];
        require(t.snapshotCreated, "reward epoch id not supported");
        return (t.weightsSum, t.normalisedWeightsSum, t.normalisedWeightsSumOfVotersWithPublicKeys);
    }

    // ---- internals ----------------------------------------------------------------------------------------

    function _updateContractAddresses(bytes32[] memory _nameHashes, address[] memory _addresses) internal override {
        flareSystemsManager = IFlareSystemsManager(_lookup(_nameHashes, _addresses, "FlareSystemsManager"));
        entityManager = IEntityManager(_lookup(_nameHashes, _addresses, "EntityManager"));
        flareSystemsCalculator = IFlareSystemsCalculator(_lookup(_nameHashes, _addresses, "FlareSystemsCalculator"));
        if (!totals[initialRewardEpochId].snapshotCreated) {
            _initialSnapshot();
        }
    }

    /// Reads the initial voters' addresses from EntityManager and creates the initial epoch's snapshot.
    function _initialSnapshot() private {
        uint256 epoch = initialRewardEpochId;
        uint256 initBlock = newSigningPolicyInitializationStartBlockNumber[epoch];
        address[] storage list = voters[epoch];
        for (uint256 i = 0; i < list.length; i++) {
            VoterInfo storage info = infos[epoch][list[i]];
            IEntityManager.VoterAddresses memory addrs = entityManager.getVoterAddressesAt(list[i], initBlock);
            info.signingPolicyAddress = addrs.signingPolicyAddress;
            info.submitAddress = addrs.submitAddress;
            info.submitSignaturesAddress = addrs.submitSignaturesAddress;
            info.delegationAddress = entityManager.getDelegationAddressOfAt(list[i], initBlock);
            (info.publicKeyPart1, info.publicKeyPart2) = entityManager.getPublicKeyOfAt(list[i], initBlock);
        }
        _snapshot(epoch);
    }

    function _snapshot(uint256 _epoch)
        private
        returns (address[] memory _signingPolicyAddresses, uint16[] memory _normalisedWeights, uint16 _normalisedSum)
    {
        EpochTotals storage t = totals[_epoch];
        require(!t.snapshotCreated, "snapshot already created");
        address[] storage list = voters[_epoch];
        uint256 weightsSum = 0;
        for (uint256 i = 0; i < list.length; i++) weightsSum += infos[_epoch][list[i]].weight;
        _signingPolicyAddresses = new address[](list.length);
        _normalisedWeights = new uint16[](list.length);
        uint256 normalisedSum = 0;
        uint256 normalisedSumWithKeys = 0;
        for (uint256 i = 0; i < list.length; i++) {
            VoterInfo storage info = infos[_epoch][list[i]];
            uint16 normalised = weightsSum == 0 ? 0 : uint16((info.weight * UINT16_MAX) / weightsSum);
            info.normalisedWeight = normalised;
            normalisedSum += normalised;
            if (info.publicKeyPart1 != bytes32(0) || info.publicKeyPart2 != bytes32(0)) {
                normalisedSumWithKeys += normalised;
            }
            _signingPolicyAddresses[i] = info.signingPolicyAddress;
            _normalisedWeights[i] = normalised;
        }
        t.snapshotCreated = true;
        t.weightsSum = uint128(weightsSum);
        t.normalisedWeightsSum = uint16(normalisedSum);
        t.normalisedWeightsSumOfVotersWithPublicKeys = uint16(normalisedSumWithKeys);
        _normalisedSum = uint16(normalisedSum);
    }

    /// Evicts the lowest-weight voter (the latest registered on ties), or reverts if `_weight` is not higher.
    function _removeLowestWeightVoter(uint256 _epoch, uint256 _weight) private {
        address[] storage list = voters[_epoch];
        uint256 minIndex = 0;
        uint256 minWeight = type(uint256).max;
        for (uint256 i = 0; i < list.length; i++) {
            uint256 w = infos[_epoch][list[i]].weight;
            if (w <= minWeight) {
                minWeight = w;
                minIndex = i;
            }
        }
        require(_weight > minWeight, "vote power too low");
        address removed = list[minIndex];
        for (uint256 i = minIndex; i + 1 < list.length; i++) list[i] = list[i + 1];
        list.pop();
        registered[_epoch][removed] = false;
        weightsSumOf[_epoch] -= infos[_epoch][removed].weight;
        delete infos[_epoch][removed];
        emit VoterRemoved(removed, uint32(_epoch));
    }
}
