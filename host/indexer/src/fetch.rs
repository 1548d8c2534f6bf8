//! Fetching a block range into a [`BlockBatch`]: blocks in parallel (bounded), receipts of matched transactions,
//! and one combined `eth_getLogs` per `log_range` chunk routed to the filters client-side.

use std::collections::{BTreeMap, HashMap};

use alloy::consensus::Transaction as _;
use alloy::network::TransactionResponse as _;
use alloy::rpc::types::{Filter, Log};
use alloy_primitives::B256;
use ftso_storage::{BlockBatch, NewBlock, NewLog, NewTransaction, TxStatus};
use futures::{StreamExt, TryStreamExt};

use crate::collect::Collection;
use crate::error::Result;
use crate::rpc::Rpc;

/// Everything collected from blocks `from..=to`.
pub(crate) async fn range(
    rpc: &Rpc,
    collection: &Collection,
    from: u64,
    to: u64,
    concurrency: usize,
    log_range: u64,
) -> Result<BlockBatch> {
    let (blocks_and_txs, filter_logs) = futures::try_join!(
        blocks(rpc, collection, from, to, concurrency),
        logs(rpc, collection, from, to, log_range, concurrency)
    )?;
    let (blocks, transactions, receipt_logs) = blocks_and_txs;

    let timestamps: HashMap<u64, u64> = blocks.iter().map(|b| (b.number, b.timestamp)).collect();
    // Keyed by (block, log index): chain order, and a receipt log wins over the same log from a filter.
    let mut logs: BTreeMap<(u64, u64), NewLog> = BTreeMap::new();
    for log in receipt_logs {
        logs.insert((log.block_number, log.log_index), log);
    }
    for log in filter_logs {
        let Some(new) = new_log(&log, &timestamps, false) else {
            continue;
        };
        logs.entry((new.block_number, new.log_index)).or_insert(new);
    }
    Ok(BlockBatch {
        blocks,
        transactions,
        logs: logs.into_values().collect(),
    })
}

type BlockPart = (Vec<NewBlock>, Vec<NewTransaction>, Vec<NewLog>);

async fn blocks(
    rpc: &Rpc,
    collection: &Collection,
    from: u64,
    to: u64,
    concurrency: usize,
) -> Result<BlockPart> {
    let fetched: Vec<_> = futures::stream::iter(from..=to)
        .map(|n| {
            let rpc = rpc.clone();
            async move { rpc.block(n).await }
        })
        .buffered(concurrency)
        .try_collect()
        .await?;
    let mut blocks = Vec::with_capacity(fetched.len());
    let mut matched = Vec::new();
    for block in &fetched {
        let (number, timestamp) = (block.header.number, block.header.timestamp);
        blocks.push(NewBlock {
            number,
            hash: block.header.hash,
            timestamp,
        });
        for (position, tx) in block.transactions.txns().enumerate() {
            let Some(policy) = collection.transaction_policy(tx.to(), tx.input()) else {
                continue;
            };
            matched.push((
                policy,
                NewTransaction {
                    hash: tx.tx_hash(),
                    input: tx.input().to_vec(),
                    block_number: number,
                    block_hash: block.header.hash,
                    transaction_index: tx.transaction_index.unwrap_or(position as u64),
                    from: tx.from(),
                    to: tx.to().unwrap_or_default(),
                    status: TxStatus::Unknown,
                    value: tx.value(),
                    // Legacy gasPrice, or maxFeePerGas for EIP-1559 transactions (as the reference).
                    gas_price: alloy::consensus::Transaction::max_fee_per_gas(tx),
                    gas: tx.gas_limit(),
                    timestamp,
                },
            ));
        }
    }
    let timestamps: HashMap<u64, u64> = blocks.iter().map(|b| (b.number, b.timestamp)).collect();
    let wanted: Vec<(bool, B256)> = matched
        .iter()
        .map(|(p, tx)| (p.needs_receipt(), tx.hash))
        .collect();
    let receipts: Vec<_> = futures::stream::iter(wanted)
        .map(|(needed, hash)| {
            let rpc = rpc.clone();
            async move {
                if needed {
                    rpc.receipt(hash).await.map(Some)
                } else {
                    Ok(None)
                }
            }
        })
        .buffered(concurrency)
        .try_collect()
        .await?;
    let mut transactions = Vec::with_capacity(matched.len());
    let mut receipt_logs = Vec::new();
    for ((policy, mut tx), receipt) in matched.into_iter().zip(receipts) {
        if let Some(receipt) = receipt {
            tx.status = TxStatus::from_receipt(Some(receipt.status()));
            if policy.collect_events {
                receipt_logs.extend(
                    receipt
                        .inner
                        .logs()
                        .iter()
                        .filter_map(|l| new_log(l, &timestamps, true)),
                );
            }
        }
        transactions.push(tx);
    }
    Ok((blocks, transactions, receipt_logs))
}

async fn logs(
    rpc: &Rpc,
    collection: &Collection,
    from: u64,
    to: u64,
    log_range: u64,
    concurrency: usize,
) -> Result<Vec<Log>> {
    let Some(query) = collection.combined_log_query() else {
        return Ok(Vec::new());
    };
    let chunks = (from..=to)
        .step_by(usize::try_from(log_range).unwrap_or(usize::MAX))
        .map(|start| {
            let mut filter = Filter::new()
                .from_block(start)
                .to_block(start.saturating_add(log_range - 1).min(to));
            if let Some(a) = &query.addresses {
                filter = filter.address(a.clone());
            }
            if let Some(t) = &query.topics {
                filter = filter.event_signature(t.clone());
            }
            filter
        });
    let answers: Vec<Vec<Log>> = futures::stream::iter(chunks.collect::<Vec<_>>())
        .map(|f| {
            let rpc = rpc.clone();
            async move { rpc.logs(f).await }
        })
        .buffered(concurrency)
        .try_collect()
        .await?;
    Ok(answers
        .into_iter()
        .flatten()
        .filter(|l| !l.removed && collection.log_matches(l.address(), l.topics().first().copied()))
        .collect())
}

fn new_log(log: &Log, timestamps: &HashMap<u64, u64>, from_receipt: bool) -> Option<NewLog> {
    let block_number = log.block_number?;
    Some(NewLog {
        address: log.address(),
        data: log.data().data.to_vec(),
        topics: log.topics().to_vec(),
        transaction_hash: log.transaction_hash.unwrap_or(B256::ZERO),
        log_index: log.log_index?,
        timestamp: *timestamps.get(&block_number)?,
        block_number,
        from_receipt,
    })
}
