//! 4-byte function selectors the off-chain roles match on (transactions to Submission and the Relay) or send.
//!
//! Beware: `relay()` (0xb59589d1) is also a public getter on Submission, FlareSystemsManager and
//! FtsoFeedPublisher; always filter by contract address as well.

use alloy_sol_types::SolCall;

use crate::bindings::{IEntityManager, IFlareSystemsManager, IRelay, ISubmission, IVoterRegistry};

/// `Submission.submit1()`: commit.
pub const SUBMIT1: [u8; 4] = ISubmission::submit1Call::SELECTOR;
/// `Submission.submit2()`: reveal.
pub const SUBMIT2: [u8; 4] = ISubmission::submit2Call::SELECTOR;
/// `Submission.submit3()`: reserved.
pub const SUBMIT3: [u8; 4] = ISubmission::submit3Call::SELECTOR;
/// `Submission.submitSignatures()`.
pub const SUBMIT_SIGNATURES: [u8; 4] = ISubmission::submitSignaturesCall::SELECTOR;
/// `Submission.submitAndPass(bytes)`: fast updates.
pub const SUBMIT_AND_PASS: [u8; 4] = ISubmission::submitAndPassCall::SELECTOR;
/// `Relay.relay()`: finalization with custom calldata.
pub const RELAY: [u8; 4] = IRelay::relayCall::SELECTOR;
/// `FlareSystemsManager.daemonize()`.
pub const DAEMONIZE: [u8; 4] = IFlareSystemsManager::daemonizeCall::SELECTOR;
/// `FlareSystemsManager.signNewSigningPolicy(uint24,bytes32,(uint8,bytes32,bytes32))`.
pub const SIGN_NEW_SIGNING_POLICY: [u8; 4] =
    IFlareSystemsManager::signNewSigningPolicyCall::SELECTOR;
/// `FlareSystemsManager.signUptimeVote(uint24,bytes32,(uint8,bytes32,bytes32))`.
pub const SIGN_UPTIME_VOTE: [u8; 4] = IFlareSystemsManager::signUptimeVoteCall::SELECTOR;
/// `FlareSystemsManager.signRewards(uint24,(uint256,uint256)[],bytes32,(uint8,bytes32,bytes32))`.
pub const SIGN_REWARDS: [u8; 4] = IFlareSystemsManager::signRewardsCall::SELECTOR;
/// `VoterRegistry.registerVoter(address,(uint8,bytes32,bytes32))`.
pub const REGISTER_VOTER: [u8; 4] = IVoterRegistry::registerVoterCall::SELECTOR;
/// `EntityManager.registerPublicKey(bytes32,bytes32,bytes)`.
pub const REGISTER_PUBLIC_KEY: [u8; 4] = IEntityManager::registerPublicKeyCall::SELECTOR;
