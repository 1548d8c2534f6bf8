//! The protocol constants the data provider needs beyond the epoch settings, and the contract
//! addresses whose indexed rows it reads.

use std::time::Duration;

use alloy_primitives::{Address, address};
use ftso_chain::names;
use ftso_core::epoch::EpochSettings;

/// The reference's `RANDOM_GENERATION_BENCHING_WINDOW` (20 rounds on every network).
pub const DEFAULT_BENCHING_WINDOW: u32 = 20;

/// Network parameters of the round calculation (the reference's network constants).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtocolParams {
    /// Voting-round and reward-epoch arithmetic, with the reveal deadline.
    pub epochs: EpochSettings,
    /// `INITIAL_REWARD_EPOCH_ID`: the reward epoch the network started with (its successor uses a
    /// synthetic genesis `RewardEpochStarted` and a clipped benching window).
    pub initial_reward_epoch_id: u32,
    /// `RANDOM_GENERATION_BENCHING_WINDOW`: rounds back in which a reveal offender is benched.
    pub benching_window: u32,
    /// `FIP16_ACTIVATION_REWARD_EPOCH`: from this reward epoch on, median weights are the signing
    /// policy's uint16 weights instead of `wNatCappedWeight`. `None` (the default on every network
    /// today) means never. All providers must switch at the same epoch.
    pub fip16_activation_reward_epoch: Option<u32>,
    /// `INDEXER_TOP_TIMEOUT`: how long after a reveal window's end a missing top block is tolerated
    /// (the reveals are then taken as they are).
    pub indexer_top_timeout: Duration,
}

impl ProtocolParams {
    /// Parameters for `epochs` with the reference defaults: initial reward epoch 0, benching window
    /// 20, FIP.16 never, top timeout 5 s.
    pub fn new(epochs: EpochSettings) -> Self {
        Self {
            epochs,
            initial_reward_epoch_id: 0,
            benching_window: DEFAULT_BENCHING_WINDOW,
            fip16_activation_reward_epoch: None,
            indexer_top_timeout: Duration::from_secs(5),
        }
    }

    /// Whether FIP.16 median weights apply in `reward_epoch_id`.
    pub fn fip16_active(&self, reward_epoch_id: u32) -> bool {
        self.fip16_activation_reward_epoch
            .is_some_and(|first| reward_epoch_id >= first)
    }
}

/// Where the contracts' rows are in the indexer database: every address each contract was indexed
/// at (an upgraded contract has its old and new deployment), as the indexer resolved them from the
/// contract registry (`ftso_chain::names`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContractAddresses {
    /// `Submission` (submit1 / submit2 transactions).
    pub submission: Vec<Address>,
    /// `FlareSystemsManager` (RewardEpochStarted, RandomAcquisitionStarted, VotePowerBlockSelected).
    pub flare_systems_manager: Vec<Address>,
    /// `Relay` (SigningPolicyInitialized).
    pub relay: Vec<Address>,
    /// `VoterRegistry` (VoterRegistered, both layouts).
    pub voter_registry: Vec<Address>,
    /// `FlareSystemsCalculator` (VoterRegistrationInfo, both layouts).
    pub flare_systems_calculator: Vec<Address>,
    /// `FtsoRewardOffersManager` (RewardsOffered, InflationRewardsOffered).
    pub ftso_reward_offers_manager: Vec<Address>,
}

/// The reference's `Submission` address, the same on every network.
const SUBMISSION: Address = address!("0x2cA6571Daa15ce734Bbd0Bf27D5C9D16787fc33f");

impl ContractAddresses {
    /// One address per contract, looked up by its `FlareContractRegistry` name
    /// (`ftso_chain::names`), e.g. from a devnet's deployment; `None` when a name is missing.
    pub fn resolve(lookup: impl Fn(&str) -> Option<Address>) -> Option<Self> {
        let one = |name: &str| lookup(name).map(|a| vec![a]);
        Some(Self {
            submission: one(names::SUBMISSION)?,
            flare_systems_manager: one(names::FLARE_SYSTEMS_MANAGER)?,
            relay: one(names::RELAY)?,
            voter_registry: one(names::VOTER_REGISTRY)?,
            flare_systems_calculator: one(names::FLARE_SYSTEMS_CALCULATOR)?,
            ftso_reward_offers_manager: one(names::FTSO_REWARD_OFFERS_MANAGER)?,
        })
    }

