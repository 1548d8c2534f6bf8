// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFastUpdater, G1Point, SortitionCredential} from "../interfaces/IFastUpdater.sol";
import {IFastUpdatesConfiguration} from "../interfaces/IFastUpdatesConfiguration.sol";
import {IFastUpdateIncentiveManager} from "../interfaces/IFastUpdateIncentiveManager.sol";
import {IFeeCalculator} from "../interfaces/IFeeCalculator.sol";
import {IFtsoFeedPublisher} from "../interfaces/IFtsoFeedPublisher.sol";
import {IFlareSystemsManager} from "../interfaces/IFlareSystemsManager.sol";
import {IVoterRegistry} from "../interfaces/IVoterRegistry.sol";
import {IPublicKeyVerifier} from "../protocol/EntityManager.sol";
import {Signature} from "../interfaces/Types.sol";
import {AddressUpdatable, Governed} from "../lib/Base.sol";
import {Bn256} from "./Bn256.sol";
import {Sortition, SortitionState} from "./Sortition.sol";

/// Block-latency feeds. Every block is a sortition round; a provider's ticket (block b, replicate r) is accepted
/// once, in blocks b .. b + submissionWindow - 1, if r is below its weight and its VRF output is at most the cutoff
/// the daemon wrote for b. The accepted deltas move each feed by one scale step up or down.
///
/// Checks in `submitUpdates`, in the network contract's order: window, delta length, ECDSA signer, the signer's
/// key and weight in FastUpdater's own reward epoch, the epoch seed, once-only, replicate and proof.
contract FastUpdater is IFastUpdater, IPublicKeyVerifier, Governed, AddressUpdatable {
    /// Total tickets per block over all providers: 1 << VIRTUAL_PROVIDER_BITS.
    uint256 private constant VIRTUAL_PROVIDER_BITS = 12;
    /// Limb width for the cutoff computation: p · E / 2^132 in three limbs so that no product overflows.
    uint256 private constant LIMB_BITS = 256 - (120 + VIRTUAL_PROVIDER_BITS);
    uint256 private constant LIMB_MASK = (1 << LIMB_BITS) - 1;
    /// 1.0 in 1x127 fixed point.
    uint256 private constant ONE_SCALE = 1 << 127;
    /// Blocks of history kept for `numberOfUpdates`; also the bound on the submission window.
    uint256 public constant MAX_BLOCKS_HISTORY = 100;
    /// An anchor older than this many voting rounds is refused by `resetFeeds`.
    uint256 public constant MAX_FEED_AGE_IN_VOTING_EPOCHS = 20;

    uint64 public immutable firstVotingRoundStartTs;
    uint64 public immutable votingEpochDurationSeconds;
    address public immutable flareDaemon;

    uint8 public submissionWindow;
    uint24 public currentRewardEpochId;
    uint32 private currentVotingEpochId;
    uint64 private lastSubmissionTs;

    /// Eight uint32 feed values per word; feed i sits at bit offset (7 - i % 8) · 32 of word i / 8.
    uint256[] private feedWords;
    /// Decimals of each feed index.
    int8[] private feedDecimals;
    /// Score cutoffs by sortition block, a ring of submissionWindow + 1 slots written one block ahead.
    uint256[] private thresholds;
    /// The scale deltas apply with (1x127 fixed point), refreshed by every daemonize.
    uint256 private currentScale = ONE_SCALE;

    mapping(uint256 sortitionBlock => mapping(bytes32 ticket => bool)) private submitted;
    mapping(uint256 blockNumber => uint256) private updatesInBlock;
    mapping(address => bool) private freeFetch;
    address[] private freeFetchList;
    address public feeDestination;

    IFlareSystemsManager public flareSystemsManager;
    IFastUpdateIncentiveManager public fastUpdateIncentiveManager;
    IVoterRegistry public voterRegistry;
    IFtsoFeedPublisher public ftsoFeedPublisher;
    IFastUpdatesConfiguration public fastUpdatesConfiguration;
    IFeeCalculator public feeCalculator;

    modifier onlyFlareDaemon() {
        require(msg.sender == flareDaemon, "only flare daemon");
        _;
    }

    constructor(
        address _governanceSettings,
        address _governance,
        address _addressUpdater,
        address _flareDaemon,
        uint32 _firstVotingRoundStartTs,
        uint8 _votingEpochDurationSeconds,
        uint8 _submissionWindow
    ) Governed(_governance) AddressUpdatable(_addressUpdater) {
        require(_governanceSettings != address(0), "governance settings zero");
        require(_flareDaemon != address(0), "flare daemon zero");
        require(_votingEpochDurationSeconds > 0, "voting epoch duration zero");
        flareDaemon = _flareDaemon;
        firstVotingRoundStartTs = _firstVotingRoundStartTs;
        votingEpochDurationSeconds = _votingEpochDurationSeconds;
        currentVotingEpochId = _currentVotingEpochId();
        feeDestination = _governance;
        _setSubmissionWindow(_submissionWindow);
    }

    // ---- submissions --------------------------------------------------------------------------------------

    function submitUpdates(FastUpdates calldata _updates) external {
        uint256 window = submissionWindow;
        uint256 rewardEpochId = currentRewardEpochId;
        uint256 sortitionBlock = _updates.sortitionBlock;
        require(block.number < sortitionBlock + window, "Updates no longer accepted for the given block");
        require(block.number >= sortitionBlock, "Updates not yet available for the given block");
        require(_updates.deltas.length * 4 <= feedWords.length * 8, "More updates than available feeds");

        bytes32 message = sha256(abi.encode(sortitionBlock, _updates.sortitionCredential, _updates.deltas));
        address signingPolicyAddress = _recover(_ethSignedMessageHash(message), _updates.signature);
        (G1Point memory publicKey, uint256 weight) = _providerData(signingPolicyAddress, rewardEpochId);
        SortitionState memory state = SortitionState({
            baseSeed: flareSystemsManager.getSeed(rewardEpochId),
            blockNumber: sortitionBlock,
            scoreCutoff: thresholds[sortitionBlock % (window + 1)],
            weight: weight,
            publicKey: publicKey
        });

        bytes32 ticket = sha256(abi.encode(publicKey, sortitionBlock, _updates.sortitionCredential.replicate));
        require(!submitted[sortitionBlock][ticket], "submission already provided");
        submitted[sortitionBlock][ticket] = true;

        require(Sortition.isWinningTicket(state, _updates.sortitionCredential), "sortition proof invalid");

        _applyDeltas(_updates.deltas);
        updatesInBlock[block.number] += 1;
        lastSubmissionTs = uint64(block.timestamp);
        emit FastUpdateFeedsSubmitted(currentVotingEpochId, signingPolicyAddress);
    }

    // ---- reads --------------------------------------------------------------------------------------------

    function fetchCurrentFeeds(uint256[] calldata _indices)
        public
        payable
        returns (uint256[] memory _feeds, int8[] memory _decimals, uint64 _timestamp)
    {
        _chargeFee(_indices);
        _feeds = new uint256[](_indices.length);
        _decimals = new int8[](_indices.length);
        for (uint256 i = 0; i < _indices.length; i++) {
            require(_indices[i] < feedDecimals.length);
            _feeds[i] = _feedValue(_indices[i]);
            _decimals[i] = feedDecimals[_indices[i]];
        }
        _timestamp = lastSubmissionTs;
    }

    function fetchAllCurrentFeeds()
        external
        payable
        returns (bytes21[] memory _feedIds, uint256[] memory _feeds, int8[] memory _decimals, uint64 _timestamp)
    {
        _feedIds = fastUpdatesConfiguration.getFeedIds();
        uint256[] memory indices = new uint256[](_feedIds.length);
        for (uint256 i = 0; i < indices.length; i++) {
            indices[i] = i;
        }
        // An external call, as on the network: this contract is the caller and pays the fee.
        (_feeds, _decimals, _timestamp) = this.fetchCurrentFeeds{value: msg.value}(indices);
    }

    function currentSortitionWeight(address _signingPolicyAddress) external view returns (uint256 _weight) {
        (, _weight) = _providerData(_signingPolicyAddress, currentRewardEpochId);
    }

    function currentScoreCutoff() external view returns (uint256) {
        return _currentScoreCutoff();
    }

    function blockScoreCutoff(uint256 _blockNum) external view returns (uint256) {
        require(
            _blockNum <= block.number + 1 && block.number < _blockNum + submissionWindow,
            "score cutoff not available for the given block"
        );
        return thresholds[_blockNum % (uint256(submissionWindow) + 1)];
    }

    function numberOfUpdates(uint256 _historySize) external view returns (uint256[] memory _noOfUpdates) {
        require(_historySize <= MAX_BLOCKS_HISTORY && _historySize <= block.number, "History size too big");
        _noOfUpdates = new uint256[](_historySize);
        for (uint256 i = 0; i < _historySize; i++) {
            _noOfUpdates[i] = updatesInBlock[block.number - i];
        }
    }

    function numberOfUpdatesInBlock(uint256 _blockNumber) external view returns (uint256) {
        require(
            _blockNumber + MAX_BLOCKS_HISTORY > block.number && _blockNumber <= block.number,
            "The given block is no longer or not yet available"
        );
        return updatesInBlock[_blockNumber];
    }

    /// EntityManager's public-key verifier: a Schnorr signature over sha256(voter address).
    function verifyPublicKey(address _voter, bytes32 _part1, bytes32 _part2, bytes memory _verificationData)
        external
        view
        override(IFastUpdater, IPublicKeyVerifier)
    {
        (uint256 s, uint256 rx, uint256 ry) = abi.decode(_verificationData, (uint256, uint256, uint256));
        G1Point memory publicKey = G1Point(uint256(_part1), uint256(_part2));
        require(Bn256.isOnCurve(publicKey));
        G1Point memory r = G1Point(rx, ry);
        require(Bn256.isOnCurve(r));
        Sortition.verifySchnorr(publicKey, sha256(abi.encodePacked(_voter)), s, r);
    }

    // ---- daemon and administration ------------------------------------------------------------------------

    /// Once per block: publishes the previous voting round's values at a round change, rescales the feeds at a
    /// reward-epoch change, and writes the score cutoff for the next block.
    function daemonize() external onlyFlareDaemon returns (bool) {
        uint32 votingEpochId = _currentVotingEpochId();
        if (votingEpochId > currentVotingEpochId) {
            (uint256[] memory values, int8[] memory decimals) = _allFeeds();
            currentVotingEpochId = votingEpochId;
            emit FastUpdateFeeds(votingEpochId - 1, values, decimals);
        }
        uint24 rewardEpochId = flareSystemsManager.getCurrentRewardEpochId();
        if (rewardEpochId != currentRewardEpochId) {
            _rescaleAllFeeds();
            currentRewardEpochId = rewardEpochId;
        }
        fastUpdateIncentiveManager.advance();
        thresholds[(block.number + 1) % (uint256(submissionWindow) + 1)] = _currentScoreCutoff();
        currentScale = fastUpdateIncentiveManager.getScale();
        return true;
    }

    /// Sets the listed feeds to their FTSO anchor values (FtsoFeedPublisher), rescaled.
    function resetFeeds(uint256[] calldata _indices) external {
        require(
            msg.sender == address(fastUpdatesConfiguration) || msg.sender == governance,
            "only fast updates configuration or governance"
        );
        uint256 maxIndex = 0;
        for (uint256 i = 0; i < _indices.length; i++) {
            if (_indices[i] > maxIndex) maxIndex = _indices[i];
        }
        while (feedDecimals.length <= maxIndex) feedDecimals.push();
        while (feedWords.length <= maxIndex / 8) feedWords.push();
        uint256 votingRoundId = _currentVotingEpochId();
        uint256 baseScale = fastUpdateIncentiveManager.getBaseScale();
        for (uint256 i = 0; i < _indices.length; i++) {
            uint256 index = _indices[i];
            bytes21 feedId = fastUpdatesConfiguration.getFeedId(index);
            require(feedId != bytes21(0), "index not supported");
            IFtsoFeedPublisher.Feed memory anchor = ftsoFeedPublisher.getCurrentFeed(feedId);
            require(anchor.votingRoundId + MAX_FEED_AGE_IN_VOTING_EPOCHS > votingRoundId, "feed too old");
            require(anchor.value > 0, "feed value zero or negative");
            (uint256 value, int8 decimals) = _adjustDecimals(uint256(uint32(anchor.value)), anchor.decimals, baseScale);
            _setFeedValue(index, value);
            feedDecimals[index] = decimals;
            emit FastUpdateFeedReset(votingRoundId, index, feedId, value, decimals);
        }
    }

    function removeFeeds(uint256[] memory _indices) external {
        require(msg.sender == address(fastUpdatesConfiguration), "only fast updates configuration");
        for (uint256 i = 0; i < _indices.length; i++) {
            _setFeedValue(_indices[i], 0);
            feedDecimals[_indices[i]] = 0;
            emit FastUpdateFeedRemoved(_indices[i]);
        }
    }

    function setFreeFetchAddresses(address[] calldata _freeFetchAddresses) external onlyGovernance {
        for (uint256 i = 0; i < freeFetchList.length; i++) freeFetch[freeFetchList[i]] = false;
        freeFetchList = _freeFetchAddresses;
        for (uint256 i = 0; i < _freeFetchAddresses.length; i++) freeFetch[_freeFetchAddresses[i]] = true;
    }

    function setFeeDestination(address _feeDestination) external onlyGovernance {
        require(_feeDestination != address(0), "address zero");
        feeDestination = _feeDestination;
    }

    /// Changes the window; all stored cutoffs are cleared (the daemon refills them block by block).
    function setSubmissionWindow(uint8 _submissionWindow) external onlyGovernance {
        _setSubmissionWindow(_submissionWindow);
    }

    // ---- internals ----------------------------------------------------------------------------------------

    function _setSubmissionWindow(uint8 _submissionWindow) private {
        require(_submissionWindow < MAX_BLOCKS_HISTORY, "Submission window too big");
        submissionWindow = _submissionWindow;
        thresholds = new uint256[](uint256(_submissionWindow) + 1);
    }

    /// OpenZeppelin ECDSA.recover's rules: high s first, then anything ecrecover rejects.
    function _recover(bytes32 _hash, Signature calldata _signature) private pure returns (address signer) {
        if (uint256(_signature.s) > 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0) {
            revert ECDSAInvalidSignatureS(_signature.s);
        }
        signer = ecrecover(_hash, _signature.v, _signature.r, _signature.s);
        if (signer == address(0)) revert ECDSAInvalidSignature();
    }

    function _ethSignedMessageHash(bytes32 _message) private pure returns (bytes32) {
        return keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", _message));
    }

    /// The signer's sortition key and weight ceil(normalisedWeight · 4096 / normalisedSumOfVotersWithKeys).
    function _providerData(address _signingPolicyAddress, uint256 _rewardEpochId)
        private
        view
        returns (G1Point memory _key, uint256 _weight)
    {
        (bytes32 part1, bytes32 part2, uint16 normalisedWeight, uint16 normalisedSum) =
            voterRegistry.getPublicKeyAndNormalisedWeight(_rewardEpochId, _signingPolicyAddress);
        require(part1 != bytes32(0) || part2 != bytes32(0), "Public key not registered");
        require(normalisedSum > 0, "Division by zero");
        _key = G1Point(uint256(part1), uint256(part2));
        _weight = (uint256(normalisedWeight) * (1 << VIRTUAL_PROVIDER_BITS) + normalisedSum - 1) / normalisedSum;
    }

    /// ≈ p · E / 2^132 (E = expected sample size, 8x120): the three-limb sum the network contract computes.
    function _currentScoreCutoff() private view returns (uint256) {
        uint256 e = fastUpdateIncentiveManager.getExpectedSampleSize();
        uint256 small = Bn256.P & LIMB_MASK;
        uint256 medium = (Bn256.P >> LIMB_BITS) & LIMB_MASK;
        uint256 big = Bn256.P >> (2 * LIMB_BITS);
        return ((big * e) << (2 * LIMB_BITS - VIRTUAL_PROVIDER_BITS - 120))
            + ((medium * e) >> (VIRTUAL_PROVIDER_BITS + 120 - LIMB_BITS))
            + ((small * e) >> (VIRTUAL_PROVIDER_BITS + 120));
    }

    /// Applies 2-bit deltas, four feeds per byte with the first in the top bits: 01 multiplies by the scale,
    /// 11 divides by it, 00 and 10 leave the feed.
    function _applyDeltas(bytes calldata _deltas) private {
        uint256 scale = currentScale;
        for (uint256 i = 0; i < _deltas.length; i++) {
            uint8 packed = uint8(_deltas[i]);
            if (packed == 0) continue;
            for (uint256 k = 0; k < 4; k++) {
                uint8 code = (packed >> (6 - 2 * k)) & 3;
                uint256 index = 4 * i + k;
                if (code == 1) {
                    _setFeedValue(index, (_feedValue(index) * scale) >> 127);
                } else if (code == 3) {
                    _setFeedValue(index, (_feedValue(index) << 127) / scale);
                }
            }
        }
    }

    function _chargeFee(uint256[] calldata _indices) private {
        if (freeFetch[msg.sender]) {
            require(msg.value == 0, "no fee expected");
            return;
        }
        uint256 fee = feeCalculator.calculateFeeByIndices(_indices);
        require(msg.value >= fee, "too low fee");
        if (msg.value > 0) {
            (bool success,) = feeDestination.call{value: fee}("");
            require(success, "fee transfer failed");
        }
    }

    function _feedValue(uint256 _index) private view returns (uint256) {
        return (feedWords[_index / 8] >> ((7 - (_index % 8)) * 32)) & type(uint32).max;
    }

    /// Stores a value in its 32 bits (a value of 2^32 or more spills into the neighbouring feed, as on the
    /// network; decimals keep values below 2^29 so one step cannot get there).
    function _setFeedValue(uint256 _index, uint256 _value) private {
        uint256 shift = (7 - (_index % 8)) * 32;
        uint256 word = feedWords[_index / 8] & ~(uint256(type(uint32).max) << shift);
        feedWords[_index / 8] = word | (_value << shift);
    }

    function _allFeeds() private view returns (uint256[] memory values, int8[] memory decimals) {
        values = new uint256[](feedDecimals.length);
        decimals = new int8[](feedDecimals.length);
        for (uint256 i = 0; i < values.length; i++) {
            values[i] = _feedValue(i);
            decimals[i] = feedDecimals[i];
        }
    }

    function _rescaleAllFeeds() private {
        uint256 baseScale = fastUpdateIncentiveManager.getBaseScale();
        for (uint256 i = 0; i < feedDecimals.length; i++) {
            (uint256 value, int8 decimals) = _adjustDecimals(_feedValue(i), feedDecimals[i], baseScale);
            _setFeedValue(i, value);
            feedDecimals[i] = decimals;
        }
    }

    /// Keeps a value below 2^29 (one division by 10, decimals - 1) and large enough that one scale step moves it
    /// by at least 8 units (multiplications by 10, decimals + 1, while below 2^28).
    function _adjustDecimals(uint256 _value, int8 _decimals, uint256 _scale) private pure returns (uint256, int8) {
        if (_value == 0) return (_value, _decimals);
        uint256 value = _value;
        int8 decimals = _decimals;
        if ((value >> 29) > 0 && decimals > type(int8).min) {
            value /= 10;
            decimals -= 1;
        }
        while ((((value * _scale) >> 127) - value) >> 3 == 0 && decimals < type(int8).max && (value >> 28) == 0) {
            value *= 10;
            decimals += 1;
        }
        return (value, decimals);
    }

    function _currentVotingEpochId() private view returns (uint32) {
        return uint32((block.timestamp - firstVotingRoundStartTs) / votingEpochDurationSeconds);
    }

    function _updateContractAddresses(bytes32[] memory _nameHashes, address[] memory _addresses) internal override {
        flareSystemsManager = IFlareSystemsManager(_lookup(_nameHashes, _addresses, "FlareSystemsManager"));
        fastUpdateIncentiveManager =
            IFastUpdateIncentiveManager(_lookup(_nameHashes, _addresses, "FastUpdateIncentiveManager"));
        voterRegistry = IVoterRegistry(_lookup(_nameHashes, _addresses, "VoterRegistry"));
        ftsoFeedPublisher = IFtsoFeedPublisher(_lookup(_nameHashes, _addresses, "FtsoFeedPublisher"));
        fastUpdatesConfiguration =
            IFastUpdatesConfiguration(_lookup(_nameHashes, _addresses, "FastUpdatesConfiguration"));
        feeCalculator = IFeeCalculator(_lookup(_nameHashes, _addresses, "FeeCalculator"));
    }
}
