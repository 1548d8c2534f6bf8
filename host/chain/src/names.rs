//! Contract names as registered in `FlareContractRegistry` (resolve addresses with
//! `getContractAddressByName`), and the registry's fixed address.

use alloy_primitives::{Address, address};

/// `FlareContractRegistry`: the same address on every Flare network (and on the devnet).
pub const FLARE_CONTRACT_REGISTRY_ADDRESS: Address =
    address!("0xaD67FE66660Fb8dFE9d6b1b4240d8650e30F6019");

/// Registry name of the address updater.
pub const ADDRESS_UPDATER: &str = "AddressUpdater";
/// Registry name of FlareSystemsManager.
pub const FLARE_SYSTEMS_MANAGER: &str = "FlareSystemsManager";
/// Registry name of the Relay.
pub const RELAY: &str = "Relay";
/// Registry name of Submission.
pub const SUBMISSION: &str = "Submission";
/// Registry name of VoterRegistry.
pub const VOTER_REGISTRY: &str = "VoterRegistry";
/// Registry name of FlareSystemsCalculator.
pub const FLARE_SYSTEMS_CALCULATOR: &str = "FlareSystemsCalculator";
/// Registry name of EntityManager.
pub const ENTITY_MANAGER: &str = "EntityManager";
/// Registry name of FtsoRewardOffersManager.
pub const FTSO_REWARD_OFFERS_MANAGER: &str = "FtsoRewardOffersManager";
/// Registry name of RewardManager.
pub const REWARD_MANAGER: &str = "RewardManager";
/// Registry name of WNat (wrapped native token; vote power source).
pub const WNAT: &str = "WNat";
/// Registry name of WNatDelegationFee.
pub const WNAT_DELEGATION_FEE: &str = "WNatDelegationFee";
/// Registry name of VoterPreRegistry.
pub const VOTER_PRE_REGISTRY: &str = "VoterPreRegistry";
/// Registry name of FastUpdater.
pub const FAST_UPDATER: &str = "FastUpdater";
/// Registry name of FastUpdatesConfiguration.
pub const FAST_UPDATES_CONFIGURATION: &str = "FastUpdatesConfiguration";
/// Registry name of FastUpdateIncentiveManager.
pub const FAST_UPDATE_INCENTIVE_MANAGER: &str = "FastUpdateIncentiveManager";
/// Registry name of FeeCalculator (the fee of `FastUpdater.fetchCurrentFeeds`).
pub const FEE_CALCULATOR: &str = "FeeCalculator";
/// Registry name of FtsoFeedPublisher.
pub const FTSO_FEED_PUBLISHER: &str = "FtsoFeedPublisher";
/// Registry name of FdcHub.
pub const FDC_HUB: &str = "FdcHub";

/// The name hash used by `updateContractAddresses`: `keccak256(abi.encode(name))`, not the raw string hash.
pub fn name_hash(name: &str) -> alloy_primitives::B256 {
    use alloy_sol_types::SolValue;
    alloy_primitives::keccak256((name.to_string(),).abi_encode_params())
}
