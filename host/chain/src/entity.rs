//! Reading a data-provider entity's registration state (contracts-and-localnet A3.4, A3.6, A3.7, A4): the
//! addresses its identity has confirmed in `EntityManager`, its sortition public key, the WNat vote power of its
//! delegation address, and what `VoterRegistry` holds for it in a reward epoch. Reads only; the `register` and
//! `status` commands decide what to do with them.

use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::providers::{DynProvider, Provider};
use alloy_sol_types::SolCall;

use crate::read::{ReadError, registry_address as resolve, view};
use crate::{IEntityManager, IFlareSystemsCalculator, IVotePower, IVoterRegistry, names};

/// The address roles an identity confirms in `EntityManager`, in the order registration walks them (A4 steps
/// 1–4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressRole {
    /// Sends submit1/submit2/submit3.
    Submit,
    /// Sends submitSignatures.
    SubmitSignatures,
    /// Signs the protocol messages.
    SigningPolicy,
    /// Holds the entity's WNat vote power.
    Delegation,
}

impl AddressRole {
    /// Every role, in registration order.
    pub const ALL: [AddressRole; 4] = [
        AddressRole::Submit,
        AddressRole::SubmitSignatures,
        AddressRole::SigningPolicy,
        AddressRole::Delegation,
    ];

    /// The role's name in the key directory and in reports (`submit`, `submit_signatures`, ...).
    pub fn name(self) -> &'static str {
        match self {
            AddressRole::Submit => "submit",
            AddressRole::SubmitSignatures => "submit_signatures",
            AddressRole::SigningPolicy => "signing_policy",
            AddressRole::Delegation => "delegation",
        }
    }

    /// `EntityManager.propose…(address)`, sent by the identity.
    pub fn propose_calldata(self, address: Address) -> Bytes {
        match self {
            AddressRole::Submit => IEntityManager::proposeSubmitAddressCall {
                _submitAddress: address,
            }
            .abi_encode(),
            AddressRole::SubmitSignatures => IEntityManager::proposeSubmitSignaturesAddressCall {
                _submitSignaturesAddress: address,
            }
            .abi_encode(),
            AddressRole::SigningPolicy => IEntityManager::proposeSigningPolicyAddressCall {
                _signingPolicyAddress: address,
            }
            .abi_encode(),
            AddressRole::Delegation => IEntityManager::proposeDelegationAddressCall {
                _delegationAddress: address,
            }
            .abi_encode(),
        }
        .into()
    }

    /// `EntityManager.confirm…Registration(identity)`, sent by the proposed address.
    pub fn confirm_calldata(self, identity: Address) -> Bytes {
        match self {
            AddressRole::Submit => {
                IEntityManager::confirmSubmitAddressRegistrationCall { _voter: identity }
                    .abi_encode()
            }
            AddressRole::SubmitSignatures => {
                IEntityManager::confirmSubmitSignaturesAddressRegistrationCall { _voter: identity }
                    .abi_encode()
            }
            AddressRole::SigningPolicy => {
                IEntityManager::confirmSigningPolicyAddressRegistrationCall { _voter: identity }
                    .abi_encode()
            }
            AddressRole::Delegation => {
                IEntityManager::confirmDelegationAddressRegistrationCall { _voter: identity }
                    .abi_encode()
            }
        }
        .into()
    }

    /// The Solidity signatures of the propose and confirm functions (for printing a planned transaction).
    pub fn function_names(self) -> (&'static str, &'static str) {
        match self {
            AddressRole::Submit => (
                IEntityManager::proposeSubmitAddressCall::SIGNATURE,
                IEntityManager::confirmSubmitAddressRegistrationCall::SIGNATURE,
            ),
            AddressRole::SubmitSignatures => (
                IEntityManager::proposeSubmitSignaturesAddressCall::SIGNATURE,
                IEntityManager::confirmSubmitSignaturesAddressRegistrationCall::SIGNATURE,
            ),
            AddressRole::SigningPolicy => (
                IEntityManager::proposeSigningPolicyAddressCall::SIGNATURE,
                IEntityManager::confirmSigningPolicyAddressRegistrationCall::SIGNATURE,
            ),
            AddressRole::Delegation => (
                IEntityManager::proposeDelegationAddressCall::SIGNATURE,
                IEntityManager::confirmDelegationAddressRegistrationCall::SIGNATURE,
            ),
        }
    }
}

