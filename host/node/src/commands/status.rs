//! `ftso-node status`: the operator's preflight, before and after going live.
//!
//! It checks, and prints as a table (or `--json`): the entity's keys (addresses only), the balance of every
//! sending account against a minimum (`--min-balance`, by default [`default_min_balance`] of the network), the
//! chain id and the contract registry (`ftso_system_client::sanity::check`), the addresses confirmed in
//! EntityManager and the sortition public key, the delegation address's vote power, the registration of the
//! current and the next reward epoch (registered voter? registration weight? signing weight?), and the sortition
//! weight with the fast-update selections per hour it gives ([`selections_per_hour`]). The exit code is non-zero
//! when something blocks voting; warnings (not yet a voter, no sortition key while fast updates are off) do not.

use alloy::primitives::{Address, U256};
use alloy::providers::Provider as _;
use anyhow::Context as _;
use clap::Args;
use ftso_chain::entity::AddressRole;
use ftso_core::fast_updates::eligibility::{VIRTUAL_PROVIDERS, replicate_limit, sortition_weight};
use serde::Serialize;

use super::entity::{Chain, ChainArgs, EntityKeys, KeyArgs, Role, connect};
use crate::config::NodeConfig;

/// Blocks over which the block rate is measured (fewer on a younger chain).
const BLOCK_RATE_WINDOW: u64 = 1000;
/// `getExpectedSampleSize()` is 8x120 fixed point.
const SAMPLE_SIZE_FRACTION_BITS: i32 = 120;

/// Checks that the node can vote: keys, balances, chain, registration, fast-updates weight.
#[derive(Debug, Args)]
pub struct StatusCommand {
    #[command(flatten)]
    chain: ChainArgs,
    #[command(flatten)]
    keys: KeyArgs,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Minimum balance of each sending account, in whole native tokens (FLR, SGB, ...; decimals allowed).
    /// Default: 10 on flare, coston and coston2, 100 on songbird, 1 elsewhere.
    #[arg(long, value_name = "TOKENS")]
    min_balance: Option<String>,
}

impl StatusCommand {
    /// Prints the report; an error when something blocks voting.
    pub fn execute(self) -> anyhow::Result<()> {
        let config = self.chain.load()?;
        let minimum = match &self.min_balance {
            Some(text) => alloy::primitives::utils::parse_ether(text)
                .with_context(|| format!("--min-balance {text:?}: not an amount of tokens"))?,
            None => default_min_balance(config.node.network.as_deref()),
        };
        let report = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the tokio runtime")?
            .block_on(gather(&config, &self.keys, minimum));
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&report).context("encoding the report")?
            );
        } else {
            print_table(&report);
        }
        let blocking = report.problems.iter().filter(|p| p.blocking).count();
        anyhow::ensure!(blocking == 0, "{blocking} problem(s) block voting");
        Ok(())
    }
}

/// The default minimum balance of a sending account: 10 tokens on flare, coston and coston2, 100 on songbird
/// (gas costs more SGB), 1 on a devnet or an unnamed network.
pub fn default_min_balance(network: Option<&str>) -> U256 {
    let tokens: u64 = match network {
        Some("flare" | "coston" | "coston2") => 10,
        Some("songbird") => 100,
        _ => 1,
    };
    U256::from(tokens) * U256::from(10u64).pow(U256::from(18))
}

/// Expected fast-update selections per hour for a sortition weight.
///
/// Every block has 4096 virtual providers (replicates); each wins with probability `E / 4096`, where `E` is
/// `FastUpdateIncentiveManager.getExpectedSampleSize()` (8x120 fixed point, so `E = raw / 2^120`). A provider
/// scans `min(weight, max_weight)` replicates, so it expects `min(weight, max_weight) · E / 4096` selections per
/// block, and `3600 / seconds_per_block` times that per hour.
pub fn selections_per_hour(
    weight: u64,
    max_weight: u64,
    expected_sample_size_raw: u128,
    seconds_per_block: f64,
) -> f64 {
    if seconds_per_block <= 0.0 {
        return 0.0;
    }
    let sample_size = expected_sample_size_raw as f64 / 2f64.powi(SAMPLE_SIZE_FRACTION_BITS);
    let per_block =
        replicate_limit(weight, max_weight) as f64 * sample_size / VIRTUAL_PROVIDERS as f64;
    per_block * 3600.0 / seconds_per_block
}

