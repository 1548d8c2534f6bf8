//! What the end-to-end test reads of the devnet: the file `ftso-node devnet` writes (timing, contracts, the
//! entities' addresses) and, through the RPC, every mined transaction with its status and every event.

use std::collections::BTreeMap;
use std::path::Path;

use alloy::consensus::Transaction as _;
use alloy::network::TransactionResponse as _;
use alloy::primitives::{Address, B256, Bytes};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::{Filter, Log};
use alloy::sol_types::SolEvent;
use ftso_core::epoch::EpochSettings;
use serde::Deserialize;

/// The devnet file of `ftso-node devnet --config-out` (the keys are not read).
#[derive(Debug, Deserialize)]
pub struct DevnetFile {
    pub rpc_url: String,
    first_voting_round_start_ts: u64,
    voting_epoch_duration_seconds: u64,
    reveal_deadline_seconds: u64,
    first_reward_epoch_start_voting_round_id: u32,
    reward_epoch_duration_in_voting_epochs: u32,
    contracts: BTreeMap<String, Address>,
    /// The test entities, in entity order.
    pub entities: Vec<EntityAddresses>,
}

/// The addresses of one test entity.
#[derive(Debug, Clone, Deserialize)]
pub struct EntityAddresses {
    pub identity_address: Address,
    pub submit_address: Address,
    pub submit_signatures_address: Address,
    pub signing_policy_address: Address,
}

impl EntityAddresses {
    /// The accounts the node sends from (the signing-policy key also sends the reward-epoch transactions).
    pub fn senders(&self) -> [Address; 3] {
        [
            self.submit_address,
            self.submit_signatures_address,
            self.signing_policy_address,
        ]
    }
}

impl DevnetFile {
    /// Reads the file.
    pub fn read(path: &Path) -> Self {
        toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// The devnet's voting rounds and reward epochs.
    pub fn epochs(&self) -> EpochSettings {
        EpochSettings {
            first_voting_round_start_ts: self.first_voting_round_start_ts,
            voting_epoch_duration_seconds: self.voting_epoch_duration_seconds,
            first_reward_epoch_start_voting_round_id: self.first_reward_epoch_start_voting_round_id,
            reward_epoch_duration_in_voting_epochs: self.reward_epoch_duration_in_voting_epochs,
            reveal_deadline_seconds: self.reveal_deadline_seconds,
        }
    }

    /// A contract's address by its registry name.
    pub fn contract(&self, name: &str) -> Address {
        *self
            .contracts
            .get(name)
            .unwrap_or_else(|| panic!("no contract {name} in the devnet file"))
    }

    /// A provider for the devnet's RPC.
    pub fn provider(&self) -> DynProvider {
        ProviderBuilder::new()
            .connect_http(self.rpc_url.parse().unwrap())
            .erased()
    }
}

/// One mined transaction.
#[derive(Debug, Clone)]
pub struct MinedTx {
    pub hash: B256,
    pub from: Address,
    pub to: Option<Address>,
    pub nonce: u64,
    pub input: Bytes,
    /// Its block.
    pub block: u64,
    /// Its block's timestamp.
    pub timestamp: u64,
    /// Whether its receipt says success.
    pub success: bool,
}

/// Everything on chain up to `head`: transactions in block order, and logs.
#[derive(Debug)]
pub struct ChainSnapshot {
    pub head: u64,
    pub txs: Vec<MinedTx>,
    pub logs: Vec<Log>,
}

impl ChainSnapshot {
    /// Reads blocks 0..=head with their receipts, and every log.
    pub async fn read(provider: &DynProvider) -> Self {
        let head = provider.get_block_number().await.unwrap();
        let mut txs = Vec::new();
        for number in 0..=head {
            let block = provider
                .get_block_by_number(number.into())
                .full()
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("no block {number}"));
            let receipts = provider
                .get_block_receipts(number.into())
                .await
                .unwrap()
                .unwrap_or_default();
            let timestamp = block.header.timestamp;
            for tx in block.transactions.into_transactions() {
                let hash = tx.tx_hash();
                let receipt = receipts
                    .iter()
                    .find(|r| r.transaction_hash == hash)
                    .unwrap_or_else(|| panic!("no receipt for {hash}"));
                txs.push(MinedTx {
                    hash,
                    from: tx.from(),
                    to: tx.to(),
                    nonce: tx.nonce(),
                    input: tx.input().clone(),
                    block: number,
                    timestamp,
                    success: receipt.status(),
                });
            }
        }
        let logs = provider
            .get_logs(&Filter::new().from_block(0).to_block(head))
            .await
            .unwrap();
        Self { head, txs, logs }
    }

    /// The events `E` emitted by `contract`, in chain order.
    pub fn events<E: SolEvent>(&self, contract: Address) -> Vec<E> {
        self.logs
            .iter()
            .filter(|log| log.address() == contract && log.topic0() == Some(&E::SIGNATURE_HASH))
            .map(|log| {
                log.log_decode::<E>()
                    .unwrap_or_else(|error| panic!("bad {} log: {error}", E::SIGNATURE))
                    .inner
                    .data
            })
            .collect()
    }
}

/// What `pick` takes of the events `E` that `contract` emitted so far, read now (for the test's waiting loop).
pub async fn events_now<E: SolEvent, T, C: FromIterator<T>>(
    provider: &DynProvider,
    contract: Address,
    pick: impl Fn(&E) -> Option<T>,
) -> C {
    let filter = Filter::new()
        .address(contract)
        .event_signature(E::SIGNATURE_HASH)
        .from_block(0);
    provider
        .get_logs(&filter)
        .await
        .unwrap()
        .iter()
        .filter_map(|log| pick(&log.log_decode::<E>().unwrap().inner.data))
        .collect()
}
