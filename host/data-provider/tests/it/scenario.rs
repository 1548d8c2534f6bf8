//! The end-to-end scenario of data-provider §12.7 (network `local-test`) as indexer rows: reward
//! epoch 1 with five voters (weights 1000, 2000, 3000, 4000, 0), commits and reveals for rounds
//! 1005 to 1008, voter 4 not revealing 1005 and voter 5 revealing it late.
//!
//! The digest lists the voters' values only through the results; rounds 1005's voters 1 to 3 use
//! §12.5's values (which give §12.7's 1005 figures), and the values of 1006 on (designed here) give
//! §12.7's 1006 figures: BTC 3860500 (Q1 3859025, Q3 3860500), ETH 218150 (the even-weight
//! average with the next entry), FLR 212000 at 70 % turnout, voter 5's weight-0 outliers sorted in.

use alloy_primitives::aliases::U24;
use alloy_primitives::{Address, B256, Bytes, FixedBytes, U256};
use ftso_chain::legacy::{IFlareSystemsCalculatorV1, IVoterRegistryV1};
use ftso_chain::{
    IFlareSystemsCalculator, IFlareSystemsManager, IFtsoRewardOffersManager, IRelay, IVoterRegistry,
};
use ftso_core::epoch::EpochSettings;
use ftso_core::feed::FeedId;
use ftso_core::signing_policy::SigningPolicy;
use ftso_core::value::encode_scaled;
use ftso_data_provider::chain::ContractAddresses;

use crate::rows::{Rows, word};

/// The reference's `local-test` epoch settings.
pub const LOCAL_TEST: EpochSettings = EpochSettings {
    first_voting_round_start_ts: 1_707_110_090,
    voting_epoch_duration_seconds: 20,
    first_reward_epoch_start_voting_round_id: 1000,
    reward_epoch_duration_in_voting_epochs: 5,
    reveal_deadline_seconds: 10,
};

/// Voters `1..=5`.
pub const VOTERS: std::ops::RangeInclusive<u8> = 1..=5;
/// wNatCappedWeight of voters 1 to 5.
pub const WEIGHTS: [u64; 5] = [1000, 2000, 3000, 4000, 0];
/// Signing-policy weights of voters 1 to 5.
pub const SIGNING_WEIGHTS: [u16; 5] = [6000, 13000, 19000, 26000, 1535];
/// The rounds with submissions.
pub const ROUNDS: std::ops::RangeInclusive<u32> = 1005..=1008;

/// An address role of a voter: every byte is `role·16 + i`.
#[derive(Debug, Clone, Copy)]
pub enum Role {
    Identity = 1,
    Signing = 2,
    Submit = 3,
    SubmitSignatures = 4,
    Delegation = 5,
}

/// The address of voter `i` in `role`.
pub fn address(i: u8, role: Role) -> Address {
    Address::repeat_byte((role as u8) * 16 + i)
}

/// The feeds and decimals: BTC/USD 2, ETH/USD 2, FLR/USD 7 (canonical order by id).
pub fn feeds() -> [(FeedId, u8); 3] {
    [("BTC/USD", 2), ("ETH/USD", 2), ("FLR/USD", 7)]
        .map(|(name, decimals)| (FeedId::new(1, name).expect("feed id"), decimals))
}

/// Which layout the registration events use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The current "Next" layout (uint32 reward epoch): what coston2 / local-test emit.
    Next,
    /// The old uint24 layout.
    V1,
}

/// Options of the scenario's rows.
#[derive(Debug, Clone)]
pub struct Options {
    /// Layout of VoterRegistered / VoterRegistrationInfo.
    pub layout: Layout,
    /// Voters (by index) whose registration events come from a second deployment of the
    /// registry and calculator (an upgraded contract indexed at two addresses).
    pub upgraded: Vec<u8>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            layout: Layout::Next,
            upgraded: Vec::new(),
        }
    }
}

/// The second deployment of VoterRegistry and FlareSystemsCalculator for [`Options::upgraded`].
pub fn upgraded_registry() -> Address {
    Address::repeat_byte(0xe1)
}

/// The second deployment of FlareSystemsCalculator.
pub fn upgraded_calculator() -> Address {
    Address::repeat_byte(0xe2)
}

/// The local-test contracts, with the upgraded deployments added.
pub fn contracts_with_upgrades() -> ContractAddresses {
    let mut c = ContractAddresses::for_network("local-test").expect("local-test");
    c.voter_registry.push(upgraded_registry());
    c.flare_systems_calculator.push(upgraded_calculator());
    c
}

