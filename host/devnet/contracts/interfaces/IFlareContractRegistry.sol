// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// Name to address lookup, installed on every Flare network at 0xaD67FE66660Fb8dFE9d6b1b4240d8650e30F6019.
interface IFlareContractRegistry {
    function getContractAddressByName(string calldata _name) external view returns (address);
    function getContractAddressByHash(bytes32 _nameHash) external view returns (address);
    function getContractAddressesByName(string[] calldata _names) external view returns (address[] memory);
    function getContractAddressesByHash(bytes32[] calldata _nameHashes) external view returns (address[] memory);
    function getAllContracts() external view returns (string[] memory _names, address[] memory _addresses);
}
