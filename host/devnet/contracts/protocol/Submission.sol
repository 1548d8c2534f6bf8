// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISubmission} from "../interfaces/ISubmission.sol";
import {IRelay} from "../interfaces/IRelay.sol";
import {AddressUpdatable, Governed} from "../lib/Base.sol";

/// Marker calls: each returns true (and consumes the flag) only for an address FlareSystemsManager enabled for the
/// current voting round, false otherwise; they never revert. The payload is trailing calldata, never read here.
contract Submission is ISubmission, Governed, AddressUpdatable {
    bool public submit3MethodEnabled;
    address public submitAndPassContract;
    bytes4 public submitAndPassSelector;
    address public flareSystemsManager;
    IRelay public relay;

    mapping(address => bool) private submit1Allowed;
    mapping(address => bool) private submit2Allowed;
    mapping(address => bool) private submit3Allowed;
    mapping(address => bool) private submitSignaturesAllowed;

    constructor(address _governance, address _addressUpdater, bool _submit3MethodEnabled)
        Governed(_governance)
        AddressUpdatable(_addressUpdater)
    {
        submit3MethodEnabled = _submit3MethodEnabled;
    }

    function initNewVotingRound(
        address[] memory _submit1Addresses,
        address[] memory _submit2Addresses,
        address[] memory _submit3Addresses,
        address[] memory _submitSignaturesAddresses
    ) external {
        require(msg.sender == flareSystemsManager, "only flare system manager");
        for (uint256 i = 0; i < _submit1Addresses.length; i++) submit1Allowed[_submit1Addresses[i]] = true;
        for (uint256 i = 0; i < _submit2Addresses.length; i++) submit2Allowed[_submit2Addresses[i]] = true;
        if (submit3MethodEnabled) {
            for (uint256 i = 0; i < _submit3Addresses.length; i++) submit3Allowed[_submit3Addresses[i]] = true;
        }
        for (uint256 i = 0; i < _submitSignaturesAddresses.length; i++) {
            submitSignaturesAllowed[_submitSignaturesAddresses[i]] = true;
        }
        emit NewVotingRoundInitiated();
    }

    function submit1() external returns (bool) {
        return _consume(submit1Allowed);
    }

    function submit2() external returns (bool) {
        return _consume(submit2Allowed);
    }

    function submit3() external returns (bool) {
        return _consume(submit3Allowed);
    }

    function submitSignatures() external returns (bool) {
        return _consume(submitSignaturesAllowed);
    }

    function submitAndPass(bytes calldata _data) external returns (bool) {
        (bool success, bytes memory result) =
            submitAndPassContract.call(bytes.concat(submitAndPassSelector, _data));
        if (!success) {
            assembly {
                revert(add(result, 32), mload(result))
            }
        }
        return true;
    }

    function setSubmitAndPassData(address _submitAndPassContract, bytes4 _submitAndPassSelector)
        external
        onlyGovernance
    {
        submitAndPassContract = _submitAndPassContract;
        submitAndPassSelector = _submitAndPassSelector;
    }

    function getCurrentRandom() external view returns (uint256 _randomNumber) {
        bool isSecure;
        (_randomNumber, isSecure,) = relay.getRandomNumber();
        require(isSecure, "Not secure");
    }

    function getCurrentRandomWithQuality() external view returns (uint256 _randomNumber, bool _isSecureRandom) {
        (_randomNumber, _isSecureRandom,) = relay.getRandomNumber();
    }

    function getCurrentRandomWithQualityAndTimestamp()
        external
        view
        returns (uint256 _randomNumber, bool _isSecureRandom, uint256 _randomTimestamp)
    {
        return relay.getRandomNumber();
    }

    function _consume(mapping(address => bool) storage _allowed) private returns (bool) {
        if (_allowed[msg.sender]) {
            _allowed[msg.sender] = false;
            return true;
        }
        return false;
    }

    function _updateContractAddresses(bytes32[] memory _nameHashes, address[] memory _addresses) internal override {
        flareSystemsManager = _lookup(_nameHashes, _addresses, "FlareSystemsManager");
        relay = IRelay(_lookup(_nameHashes, _addresses, "Relay"));
    }
}
