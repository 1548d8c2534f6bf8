//! The FTSO data provider role.
//!
//! ```text
//! indexer DB ──► chain: range assurance, reward-epoch lifecycle, Submission calldata ──► round: reveals,
//!                benching, medians, random, result tree, message ──► stored once per round
//! feed values (plugin registry or feed-values URL) ──► commit / reveal (persisted before answering)
//! reference HTTP API (submit1, submit2, submitSignatures, submit3, data, ...) ◄── system client
//! ```
//!
//! It reads the chain only through the indexer database, as the reference does.