    /// The addresses of a named network as the reference data provider knows them (`flare`,
    /// `songbird`, `coston`, `coston2`, and `local-test`, which shares coston2's), with both
    /// deployments of the voter contracts that were upgraded (the indexer collects both).
    pub fn for_network(name: &str) -> Option<Self> {
        let one = |a: Address| vec![a];
        let contracts = match name {
            "flare" => Self {
                submission: one(SUBMISSION),
                flare_systems_manager: one(address!("0x89e50DC0380e597ecE79c8494bAAFD84537AD0D4")),
                relay: one(address!("0xCcF30790A93F15e24EB909548a2C58a9b0a7FBd4")),
                voter_registry: vec![
                    address!("0x2580101692366e2f331e891180d9ffdF861Fce83"),
                    address!("0xA480457953Af3583E54DCd630b219353B8FC9Af7"),
                ],
                flare_systems_calculator: vec![
                    address!("0x67c4B11c710D35a279A41cff5eb089Fe72748CF8"),
                    address!("0xf9cCe0Bd286bb38A9A0cD15fDDC5431F03568Db0"),
                ],
                ftso_reward_offers_manager: one(address!(
                    "0x244EA7f173895968128D5847Df2C75B1460ac685"
                )),
            },
            "songbird" => Self {
                submission: one(SUBMISSION),
                flare_systems_manager: one(address!("0x421c69E22f48e14Fc2d2Ee3812c59bfb81c38516")),
                relay: one(address!("0xCB86E8Be709001e01897Bf59847406853da8f14b")),
                voter_registry: vec![
                    address!("0x31B9EC65C731c7D973a33Ef3FC83B653f540dC8D"),
                    address!("0xd23FAE88c09e6A77dD9eFcc29D6bBC55D2e74310"),
                ],
                flare_systems_calculator: vec![
                    address!("0x126FAeEc75601dA3354c0b5Cc0b60C85fCbC3A5e"),
                    address!("0x31a5B8E7ca6dFC7B963f5D029F0884ef19E53A24"),
                ],
                ftso_reward_offers_manager: one(address!(
                    "0x5aB9cB258a342001C4663D9526A1c54cCcF8C545"
                )),
            },
            "coston" => Self {
                submission: one(SUBMISSION),
                flare_systems_manager: one(address!("0x85680Dd93755Fe5d0789773fd0896cEE51F9e358")),
                relay: one(address!("0x051f214D346Cfd97B107BECb87E2B35D1b4287E9")),
                // The registry of reward epochs up to 5450, then the current one.
                voter_registry: vec![
                    address!("0xb4b93a3a3ada93a574e6efeb5f295bf882934cb6"),
                    address!("0x42F4526BFC6f892DB515a832a52eFc9edFADf6c0"),
                ],
                flare_systems_calculator: one(address!(
                    "0x3787dcbd770202f856ed9204c19d6f9022ff3bf2"
                )),
                ftso_reward_offers_manager: one(address!(
                    "0xC9534cB913150aD3e98D792857689B55e2404212"
                )),
            },
            "coston2" | "local-test" => Self {
                submission: one(SUBMISSION),
                flare_systems_manager: one(address!("0xA90Db6D10F856799b10ef2A77EBCbF460aC71e52")),
                relay: one(address!("0xa10B672D1c62e5457b17af63d4302add6A99d7dE")),
                voter_registry: one(address!("0x6a0AF07b7972177B176d3D422555cbc98dfDe914")),
                flare_systems_calculator: one(address!(
                    "0x93F4C0b43A221Cf0a57faa882Df5E3F6CAa5Aca8"
                )),
                ftso_reward_offers_manager: one(address!(
                    "0x1b7ffab226b66b5eCBdC79a42287BC09C05bCb33"
                )),
            },
            _ => return None,
        };
        Some(contracts)
    }
}
