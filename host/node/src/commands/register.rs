//! `ftso-node register`: an entity's one-time on-chain setup (contracts-and-localnet A4), idempotent.
//!
//! It reads what `EntityManager` already holds for the identity, then walks the steps still missing, in order:
//! for the submit, submit-signatures, signing-policy and delegation addresses, `propose…Address(address)` from the
//! identity key and `confirm…Registration(identity)` from the address's own key (A4 steps 1–4); then the
//! fast-updates sortition key, `registerPublicKey` from the identity with its Schnorr proof (step 5, the code of
//! `fast-updates register`). A second run finds everything done and sends nothing; `--dry-run` prints the
//! transactions (to, function, arguments, from) and sends nothing. Afterwards it reports what is still missing for
//! voter registration: vote power on the delegation address, a weight above the registration threshold when the
//! registry is full. Voter registration itself happens each reward epoch: the system client (`ftso-node run` with
//! `[system_client]`) sends `registerVoter` while registration is open.

use alloy::primitives::{Address, Bytes, U256};
use alloy::providers::Provider as _;
use anyhow::Context as _;
use clap::Args;
use ftso_chain::entity::{self, AddressRole};
use ftso_chain::tx::{Call, SendOptions, Senders};
use ftso_core::fast_updates::SortitionKey;

use super::entity::{ChainArgs, EntityKeys, KeyArgs, Role, connect};
use crate::config::NodeConfig;

/// Gas budgeted per registration transaction when checking that a sender can pay (the EntityManager calls and
/// `registerPublicKey` use well under this).
const GAS_PER_STEP: u64 = 300_000;

/// Registers an entity's addresses and sortition key in EntityManager.
#[derive(Debug, Args)]
pub struct RegisterCommand {
    #[command(flatten)]
    chain: ChainArgs,
    #[command(flatten)]
    keys: KeyArgs,
    /// Print each transaction (to, function, arguments, from) without sending it.
    #[arg(long)]
    dry_run: bool,
}

impl RegisterCommand {
    /// Runs the registration.
    pub fn execute(self) -> anyhow::Result<()> {
        let config = self.chain.load()?;
        let keys = EntityKeys::load(&config, &self.keys)?;
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the tokio runtime")?
            .block_on(register(config, keys, self.dry_run))
    }
}

/// One transaction still to send.
#[derive(Debug)]
struct Step {
    /// The function, with its arguments, as printed.
    function: String,
    /// The contract.
    to: Address,
    /// The calldata.
    input: Bytes,
    /// The sending role and its key.
    role: Role,
    key: ftso_chain::keys::PrivateKey,
}

async fn register(config: NodeConfig, keys: EntityKeys, dry_run: bool) -> anyhow::Result<()> {
    let identity = keys.key(Role::Identity).context(
        "no identity key: set IDENTITY_PRIVATE_KEY or pass --keys DIR (from `ftso-node keys generate`)",
    )?;
    let identity_address = identity.key.address();
    let chain = connect(&config).await?;
    let entity_manager = chain.entity.contracts().entity_manager;
    println!(
        "entity {identity_address} on chain {} (EntityManager {entity_manager})",
        chain.chain_id
    );

    let mut steps = Vec::new();
    for role in AddressRole::ALL {
        let wanted = keys.key(Role::Address(role)).with_context(|| {
            format!(
                "no {} key (--keys DIR or its environment variable)",
                role.name()
            )
        })?;
        let address = wanted.key.address();
        let confirmed = chain.entity.confirmed(identity_address, role).await?;
        if confirmed == Some(address) {
            println!("{} address {address}: confirmed", role.name());
            continue;
        }
        if let Some(voter) = chain.entity.voter_for(role, address).await?
            && voter != identity_address
        {
            anyhow::bail!(
                "{} address {address} is already registered for entity {voter}: use another key",
                role.name()
            );
        }
        let (propose, confirm) = role.function_names();
        steps.push(Step {
            function: with_argument(propose, address),
            to: entity_manager,
            input: role.propose_calldata(address),
            role: Role::Identity,
            key: identity.key.clone(),
        });
        steps.push(Step {
            function: with_argument(confirm, identity_address),
            to: entity_manager,
            input: role.confirm_calldata(identity_address),
            role: Role::Address(role),
            key: wanted.key.clone(),
        });
    }
    match &keys.sortition {
        Some((key, _)) => {
            let public = key.public_words();
            let registered = chain.entity.public_key(identity_address).await?;
            if registered.is_some_and(|(x, y)| {
                x.0 == public.x.to_be_bytes() && y.0 == public.y.to_be_bytes()
            }) {
                println!("sortition public key: registered");
            } else {
                steps.push(sortition_step(key, identity, entity_manager)?);
            }
        }
        None => println!(
            "sortition key: none found (SORTITION_PRIVATE_KEY, fast_updates.sortition_key or <keys>/sortition.key); \
             not registered (needed only for fast updates)"
        ),
    }

    if steps.is_empty() {
        println!("nothing to send: every address is confirmed");
    } else if dry_run {
        println!("dry run: {} transaction(s) would be sent:", steps.len());
        for step in &steps {
            print_step(step);
        }
    } else {
        check_funds(&chain.provider, &steps).await?;
        let senders = Senders::new(chain.provider.clone(), chain.chain_id);
        let options = SendOptions::new(config.system_client.gas_register.clone());
        for step in &steps {
            let sender = senders.sender(&step.key);
            let receipt = sender
                .send(&Call::raw(step.to, step.input.clone()), &options)
                .await
                .with_context(|| format!("{} from {}", step.function, step.role.name()))?;
            println!(
                "sent {} from {} {}: block {}",
                step.function,
                step.role.name(),
                step.key.address(),
                receipt.block_number.unwrap_or_default()
            );
        }
    }
    report_missing(&chain, &keys).await
}

