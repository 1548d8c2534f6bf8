// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFlareContractRegistry} from "../interfaces/IFlareContractRegistry.sol";

/// Name to address registry. No constructor state: the devnet copies the runtime code to the network's fixed
/// address with anvil_setCode, and the first caller of setContractAddress becomes the owner.
contract FlareContractRegistry is IFlareContractRegistry {
    address public owner;
    string[] private names;
    mapping(bytes32 => address) private addressByHash;

    /// Registers or replaces `_name`.
    function setContractAddress(string calldata _name, address _address) external {
        if (owner == address(0)) {
            owner = msg.sender;
        }
        require(msg.sender == owner, "only owner");
        bytes32 nameHash = keccak256(abi.encode(_name));
        if (addressByHash[nameHash] == address(0)) {
            names.push(_name);
        }
        addressByHash[nameHash] = _address;
    }

    function getContractAddressByName(string calldata _name) external view returns (address) {
        return addressByHash[keccak256(abi.encode(_name))];
    }

    function getContractAddressByHash(bytes32 _nameHash) external view returns (address) {
        return addressByHash[_nameHash];
    }

    function getContractAddressesByName(string[] calldata _names) external view returns (address[] memory result) {
        result = new address[](_names.length);
        for (uint256 i = 0; i < _names.length; i++) {
            result[i] = addressByHash[keccak256(abi.encode(_names[i]))];
        }
    }

    function getContractAddressesByHash(bytes32[] calldata _nameHashes)
        external
        view
        returns (address[] memory result)
    {
        result = new address[](_nameHashes.length);
        for (uint256 i = 0; i < _nameHashes.length; i++) {
            result[i] = addressByHash[_nameHashes[i]];
        }
    }

    function getAllContracts() external view returns (string[] memory _names, address[] memory _addresses) {
        _names = names;
        _addresses = new address[](names.length);
        for (uint256 i = 0; i < names.length; i++) {
            _addresses[i] = addressByHash[keccak256(abi.encode(names[i]))];
        }
    }
}
