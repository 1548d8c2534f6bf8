//! `ftso-node network`: which network profiles this build knows.

use clap::Args;

/// Lists the network profiles this build knows.
#[derive(Debug, Args)]
pub struct NetworkCommand {}

impl NetworkCommand {
    /// Prints the known network names.
    pub fn execute(self) -> anyhow::Result<()> {
        for name in ["flare", "songbird", "coston", "coston2", "local"] {
            println!("{name}");
        }
        Ok(())
    }
}