fn with_argument(signature: &str, argument: Address) -> String {
    let name = signature.split('(').next().unwrap_or(signature);
    format!("{name}({argument})")
}

/// `registerPublicKey(pk.x, pk.y, proof)` from the identity, with the proof `fast-updates register` makes.
fn sortition_step(
    key: &SortitionKey,
    identity: &super::entity::LoadedKey,
    entity_manager: Address,
) -> anyhow::Result<Step> {
    let public = key.public_words();
    let input =
        ftso_fast_updates::registration::registration_calldata(key, &identity.key.address())?;
    Ok(Step {
        function: format!(
            "registerPublicKey({:#066x}, {:#066x}, <Schnorr proof s‖R.x‖R.y, 96 bytes>)",
            public.x, public.y
        ),
        to: entity_manager,
        input: input.into(),
        role: Role::Identity,
        key: identity.key.clone(),
    })
}

fn print_step(step: &Step) {
    println!(
        "  to {} (EntityManager)  {}  from {} {}",
        step.to,
        step.function,
        step.role.name(),
        step.key.address()
    );
}

/// Refuses to start when a sender cannot pay for its transactions (each budgeted at [`GAS_PER_STEP`] gas at twice
/// the current gas price), naming every such account.
async fn check_funds(
    provider: &alloy::providers::DynProvider,
    steps: &[Step],
) -> anyhow::Result<()> {
    let gas_price = provider.get_gas_price().await.context("eth_gasPrice")?;
    let mut short = Vec::new();
    let mut seen = Vec::new();
    for step in steps {
        let address = step.key.address();
        if seen.contains(&address) {
            continue;
        }
        seen.push(address);
        let count = steps.iter().filter(|s| s.key.address() == address).count() as u128;
        let needed = U256::from(count * u128::from(GAS_PER_STEP) * gas_price * 2);
        let balance = provider
            .get_balance(address)
            .await
            .with_context(|| format!("eth_getBalance({address})"))?;
        if balance < needed {
            short.push(format!(
                "{} {address} has {balance} wei, needs about {needed} wei for {count} transaction(s)",
                step.role.name()
            ));
        }
    }
    anyhow::ensure!(
        short.is_empty(),
        "not enough balance for the registration transactions (nothing sent): {}",
        short.join("; ")
    );
    Ok(())
}

/// Prints what still stands between the entity and a voter registration: no vote power, or a registration weight
/// that would not displace the lightest voter of a full registry.
async fn report_missing(chain: &super::entity::Chain, keys: &EntityKeys) -> anyhow::Result<()> {
    let Some(delegation) = keys.key(Role::Address(AddressRole::Delegation)) else {
        return Ok(());
    };
    let (vote_power, total) = chain.entity.vote_power(delegation.key.address()).await?;
    if vote_power.is_zero() {
        println!(
            "missing: no vote power on the delegation address {}: wrap WNat there or get delegations",
            delegation.key.address()
        );
        return Ok(());
    }
    let cap = chain.entity.wnat_cap_ppm().await?;
    let weight = entity::registration_weight(vote_power, total, cap);
    let fsp = ftso_system_client::fsp::FspReader::new(chain.provider.clone(), chain.contracts);
    let epoch = fsp.current_reward_epoch().await?;
    let (max_voters, weights) = chain.entity.registered_weights(epoch).await?;
    let lightest = weights.iter().min().copied().unwrap_or_default();
    println!(
        "vote power {vote_power} wei: registration weight about {weight} (epoch {epoch}: {} of {max_voters} voters)",
        weights.len()
    );
    if weights.len() as u64 >= max_voters && weight <= lightest {
        println!(
            "missing: below the registration threshold: the registry is full and the lightest voter weighs {lightest}"
        );
    }
    Ok(())
}