/// The whole report (`--json` prints it as is).
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// `node.network`, when set.
    pub network: Option<String>,
    /// The chain id the RPC reports (absent when the chain could not be checked).
    pub chain_id: Option<u64>,
    /// Every key role: its address and where it came from, or absent.
    pub keys: Vec<KeyStatus>,
    /// Every sending account's balance against the minimum.
    pub balances: Vec<Balance>,
    /// The entity on chain (absent when the chain could not be read).
    pub entity: Option<EntityStatus>,
    /// The current and the next reward epoch.
    pub epochs: Vec<EpochStatus>,
    /// The fast-updates sampling inputs.
    pub fast_updates: Option<FastUpdates>,
    /// What is wrong; `blocking` ones make the exit code non-zero.
    pub problems: Vec<Problem>,
    /// No blocking problem.
    pub ok: bool,
}

/// One key role.
#[derive(Debug, Serialize)]
pub struct KeyStatus {
    /// `identity`, `submit`, `submit_signatures`, `signing_policy`, `delegation`, `sortition`,
    /// `system_client_sender`.
    pub role: &'static str,
    /// Its address, lower-case hex like every address in the report (the sortition key: its public key's x
    /// coordinate).
    pub address: Option<String>,
    /// Where it was found (`$VAR` or a path).
    pub source: Option<String>,
}

/// One sending account.
#[derive(Debug, Serialize)]
pub struct Balance {
    /// What it sends as.
    pub account: String,
    /// Its address.
    pub address: Address,
    /// Its balance in wei (decimal).
    pub balance_wei: String,
    /// The minimum in wei (decimal): `--min-balance` for the accounts that send while voting, 0 for the cold
    /// identity and delegation.
    pub minimum_wei: String,
    /// At least the minimum.
    pub ok: bool,
}

/// The entity's registration in EntityManager.
#[derive(Debug, Serialize)]
pub struct EntityStatus {
    /// The identity (voter) address.
    pub identity: Address,
    /// The four address roles.
    pub addresses: Vec<RoleAddress>,
    /// The sortition public key registered (x, y) equals ours.
    pub sortition_key_registered: bool,
    /// WNat vote power of the confirmed delegation address, in wei (decimal).
    pub vote_power_wei: String,
}

/// One address role.
#[derive(Debug, Serialize)]
pub struct RoleAddress {
    /// The role.
    pub role: &'static str,
    /// The address of our key for it.
    pub key: Option<Address>,
    /// The address EntityManager holds for it.
    pub confirmed: Option<Address>,
    /// Confirmed, and equal to our key's address when we have one.
    pub ok: bool,
}

/// The entity in one reward epoch.
#[derive(Debug, Serialize)]
pub struct EpochStatus {
    /// `current` or `next`.
    pub epoch: &'static str,
    /// Its id.
    pub reward_epoch_id: u32,
    /// A registered voter.
    pub registered: bool,
    /// Registration weight (decimal).
    pub registration_weight: String,
    /// Normalised (signing) weight, 0 before the epoch's signing-policy snapshot.
    pub normalised_weight: u16,
    /// Fast-updates sortition weight (of 4096), when the epoch has a snapshot with our public key.
    pub sortition_weight: Option<u64>,
    /// Expected fast-update selections per hour at that weight.
    pub selections_per_hour: Option<f64>,
}

/// The inputs of [`selections_per_hour`].
#[derive(Debug, Serialize)]
pub struct FastUpdates {
    /// `getExpectedSampleSize()` as a number (raw / 2^120).
    pub expected_sample_size: f64,
    /// Average seconds per block over the last blocks.
    pub seconds_per_block: f64,
    /// The client's replicate cap (`fast_updates.max_weight`, 0 = 4096).
    pub max_weight: u64,
}

