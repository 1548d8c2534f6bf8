//! A plain anvil with a known workload: Submission-like calls with payloads to an EOA, an event emitter, a
//! reverting contract, transfers and short calldata that must not be indexed, then thousands of empty blocks.

use std::time::Duration;

use alloy::network::{EthereumWallet, TransactionBuilder};
use alloy::node_bindings::{Anvil, AnvilInstance};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::TransactionRequest;
use alloy::signers::local::PrivateKeySigner;
use alloy_primitives::{Address, B256, Bytes, U256, address};
use ftso_indexer::{ContractRef, IndexerConfig, LogCollector, TransactionCollector};
use ftso_storage::{StateName, StateRow, Storage};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The "Submission" contract of this chain is an EOA: calls to it always succeed and carry any calldata.
pub const SUBMISSION: Address = address!("0x2cA6571Daa15ce734Bbd0Bf27D5C9D16787fc33f");
pub const SUBMIT1: [u8; 4] = ftso_chain::selectors::SUBMIT1;
pub const SUBMIT2: [u8; 4] = ftso_chain::selectors::SUBMIT2;
pub const SUBMIT_SIGNATURES: [u8; 4] = ftso_chain::selectors::SUBMIT_SIGNATURES;
pub const EMIT: [u8; 4] = [0xde, 0xad, 0xbe, 0xef];
pub const TOPIC: B256 = B256::repeat_byte(0x7a);

/// What a sent transaction must look like in the `transactions` table.
#[derive(Debug, Clone)]
pub struct Sent {
    pub hash: B256,
    pub input: Vec<u8>,
    pub from: Address,
    pub to: Address,
    pub value: U256,
    pub gas_price: u128,
    pub gas: u64,
    pub block_number: u64,
    pub transaction_index: u64,
    pub block_hash: B256,
    pub status: u64,
    /// (log index, emitter) of the receipt logs.
    pub logs: Vec<(u64, Address)>,
}

#[derive(Debug)]
pub struct Chain {
    pub anvil: AnvilInstance,
    pub provider: DynProvider,
    pub sender: Address,
    pub emitter: Address,
    pub reverter: Address,
    /// The transactions that must be indexed.
    pub indexed: Vec<Sent>,
    /// Hashes of transactions that must not be indexed.
    pub skipped: Vec<B256>,
}

/// `PUSH32 TOPIC PUSH1 0 PUSH1 0 LOG1 STOP`, behind an init code that returns it.
fn emitter_init_code() -> Vec<u8> {
    let mut runtime = vec![0x7f];
    runtime.extend_from_slice(TOPIC.as_slice());
    runtime.extend_from_slice(&[0x60, 0x00, 0x60, 0x00, 0xa1, 0x00]);
    init_code(&runtime)
}

fn init_code(runtime: &[u8]) -> Vec<u8> {
    let n = runtime.len() as u8;
    let mut code = vec![
        0x60, n, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, n, 0x60, 0x00, 0xf3,
    ];
    code.extend_from_slice(runtime);
    code
}

