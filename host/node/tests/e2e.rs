//! Issue 9's end-to-end test: four `ftso-node run --join-devnet` processes, each a different entity of one
//! `ftso-node devnet` (own keys, data dir, feed plugins; node 3 on PostgreSQL, the others on SQLite), vote from
//! genesis through `FTSO_E2E_REWARD_EPOCHS` (default 2) complete reward epochs. Judged on chain:
//!
//! 1. every voting round from the first one of reward epoch 1 (the first the nodes registered for: epoch 0 is the
//!    deployment's and has no feeds) to the last one of the last checked epoch is finalized in the Relay, with
//!    the Merkle root that `ftso_core::round::calculate_round` gives over the commits and reveals decoded from the
//!    `Submission` transactions, with the epoch's feeds and weights from its policy, registrations and offers;
//! 2. in every checked epoch each node registered, the signatures of the new signing policy, of the uptime vote and
//!    of the rewards (over reward data the test publishes, the devnet calculating none) reached their thresholds,
//!    only our nodes signed, the rewards hash is the published root, and the FlareSystemsManager started the
//!    epochs (the devnet's starts an epoch once its policy exists, without waiting for the signatures);
//! 3. node 1 is killed with SIGKILL right after its submit1 of a round N and restarted with the same config: it
//!    still reveals N, its later rounds are valid, no (account, nonce) was broadcast twice (every broadcast of
//!    every process is logged by the transaction sender), every account's nonces on chain are contiguous, and no
//!    log has a nonce or replacement error;
//! 4. node 3 runs on a fresh PostgreSQL database of the test cluster (`FTSO_TEST_POSTGRES_URL`; skipped with a
//!    loud message outside CI when there is none).
//!
//! `FTSO_E2E_TIMEOUT_SECS` (default 900) bounds the whole test. With 20 s rounds and 5-round reward epochs, two
//! epochs take about six minutes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

#[path = "support/e2e_chain.rs"]
mod chain;
#[path = "support/e2e_cluster.rs"]
mod cluster;
#[path = "support/plugins.rs"]
mod plugins;
#[path = "support/e2e_rewards.rs"]
mod rewards;
#[path = "support/e2e_rounds.rs"]
mod rounds;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use alloy::primitives::{Address, B256, U256};
use alloy::providers::{DynProvider, Provider as _};
use alloy::sol_types::SolCall as _;
use ftso_chain::{IFlareSystemsManager, IRelay, IVoterRegistry, names};
use ftso_core::commit::FTSO_PROTOCOL_ID;
use ftso_core::round::VoterSubmission;
use serde_json::Value;

use chain::{ChainSnapshot, DevnetFile, EntityAddresses, events_now};
use cluster::{Cluster, NODE, Process, field, message};

/// The nodes, one per devnet entity.
const NODES: usize = 4;
/// The node killed and restarted.
const VICTIM: usize = 1;
/// The node on PostgreSQL.
const POSTGRES_NODE: usize = 3;
/// Rounds the victim may miss while it restarts (its indexer catches up, its scheduler waits for a round start).
const RESTART_GAP_ROUNDS: u32 = 3;
/// The development plugin publisher key `scripts/build-plugins.sh` signs with (public; config/local.toml).
const DEV_PUBLISHER: &str = "3445a7c34089a73c7f79cb61fdc44f0e68308557d1b012ccb6773f60c1cd8b17";
/// How the devnet runs: 20 s rounds, 5-round reward epochs, one block a second, the next policy prepared 75 s
/// before an epoch ends and registration open for at least 20 s, so that four joined nodes register and sign.
const DEVNET_ARGS: [&str; 12] = [
    "--entities",
    "4",
    "--voting-epoch-secs",
    "20",
    "--reward-epoch-voting-epochs",
    "5",
    "--block-time-secs",
    "1",
    "--signing-policy-init-lead-secs",
    "75",
    "--voter-registration-min-duration-secs",
    "20",
];

/// The test's duration settings.
struct Settings {
    /// Complete reward epochs checked after the deployment's epoch 0.
    reward_epochs: u32,
    timeout: Duration,
}

