//! Registering the sortition public key (fast-updates digest §3): `EntityManager.registerPublicKey(pk.x, pk.y,
//! s ‖ R.x ‖ R.y)` sent from the entity's identity address, with a Schnorr proof that the key's owner chose that
//! identity. The key counts from the first reward epoch whose signing-policy snapshot comes after it.

use alloy::primitives::Address;
use alloy::rpc::types::TransactionReceipt;
use ftso_chain::tx::{Call, SendOptions, TxError, TxSender};
use ftso_core::fast_updates::{SortitionKey, key_registration};

/// The `registerPublicKey` calldata for `key` and the identity `identity`, with a fresh Schnorr nonce.
pub fn registration_calldata(key: &SortitionKey, identity: &Address) -> anyhow::Result<Vec<u8>> {
    let mut randomness = Ok(());
    let registration = key_registration::sign(key, identity, |bytes| {
        if let Err(error) = getrandom::fill(bytes) {
            randomness = Err(error);
        }
    });
    randomness.map_err(|error| anyhow::anyhow!("no randomness for the Schnorr nonce: {error}"))?;
    Ok(registration.calldata())
}

/// `EntityManager`'s address from the contract registry.
pub async fn entity_manager(
    provider: &alloy::providers::DynProvider,
    registry: Address,
) -> anyhow::Result<Address> {
    crate::chain::registry_address(provider, registry, ftso_chain::names::ENTITY_MANAGER).await
}

/// Sends `registerPublicKey` for `key` from `identity` (the sender of the entity's identity key) to
/// `entity_manager`. Reverts ("public key already registered", "public key verification error") are returned as
/// [`TxError::Reverted`].
pub async fn register_sortition_key(
    identity: &TxSender,
    entity_manager: Address,
    key: &SortitionKey,
    options: &SendOptions,
) -> Result<TransactionReceipt, TxError> {
    let calldata = registration_calldata(key, &identity.address())
        .map_err(|e| TxError::Build(e.to_string()))?;
    identity
        .send(&Call::raw(entity_manager, calldata), options)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::address;

    #[test]
    fn the_calldata_carries_a_proof_that_verifies() -> anyhow::Result<()> {
        let key = SortitionKey::parse(
            "0x01512de600a10a0aac01580dbfc080965b89ed2329a7b2bf538f4c7e09e34aa1",
        )?;
        let identity = address!("0xd4e934C2749CA8C1618659D02E7B28B074bf4df7");
        let calldata = registration_calldata(&key, &identity)?;
        // selector ‖ pk.x ‖ pk.y ‖ offset ‖ length 96 ‖ s ‖ R.x ‖ R.y
        assert_eq!(&calldata[..4], &[0xb1, 0x86, 0x3c, 0xff]);
        assert_eq!(calldata.len(), 4 + 32 * 4 + 96);
        let pk = key.public_words();
        assert_eq!(&calldata[4..36], &pk.x.to_be_bytes::<32>());
        let data = &calldata[4 + 128..];
        assert_eq!(key_registration::verify(&pk, &identity, data), Ok(()));
        let other = address!("0x0000000000000000000000000000000000000001");
        assert!(key_registration::verify(&pk, &other, data).is_err());
        Ok(())
    }
}