/// The contracts an entity's state is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntityContracts {
    /// EntityManager.
    pub entity_manager: Address,
    /// VoterRegistry.
    pub voter_registry: Address,
    /// FlareSystemsCalculator (the WNat cap of the registration weight).
    pub flare_systems_calculator: Address,
    /// WNat (vote power).
    pub wnat: Address,
}

/// What `VoterRegistry` holds for one voter in one reward epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoterEpoch {
    /// `isVoterRegistered`.
    pub registered: bool,
    /// `getVoterRegistrationWeight` (0 when not registered).
    pub registration_weight: U256,
    /// `getVoterNormalisedWeight`: the uint16 signing weight, fixed at the signing-policy snapshot (0 before).
    pub normalised_weight: u16,
}

/// Typed reads of an entity's registration state.
#[derive(Debug, Clone)]
pub struct EntityReader {
    provider: DynProvider,
    contracts: EntityContracts,
}

impl EntityReader {
    /// Resolves the contracts through the `FlareContractRegistry` at `registry`.
    pub async fn resolve(provider: DynProvider, registry: Address) -> Result<Self, ReadError> {
        let contracts = EntityContracts {
            entity_manager: resolve(&provider, registry, names::ENTITY_MANAGER).await?,
            voter_registry: resolve(&provider, registry, names::VOTER_REGISTRY).await?,
            flare_systems_calculator: resolve(&provider, registry, names::FLARE_SYSTEMS_CALCULATOR)
                .await?,
            wnat: resolve(&provider, registry, names::WNAT).await?,
        };
        Ok(Self {
            provider,
            contracts,
        })
    }

    /// The contracts read.
    pub fn contracts(&self) -> &EntityContracts {
        &self.contracts
    }

    /// The latest block number.
    pub async fn latest_block(&self) -> Result<u64, ReadError> {
        self.provider
            .get_block_number()
            .await
            .map_err(|source| ReadError::Rpc {
                call: "eth_blockNumber",
                source,
            })
    }

    /// The address `identity` has confirmed for `role`, or `None` (EntityManager answers the identity itself when
    /// nothing is registered).
    pub async fn confirmed(
        &self,
        identity: Address,
        role: AddressRole,
    ) -> Result<Option<Address>, ReadError> {
        let manager = self.contracts.entity_manager;
        let address = match role {
            AddressRole::Delegation => {
                view(
                    &self.provider,
                    manager,
                    IEntityManager::getDelegationAddressOfCall { _voter: identity },
                )
                .await?
            }
            _ => {
                let addresses = view(
                    &self.provider,
                    manager,
                    IEntityManager::getVoterAddressesCall { _voter: identity },
                )
                .await?;
                match role {
                    AddressRole::Submit => addresses.submitAddress,
                    AddressRole::SubmitSignatures => addresses.submitSignaturesAddress,
                    _ => addresses.signingPolicyAddress,
                }
            }
        };
        Ok((address != identity && !address.is_zero()).then_some(address))
    }

