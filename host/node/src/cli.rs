//! The command line: one subcommand per module.

use clap::{Parser, Subcommand};

/// An FTSOv2 data-provider node for the Flare network.
#[derive(Debug, Parser)]
#[command(name = "ftso-node", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {}

impl Cli {
    /// Runs the chosen subcommand.
    pub fn execute(self) -> anyhow::Result<()> {
        match self.command {
            None => {
                anyhow::bail!("no command given; see `ftso-node --help`")
            }
            Some(command) => match command {},
        }
    }
}
