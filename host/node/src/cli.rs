//! The command line: one subcommand per module under `commands/`.

use clap::{Parser, Subcommand};

use crate::commands;

/// An FTSOv2 data-provider node for the Flare network.
#[derive(Debug, Parser)]
#[command(name = "ftso-node", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the protocol constants of a network profile.
    Network(commands::network::NetworkCommand),
}

impl Cli {
    /// Runs the chosen subcommand.
    pub fn execute(self) -> anyhow::Result<()> {
        match self.command {
            Command::Network(command) => command.execute(),
        }
    }
}