impl Chain {
    /// Starts anvil and sends the workload, then mines `empty_blocks` more blocks.
    pub async fn start(empty_blocks: u64) -> Chain {
        let path = ftso_devnet::anvil_path().unwrap();
        let anvil = Anvil::at(path).spawn();
        let signer: PrivateKeySigner = anvil.keys()[0].clone().into();
        let sender = signer.address();
        let provider = ProviderBuilder::new()
            .wallet(EthereumWallet::new(signer))
            .connect_http(anvil.endpoint_url())
            .erased();
        let mut chain = Chain {
            anvil,
            provider,
            sender,
            emitter: Address::ZERO,
            reverter: Address::ZERO,
            indexed: Vec::new(),
            skipped: Vec::new(),
        };
        chain.emitter = chain.deploy(emitter_init_code()).await;
        // REVERT(0, 0)
        chain.reverter = chain
            .deploy(init_code(&[0x60, 0x00, 0x60, 0x00, 0xfd]))
            .await;
        for i in 0..6u8 {
            let payload: Vec<u8> = (0..(40 + i as usize)).map(|b| b as u8 ^ i).collect();
            let legacy = i % 2 == 0;
            chain
                .send(
                    SUBMISSION,
                    [&SUBMIT1[..], &payload].concat(),
                    U256::ZERO,
                    legacy,
                    Some(2),
                )
                .await;
            chain
                .send(
                    SUBMISSION,
                    [&SUBMIT_SIGNATURES[..], &payload].concat(),
                    U256::from(i),
                    !legacy,
                    Some(2),
                )
                .await;
            chain
                .send(
                    chain.emitter,
                    [&EMIT[..], &[i]].concat(),
                    U256::from(4096u64),
                    legacy,
                    Some(1),
                )
                .await;
            chain
                .send(chain.reverter, EMIT.to_vec(), U256::ZERO, legacy, Some(0))
                .await;
            // Not collected: submit2 (no collector), a plain transfer, 3-byte calldata.
            chain
                .send(SUBMISSION, SUBMIT2.to_vec(), U256::ZERO, legacy, None)
                .await;
            chain
                .send(SUBMISSION, Vec::new(), U256::from(1u64), legacy, None)
                .await;
            chain
                .send(SUBMISSION, vec![1, 2, 3], U256::ZERO, legacy, None)
                .await;
        }
        chain.mine(empty_blocks).await;
        chain
    }

    pub fn rpc_url(&self) -> String {
        self.anvil.endpoint()
    }

    /// A read-only provider for the indexer at `url`.
    pub fn indexer_provider(url: &str) -> DynProvider {
        ProviderBuilder::new()
            .connect_http(url.parse().unwrap())
            .erased()
    }

    pub async fn mine(&self, blocks: u64) {
        if blocks > 0 {
            let _: serde_json::Value = self
                .provider
                .raw_request("anvil_mine".into(), (format!("{blocks:#x}"),))
                .await
                .unwrap();
        }
    }

    pub async fn tip(&self) -> u64 {
        self.provider.get_block_number().await.unwrap()
    }

    async fn deploy(&self, code: Vec<u8>) -> Address {
        let tx = TransactionRequest::default()
            .from(self.sender)
            .with_deploy_code(Bytes::from(code))
            .gas_limit(200_000);
        let receipt = self
            .provider
            .send_transaction(tx)
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap();
        receipt.contract_address.unwrap()
    }

    /// Sends a transaction with fixed gas parameters; `expect` = the status the row must carry (`None`: the
    /// transaction must not be indexed).
    async fn send(
        &mut self,
        to: Address,
        input: Vec<u8>,
        value: U256,
        legacy: bool,
        expect: Option<u64>,
    ) {
        let gas = 150_000;
        let mut tx = TransactionRequest::default()
            .from(self.sender)
            .to(to)
            .input(Bytes::from(input.clone()).into())
            .value(value)
            .gas_limit(gas);
        let gas_price = if legacy {
            tx = tx.gas_price(3_000_000_000);
            3_000_000_000
        } else {
            tx = tx
                .max_fee_per_gas(5_000_000_000)
                .max_priority_fee_per_gas(7);
            5_000_000_000
        };
        let pending = self.provider.send_transaction(tx).await.unwrap();
        let receipt = tokio::time::timeout(Duration::from_secs(30), pending.get_receipt())
            .await
            .unwrap()
            .unwrap();
        let Some(status) = expect else {
            self.skipped.push(receipt.transaction_hash);
            return;
        };
        assert_eq!(
            receipt.status(),
            status != 0,
            "the chain did what the workload expects"
        );
        self.indexed.push(Sent {
            hash: receipt.transaction_hash,
            input,
            from: self.sender,
            to,
            value,
            gas_price,
            gas,
            block_number: receipt.block_number.unwrap(),
            transaction_index: receipt.transaction_index.unwrap(),
            block_hash: receipt.block_hash.unwrap(),
            status,
            logs: receipt
                .inner
                .logs()
                .iter()
                .map(|l| (l.log_index.unwrap(), l.address()))
                .collect(),
        });
    }