/// `start(v)`.
pub fn start(v: u32) -> u64 {
    LOCAL_TEST.voting_round_start(v)
}

/// The values (scaled integers per feed) of voter `i` in round `r`.
pub fn values(r: u32, i: u8) -> [Option<i32>; 3] {
    if r == 1005 {
        return match i {
            1 => [Some(3_857_326), Some(217_512), Some(204_200)],
            2 => [Some(3_857_000), Some(217_500), Some(204_000)],
            3 => [Some(3_858_050), None, Some(205_000)],
            4 => [Some(3_861_000), Some(218_000), Some(210_000)],
            _ => [Some(3_900_000), Some(230_000), Some(300_000)],
        };
    }
    match i {
        1 => [Some(3_858_000), Some(218_000), None],
        2 => [Some(3_859_025), Some(218_300), None],
        3 => [Some(3_860_500), Some(218_200), Some(211_000)],
        4 => [Some(3_860_500), Some(218_100), Some(212_000)],
        _ => [Some(3_900_000), Some(230_000), Some(300_000)],
    }
}

/// The encoded value bytes of voter `i` in round `r` (trailing empties stripped).
pub fn encoded(r: u32, i: u8) -> Vec<u8> {
    encode_scaled(&values(r, i))
}

/// The random of voter `i` in round `r`: `r·100 + (i−1)`.
pub fn random(r: u32, i: u8) -> B256 {
    word(u64::from(r) * 100 + u64::from(i - 1))
}

