-- The four tables of the reference C-chain indexer (flare-system-c-chain-indexer), with its column names,
-- column order and index/constraint names, so that queries and tools written for the reference keep working.
-- PostgreSQL has no unsigned integers: uint64 columns are BIGINT (every value is < 2^63).

CREATE TABLE IF NOT EXISTS states (
    id BIGSERIAL PRIMARY KEY,
    name VARCHAR(50),
    "index" BIGINT,
    block_timestamp BIGINT,
    updated TIMESTAMP(3) NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_states_name_unique ON states (name);

CREATE TABLE IF NOT EXISTS blocks (
    id BIGSERIAL PRIMARY KEY,
    hash VARCHAR(64) CONSTRAINT uni_blocks_hash UNIQUE,
    number BIGINT,
    timestamp BIGINT
);
CREATE INDEX IF NOT EXISTS idx_blocks_hash ON blocks (hash);
CREATE INDEX IF NOT EXISTS idx_blocks_number ON blocks (number);
CREATE INDEX IF NOT EXISTS idx_blocks_timestamp ON blocks (timestamp);

CREATE TABLE IF NOT EXISTS transactions (
    id BIGSERIAL PRIMARY KEY,
    hash VARCHAR(64) CONSTRAINT uni_transactions_hash UNIQUE,
    function_sig VARCHAR(50),
    input TEXT,
    block_number BIGINT,
    block_hash VARCHAR(64),
    transaction_index BIGINT,
    from_address VARCHAR(40),
    to_address VARCHAR(40),
    status BIGINT,
    value TEXT,
    gas_price TEXT,
    gas BIGINT,
    timestamp BIGINT
);
CREATE INDEX IF NOT EXISTS idx_transactions_hash ON transactions (hash);
CREATE INDEX IF NOT EXISTS idx_transactions_function_sig ON transactions (function_sig);
CREATE INDEX IF NOT EXISTS idx_transactions_block_number ON transactions (block_number);
CREATE INDEX IF NOT EXISTS idx_transactions_from_address ON transactions (from_address);
CREATE INDEX IF NOT EXISTS idx_transactions_to_address ON transactions (to_address);
CREATE INDEX IF NOT EXISTS idx_transactions_timestamp ON transactions (timestamp);

CREATE TABLE IF NOT EXISTS logs (
    id BIGSERIAL PRIMARY KEY,
    transaction_id BIGINT DEFAULT NULL
        CONSTRAINT fk_logs_transaction REFERENCES transactions (id) ON DELETE CASCADE ON UPDATE CASCADE,
    address VARCHAR(40),
    data TEXT,
    topic0 VARCHAR(64),
    topic1 VARCHAR(64),
    topic2 VARCHAR(64),
    topic3 VARCHAR(64),
    transaction_hash VARCHAR(64),
    log_index BIGINT,
    timestamp BIGINT,
    block_number BIGINT
);
CREATE INDEX IF NOT EXISTS idx_logs_transaction_id ON logs (transaction_id);
CREATE INDEX IF NOT EXISTS idx_logs_address ON logs (address);
CREATE INDEX IF NOT EXISTS idx_logs_topic0 ON logs (topic0);
CREATE INDEX IF NOT EXISTS idx_logs_topic1 ON logs (topic1);
CREATE INDEX IF NOT EXISTS idx_logs_topic2 ON logs (topic2);
CREATE INDEX IF NOT EXISTS idx_logs_topic3 ON logs (topic3);
CREATE INDEX IF NOT EXISTS idx_logs_timestamp ON logs (timestamp);
CREATE INDEX IF NOT EXISTS idx_logs_block_number ON logs (block_number);
CREATE UNIQUE INDEX IF NOT EXISTS hash_index_unique ON logs (transaction_hash, log_index);