    /// The collectors for this workload: submit1/submitSignatures without receipts (status 2), the emitter and the
    /// reverter with status and receipt events, and every log of the emitter by filter too.
    pub fn config(&self) -> IndexerConfig {
        let tx = |address: Address, func_sig: Option<[u8; 4]>, status: bool| TransactionCollector {
            contract: ContractRef {
                contract_address: Some(address),
                ..ContractRef::default()
            },
            func_sig: func_sig.map(hex::encode),
            status,
            collect_events: status,
        };
        IndexerConfig {
            fsp_defaults: false,
            batch_size: 97,
            rpc_concurrency: 8,
            log_range: 250,
            confirmations: 0,
            new_block_poll_interval: Duration::from_millis(20),
            rpc_timeout: Duration::from_secs(2),
            progress_log_interval: Duration::from_secs(1),
            collect_transactions: vec![
                tx(SUBMISSION, Some(SUBMIT1), false),
                tx(SUBMISSION, Some(SUBMIT_SIGNATURES), false),
                tx(self.emitter, None, true),
                tx(self.reverter, Some(EMIT), true),
            ],
            collect_logs: vec![LogCollector {
                contract: ContractRef {
                    contract_address: Some(self.emitter),
                    ..ContractRef::default()
                },
                topic: None,
            }],
            ..IndexerConfig::default()
        }
    }
}

/// Waits until `last_database_block` reaches `block`.
pub async fn wait_indexed(storage: &Storage, block: u64, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(s) = storage.state(StateName::LastDatabaseBlock).await.unwrap()
            && s.index >= block
        {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "block {block} not indexed within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Asserts the `blocks` table is exactly `0..=last` with the node's hashes checked at a few points, no gaps, no
/// duplicates.
pub async fn assert_blocks_contiguous(storage: &Storage, last: u64) {
    use sqlx::Row;
    let rows = sqlx::query("SELECT number FROM blocks ORDER BY number")
        .fetch_all(storage.pool())
        .await
        .unwrap();
    let numbers: Vec<i64> = rows.iter().map(|r| r.get("number")).collect();
    let expected: Vec<i64> = (0..=last as i64).collect();
    assert_eq!(
        numbers.len(),
        expected.len(),
        "block rows (gap or duplicate)"
    );
    assert_eq!(numbers, expected);
}

/// An indexer run in a background task, and the token that cancels it.
pub struct Running {
    pub cancel: CancellationToken,
    pub task: JoinHandle<ftso_indexer::Result<()>>,
}

impl Running {
    /// Cancels the run and asserts that it ended cleanly.
    pub async fn stop(self) {
        self.cancel.cancel();
        self.task.await.unwrap().unwrap();
    }
}

/// Spawns `ftso_indexer::run` with `config` on `storage`, reading the node at `url`.
pub fn spawn_indexer(config: IndexerConfig, storage: &Storage, url: &str) -> Running {
    let cancel = CancellationToken::new();
    let task = tokio::spawn(ftso_indexer::run(
        config,
        storage.clone(),
        Chain::indexer_provider(url),
        cancel.clone(),
    ));
    Running { cancel, task }
}

/// The progress row `name`, which must exist.
pub async fn state(storage: &Storage, name: StateName) -> StateRow {
    storage.state(name).await.unwrap().unwrap()
}

/// The single integer column `n` of a one-row query.
pub async fn count(storage: &Storage, sql: &'static str) -> i64 {
    use sqlx::Row;
    sqlx::query(sql)
        .fetch_one(storage.pool())
        .await
        .unwrap()
        .get("n")
}