    /// The voter that holds `address` in `role` now, or `None` (EntityManager answers the address itself when it
    /// is not registered).
    pub async fn voter_for(
        &self,
        role: AddressRole,
        address: Address,
    ) -> Result<Option<Address>, ReadError> {
        let block = U256::from(self.latest_block().await?);
        let manager = self.contracts.entity_manager;
        let voter = match role {
            AddressRole::Submit => {
                view(
                    &self.provider,
                    manager,
                    IEntityManager::getVoterForSubmitAddressCall {
                        _submitAddress: address,
                        _blockNumber: block,
                    },
                )
                .await?
            }
            AddressRole::SubmitSignatures => {
                view(
                    &self.provider,
                    manager,
                    IEntityManager::getVoterForSubmitSignaturesAddressCall {
                        _submitSignaturesAddress: address,
                        _blockNumber: block,
                    },
                )
                .await?
            }
            AddressRole::SigningPolicy => {
                view(
                    &self.provider,
                    manager,
                    IEntityManager::getVoterForSigningPolicyAddressCall {
                        _signingPolicyAddress: address,
                        _blockNumber: block,
                    },
                )
                .await?
            }
            AddressRole::Delegation => {
                view(
                    &self.provider,
                    manager,
                    IEntityManager::getVoterForDelegationAddressCall {
                        _delegationAddress: address,
                        _blockNumber: block,
                    },
                )
                .await?
            }
        };
        Ok((voter != address && !voter.is_zero()).then_some(voter))
    }

    /// The sortition public key `identity` has registered, or `None`.
    pub async fn public_key(&self, identity: Address) -> Result<Option<(B256, B256)>, ReadError> {
        let key = view(
            &self.provider,
            self.contracts.entity_manager,
            IEntityManager::getPublicKeyOfCall { _voter: identity },
        )
        .await?;
        let (x, y) = (key._0, key._1);
        Ok((x != B256::ZERO || y != B256::ZERO).then_some((x, y)))
    }

    /// WNat vote power of `owner` at the latest block, and the total vote power there.
    pub async fn vote_power(&self, owner: Address) -> Result<(U256, U256), ReadError> {
        let block = U256::from(self.latest_block().await?);
        let own = view(
            &self.provider,
            self.contracts.wnat,
            IVotePower::votePowerOfAtCall {
                _owner: owner,
                _blockNumber: block,
            },
        )
        .await?;
        let total = view(
            &self.provider,
            self.contracts.wnat,
            IVotePower::totalVotePowerAtCall {
                _blockNumber: block,
            },
        )
        .await?;
        Ok((own, total))
    }

    /// `FlareSystemsCalculator.wNatCapPPM()`: the share of the total vote power one entity's WNat weight is capped
    /// at.
    pub async fn wnat_cap_ppm(&self) -> Result<u32, ReadError> {
        let cap = view(
            &self.provider,
            self.contracts.flare_systems_calculator,
            IFlareSystemsCalculator::wNatCapPPMCall {},
        )
        .await?;
        Ok(cap.to())
    }

    /// What `VoterRegistry` holds for `voter` in `epoch`.
    pub async fn voter_epoch(&self, voter: Address, epoch: u32) -> Result<VoterEpoch, ReadError> {
        let registry = self.contracts.voter_registry;
        let epoch = U256::from(epoch);
        let registered = view(
            &self.provider,
            registry,
            IVoterRegistry::isVoterRegisteredCall {
                _voter: voter,
                _rewardEpochId: epoch,
            },
        )
        .await?;
        if !registered {
            return Ok(VoterEpoch {
                registered,
                registration_weight: U256::ZERO,
                normalised_weight: 0,
            });
        }
        let registration_weight = view(
            &self.provider,
            registry,
            IVoterRegistry::getVoterRegistrationWeightCall {
                _voter: voter,
                _rewardEpochId: epoch,
            },
        )
        .await?;
        // Reverts until the epoch's signing-policy snapshot exists.
        let normalised_weight = view(
            &self.provider,
            registry,
            IVoterRegistry::getVoterNormalisedWeightCall {
                _voter: voter,
                _rewardEpochId: epoch,
            },
        )
        .await
        .or_else(|error| match error {
            ReadError::Reverted { .. } => Ok(0),
            other => Err(other),
        })?;
        Ok(VoterEpoch {
            registered,
            registration_weight,
            normalised_weight,
        })
    }

