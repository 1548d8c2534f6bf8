-- The finalizer (ftso-system-client): how far it has read submitSignatures transactions, and the finalizations it
-- decided on, so that a restart or a database error neither loses one nor relays one twice. message_hash is
-- lowercase hex without 0x; calldata is the complete Relay.relay() input (hex, no 0x); status is one of
-- pending, relayed, already_relayed, failed.
CREATE TABLE IF NOT EXISTS finalizer_cursor (
    name TEXT NOT NULL PRIMARY KEY,
    block_number BIGINT NOT NULL,
    starting_voting_round BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS finalizations (
    voting_round_id BIGINT NOT NULL,
    protocol_id BIGINT NOT NULL,
    message_hash TEXT NOT NULL,
    calldata TEXT NOT NULL,
    selected BIGINT NOT NULL,
    not_before BIGINT NOT NULL,
    status TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (voting_round_id, protocol_id, message_hash)
);
CREATE INDEX IF NOT EXISTS finalizations_status ON finalizations (status);
