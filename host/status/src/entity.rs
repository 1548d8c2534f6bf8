//! The entity's addresses from the node's config: each role key is loaded only to take its address (the key is
//! dropped at once and never shown); a key that is not configured leaves its address `null`.

use alloy_primitives::Address;
use ftso_chain::keys::{KeyRole, KeySource, RoleKeySources};
use ftso_fast_updates::FastUpdatesConfig;

use crate::model::EntityAddresses;

/// The entity's addresses: `identity` and the system client's `keys` (`[system_client]`), and the sortition
/// public key of `fast_updates` when that client runs.
pub fn entity_addresses(
    identity: Option<Address>,
    keys: &RoleKeySources,
    fast_updates: Option<&FastUpdatesConfig>,
) -> EntityAddresses {
    let signing_policy = address_of(keys, KeyRole::SigningPolicy).or_else(|| {
        fast_updates.and_then(|fu| address_from(&fu.signing_policy_key, KeyRole::SigningPolicy))
    });
    EntityAddresses {
        identity,
        submit: address_of(keys, KeyRole::Submit),
        submit_signatures: address_of(keys, KeyRole::SubmitSignatures),
        signing_policy,
        sortition: fast_updates.and_then(sortition_public_key),
    }
}

fn address_of(keys: &RoleKeySources, role: KeyRole) -> Option<Address> {
    address_from(keys.source(role), role)
}

fn address_from(source: &KeySource, role: KeyRole) -> Option<Address> {
    if !source.is_configured(role) {
        return None;
    }
    match source.load(role) {
        Ok(key) => Some(key.address()),
        Err(error) => {
            tracing::warn!(?role, %error, "status page: the key's address is not shown");
            None
        }
    }
}

/// `0x` + the two 32-byte coordinates of the sortition public key (what `registerPublicKey` takes).
fn sortition_public_key(config: &FastUpdatesConfig) -> Option<String> {
    let env = config
        .sortition_key
        .env
        .as_deref()
        .unwrap_or(ftso_fast_updates::config::SORTITION_KEY_ENV);
    match ftso_fast_updates::keys::load_sortition_key(env, config.sortition_key.file.as_deref()) {
        Ok(key) => {
            let public = key.public_words();
            let mut bytes = public.x.to_be_bytes::<32>().to_vec();
            bytes.extend_from_slice(&public.y.to_be_bytes::<32>());
            Some(format!("0x{}", alloy_primitives::hex::encode(bytes)))
        }
        Err(error) => {
            tracing::warn!(%error, "status page: the sortition public key is not shown");
            None
        }
    }
}
