//! Whether our identity is registered for the current and the next reward epoch: the indexed `VoterRegistered`
//! events of the VoterRegistry (either layout), decoded by the data provider's event readers.

use alloy_primitives::Address;
use ftso_chain::topics;
use ftso_core::epoch::EpochSettings;
use ftso_data_provider::chain::ChainError;
use ftso_data_provider::chain::events::VoterRegistered;
use ftso_storage::{Storage, TimeWindow};

use crate::model::{EpochRegistration, Registration};
use crate::rounds::END_OF_TIME;

/// Registration of `identity` for `current` and `current + 1`. Registration for an epoch happens during the one
/// before it, so the events are read from the start of `current − 1` on.
pub(crate) async fn read(
    storage: &Storage,
    voter_registry: &[Address],
    epochs: &EpochSettings,
    identity: Address,
    current: u32,
) -> Result<Registration, ChainError> {
    let window = TimeWindow {
        from: epochs.reward_epoch_start_time(current.saturating_sub(1)),
        to: END_OF_TIME,
    };
    let mut epochs_registered = Vec::new();
    for registry in voter_registry {
        for topic in [topics::VOTER_REGISTERED, topics::VOTER_REGISTERED_V1] {
            for row in storage.logs_in_time(*registry, topic, window).await? {
                let event = VoterRegistered::from_row(&row)?;
                if event.voter == identity {
                    epochs_registered.push(event.reward_epoch_id);
                }
            }
        }
    }
    let epoch = |reward_epoch: u32| EpochRegistration {
        reward_epoch,
        registered: epochs_registered.contains(&reward_epoch),
    };
    Ok(Registration {
        current: epoch(current),
        next: epoch(current.saturating_add(1)),
    })
}
