// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// Marker calls whose payload travels as calldata after the selector.
interface ISubmission {
    event NewVotingRoundInitiated();

    function submit1() external returns (bool);
    function submit2() external returns (bool);
    function submit3() external returns (bool);
    function submitSignatures() external returns (bool);
    function submitAndPass(bytes calldata _data) external returns (bool);

    function initNewVotingRound(
        address[] memory _submit1Addresses,
        address[] memory _submit2Addresses,
        address[] memory _submit3Addresses,
        address[] memory _submitSignaturesAddresses
    ) external;

    function setSubmitAndPassData(address _submitAndPassContract, bytes4 _submitAndPassSelector) external;
    function submitAndPassContract() external view returns (address);
    function submitAndPassSelector() external view returns (bytes4);
    function submit3MethodEnabled() external view returns (bool);

    function getCurrentRandom() external view returns (uint256 _randomNumber);
    function getCurrentRandomWithQuality() external view returns (uint256 _randomNumber, bool _isSecureRandom);
    function getCurrentRandomWithQualityAndTimestamp()
        external view returns (uint256 _randomNumber, bool _isSecureRandom, uint256 _randomTimestamp);
}
