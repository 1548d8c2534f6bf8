//! Addresses of the deployed devnet contracts.

use alloy::primitives::Address;
use ftso_chain::names;

/// The devnet's contracts, by role. Names in [`Contracts::all`] are those of `FlareContractRegistry`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contracts {
    /// FlareContractRegistry, at the network's fixed address.
    pub flare_contract_registry: Address,
    /// FlareSystemsManager.
    pub flare_systems_manager: Address,
    /// Relay.
    pub relay: Address,
    /// Submission.
    pub submission: Address,
    /// VoterRegistry.
    pub voter_registry: Address,
    /// FlareSystemsCalculator.
    pub flare_systems_calculator: Address,
    /// EntityManager.
    pub entity_manager: Address,
    /// FtsoRewardOffersManager.
    pub ftso_reward_offers_manager: Address,
    /// WNatDelegationFee.
    pub wnat_delegation_fee: Address,
    /// The vote-power stub registered as "WNat".
    pub wnat: Address,
    /// The RewardManager stub.
    pub reward_manager: Address,
    /// FastUpdater (fast-updates feeds, sortition judge, EntityManager's public-key verifier).
    pub fast_updater: Address,
    /// FastUpdatesConfiguration (the fast-updates feed list).
    pub fast_updates_configuration: Address,
    /// FastUpdateIncentiveManager (sample size, range, scale).
    pub fast_update_incentive_manager: Address,
    /// FeeCalculator (fee of `fetchCurrentFeeds`).
    pub fee_calculator: Address,
    /// The FtsoFeedPublisher stub (fast-updates anchor values), registered as "FtsoFeedPublisher".
    pub ftso_feed_publisher: Address,
    /// Emits the old uint24 VoterRegistered / VoterRegistrationInfo layouts on demand (not in the registry).
    pub legacy_event_emitter: Address,
}

impl Contracts {
    /// (registry name, address) of every contract registered in FlareContractRegistry.
    pub fn all(&self) -> Vec<(&'static str, Address)> {
        vec![
            ("FlareContractRegistry", self.flare_contract_registry),
            (names::FLARE_SYSTEMS_MANAGER, self.flare_systems_manager),
            (names::RELAY, self.relay),
            (names::SUBMISSION, self.submission),
            (names::VOTER_REGISTRY, self.voter_registry),
            (
                names::FLARE_SYSTEMS_CALCULATOR,
                self.flare_systems_calculator,
            ),
            (names::ENTITY_MANAGER, self.entity_manager),
            (
                names::FTSO_REWARD_OFFERS_MANAGER,
                self.ftso_reward_offers_manager,
            ),
            (names::WNAT_DELEGATION_FEE, self.wnat_delegation_fee),
            (names::WNAT, self.wnat),
            (names::REWARD_MANAGER, self.reward_manager),
            (names::FAST_UPDATER, self.fast_updater),
            (
                names::FAST_UPDATES_CONFIGURATION,
                self.fast_updates_configuration,
            ),
            (
                names::FAST_UPDATE_INCENTIVE_MANAGER,
                self.fast_update_incentive_manager,
            ),
            (names::FEE_CALCULATOR, self.fee_calculator),
            (names::FTSO_FEED_PUBLISHER, self.ftso_feed_publisher),
        ]
    }

    /// The address registered under `name`, if any.
    pub fn by_name(&self, name: &str) -> Option<Address> {
        self.all()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| a)
    }
}
