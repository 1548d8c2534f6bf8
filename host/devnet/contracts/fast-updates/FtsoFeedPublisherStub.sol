// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFtsoFeedPublisher} from "../interfaces/IFtsoFeedPublisher.sol";
import {Governed} from "../lib/Base.sol";

/// Stand-in for FtsoFeedPublisher: anchor values set by governance instead of Merkle-proven FTSO results. A feed
/// is always reported as published in the current voting round, so FastUpdater.resetFeeds never finds it too old.
contract FtsoFeedPublisherStub is IFtsoFeedPublisher, Governed {
    uint64 public immutable firstVotingRoundStartTs;
    uint64 public immutable votingEpochDurationSeconds;

    mapping(bytes21 => Feed) private feeds;

    constructor(address _governance, uint32 _firstVotingRoundStartTs, uint8 _votingEpochDurationSeconds)
        Governed(_governance)
    {
        require(_votingEpochDurationSeconds > 0, "voting epoch duration zero");
        firstVotingRoundStartTs = _firstVotingRoundStartTs;
        votingEpochDurationSeconds = _votingEpochDurationSeconds;
    }

    /// Sets the anchor value of `_feedId` (governance only).
    function setFeed(bytes21 _feedId, int32 _value, int8 _decimals) external onlyGovernance {
        feeds[_feedId] = Feed(0, _feedId, _value, 10000, _decimals);
    }

    function getCurrentFeed(bytes21 _feedId) external view returns (Feed memory _feed) {
        _feed = feeds[_feedId];
        _feed.id = _feedId;
        _feed.votingRoundId = uint32((block.timestamp - firstVotingRoundStartTs) / votingEpochDurationSeconds);
    }
}