/// Something wrong.
#[derive(Debug, Serialize)]
pub struct Problem {
    /// It blocks voting.
    pub blocking: bool,
    /// What, and what to do.
    pub message: String,
}

impl Report {
    fn block(&mut self, message: impl Into<String>) {
        self.problems.push(Problem {
            blocking: true,
            message: message.into(),
        });
    }

    fn warn(&mut self, message: impl Into<String>) {
        self.problems.push(Problem {
            blocking: false,
            message: message.into(),
        });
    }
}

async fn gather(config: &NodeConfig, args: &KeyArgs, minimum: U256) -> Report {
    let mut report = Report {
        network: config.node.network.clone(),
        ..Report::default()
    };
    let keys = match EntityKeys::load(config, args) {
        Ok(keys) => keys,
        Err(error) => {
            report.block(format!("{error:#}"));
            EntityKeys::default()
        }
    };
    describe_keys(&mut report, &keys, config);
    match connect(config).await {
        Ok(chain) => {
            report.chain_id = Some(chain.chain_id);
            if let Err(error) = check_chain(&mut report, &chain, &keys, config, minimum).await {
                report.block(format!("reading the chain: {error:#}"));
            }
        }
        Err(error) => report.block(format!("{error:#}")),
    }
    report.ok = !report.problems.iter().any(|p| p.blocking);
    report
}

fn describe_keys(report: &mut Report, keys: &EntityKeys, config: &NodeConfig) {
    for (role, key) in &keys.roles {
        report.keys.push(KeyStatus {
            role: role.name(),
            address: key
                .as_ref()
                .map(|k| alloy::hex::encode_prefixed(k.key.address())),
            source: key.as_ref().map(|k| k.origin.to_string()),
        });
        let needed_to_vote = matches!(
            role,
            Role::Address(
                AddressRole::Submit | AddressRole::SubmitSignatures | AddressRole::SigningPolicy
            )
        );
        if key.is_none() && needed_to_vote {
            report.block(format!(
                "no {} key: the node cannot vote without it",
                role.name()
            ));
        }
    }
    report.keys.push(KeyStatus {
        role: "sortition",
        address: keys
            .sortition
            .as_ref()
            .map(|(key, _)| format!("{:#066x}", key.public_words().x)),
        source: keys
            .sortition
            .as_ref()
            .map(|(_, origin)| origin.to_string()),
    });
    if let Some(sender) = &keys.system_client_sender {
        report.keys.push(KeyStatus {
            role: "system_client_sender",
            address: Some(alloy::hex::encode_prefixed(sender.key.address())),
            source: Some(sender.origin.to_string()),
        });
    }
    if keys.identity(config).is_none() {
        report.block("no identity: set IDENTITY_PRIVATE_KEY, --keys DIR or system_client.identity");
    }
}

async fn check_chain(
    report: &mut Report,
    chain: &Chain,
    keys: &EntityKeys,
    config: &NodeConfig,
    minimum: U256,
) -> anyhow::Result<()> {
    check_balances(report, chain, keys, config, minimum).await?;
    let Some(identity) = keys.identity(config) else {
        return Ok(());
    };
    let mut addresses = Vec::new();
    for role in AddressRole::ALL {
        let key = keys.key(Role::Address(role)).map(|k| k.key.address());
        let confirmed = chain.entity.confirmed(identity, role).await?;
        let ok = confirmed.is_some() && (key.is_none() || key == confirmed);
        if !ok {
            let wanted = key.map(|k| format!(" ({k})")).unwrap_or_default();
            report.block(match confirmed {
                None => format!(
                    "{} address{wanted} not registered in EntityManager: run `ftso-node register`",
                    role.name()
                ),
                Some(other) => format!(
                    "EntityManager holds {other} as the {} address, not our key's{wanted}: run `ftso-node register`",
                    role.name()
                ),
            });
        }
        addresses.push(RoleAddress {
            role: role.name(),
            key,
            confirmed,
            ok,
        });
    }
    let registered_key = chain.entity.public_key(identity).await?;
    let sortition_key_registered = match (&keys.sortition, registered_key) {
        (Some((key, _)), Some((x, y))) => {
            let public = key.public_words();
            x.0 == public.x.to_be_bytes() && y.0 == public.y.to_be_bytes()
        }
        (None, Some(_)) => true,
        _ => false,
    };
    if !sortition_key_registered {
        let message =
            "sortition public key not registered: run `ftso-node register` (fast updates need it)";
        if config.node.fast_updates {
            report.block(message);
        } else {
            report.warn(message);
        }
    }
    let delegation = addresses
        .iter()
        .find(|a| a.role == AddressRole::Delegation.name())
        .and_then(|a| a.confirmed);
    let vote_power = match delegation {
        Some(address) => chain.entity.vote_power(address).await?.0,
        None => U256::ZERO,
    };
    if delegation.is_some() && vote_power.is_zero() {
        report.block("no vote power on the delegation address: wrap WNat there or get delegations");
    }
    report.entity = Some(EntityStatus {
        identity,
        addresses,
        sortition_key_registered,
        vote_power_wei: vote_power.to_string(),
    });
    check_epochs(report, chain, keys, config, identity).await
}

