// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAddressUpdatable} from "../interfaces/IAddressUpdatable.sol";
import {Signature} from "../interfaces/Types.sol";

/// Governance by one address (the devnet's deployer); immediate, never timelocked.
abstract contract Governed {
    address public governance;

    modifier onlyGovernance() {
        require(msg.sender == governance, "only governance");
        _;
    }

    constructor(address _governance) {
        require(_governance != address(0), "governance zero");
        governance = _governance;
    }
}

/// Dependencies set by the address updater from (name hash, address) lists; every required name must be present.
abstract contract AddressUpdatable is IAddressUpdatable {
    address private addressUpdater;

    modifier onlyAddressUpdater() {
        require(msg.sender == addressUpdater, "only address updater");
        _;
    }

    constructor(address _addressUpdater) {
        addressUpdater = _addressUpdater;
    }

    function updateContractAddresses(bytes32[] memory _contractNameHashes, address[] memory _contractAddresses)
        external
        onlyAddressUpdater
    {
        addressUpdater = _lookup(_contractNameHashes, _contractAddresses, "AddressUpdater");
        _updateContractAddresses(_contractNameHashes, _contractAddresses);
    }

    function getAddressUpdater() external view returns (address _addressUpdater) {
        return addressUpdater;
    }

    /// Reads the addresses this contract depends on.
    function _updateContractAddresses(bytes32[] memory _nameHashes, address[] memory _addresses) internal virtual;

    /// The address registered under `_name` (hash = keccak256(abi.encode(name))); reverts "address zero" if absent.
    function _lookup(bytes32[] memory _nameHashes, address[] memory _addresses, string memory _name)
        internal
        pure
        returns (address)
    {
        bytes32 nameHash = keccak256(abi.encode(_name));
        for (uint256 i = 0; i < _nameHashes.length; i++) {
            if (_nameHashes[i] == nameHash) {
                require(_addresses[i] != address(0), "address zero");
                return _addresses[i];
            }
        }
        revert("address zero");
    }
}

/// EIP-191 ("\x19Ethereum Signed Message:\n32") recovery of 32-byte message hashes; v must be 27 or 28.
library Eip191 {
    function digest(bytes32 _messageHash) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", _messageHash));
    }

    /// The signer, or address(0) when the signature does not recover.
    function recover(bytes32 _messageHash, Signature calldata _signature) internal pure returns (address) {
        if (_signature.v != 27 && _signature.v != 28) {
            return address(0);
        }
        if (uint256(_signature.s) > 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0) {
            return address(0);
        }
        return ecrecover(digest(_messageHash), _signature.v, _signature.r, _signature.s);
    }
}
