-- The data provider's own commits (ftso-data-provider): what submit1 committed to, written before the commit is
-- returned, so that submit2 reveals the same bytes after a restart. Keyed as the reference keys its in-memory cache:
-- the voting round and the submit address exactly as given in the request. Hex is lowercase without 0x.
CREATE TABLE IF NOT EXISTS dp_reveals (
    voting_round_id INTEGER NOT NULL,
    submit_address TEXT NOT NULL,
    random TEXT NOT NULL,
    encoded_values TEXT NOT NULL,
    feed_ids TEXT NOT NULL,
    feed_values TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (voting_round_id, submit_address)
);
