// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// Contracts whose dependencies are set by the address updater (name hash = keccak256(abi.encode(name))).
interface IAddressUpdatable {
    function updateContractAddresses(bytes32[] memory _contractNameHashes, address[] memory _contractAddresses)
        external;
    function getAddressUpdater() external view returns (address _addressUpdater);
}