impl Settings {
    fn from_env() -> Self {
        let number = |name: &str, default: u64| {
            std::env::var(name).map_or(default, |v| {
                v.parse()
                    .unwrap_or_else(|_| panic!("{name} is not a number: {v:?}"))
            })
        };
        let reward_epochs = u32::try_from(number("FTSO_E2E_REWARD_EPOCHS", 2)).unwrap();
        assert!(
            reward_epochs >= 1,
            "FTSO_E2E_REWARD_EPOCHS must be at least 1"
        );
        Self {
            reward_epochs,
            timeout: Duration::from_secs(number("FTSO_E2E_TIMEOUT_SECS", 900)),
        }
    }
}

/// Starts `ftso-node devnet` in `dir` and waits for its file.
async fn start_devnet(dir: tempfile::TempDir, deadline: Instant) -> (Cluster, PathBuf) {
    let file = dir.path().join("devnet.toml");
    let mut command = Command::new(NODE);
    command
        .args(["--log-format", "json", "devnet"])
        .args(DEVNET_ARGS)
        .arg("--config-out")
        .arg(&file)
        .current_dir(dir.path());
    let devnet = Process::spawn("devnet", command, dir.path().join("devnet.log"));
    let mut cluster = Cluster::new(dir, devnet);
    cluster
        .devnet
        .wait_for("its config file", deadline, |line| {
            line.starts_with("# written to").then_some(())
        })
        .await;
    (cluster, file)
}

