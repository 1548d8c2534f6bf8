// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// Finalized FTSO feed values (the anchors FastUpdater.resetFeeds starts from).
interface IFtsoFeedPublisher {
    /// One published feed value.
    struct Feed {
        uint32 votingRoundId;
        bytes21 id;
        int32 value;
        uint16 turnoutBIPS;
        int8 decimals;
    }

    function getCurrentFeed(bytes21 _feedId) external view returns (Feed memory);
}