/// Every account that sends: the role keys, the system-client sender and the fast-updates submission accounts.
/// The accounts that send while the node votes (submit, submit signatures, signing policy, the system-client
/// sender, the fast-updates accounts) need `minimum`; the cold identity and delegation keys send only at
/// registration, so an empty one is a warning.
async fn check_balances(
    report: &mut Report,
    chain: &Chain,
    keys: &EntityKeys,
    config: &NodeConfig,
    minimum: U256,
) -> anyhow::Result<()> {
    let mut accounts: Vec<(String, Address, bool)> = keys
        .roles
        .iter()
        .filter_map(|(role, key)| {
            let cold = matches!(
                role,
                Role::Identity | Role::Address(AddressRole::Delegation)
            );
            Some((role.name().to_owned(), key.as_ref()?.key.address(), !cold))
        })
        .collect();
    if let Some(sender) = &keys.system_client_sender {
        accounts.push(("system_client_sender".into(), sender.key.address(), true));
    }
    for (index, address) in fast_updates_accounts(config).into_iter().enumerate() {
        accounts.push((format!("fast_updates_account_{index}"), address, true));
    }
    for (account, address, hot) in accounts {
        let balance = chain
            .provider
            .get_balance(address)
            .await
            .with_context(|| format!("eth_getBalance({address})"))?;
        let required = if hot { minimum } else { U256::ZERO };
        let ok = balance >= required;
        if !ok {
            report.block(format!(
                "{account} {address} has {} tokens, below the minimum {}",
                alloy::primitives::utils::format_ether(balance),
                alloy::primitives::utils::format_ether(required)
            ));
        } else if balance.is_zero() {
            report.warn(format!(
                "{account} {address} has no balance: it needs gas for `ftso-node register`"
            ));
        }
        report.balances.push(Balance {
            account,
            address,
            balance_wei: balance.to_string(),
            minimum_wei: required.to_string(),
            ok,
        });
    }
    Ok(())
}

/// The fast-updates submission accounts (addresses only) when fast updates run: `[fast_updates.accounts]`'s
/// variable (default `FAST_UPDATES_ACCOUNTS`) and files; a key that does not load is left out here (`run` names it).
fn fast_updates_accounts(config: &NodeConfig) -> Vec<Address> {
    if !config.node.fast_updates {
        return Vec::new();
    }
    let accounts = &config.fast_updates.accounts;
    let env = accounts
        .env
        .as_deref()
        .unwrap_or(ftso_fast_updates::config::ACCOUNTS_ENV);
    let mut addresses: Vec<Address> = ftso_fast_updates::keys::accounts_from_env(env)
        .map(|keys| keys.iter().map(|k| k.address()).collect())
        .unwrap_or_default();
    addresses.extend(
        accounts
            .files
            .iter()
            .filter_map(|file| ftso_chain::keys::PrivateKey::from_file(file).ok())
            .map(|key| key.address()),
    );
    addresses
}