/// Writes node `index`'s config: its own data dir, database, plugins and ports (0: the OS picks free ones).
fn node_config(dir: &Path, index: usize, storage_url: &str) -> PathBuf {
    let rewards = dir.join("rewards");
    let plugins = ftso_testkit::workspace_root().join("target/plugins");
    let data_dir = node_dir(dir, index);
    std::fs::create_dir_all(&data_dir).unwrap();
    let text = format!(
        r#"[node]
data_dir = "{data_dir}"

[indexer]
confirmations = 0

[admin]
listen = "127.0.0.1:0"

[storage]
url = "{storage_url}"

[data_provider]
listen = "127.0.0.1:0"

[feeds]
listen = "127.0.0.1:0"
trusted_publishers = ["{DEV_PUBLISHER}"]

[[feeds.plugins]]
name = "fixed"
component = "{fixed}"
feeds = [{{ category = 1, name = "FLR/USD" }}]

[[feeds.plugins]]
name = "random"
component = "{random}"

[system_client.rewards]
url_prefix = "{rewards}"
"#,
        data_dir = data_dir.display(),
        fixed = plugins.join("ftso_plugin_fixed.wasm").display(),
        random = plugins.join("ftso_plugin_random.wasm").display(),
        rewards = rewards.display(),
    );
    let path = dir.join(format!("node-{index}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

fn node_dir(dir: &Path, index: usize) -> PathBuf {
    dir.join(format!("node-{index}"))
}

/// Node `index`'s storage URL: SQLite in its data dir, or for the PostgreSQL node a fresh database of the test
/// cluster when there is one.
async fn storage_url(dir: &Path, index: usize) -> String {
    if index == POSTGRES_NODE
        && let Some(db) = ftso_storage::testing::postgres().await
    {
        return db.url;
    }
    format!(
        "sqlite://{}?mode=rwc",
        node_dir(dir, index).join("node.db").display()
    )
}

/// Starts (or restarts: `incarnation` > 0) node `index`.
fn spawn_node(dir: &Path, devnet_file: &Path, index: usize, incarnation: usize) -> Process {
    let mut command = Command::new(NODE);
    command
        .args(["--log-format", "json", "run", "--join-devnet"])
        .arg(devnet_file)
        .args(["--devnet-entity", &index.to_string(), "--config"])
        .arg(dir.join(format!("node-{index}.toml")))
        .current_dir(node_dir(dir, index));
    let log = dir.join(format!("node-{index}.{incarnation}.log"));
    Process::spawn(&format!("node-{index}"), command, log)
}

/// A JSON log line, when `line` is one.
fn json(line: &str) -> Option<Value> {
    serde_json::from_str(line).ok()
}

/// The round of a `submitter submit1 submitted tx` line.
fn submit1_round(line: &str) -> Option<u32> {
    let line = json(line)?;
    (message(&line)? == "submitter submit1 submitted tx")
        .then(|| field(&line, "round")?.parse().ok())
        .flatten()
}

/// The fast-updates accounts a node process says it uses (fresh ones at every start).
fn fast_updates_accounts(process: &Process) -> Vec<Address> {
    let line = process
        .json_lines()
        .into_iter()
        .find(|l| message(l).is_some_and(|m| m.starts_with("the node is devnet entity")))
        .unwrap_or_else(|| panic!("{} did not say which entity it is", process.name()));
    field(&line, "fast_updates_accounts")
        .unwrap()
        .trim_matches(['[', ']'])
        .split(", ")
        .map(|a| a.parse().unwrap())
        .collect()
}

/// Waits until reward epoch `last + 1` started, the uptime votes and rewards of epochs 1..=last reached their
/// thresholds, and the last round of epoch `last` was relayed.
async fn wait_for_the_end(
    cluster: &mut Cluster,
    provider: &DynProvider,
    file: &DevnetFile,
    last: u32,
    deadline: Instant,
) {
    let fsm = file.contract(names::FLARE_SYSTEMS_MANAGER);
    let relay = file.contract(names::RELAY);
    let mut progress = String::new();
    loop {
        cluster.assert_running();
        let started: HashMap<u32, u32> = events_now(
            provider,
            fsm,
            |e: &IFlareSystemsManager::RewardEpochStarted| {
                Some((e.rewardEpochId.to(), e.startVotingRoundId))
            },
        )
        .await;
        let uptime: HashSet<u32> = events_now(
            provider,
            fsm,
            |e: &IFlareSystemsManager::UptimeVoteSigned| {
                e.thresholdReached.then(|| e.rewardEpochId.to())
            },
        )
        .await;
        let rewards: HashSet<u32> =
            events_now(provider, fsm, |e: &IFlareSystemsManager::RewardsSigned| {
                e.thresholdReached.then(|| e.rewardEpochId.to())
            })
            .await;
        let relayed: HashSet<u32> =
            events_now(provider, relay, |e: &IRelay::ProtocolMessageRelayed| {
                (e.protocolId == FTSO_PROTOCOL_ID).then_some(e.votingRoundId)
            })
            .await;
        let last_round_relayed = started
            .get(&(last + 1))
            .is_some_and(|start| relayed.contains(&(start - 1)));
        let signed = (1..=last).all(|e| uptime.contains(&e) && rewards.contains(&e));
        let now = format!(
            "epochs started: {}, uptime signed: {uptime:?}, rewards signed: {rewards:?}, rounds relayed: {}",
            started.len(),
            relayed.len()
        );
        if now != progress {
            eprintln!("e2e: {now}");
            progress = now;
        }
        if last_round_relayed && signed {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out (FTSO_E2E_TIMEOUT_SECS) waiting for reward epoch {} and its checks: {progress}",
            last + 1
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_nodes_vote_and_finalize_every_round_through_two_reward_epochs() {
    let settings = Settings::from_env();
    let started = Instant::now();
    let deadline = started + settings.timeout;
    plugins::build();
    ftso_devnet::install_crypto_provider();

    let (mut cluster, devnet_path) = start_devnet(tempfile::tempdir().unwrap(), deadline).await;
    let dir = cluster.dir().to_path_buf();
    let file = DevnetFile::read(&devnet_path);
    assert_eq!(file.entities.len(), NODES);
    let identities: Vec<Address> = file.entities.iter().map(|e| e.identity_address).collect();
    let reward_roots: BTreeMap<u32, B256> = (1..=settings.reward_epochs)
        .map(|epoch| {
            (
                epoch,
                rewards::publish(&dir.join("rewards"), epoch, &identities),
            )
        })
        .collect();
    let mut backends = Vec::new();
    for index in 0..NODES {
        let url = storage_url(&dir, index).await;
        backends.push(url.split(':').next().unwrap().to_owned());
        node_config(&dir, index, &url);
        cluster.nodes.push(spawn_node(&dir, &devnet_path, index, 0));
    }
    eprintln!(
        "e2e: devnet and {NODES} nodes started ({backends:?}) in {}",
        dir.display()
    );

    // Kill the victim right after its submit1 of a round of reward epoch 1, then restart it.
    let epochs = file.epochs();
    let first_round_of_epoch_1 = u32::try_from(epochs.reward_epoch_start_round(1)).unwrap();
    let killed_round = cluster.nodes[VICTIM]
        .wait_for("submit1 in reward epoch 1", deadline, |line| {
            submit1_round(line).filter(|round| *round > first_round_of_epoch_1)
        })
        .await;
    let status = cluster.nodes[VICTIM].kill();
    eprintln!("e2e: node {VICTIM} killed ({status}) after its submit1 of round {killed_round}");
    let restarted = spawn_node(&dir, &devnet_path, VICTIM, 1);
    let killed = std::mem::replace(&mut cluster.nodes[VICTIM], restarted);
    cluster.retired.push(killed);

    let provider = file.provider();
    let last_epoch = settings.reward_epochs;
    wait_for_the_end(&mut cluster, &provider, &file, last_epoch, deadline).await;
    let chain = ChainSnapshot::read(&provider).await;

    let checked = check_rounds(&chain, &file, &provider, last_epoch, killed_round).await;
    check_reward_epochs(&chain, &file, &reward_roots);
    check_transactions(&cluster, &chain, &file, &provider).await;
    eprintln!(
        "e2e: passed in {:.0} s: rounds {checked:?} finalized with our roots, reward epochs 1..={last_epoch} \
         complete, node {VICTIM} killed after its submit1 of round {killed_round}, node {POSTGRES_NODE} on {}",
        started.elapsed().as_secs_f64(),
        backends[POSTGRES_NODE]
    );
}

/// Check 1 (and the victim's rounds of check 3): every round of reward epochs 1..=last relayed with our root.
/// Returns the rounds checked.
async fn check_rounds(
    chain: &ChainSnapshot,
    file: &DevnetFile,
    provider: &DynProvider,
    last: u32,
    killed_round: u32,
) -> std::ops::RangeInclusive<u32> {
    let relay = file.contract(names::RELAY);
    let epochs = rounds::epochs(chain, file);
    let first = epochs[&1].start_round;
    let end = epochs
        .get(&(last + 1))
        .unwrap_or_else(|| panic!("no signing policy of reward epoch {}", last + 1))
        .start_round
        - 1;
    let relayed: HashMap<u32, B256> = chain
        .events::<IRelay::ProtocolMessageRelayed>(relay)
        .into_iter()
        .filter(|e| e.protocolId == FTSO_PROTOCOL_ID)
        .map(|e| (e.votingRoundId, e.merkleRoot))
        .collect();
    let submissions = rounds::Submissions::read(chain, file);
    let ours: Vec<Address> = file.entities.iter().map(|e| e.submit_address).collect();
    let victim = ours[VICTIM];
    let mut back_after = None;
    for v in first..=end {
        let epoch = rounds::epoch_of(&epochs, v).unwrap();
        let identities: HashSet<Address> =
            epoch.voters.iter().map(|voter| voter.identity).collect();
        let expected: HashSet<Address> = file.entities.iter().map(|e| e.identity_address).collect();
        assert_eq!(
            identities, expected,
            "the voters of reward epoch {} are our nodes",
            epoch.id
        );
        let (result, voters) = rounds::compute(v, epoch, &submissions, first);
        let root = relayed
            .get(&v)
            .unwrap_or_else(|| panic!("round {v} (reward epoch {}) was not relayed", epoch.id));
        assert_eq!(
            *root, result.merkle_root,
            "round {v}: the relayed Merkle root is not the one computed from the chain's reveals"
        );
        let stored = read_merkle_root(provider, relay, v).await;
        assert_eq!(
            stored, *root,
            "round {v}: Relay.merkleRoots disagrees with its event"
        );
        for voter in &voters {
            let valid = matches!(voter.submission, VoterSubmission::Valid { .. });
            let node = ours
                .iter()
                .position(|a| *a == voter.submit_address)
                .unwrap();
            let restarting =
                voter.submit_address == victim && v > killed_round && back_after.is_none();
            if voter.submit_address == victim && v > killed_round && valid {
                back_after.get_or_insert(v);
            }
            assert!(
                valid || restarting,
                "round {v}: node {node}'s submission is {:?}, not a valid reveal",
                voter.submission
            );
            assert!(!voter.benched, "round {v}: node {node} is benched");
        }
    }
    let back =
        back_after.unwrap_or_else(|| panic!("node {VICTIM} never voted again after its restart"));
    assert!(
        back <= killed_round + RESTART_GAP_ROUNDS,
        "node {VICTIM} voted again only in round {back}, killed in round {killed_round}"
    );
    assert!(
        submissions.opened(killed_round, victim),
        "node {VICTIM} did not reveal round {killed_round}, whose submit1 it sent before SIGKILL"
    );
    let starts: Vec<(u32, u32)> = epochs.values().map(|e| (e.id, e.start_round)).collect();
    eprintln!(
        "e2e: reward epochs start at rounds {starts:?}; node {VICTIM} revealed round {killed_round} and voted again from round {back}"
    );
    first..=end
}

/// `Relay.merkleRoots(100, v)`.
async fn read_merkle_root(provider: &DynProvider, relay: Address, v: u32) -> B256 {
    let call = IRelay::merkleRootsCall {
        _protocolId: U256::from(FTSO_PROTOCOL_ID),
        _votingRoundId: U256::from(v),
    };
    let request = alloy::rpc::types::TransactionRequest::default()
        .to(relay)
        .input(call.abi_encode().into());
    let output = provider.call(request).await.unwrap();
    IRelay::merkleRootsCall::abi_decode_returns(&output).unwrap()
}

/// A signing policy's threshold and its voters' weights, by signing-policy address.
struct Policy {
    threshold: u16,
    weights: HashMap<Address, u16>,
}

/// The signing policies on chain, by reward epoch.
fn policies(chain: &ChainSnapshot, file: &DevnetFile) -> HashMap<u32, Policy> {
    chain
        .events::<IRelay::SigningPolicyInitialized>(file.contract(names::RELAY))
        .into_iter()
        .map(|p| {
            let weights = p.voters.iter().copied().zip(p.weights.iter().copied());
            (
                p.rewardEpochId.to(),
                Policy {
                    threshold: p.threshold,
                    weights: weights.collect(),
                },
            )
        })
        .collect()
}

/// One signature event: the signing-policy address that signed, its voter, and whether the threshold was reached.
type Signature = (Address, Address, bool);

/// Check 2: for reward epochs 1..=last+1 every node registered, the policy signatures (by the previous epoch's
/// voters, all ours) reached the threshold and the epoch started; the uptime votes and the rewards of 1..=last
/// (`reward_roots`, the published roots) reached theirs.
fn check_reward_epochs(
    chain: &ChainSnapshot,
    file: &DevnetFile,
    reward_roots: &BTreeMap<u32, B256>,
) {
    let last = u32::try_from(reward_roots.len()).unwrap();
    let fsm = file.contract(names::FLARE_SYSTEMS_MANAGER);
    let registry = file.contract(names::VOTER_REGISTRY);
    let identities: HashSet<Address> = file.entities.iter().map(|e| e.identity_address).collect();
    let policies = policies(chain, file);
    let registered = chain.events::<IVoterRegistry::VoterRegistered>(registry);
    let policy_signed = chain.events::<IFlareSystemsManager::SigningPolicySigned>(fsm);
    let uptime_signed = chain.events::<IFlareSystemsManager::UptimeVoteSigned>(fsm);
    let rewards_signed = chain.events::<IFlareSystemsManager::RewardsSigned>(fsm);
    let started = chain.events::<IFlareSystemsManager::RewardEpochStarted>(fsm);
    let mut summary = BTreeMap::new();
    for epoch in 1..=last + 1 {
        let voters: HashSet<Address> = registered
            .iter()
            .filter(|r| r.rewardEpochId == epoch)
            .map(|r| r.voter)
            .collect();
        assert_eq!(
            voters, identities,
            "the voters registered for reward epoch {epoch}"
        );
        let signers = signed(
            policy_signed
                .iter()
                .filter(|s| s.rewardEpochId.to::<u32>() == epoch)
                .map(|s| (s.signingPolicyAddress, s.voter, s.thresholdReached)),
            policies.get(&(epoch - 1)),
            &identities,
            &format!("the signing policy of reward epoch {epoch}"),
        );
        assert!(
            started.iter().any(|s| s.rewardEpochId.to::<u32>() == epoch),
            "the FlareSystemsManager did not start reward epoch {epoch}"
        );
        let ended = reward_roots.get(&epoch).map(|root| {
            let policy = policies.get(&epoch);
            let uptime = signed(
                uptime_signed
                    .iter()
                    .filter(|s| s.rewardEpochId.to::<u32>() == epoch)
                    .map(|s| (s.signingPolicyAddress, s.voter, s.thresholdReached)),
                policy,
                &identities,
                &format!("the uptime vote of reward epoch {epoch}"),
            );
            let rewards: Vec<_> = rewards_signed
                .iter()
                .filter(|s| s.rewardEpochId.to::<u32>() == epoch)
                .collect();
            for signature in &rewards {
                assert_eq!(
                    signature.rewardsHash, *root,
                    "reward epoch {epoch}: a node signed another rewards hash than the published root"
                );
            }
            let rewarded = signed(
                rewards
                    .iter()
                    .map(|s| (s.signingPolicyAddress, s.voter, s.thresholdReached)),
                policy,
                &identities,
                &format!("the rewards of reward epoch {epoch}"),
            );
            (uptime, rewarded)
        });
        summary.insert(epoch, (signers, ended));
    }
    eprintln!("e2e: signers per reward epoch (policy, (uptime, rewards)): {summary:?}");
}

/// Checks the signatures of one vote, in chain order: only our identities signed, each once, the threshold was
/// reached by the last one (the contract refuses signatures after it) and, when the signing `policy` is known
/// (the deployment's initial one is not emitted), exactly when the signers' weight first exceeded its
/// threshold. Returns the number of signers.
fn signed(
    signatures: impl Iterator<Item = Signature>,
    policy: Option<&Policy>,
    ours: &HashSet<Address>,
    what: &str,
) -> usize {
    let signatures: Vec<Signature> = signatures.collect();
    let voters: HashSet<Address> = signatures.iter().map(|(_, voter, _)| *voter).collect();
    assert_eq!(
        voters.len(),
        signatures.len(),
        "{what}: a voter signed twice"
    );
    assert!(
        voters.is_subset(ours),
        "{what}: signed by {voters:?}, not only by our nodes"
    );
    assert_eq!(
        signatures.last().map(|(_, _, reached)| *reached),
        Some(true),
        "{what}: the signatures did not reach the threshold ({} signers)",
        signatures.len()
    );
    if let Some(policy) = policy {
        let mut weight = 0u32;
        for (signer, voter, reached) in &signatures {
            let signer_weight = policy.weights.get(signer).unwrap_or_else(|| {
                panic!("{what}: {voter} signed with {signer}, not in the signing policy")
            });
            weight += u32::from(*signer_weight);
            assert_eq!(
                *reached,
                weight > u32::from(policy.threshold),
                "{what}: weight {weight} after {voter}'s signature, threshold {}",
                policy.threshold
            );
        }
    }
    signatures.len()
}

/// A broadcast the transaction sender logged.
#[derive(Debug)]
struct Broadcast {
    process: String,
    hash: B256,
}

/// Check 3's transactions: every (account, nonce) broadcast once over every process (the victim's two lives
/// included), each broadcast mined or replaced, every account's nonces contiguous on chain, and no nonce or
/// replacement error in any log, and no reward-epoch duty reverted on chain.
async fn check_transactions(
    cluster: &Cluster,
    chain: &ChainSnapshot,
    file: &DevnetFile,
    provider: &DynProvider,
) {
    let mut broadcasts: HashMap<(Address, u64), Broadcast> = HashMap::new();
    let mut replaced: HashSet<(Address, u64)> = HashSet::new();
    let mut accounts: HashSet<Address> = HashSet::new();
    for (index, entity) in file.entities.iter().enumerate() {
        accounts.extend(EntityAddresses::senders(entity));
        for process in cluster.processes_of(index) {
            accounts.extend(fast_updates_accounts(process));
            for line in process.lines() {
                let lower = line.to_lowercase();
                assert!(
                    !lower.contains("nonce too low") && !lower.contains("replacement transaction"),
                    "{}: {line}",
                    process.name()
                );
                let Some(line) = json(&line) else { continue };
                let (Some(from), Some(nonce)) = (field(&line, "from"), field(&line, "nonce"))
                else {
                    continue;
                };
                let key = (from.parse().unwrap(), nonce.parse().unwrap());
                match message(&line) {
                    Some("transaction sent") => {
                        let broadcast = Broadcast {
                            process: process.name().to_owned(),
                            hash: field(&line, "hash").unwrap().parse().unwrap(),
                        };
                        if let Some(earlier) = broadcasts.insert(key, broadcast) {
                            panic!(
                                "{key:?} was broadcast twice: {earlier:?} and again by {}",
                                process.name()
                            );
                        }
                    }
                    Some(m) if m.starts_with("transaction not mined in time") => {
                        replaced.insert(key);
                    }
                    _ => {}
                }
            }
        }
    }
    // A reward-epoch duty (or the devnet's daemon) may revert only because the work was already done (a fourth
    // signature after the threshold, sent before the third was mined): replayed on its block's final state, the
    // contract still says "already". A duty sent on state that a later transaction of its block brought about (a
    // read of the pending block) passes that replay instead.
    let duty_contracts = [
        file.contract(names::FLARE_SYSTEMS_MANAGER),
        file.contract(names::VOTER_REGISTRY),
    ];
    for tx in &chain.txs {
        if tx.success || !tx.to.is_some_and(|to| duty_contracts.contains(&to)) {
            continue;
        }
        let replay = alloy::rpc::types::TransactionRequest::default()
            .from(tx.from)
            .to(tx.to.unwrap())
            .input(tx.input.clone().into());
        let reason = match provider.call(replay).block(tx.block.into()).await {
            Ok(_) => "none: the replay passes".to_owned(),
            Err(error) => error.to_string(),
        };
        assert!(
            reason.contains("already"),
            "transaction {} of {} to FlareSystemsManager or VoterRegistry reverted (block {}), reason: {reason}",
            tx.hash,
            tx.from,
            tx.block
        );
    }
    // Each account's transaction count at the snapshot's head: later broadcasts are not judged.
    let mut counts: HashMap<Address, u64> = HashMap::new();
    for account in accounts
        .iter()
        .chain(broadcasts.keys().map(|(from, _)| from))
    {
        if !counts.contains_key(account) {
            let count = provider
                .get_transaction_count(*account)
                .block_id(chain.head.into())
                .await
                .unwrap();
            counts.insert(*account, count);
        }
    }
    let mined: HashMap<B256, (Address, u64)> = chain
        .txs
        .iter()
        .map(|tx| (tx.hash, (tx.from, tx.nonce)))
        .collect();
    let mut judged = 0;
    for (key, broadcast) in broadcasts
        .iter()
        .filter(|((from, nonce), _)| *nonce < counts[from])
    {
        assert!(
            mined.get(&broadcast.hash) == Some(key) || replaced.contains(key),
            "{} broadcast {} at {key:?}: neither mined nor replaced",
            broadcast.process,
            broadcast.hash
        );
        judged += 1;
    }
    for account in &accounts {
        let mut nonces: Vec<u64> = chain
            .txs
            .iter()
            .filter(|tx| tx.from == *account)
            .map(|tx| tx.nonce)
            .collect();
        nonces.sort_unstable();
        let count = counts[account];
        assert_eq!(
            nonces,
            (0..count).collect::<Vec<_>>(),
            "the nonces of {account} on chain are not 0..{count}"
        );
    }
    eprintln!(
        "e2e: {} broadcasts ({judged} mined by the snapshot) of {} accounts, each (account, nonce) once, {} replaced",
        broadcasts.len(),
        accounts.len(),
        replaced.len()
    );
}