/// The reward-epoch-1 events.
pub fn epoch_events(rows: &mut Rows, contracts: &ContractAddresses, options: &Options) {
    let fsm = contracts.flare_systems_manager[0];
    let offers = contracts.ftso_reward_offers_manager[0];
    let t = start(1000);
    rows.event(
        fsm,
        &IFlareSystemsManager::RewardEpochStarted {
            rewardEpochId: U24::from(0),
            startVotingRoundId: 1000,
            timestamp: t,
        },
        t,
    );
    let feeds = feeds();
    rows.event(
        offers,
        &IFtsoRewardOffersManager::InflationRewardsOffered {
            rewardEpochId: U24::from(1),
            feedIds: Bytes::from(
                feeds
                    .iter()
                    .flat_map(|(id, _)| id.0.to_vec())
                    .collect::<Vec<_>>(),
            ),
            decimals: Bytes::from(feeds.iter().map(|(_, d)| *d).collect::<Vec<_>>()),
            amount: U256::from(1_000_000u64),
            minRewardedTurnoutBIPS: 5000,
            primaryBandRewardSharePPM: U24::from(600_000),
            secondaryBandWidthPPMs: Bytes::from(vec![0u8; 9]),
            mode: 0,
        },
        t + 10,
    );
    for (n, (id, decimals)) in feeds.iter().rev().enumerate() {
        rows.event(
            offers,
            &IFtsoRewardOffersManager::RewardsOffered {
                rewardEpochId: U24::from(1),
                feedId: FixedBytes(id.0.0),
                decimals: i8::try_from(*decimals).expect("decimals"),
                amount: U256::from(1000u64 * (n as u64 + 1)),
                minRewardedTurnoutBIPS: 5000,
                primaryBandRewardSharePPM: U24::from(600_000),
                secondaryBandWidthPPM: U24::from(5000),
                claimBackAddress: Address::repeat_byte(0x99),
            },
            t + 11,
        );
    }
    rows.event(
        fsm,
        &IFlareSystemsManager::RandomAcquisitionStarted {
            rewardEpochId: U24::from(1),
            timestamp: t + 20,
        },
        t + 20,
    );
    rows.event(
        fsm,
        &IFlareSystemsManager::VotePowerBlockSelected {
            rewardEpochId: U24::from(1),
            votePowerBlock: 5,
            timestamp: t + 30,
        },
        t + 30,
    );
    for i in VOTERS {
        let upgraded = options.upgraded.contains(&i);
        let registry = if upgraded {
            upgraded_registry()
        } else {
            contracts.voter_registry[0]
        };
        let calculator = if upgraded {
            upgraded_calculator()
        } else {
            contracts.flare_systems_calculator[0]
        };
        let weight = U256::from(WEIGHTS[usize::from(i - 1)]);
        let ts = t + 40 + u64::from(i);
        match options.layout {
            Layout::Next => {
                rows.event(
                    calculator,
                    &IFlareSystemsCalculator::VoterRegistrationInfo {
                        voter: address(i, Role::Identity),
                        rewardEpochId: 1,
                        delegationAddress: address(i, Role::Delegation),
                        delegationFeeBIPS: 2000,
                        wNatWeight: weight * U256::from(2),
                        wNatCappedWeight: weight,
                        nodeIds: vec![],
                        nodeWeights: vec![],
                    },
                    ts,
                );
                rows.event(
                    registry,
                    &IVoterRegistry::VoterRegistered {
                        voter: address(i, Role::Identity),
                        rewardEpochId: 1,
                        signingPolicyAddress: address(i, Role::Signing),
                        submitAddress: address(i, Role::Submit),
                        submitSignaturesAddress: address(i, Role::SubmitSignatures),
                        publicKey: IVoterRegistry::PublicKey {
                            x: B256::ZERO,
                            y: B256::ZERO,
                        },
                        registrationWeight: weight,
                        signature: IVoterRegistry::Signature {
                            v: 27,
                            r: B256::repeat_byte(i),
                            s: B256::repeat_byte(i),
                        },
                    },
                    ts,
                );
            }
            Layout::V1 => {
                rows.event(
                    calculator,
                    &IFlareSystemsCalculatorV1::VoterRegistrationInfo {
                        voter: address(i, Role::Identity),
                        rewardEpochId: U24::from(1),
                        delegationAddress: address(i, Role::Delegation),
                        delegationFeeBIPS: 2000,
                        wNatWeight: weight * U256::from(2),
                        wNatCappedWeight: weight,
                        nodeIds: vec![],
                        nodeWeights: vec![],
                    },
                    ts,
                );
                rows.event(
                    registry,
                    &IVoterRegistryV1::VoterRegistered {
                        voter: address(i, Role::Identity),
                        rewardEpochId: U24::from(1),
                        signingPolicyAddress: address(i, Role::Signing),
                        submitAddress: address(i, Role::Submit),
                        submitSignaturesAddress: address(i, Role::SubmitSignatures),
                        publicKeyPart1: B256::ZERO,
                        publicKeyPart2: B256::ZERO,
                        registrationWeight: weight,
                    },
                    ts,
                );
            }
        }
    }
    let policy = SigningPolicy {
        reward_epoch_id: 1,
        start_voting_round_id: 1005,
        threshold: 33_000,
        seed: word(42),
        voters: VOTERS.map(|i| address(i, Role::Signing)).collect(),
        weights: SIGNING_WEIGHTS.to_vec(),
    };
    rows.event(
        contracts.relay[0],
        &IRelay::SigningPolicyInitialized {
            rewardEpochId: U24::from(1),
            startVotingRoundId: 1005,
            threshold: policy.threshold,
            seed: U256::from(42),
            voters: policy.voters.clone(),
            weights: policy.weights.clone(),
            signingPolicyBytes: Bytes::from(policy.encode().expect("policy encodes")),
            timestamp: t + 60,
        },
        t + 60,
    );
    rows.event(
        fsm,
        &IFlareSystemsManager::RewardEpochStarted {
            rewardEpochId: U24::from(1),
            startVotingRoundId: 1005,
            timestamp: start(1005),
        },
        start(1005),
    );
}

/// Commits at `start(r)+5` and reveals at `start(r+1)+3` for every round of [`ROUNDS`], except:
/// voter 4 does not reveal 1005, voter 5 reveals 1005 at `+12` (after the deadline).
pub fn submissions(rows: &mut Rows, submission: Address) {
    for r in ROUNDS {
        for i in VOTERS {
            let from = address(i, Role::Submit);
            rows.commit(
                submission,
                from,
                r,
                random(r, i),
                &encoded(r, i),
                start(r) + 5,
            );
        }
        for i in VOTERS {
            let offset = match (r, i) {
                (1005, 4) => continue,
                (1005, 5) => 12,
                _ => 3,
            };
            let from = address(i, Role::Submit);
            rows.reveal(
                submission,
                from,
                r,
                random(r, i),
                &encoded(r, i),
                start(r + 1) + offset,
            );
        }
    }
}

/// The whole scenario's rows.
pub fn rows(options: &Options) -> Rows {
    let contracts = ContractAddresses::for_network("local-test").expect("local-test");
    let mut rows = Rows::default();
    epoch_events(&mut rows, &contracts, options);
    submissions(&mut rows, contracts.submission[0]);
    rows
}

/// The top of the scenario's indexed range: `start(1010)`.
pub fn top() -> u64 {
    start(1010)
}