async fn check_epochs(
    report: &mut Report,
    chain: &Chain,
    keys: &EntityKeys,
    config: &NodeConfig,
    identity: Address,
) -> anyhow::Result<()> {
    let fsp = ftso_system_client::fsp::FspReader::new(chain.provider.clone(), chain.contracts);
    let current = fsp.current_reward_epoch().await?;
    let sampling = fast_updates_sampling(chain, config).await;
    match &sampling {
        Ok(sampling) => report.fast_updates = Some(sampling.clone_report()),
        Err(error) => report.warn(format!("fast-updates sampling not read: {error:#}")),
    }
    let signing_policy = keys
        .key(Role::Address(AddressRole::SigningPolicy))
        .map(|k| k.key.address());
    for (label, epoch) in [("current", current), ("next", current + 1)] {
        let voter = chain.entity.voter_epoch(identity, epoch).await?;
        let sortition = match signing_policy {
            Some(address) => chain
                .entity
                .sortition_weights(epoch, address)
                .await?
                .and_then(|(weight, sum)| sortition_weight(weight, sum).ok()),
            None => None,
        };
        let selections = match (&sampling, sortition) {
            (Ok(s), Some(weight)) => Some(selections_per_hour(
                weight,
                s.max_weight,
                s.expected_sample_size_raw,
                s.seconds_per_block,
            )),
            _ => None,
        };
        report.epochs.push(EpochStatus {
            epoch: label,
            reward_epoch_id: epoch,
            registered: voter.registered,
            registration_weight: voter.registration_weight.to_string(),
            normalised_weight: voter.normalised_weight,
            sortition_weight: sortition,
            selections_per_hour: selections,
        });
    }
    if !report.epochs.iter().any(|e| e.registered) {
        report.warn(format!(
            "not a registered voter in reward epoch {current} or {}: the system client (`ftso-node run` with \
             [system_client]) registers the entity while the next epoch's registration is open",
            current + 1
        ));
    }
    Ok(())
}

/// The sampling inputs read from the chain.
#[derive(Debug)]
struct Sampling {
    expected_sample_size_raw: u128,
    seconds_per_block: f64,
    max_weight: u64,
}

impl Sampling {
    fn clone_report(&self) -> FastUpdates {
        FastUpdates {
            expected_sample_size: self.expected_sample_size_raw as f64
                / 2f64.powi(SAMPLE_SIZE_FRACTION_BITS),
            seconds_per_block: self.seconds_per_block,
            max_weight: self.max_weight,
        }
    }
}

async fn fast_updates_sampling(chain: &Chain, config: &NodeConfig) -> anyhow::Result<Sampling> {
    let contracts = ftso_fast_updates::chain::Contracts::resolve(
        &chain.provider,
        &config.fast_updates.contracts,
    )
    .await?;
    let reader = ftso_fast_updates::chain::ChainReader::new(
        chain.provider.clone(),
        contracts,
        &config.fast_updates,
    )?;
    let scale = reader.scale_parameters().await?;
    Ok(Sampling {
        expected_sample_size_raw: scale.expected_sample_size,
        seconds_per_block: seconds_per_block(chain).await?,
        max_weight: config.fast_updates.max_weight,
    })
}

/// Average seconds per block over the last [`BLOCK_RATE_WINDOW`] blocks (fewer on a younger chain).
async fn seconds_per_block(chain: &Chain) -> anyhow::Result<f64> {
    let latest = chain
        .provider
        .get_block_number()
        .await
        .context("eth_blockNumber")?;
    let earlier = latest.saturating_sub(BLOCK_RATE_WINDOW);
    anyhow::ensure!(latest > earlier, "the chain has a single block");
    let timestamp = async |number: u64| -> anyhow::Result<u64> {
        let block = chain
            .provider
            .get_block_by_number(number.into())
            .await
            .with_context(|| format!("eth_getBlockByNumber({number})"))?
            .with_context(|| format!("block {number} not found"))?;
        Ok(block.header.timestamp)
    };
    let span = timestamp(latest)
        .await?
        .saturating_sub(timestamp(earlier).await?);
    Ok(span as f64 / (latest - earlier) as f64)
}

