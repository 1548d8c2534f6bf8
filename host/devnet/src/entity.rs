//! Test entities: five keys each, as a data provider registers them.

use alloy::primitives::Address;
use alloy::signers::local::PrivateKeySigner;

/// One data-provider entity. Its identity address is the "voter" everywhere on chain.
#[derive(Debug, Clone)]
pub struct Entity {
    /// Cold identity key (the voter id).
    pub identity: PrivateKeySigner,
    /// Sends submit1/submit2/submit3.
    pub submit: PrivateKeySigner,
    /// Sends submitSignatures.
    pub submit_signatures: PrivateKeySigner,
    /// Signs registration, policies, uptime, rewards and finalizations.
    pub signing_policy: PrivateKeySigner,
    /// Holds the WNat vote power.
    pub delegation: PrivateKeySigner,
}

impl Entity {
    /// Identity (voter) address.
    pub fn identity_address(&self) -> Address {
        self.identity.address()
    }

    /// Submit address.
    pub fn submit_address(&self) -> Address {
        self.submit.address()
    }

    /// SubmitSignatures address.
    pub fn submit_signatures_address(&self) -> Address {
        self.submit_signatures.address()
    }

    /// Signing-policy address.
    pub fn signing_policy_address(&self) -> Address {
        self.signing_policy.address()
    }

    /// Delegation address.
    pub fn delegation_address(&self) -> Address {
        self.delegation.address()
    }
}
