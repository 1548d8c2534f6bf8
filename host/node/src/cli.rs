//! The command line: one subcommand per module under `commands/`.

use clap::{Parser, Subcommand};

use crate::commands;

/// An FTSOv2 data-provider node for the Flare network.
#[derive(Debug, Parser)]
#[command(name = "ftso-node", version, about)]
pub struct Cli {
    /// Log line format on stderr: `text` (human-readable, the reference's milestone lines) or `json` (one object
    /// per line, for log shippers).
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t,
        env = "FTSO_NODE_LOG_FORMAT"
    )]
    log_format: crate::logging::LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the node: every configured role in one process.
    Run(commands::run::RunCommand),
    /// Print the protocol constants of a network profile.
    Network(commands::network::NetworkCommand),
    /// Manage signed feed plugins: keygen, sign, verify, inspect.
    Plugin(commands::plugin::PluginCommand),
    /// An entity's keys from one mnemonic: generate, import, show.
    Keys(commands::keys::KeysCommand),
    /// The fast-updates sortition key: keygen, register.
    FastUpdates(commands::fast_updates::FastUpdatesCommand),
    /// Serve feed values from WebAssembly plugins (the REST contract on port 3101).
    Feeds(commands::feeds::FeedsCommand),
    /// Start a local FSP devnet (anvil + the project's contracts) and drive it until Ctrl-C.
    Devnet(commands::devnet::DevnetCommand),
    /// Register the entity's addresses and sortition key in EntityManager (idempotent; --dry-run).
    Register(commands::register::RegisterCommand),
    /// Preflight: keys, balances, chain, registration, fast-updates weight; non-zero exit when voting is blocked.
    Status(commands::status::StatusCommand),
}

impl Cli {
    /// The chosen log format.
    pub fn log_format(&self) -> crate::logging::LogFormat {
        self.log_format
    }

    /// Runs the chosen subcommand.
    pub fn execute(self) -> anyhow::Result<()> {
        match self.command {
            Command::Run(command) => command.execute(),
            Command::Network(command) => command.execute(),
            Command::Plugin(command) => command.execute(),
            Command::Keys(command) => command.execute(),
            Command::FastUpdates(command) => command.execute(),
            Command::Feeds(command) => command.execute(),
            Command::Devnet(command) => command.execute(),
            Command::Register(command) => command.execute(),
            Command::Status(command) => command.execute(),
        }
    }
}