fn print_table(report: &Report) {
    let row = |label: &str, value: String| println!("{label:<28} {value}");
    row(
        "network",
        format!(
            "{} (chain id {})",
            report.network.as_deref().unwrap_or("-"),
            report.chain_id.map_or("?".into(), |id| id.to_string())
        ),
    );
    for key in &report.keys {
        row(
            &format!("key {}", key.role),
            match (&key.address, &key.source) {
                (Some(address), Some(source)) => format!("{address}  ({source})"),
                _ => "missing".into(),
            },
        );
    }
    for balance in &report.balances {
        let wei: U256 = balance.balance_wei.parse().unwrap_or_default();
        row(
            &format!("balance {}", balance.account),
            format!(
                "{} {}  {}",
                alloy::primitives::utils::format_ether(wei),
                if balance.ok { "ok" } else { "LOW" },
                balance.address
            ),
        );
    }
    if let Some(entity) = &report.entity {
        row("identity", entity.identity.to_string());
        for address in &entity.addresses {
            row(
                &format!("confirmed {}", address.role),
                match address.confirmed {
                    Some(confirmed) if address.ok => format!("{confirmed}  ok"),
                    Some(confirmed) => format!("{confirmed}  NOT OUR KEY"),
                    None => "not registered".into(),
                },
            );
        }
        row(
            "sortition key",
            if entity.sortition_key_registered {
                "registered".into()
            } else {
                "not registered".into()
            },
        );
        row("vote power (wei)", entity.vote_power_wei.clone());
    }
    for epoch in &report.epochs {
        row(
            &format!("reward epoch {} ({})", epoch.reward_epoch_id, epoch.epoch),
            format!(
                "{}  weight {}  signing weight {}  sortition weight {}  selections/hour {}",
                if epoch.registered {
                    "voter"
                } else {
                    "not a voter"
                },
                epoch.registration_weight,
                epoch.normalised_weight,
                epoch.sortition_weight.map_or("-".into(), |w| w.to_string()),
                epoch
                    .selections_per_hour
                    .map_or("-".into(), |s| format!("{s:.1}"))
            ),
        );
    }
    if let Some(fu) = &report.fast_updates {
        row(
            "fast-updates sampling",
            format!(
                "expected sample size {:.3}, {:.2} s per block",
                fu.expected_sample_size, fu.seconds_per_block
            ),
        );
    }
    for problem in &report.problems {
        let severity = if problem.blocking {
            "BLOCKING"
        } else {
            "warning"
        };
        println!("{severity}: {}", problem.message);
    }
    println!(
        "{}",
        if report.ok {
            "ready to vote"
        } else {
            "NOT ready to vote"
        }
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selections_follow_weight_sample_size_and_block_rate() {
        // E = 1.0, weight 1024 of 4096: a quarter selection per block; 1 s blocks: 900 per hour.
        let one = 1u128 << 120;
        assert!((selections_per_hour(1024, 0, one, 1.0) - 900.0).abs() < 1e-9);
        // The client's replicate cap limits the weight; 2 s blocks halve the rate.
        assert!((selections_per_hour(1024, 512, one, 2.0) - 225.0).abs() < 1e-9);
        // Flare's base sample size 1.5 at weight 63 and 1.8 s blocks.
        let flare = 0x0180_0000_0000_0000_0000_0000_0000_0000u128;
        let expected = 63.0 * 1.5 / 4096.0 * 3600.0 / 1.8;
        assert!((selections_per_hour(63, 0, flare, 1.8) - expected).abs() < 1e-9);
        assert_eq!(selections_per_hour(63, 0, flare, 0.0), 0.0);
    }

    #[test]
    fn default_minimums_per_network() {
        let token = U256::from(10u64).pow(U256::from(18));
        assert_eq!(default_min_balance(Some("flare")), token * U256::from(10));
        assert_eq!(
            default_min_balance(Some("songbird")),
            token * U256::from(100)
        );
        assert_eq!(default_min_balance(None), token);
    }
}