    /// `VoterRegistry.getPublicKeyAndNormalisedWeight(epoch, signingPolicy)`: the normalised weight and the sum of
    /// the normalised weights of the voters with a public key; `None` when it reverts (no snapshot yet, not a
    /// voter, no public key).
    pub async fn sortition_weights(
        &self,
        epoch: u32,
        signing_policy: Address,
    ) -> Result<Option<(u16, u16)>, ReadError> {
        let answer = view(
            &self.provider,
            self.contracts.voter_registry,
            IVoterRegistry::getPublicKeyAndNormalisedWeightCall {
                _rewardEpochId: U256::from(epoch),
                _signingPolicyAddress: signing_policy,
            },
        )
        .await;
        match answer {
            Ok(answer) if answer._publicKeyPart1 != B256::ZERO => Ok(Some((
                answer._normalisedWeight,
                answer._normalisedWeightsSumOfVotersWithPublicKeys,
            ))),
            Ok(_) | Err(ReadError::Reverted { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// `maxVoters()` and the registration weights of the voters registered for `epoch`.
    pub async fn registered_weights(&self, epoch: u32) -> Result<(u64, Vec<U256>), ReadError> {
        let registry = self.contracts.voter_registry;
        let max = view(&self.provider, registry, IVoterRegistry::maxVotersCall {}).await?;
        let registered = view(
            &self.provider,
            registry,
            IVoterRegistry::getRegisteredVotersAndRegistrationWeightsCall {
                _rewardEpochId: U256::from(epoch),
            },
        )
        .await?;
        Ok((
            u64::try_from(max).unwrap_or(u64::MAX),
            registered._registrationWeights,
        ))
    }
}

/// The registration weight `FlareSystemsCalculator` derives from WNat vote power (A3.7, B6), without P-chain
/// stake: `x = min(vp, total · capPPM / 10⁶)`, weight `floor(√x) · floor(√floor(√x))` (10²⁴ → 10¹⁸).
pub fn registration_weight(vote_power: U256, total_vote_power: U256, cap_ppm: u32) -> U256 {
    let cap = total_vote_power.saturating_mul(U256::from(cap_ppm)) / U256::from(1_000_000u32);
    let x = vote_power.min(cap);
    let root = x.root(2);
    root.saturating_mul(root.root(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_weight_is_the_calculators() {
        let uncapped = U256::from(10u128.pow(30));
        // B6: 10^24 of vote power gives 10^12 · 10^6.
        let weight = registration_weight(U256::from(10u128.pow(24)), uncapped, 1_000_000);
        assert_eq!(weight, U256::from(10u128.pow(18)));
        // Capped at 2.5% of the total: x = 2.5e22, √x = 158113883008, √√x = 397635.
        let capped = registration_weight(
            U256::from(10u128.pow(24)),
            U256::from(10u128.pow(24)),
            25_000,
        );
        assert_eq!(capped, U256::from(158_113_883_008u128 * 397_635u128));
        assert_eq!(
            registration_weight(U256::ZERO, uncapped, 25_000),
            U256::ZERO
        );
    }

    #[test]
    fn every_role_has_its_selectors() {
        let identity = Address::repeat_byte(1);
        let expected = [
            ("87607e41", "5f1fb56a"),
            ("36edd357", "bda1a84e"),
            ("69b5fed9", "db8d5125"),
            ("5712b9f3", "e5360006"),
        ];
        for (role, (propose, confirm)) in AddressRole::ALL.into_iter().zip(expected) {
            assert_eq!(
                alloy::hex::encode(&role.propose_calldata(identity)[..4]),
                propose
            );
            assert_eq!(
                alloy::hex::encode(&role.confirm_calldata(identity)[..4]),
                confirm
            );
        }
    }
}
