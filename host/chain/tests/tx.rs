//! The transaction sender and keys against a real anvil: nonces under concurrency, replacement of a stuck
//! transaction, deadlines, revert reasons, and keys kept out of every text.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any unexpected error"
)]

use std::time::{Duration, SystemTime};

use alloy::network::TransactionBuilder;
use alloy::node_bindings::{Anvil, AnvilInstance};
use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::TransactionRequest;
use ftso_chain::keys::{KeyError, KeyRole, KeySource, PrivateKey};
use ftso_chain::tx::{Call, Deadline, GasLimit, SendOptions, Senders, TxError, TxSender};

/// How long a test waits for something the chain or the sender must do (generous for a loaded CI machine).
const PATIENCE: Duration = Duration::from_secs(120);

/// Runtime code that always reverts with `Error("nope")`.
const REVERTER_RUNTIME: &str =
    "6308c379a060e01b60005260206004526004602452636e6f706560e01b60445260646000fd";
/// Creation code: copies the runtime (37 bytes at offset 12) and returns it.
const REVERTER_INIT: &str = "6025600c60003960256000f3";

struct Chain {
    provider: DynProvider,
    anvil: AnvilInstance,
}

async fn start_anvil() -> Chain {
    // The workspace build unifies reqwest without a TLS provider: alloy's HTTP client needs one installed.
    ftso_devnet::install_crypto_provider();
    let anvil = Anvil::at(ftso_devnet::anvil_path().unwrap())
        .port(0u16)
        .arg("--host")
        .arg("127.0.0.1")
        .arg("--hardfork")
        .arg("cancun")
        .try_spawn()
        .unwrap();
    let provider = ProviderBuilder::new()
        .disable_recommended_fillers()
        .connect_http(anvil.endpoint().parse().unwrap())
        .erased();
    Chain { provider, anvil }
}

impl Chain {
    fn key(&self, index: usize) -> PrivateKey {
        PrivateKey::from(alloy::signers::local::PrivateKeySigner::from(
            self.anvil.keys()[index].clone(),
        ))
    }

    fn sender(&self, index: usize) -> TxSender {
        Senders::new(self.provider.clone(), self.anvil.chain_id())
            .with_receipt_poll(Duration::from_millis(50))
            .sender(&self.key(index))
    }

    async fn rpc(&self, method: &'static str, params: serde_json::Value) -> serde_json::Value {
        self.provider
            .raw_request(method.into(), params)
            .await
            .unwrap()
    }

    async fn nonce(&self, address: Address) -> u64 {
        self.provider.get_transaction_count(address).await.unwrap()
    }

