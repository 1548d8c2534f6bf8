-- The data provider's round results (not part of the reference indexer schema): computed once per voting round
-- from the indexed submissions, so the result routes and a restarted node answer from storage.
-- Hex is lowercase without 0x; uint256 weights and the random are decimal / hex text; a round's rows are written
-- in one transaction, the ftso_round_results row marking it complete.

CREATE TABLE IF NOT EXISTS ftso_round_results (
    voting_round_id INTEGER PRIMARY KEY,
    reward_epoch_id INTEGER NOT NULL,
    random TEXT NOT NULL,
    is_secure_random INTEGER NOT NULL,
    random_leaf VARCHAR(64) NOT NULL,
    merkle_root VARCHAR(64) NOT NULL,
    total_voting_weight TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS ftso_round_feeds (
    voting_round_id INTEGER NOT NULL REFERENCES ftso_round_results (voting_round_id) ON DELETE CASCADE,
    feed_index INTEGER NOT NULL,
    feed_id VARCHAR(42) NOT NULL,
    decimals INTEGER NOT NULL,
    value INTEGER NOT NULL,
    turnout_bips INTEGER NOT NULL,
    median INTEGER NULL,
    q1 INTEGER NULL,
    q3 INTEGER NULL,
    participating_weight TEXT NOT NULL,
    leaf VARCHAR(64) NOT NULL,
    PRIMARY KEY (voting_round_id, feed_index)
);

CREATE TABLE IF NOT EXISTS ftso_round_voters (
    voting_round_id INTEGER NOT NULL REFERENCES ftso_round_results (voting_round_id) ON DELETE CASCADE,
    voter_index INTEGER NOT NULL,
    submit_address VARCHAR(40) NOT NULL,
    weight TEXT NOT NULL,
    outcome INTEGER NOT NULL,
    benched INTEGER NOT NULL,
    encoded_values TEXT NOT NULL,
    PRIMARY KEY (voting_round_id, voter_index)
);
