//! The full node on the devnet: `ftso-node run --devnet --config config/local.toml` (indexer, feeds, data provider,
//! system client, fast updates) acts as the devnet's entity. Judged on chain and in its log: its fast updates are
//! accepted (`FastUpdateFeedsSubmitted` for its signing-policy address, sent from its own submission accounts, every
//! one of their transactions an accepted update), its system client registers it for reward epoch 1 and signs the
//! new policy (fast updates need reward epoch 1, the first with a seed, so the devnet got there because of those
//! signatures), "round results unavailable" is logged once for the whole of reward epoch 0, nothing is logged about
//! nonces, no key is logged, and the key files are owner-only and gone after SIGTERM. When the node runs the voting
//! scheduler (`starting role="voting"`), its submit key must also have sent a commit and a reveal and its
//! submit-signatures key a submitSignatures.
//!
//! The node runs until all of that is seen or `FTSO_NODE_DEVNET_TEST_TIMEOUT_SECS` passes (default 900: plugin
//! build, devnet deployment and one 100 s reward epoch on a slow, loaded machine); it stops as soon as it is done,
//! after about 2.5 min on a loaded 2-core machine.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use alloy::primitives::{Address, B256, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::Filter;
use alloy::sol_types::SolEvent;
use ftso_chain::{IFastUpdater, IVoterRegistry};

use crate::support::process::Process;
use crate::support::{self, log_field as field, plugins};

/// The supervisor's line when the node runs the voting scheduler.
const VOTING_STARTED: &str = "starting role=\"voting\"";

fn timeout() -> Duration {
    support::timeout("FTSO_NODE_DEVNET_TEST_TIMEOUT_SECS", 900)
}

fn address(text: &str) -> Address {
    text.parse()
        .unwrap_or_else(|_| panic!("not an address: {text:?}"))
}

/// What the test waits for, read from the chain.
#[derive(Debug, Default)]
struct Seen {
    /// Accepted fast updates signed by our signing-policy address and sent from our accounts (all they sent).
    fast_updates: usize,
    /// Our identity is registered for reward epoch 1.
    registered: bool,
    /// Transactions sent by our submit key (submit1, submit2) and submit-signatures key (submitSignatures).
    votes: (u64, u64),
}

/// The addresses the node says it acts with.
struct Ours {
    identity: Address,
    signing_policy: Address,
    submit: Address,
    submit_signatures: Address,
    accounts: Vec<Address>,
}

async fn look(provider: &DynProvider, contracts: &(Address, Address), ours: &Ours) -> Seen {
    let Ours {
        identity,
        signing_policy,
        accounts,
        ..
    } = ours;
    let (fast_updater, voter_registry) = *contracts;
    // Everything read at one block, so the sent and accepted counts are of the same chain.
    let head = provider.get_block_number().await.unwrap();
    let updates = Filter::new()
        .address(fast_updater)
        .event_signature(IFastUpdater::FastUpdateFeedsSubmitted::SIGNATURE_HASH)
        .topic2(B256::left_padding_from(signing_policy.as_slice()))
        .from_block(0)
        .to_block(head);
    let sent_by = async |address: Address| {
        provider
            .get_transaction_count(address)
            .block_id(head.into())
            .await
            .unwrap()
    };
    let mut fast_updates = 0;
    for log in provider.get_logs(&updates).await.unwrap() {
        let hash = log.transaction_hash.expect("mined log");
        let tx = provider.get_transaction_by_hash(hash).await.unwrap();
        let from = alloy::network::TransactionResponse::from(&tx.expect("the log's transaction"));
        assert!(
            accounts.contains(&from),
            "a fast update was sent from {from}, not from the node's submission accounts {accounts:?}"
        );
        fast_updates += 1;
    }
    // The client never sends what the contract rejects (a used ticket, a block outside the window, a replicate
    // above the weight, a wrong signature): every transaction of its accounts is an accepted update.
    let mut sent = 0;
    for account in accounts {
        sent += sent_by(*account).await;
    }
    assert_eq!(
        sent, fast_updates as u64,
        "the submission accounts sent {sent} transactions by block {head}, {fast_updates} were accepted updates"
    );
    let registrations = Filter::new()
        .address(voter_registry)
        .event_signature(IVoterRegistry::VoterRegistered::SIGNATURE_HASH)
        .topic1(B256::left_padding_from(identity.as_slice()))
        .topic2(B256::from(U256::from(1u32)))
        .from_block(0)
        .to_block(head);
    let registered = !provider.get_logs(&registrations).await.unwrap().is_empty();
    let votes = (
        sent_by(ours.submit).await,
        sent_by(ours.submit_signatures).await,
    );
    Seen {
        fast_updates,
        registered,
        votes,
    }
}