    async fn deploy_reverter(&self) -> Address {
        let sender = self.sender(9);
        let code = hex::decode(format!("{REVERTER_INIT}{REVERTER_RUNTIME}")).unwrap();
        let tx = TransactionRequest::default()
            .with_from(sender.address())
            .with_deploy_code(Bytes::from(code));
        let hash = *self.provider.send_transaction(tx).await.unwrap().tx_hash();
        let waited = tokio::time::Instant::now();
        loop {
            if let Some(receipt) = self.provider.get_transaction_receipt(hash).await.unwrap() {
                return receipt.contract_address.unwrap();
            }
            assert!(waited.elapsed() < PATIENCE, "deployment not mined");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn transfer(to: Address) -> Call {
    Call {
        to,
        input: Bytes::new(),
        value: U256::from(1),
    }
}

fn quick() -> SendOptions {
    SendOptions::default().attempts(3, Duration::from_secs(30))
}

#[tokio::test]
async fn concurrent_sends_from_one_key_get_consecutive_nonces() {
    let chain = start_anvil().await;
    let senders = Senders::new(chain.provider.clone(), chain.anvil.chain_id())
        .with_receipt_poll(Duration::from_millis(50));
    let key = chain.key(1);
    // Two roles asking for the same key get one sender (one nonce sequence).
    let (a, b) = (senders.sender(&key), senders.sender(&key));
    let start = chain.nonce(key.address()).await;
    let target = chain.key(2).address();
    let options = quick();
    let sends = (0..12).map(|i| {
        let sender = if i % 2 == 0 { a.clone() } else { b.clone() };
        let options = options.clone();
        tokio::spawn(async move { sender.send(&transfer(target), &options).await })
    });
    let mut nonces = Vec::new();
    for send in sends {
        let receipt = send.await.unwrap().unwrap();
        let tx = chain
            .provider
            .get_transaction_by_hash(receipt.transaction_hash)
            .await
            .unwrap()
            .unwrap();
        nonces.push(alloy::consensus::Transaction::nonce(&tx));
    }
    nonces.sort_unstable();
    assert_eq!(nonces, (start..start + 12).collect::<Vec<_>>());
    assert_eq!(chain.nonce(key.address()).await, start + 12);
}

#[tokio::test]
async fn a_stuck_transaction_is_replaced_at_the_same_nonce_with_higher_fees() {
    let chain = start_anvil().await;
    chain
        .rpc("evm_setAutomine", serde_json::json!([false]))
        .await;
    let sender = chain.sender(3);
    let nonce = chain.nonce(sender.address()).await;
    let options = SendOptions::default().attempts(30, Duration::from_secs(2));
    let send = {
        let sender = sender.clone();
        let target = chain.key(4).address();
        tokio::spawn(async move { sender.send(&transfer(target), &options).await })
    };
    // Watch the pool: the first transaction, then its replacement (same nonce, another hash); then mine.
    let pending_of = |pool: &serde_json::Value| -> Option<(String, u128)> {
        let by_sender = pool["pending"]
            .as_object()?
            .iter()
            .find(|(address, _)| address.eq_ignore_ascii_case(&sender.address().to_string()))?;
        let tx = by_sender.1.get(nonce.to_string())?;
        let fee =
            u128::from_str_radix(tx["maxFeePerGas"].as_str()?.trim_start_matches("0x"), 16).ok()?;
        Some((tx["hash"].as_str()?.to_string(), fee))
    };
    let waited = tokio::time::Instant::now();
    let mut first: Option<(String, u128)> = None;
    let replacement = loop {
        assert!(
            waited.elapsed() < PATIENCE,
            "no replacement seen in the pool"
        );
        let pool = chain.rpc("txpool_content", serde_json::json!([])).await;
        match (pending_of(&pool), &first) {
            (Some(seen), None) => first = Some(seen),
            (Some(seen), Some(original)) if seen.0 != original.0 => break seen,
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let (first_hash, first_fee) = first.unwrap();
    assert!(
        replacement.1 > first_fee + first_fee / 10,
        "fee {} not bumped ≥10 % over {first_fee}",
        replacement.1
    );
    chain.rpc("evm_mine", serde_json::json!([])).await;
    let receipt = send.await.unwrap().unwrap();
    let mined = chain
        .provider
        .get_transaction_by_hash(receipt.transaction_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(alloy::consensus::Transaction::nonce(&mined), nonce);
    assert_ne!(receipt.transaction_hash.to_string(), first_hash);
    let first_hash: B256 = first_hash.parse().unwrap();
    assert!(
        chain
            .provider
            .get_transaction_receipt(first_hash)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(chain.nonce(sender.address()).await, nonce + 1);
}

#[tokio::test]
async fn a_send_past_its_deadline_is_dropped_and_a_pending_one_expires() {
    let chain = start_anvil().await;
    let sender = chain.sender(5);
    let target = chain.key(6).address();
    let nonce = chain.nonce(sender.address()).await;

    let past = SystemTime::now() - Duration::from_secs(1);
    let error = sender
        .send(&transfer(target), &quick().deadline(Deadline::At(past)))
        .await
        .unwrap_err();
    assert!(matches!(error, TxError::DeadlinePassed), "{error}");
    let latest = chain.provider.get_block_number().await.unwrap();
    let error = sender
        .send(
            &transfer(target),
            &quick().deadline(Deadline::LastBlock(latest)),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, TxError::DeadlinePassed), "{error}");
    let pool = chain.rpc("txpool_status", serde_json::json!([])).await;
    assert_eq!(pool["pending"], serde_json::json!("0x0"), "{pool}");

    // Sent, never mined before its deadline: no replacement is sent after it, the send reports expiry.
    chain
        .rpc("evm_setAutomine", serde_json::json!([false]))
        .await;
    let soon = SystemTime::now() + Duration::from_secs(2);
    let options = SendOptions::default()
        .attempts(50, Duration::from_secs(60))
        .deadline(Deadline::At(soon));
    let error = sender.send(&transfer(target), &options).await.unwrap_err();
    assert!(
        matches!(error, TxError::Expired { nonce: n, ref hashes } if n == nonce && hashes.len() == 1),
        "{error}"
    );

    // The next send replaces the left-over pending transaction (nonce re-read at `latest`) and is mined.
    chain
        .rpc("evm_setAutomine", serde_json::json!([true]))
        .await;
    chain.rpc("evm_mine", serde_json::json!([])).await;
    let receipt = sender.send(&transfer(target), &quick()).await.unwrap();
    assert!(receipt.status());
    assert!(chain.nonce(sender.address()).await > nonce);
}

#[tokio::test]
async fn a_revert_surfaces_its_reason_at_estimation_and_on_chain() {
    let chain = start_anvil().await;
    let reverter = chain.deploy_reverter().await;
    let sender = chain.sender(7);
    let call = Call::raw(reverter, vec![1, 2, 3, 4]);
    let nonce = chain.nonce(sender.address()).await;

    let error = sender.send(&call, &quick()).await.unwrap_err();
    assert!(
        matches!(&error, TxError::Reverted { reason, tx_hash: None } if reason == "nope"),
        "{error}"
    );
    assert!(error.reverted_with_any(&["already done", "nope"]));
    assert_eq!(
        chain.nonce(sender.address()).await,
        nonce,
        "nothing was sent"
    );

    let on_chain = quick().gas(GasLimit::Fixed {
        limit: 100_000,
        dry_run: false,
    });
    let error = sender.send(&call, &on_chain).await.unwrap_err();
    assert!(
        matches!(&error, TxError::Reverted { reason, tx_hash: Some(_) } if reason == "nope"),
        "{error}"
    );
    assert_eq!(chain.nonce(sender.address()).await, nonce + 1);

    // The fallback limit sends a transaction whose estimate fails (a selected finalizer's relay).
    let error = sender
        .send(&call, &quick().gas(GasLimit::EstimateOr(90_000)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &error,
            TxError::Reverted {
                tx_hash: Some(_),
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(chain.nonce(sender.address()).await, nonce + 2);
}

#[tokio::test]
async fn keys_never_appear_in_debug_or_error_texts() {
    let chain = start_anvil().await;
    let secret = hex::encode(chain.anvil.keys()[8].to_bytes());
    let key = PrivateKey::from_hex(&secret).unwrap();
    let sender = Senders::new(chain.provider.clone(), chain.anvil.chain_id()).sender(&key);
    let reverter = chain.deploy_reverter().await;
    let error = sender
        .send(&Call::raw(reverter, vec![0]), &quick())
        .await
        .unwrap_err();
    let texts = [
        format!("{key:?}"),
        format!("{sender:?}"),
        format!("{error:?}"),
        error.to_string(),
        format!("{:?}", Senders::new(chain.provider.clone(), 1)),
    ];
    for text in &texts {
        assert!(!text.to_lowercase().contains(&secret[..24]), "{text}");
    }
    assert!(
        texts[0].contains(&format!("{:?}", key.address())),
        "{}",
        texts[0]
    );
}

#[test]
fn keys_load_from_a_file_with_or_without_0x() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "4f65bffe3c8ed6c0b812e84d35402e949feea042061cc1635fe6ae83ed84df4a";
    let expected: Address = "0x78aa142e34c7d9019ac2e0c04f660cf1c544c86b"
        .parse()
        .unwrap();
    for (name, text) in [
        ("plain", secret.to_string()),
        ("prefixed", format!("0x{secret}\n")),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        assert_eq!(PrivateKey::from_file(&path).unwrap().address(), expected);
        let source = KeySource {
            env: Some("FTSO_TEST_KEY_NEVER_SET_7f3a".into()),
            file: Some(path),
        };
        assert_eq!(source.load(KeyRole::Submit).unwrap().address(), expected);
    }
}

#[test]
fn bad_key_files_and_missing_keys_are_clear_errors_without_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "4f65bffe3c8ed6c0b812e84d35402e949feea042061cc1635fe6ae83ed84df";
    let path = dir.path().join("short");
    std::fs::write(&path, secret).unwrap();
    let error = PrivateKey::from_file(&path).unwrap_err();
    assert!(matches!(error, KeyError::InvalidInFile { .. }), "{error}");
    let text = format!("{error} {error:?}");
    assert!(
        text.contains("62 characters") && text.contains("short"),
        "{text}"
    );
    assert!(!text.contains(&secret[..20]), "{text}");

    let missing = PrivateKey::from_file(&dir.path().join("absent")).unwrap_err();
    assert!(matches!(missing, KeyError::ReadFile { .. }), "{missing}");

    let none = KeySource {
        env: Some("FTSO_TEST_KEY_NEVER_SET_9b1c".into()),
        file: None,
    };
    let error = none.load(KeyRole::SigningPolicy).unwrap_err();
    assert_eq!(
        error.to_string(),
        "no signing-policy key: environment variable FTSO_TEST_KEY_NEVER_SET_9b1c is not set and no key file is configured"
    );
}

#[test]
fn keys_load_from_the_environment_before_the_file() {
    let secret = "0x4f65bffe3c8ed6c0b812e84d35402e949feea042061cc1635fe6ae83ed84df4a";
    let var = "FTSO_TEST_KEY_ENV_LOAD_51d2";
    let bad_var = "FTSO_TEST_KEY_ENV_BAD_51d2";
    #[allow(
        unsafe_code,
        reason = "variables unique to this test; no other thread reads them"
    )]
    // SAFETY: the variables are unique to this test and read only by it.
    unsafe {
        std::env::set_var(var, secret);
        std::env::set_var(bad_var, &secret[..30]);
    }
    let source = KeySource {
        env: Some(var.into()),
        file: Some("/nonexistent/key".into()),
    };
    assert!(source.is_configured(KeyRole::Submit));
    assert_eq!(
        source.load(KeyRole::Submit).unwrap().address(),
        "0x78aa142e34c7d9019ac2e0c04f660cf1c544c86b"
            .parse::<Address>()
            .unwrap()
    );
    let error = PrivateKey::from_env(bad_var).unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(text.contains(bad_var), "{text}");
    assert!(!text.contains(&secret[2..20]), "{text}");
}
