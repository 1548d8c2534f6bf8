//! FTSOv2 fast updates: the cryptography and encodings of the `FastUpdater` contract.
//!
//! Every block `b` is a sortition round. A provider with sortition weight `w` holds `w` tickets
//! (replicates `r = 0..w`); ticket `(b, r)` wins when the VRF output `gamma = sk·H(seed, b, r)`
//! has `gamma.x ≤ blockScoreCutoff(b)`. A winning ticket carries one vector of unit deltas,
//! signed with the entity's signing-policy key, to `FastUpdater.submitUpdates`.
//!
//! ```text
//! seed, block, replicate ─▶ hash_to_g1 ─▶ H ─▶ credential (gamma = sk·H, DLEQ proof c, s)
//!                                               │
//! weight, cutoff ─▶ eligibility ◀──────────────┘ (replicate < weight, gamma.x ≤ cutoff)
//! chain + provider values ─▶ scaling ─▶ delta (2-bit encoding)
//! credential + deltas ─▶ update (sha256 ▸ EIP-191 ▸ ECDSA) ─▶ submitUpdates / submitAndPass calldata
//! sortition key + identity address ─▶ key_registration (Schnorr, keccak) ─▶ registerPublicKey calldata
//! ```
//!
//! Randomness (the proof nonce `k`, the Schnorr nonce, the delta coin flip) is always a parameter:
//! the production caller draws it from a CSPRNG, tests inject fixed values, and this module stays
//! pure.

pub mod abi;
pub mod credential;
pub mod curve;
pub mod delta;
pub mod eligibility;
pub mod fixed_scalar;
pub mod hash_to_g1;
pub mod key;
pub mod key_registration;
pub mod scaling;
pub mod update;

pub use credential::{Credential, CredentialError, Proof};
pub use curve::{CurveError, PointWords};
pub use delta::{Delta, DeltaError};
pub use eligibility::EligibilityError;
pub use key::{KeyError, SortitionKey};
pub use key_registration::RegistrationError;
pub use update::{FastUpdate, SignedUpdate, UpdateError, UpdateSignature, WindowError};