/// FastUpdater and VoterRegistry through the devnet's contract registry.
async fn contracts(provider: &DynProvider) -> (Address, Address) {
    use alloy::sol_types::SolCall as _;
    let mut found = Vec::new();
    for name in ["FastUpdater", "VoterRegistry"] {
        let call =
            ftso_chain::IFlareContractRegistry::getContractAddressByNameCall { _name: name.into() };
        let tx = alloy::rpc::types::TransactionRequest::default()
            .to(ftso_chain::names::FLARE_CONTRACT_REGISTRY_ADDRESS)
            .input(alloy::primitives::Bytes::from(call.abi_encode()).into());
        let output = provider.call(tx).await.unwrap();
        let address =
            ftso_chain::IFlareContractRegistry::getContractAddressByNameCall::abi_decode_returns(
                &output,
            )
            .unwrap();
        assert_ne!(address, Address::ZERO, "{name} is not in the registry");
        found.push(address);
    }
    (found[0], found[1])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_node_is_a_devnet_entity_its_fast_updates_are_accepted_and_it_registers() {
    plugins::build();
    let dir = tempfile::tempdir().unwrap();
    let deadline = Instant::now() + timeout();
    let config = support::workspace_file("config/local.toml");
    let mut node = Process::node(&["run", "--devnet", "--config", &config], dir.path());

    let entity_line = node
        .wait_for_async("the node is devnet entity 0", deadline)
        .await;
    let rpc_url = field(
        &node.wait_for_async("devnet running", deadline).await,
        "rpc_url",
    );
    let ours = Ours {
        identity: address(&field(&entity_line, "identity")),
        signing_policy: address(&field(&entity_line, "signing_policy")),
        submit: address(&field(&entity_line, "submit")),
        submit_signatures: address(&field(&entity_line, "submit_signatures")),
        accounts: field(&entity_line, "fast_updates_accounts")
            .trim_matches(['[', ']'])
            .split(", ")
            .map(address)
            .collect(),
    };
    assert_eq!(
        ours.accounts.len(),
        2,
        "two fast-updates submission accounts"
    );

    // The keys: in owner-only files, never in the log.
    let keys_dir = PathBuf::from(field(&entity_line, "keys"));
    assert_eq!(mode(&keys_dir), 0o700);
    let mut secrets = Vec::new();
    for entry in std::fs::read_dir(&keys_dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
        let text = std::fs::read_to_string(&path).unwrap();
        secrets.push(text.trim().trim_start_matches("0x").to_lowercase());
    }
    assert!(secrets.len() >= 5, "key files: {secrets:?}");

    ftso_devnet::install_crypto_provider();
    let provider = ProviderBuilder::new()
        .connect_http(rpc_url.parse().unwrap())
        .erased();
    let contracts = contracts(&provider).await;
    // The devnet's deployment already sent from the submit keys (their EntityManager confirmations).
    let mut seen = look(&provider, &contracts, &ours).await;
    let before = seen.votes;
    // When the node runs the voting scheduler, its rounds are part of the bargain: a commit and a reveal from the
    // submit key and a submitSignatures from its key (on separate keys from the fast updates).
    while !(seen.fast_updates > 0
        && seen.registered
        && (!node.has(VOTING_STARTED) || (seen.votes.0 >= before.0 + 2 && seen.votes.1 > before.1))
        && node.has("successful update for block")
        && node.has("RegisterVoter success")
        && node.has("SignNewSigningPolicy success"))
    {
        node.assert_running("the node's fast updates, registration and votes");
        assert!(
            Instant::now() < deadline,
            "timed out: {seen:?}, fast update logged {}, registration logged {}, policy signing logged {}",
            node.has("successful update for block"),
            node.has("RegisterVoter success"),
            node.has("SignNewSigningPolicy success"),
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
        seen = look(&provider, &contracts, &ours).await;
    }
    eprintln!(
        "seen on chain: {seen:?}, voting scheduler running: {}",
        node.has(VOTING_STARTED)
    );

    let status = node.terminate(Instant::now() + Duration::from_secs(120));
    assert!(status.success(), "ftso-node exit status {status}");
    assert!(
        !keys_dir.exists(),
        "the devnet key files are removed on stop"
    );

    let lines = node.lines();
    if node.has(VOTING_STARTED) {
        assert_voting_finished_before_its_servers_stopped(&lines);
    }
    let log = lines.join("\n");
    for secret in &secrets {
        assert!(!log.to_lowercase().contains(secret), "a key is in the log");
    }
    let nonce_lines: Vec<&str> = log
        .lines()
        .filter(|l| (l.contains(" WARN ") || l.contains(" ERROR ")) && l.contains("nonce"))
        .collect();
    assert!(nonce_lines.is_empty(), "nonce trouble: {nonce_lines:#?}");
    let unavailable = log
        .lines()
        .filter(|l| l.contains("round results unavailable"))
        .count();
    assert!(
        unavailable <= 2,
        "round results unavailable is logged once per spell, not per round ({unavailable} lines)"
    );
}

/// The shutdown order in the log: the voting scheduler finished the rounds it had started and its role ended
/// before the data provider and the indexer it used were told to stop.
fn assert_voting_finished_before_its_servers_stopped(lines: &[String]) {
    let position = |needle: &str| {
        lines
            .iter()
            .position(|line| line.contains(needle))
            .unwrap_or_else(|| panic!("no log line with {needle:?}"))
    };
    let finished = position("voting scheduler stopped");
    let ended = position("stopped role=\"voting\"");
    let serve = position("stopping roles stage=\"serve\"");
    let data_provider = position("stopped role=\"data-provider\"");
    assert!(
        finished < ended && ended < serve && serve < data_provider,
        "shutdown order: voting scheduler stopped at line {finished}, its role ended at {ended}, the serve stage \
         told to stop at {serve}, the data provider stopped at {data_provider}"
    );
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}
