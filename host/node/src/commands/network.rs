//! `ftso-node network [NAME]`: the epoch settings of a network profile, or the list of profiles.

use std::fmt::Write as _;

use anyhow::bail;
use clap::Args;
use ftso_core::epoch::{self, NetworkProfile};

/// Prints the epoch settings of a network profile; lists the profiles when none is given.
#[derive(Debug, Args)]
pub struct NetworkCommand {
    /// Profile name: flare, songbird, coston, coston2 or local.
    name: Option<String>,
}

impl NetworkCommand {
    /// Prints the chosen profile, or every profile name.
    pub fn execute(self) -> anyhow::Result<()> {
        print!("{}", self.render()?);
        Ok(())
    }

    fn render(&self) -> anyhow::Result<String> {
        let Some(name) = &self.name else {
            return Ok(list());
        };
        match epoch::profile(name) {
            Some(profile) => Ok(describe(profile)),
            None => bail!("unknown network `{name}`; known networks:\n{}", list()),
        }
    }
}

fn list() -> String {
    epoch::PROFILES
        .iter()
        .map(|profile| format!("{}\n", profile.name))
        .collect()
}

fn describe(profile: &NetworkProfile) -> String {
    let e = &profile.epochs;
    let chain_id = profile.chain_id.map_or_else(
        || "(any; set by the devnet)".to_owned(),
        |id| id.to_string(),
    );
    let mut out = String::new();
    let lines = [
        ("network", profile.name.to_owned()),
        ("chain_id", chain_id),
        (
            "first_voting_round_start_ts",
            e.first_voting_round_start_ts.to_string(),
        ),
        (
            "voting_epoch_duration_seconds",
            e.voting_epoch_duration_seconds.to_string(),
        ),
        (
            "first_reward_epoch_start_voting_round_id",
            e.first_reward_epoch_start_voting_round_id.to_string(),
        ),
        (
            "reward_epoch_duration_in_voting_epochs",
            e.reward_epoch_duration_in_voting_epochs.to_string(),
        ),
        (
            "reward_epoch_duration_seconds",
            e.reward_epoch_duration_seconds().to_string(),
        ),
        (
            "reveal_deadline_seconds",
            e.reveal_deadline_seconds.to_string(),
        ),
    ];
    for (key, value) in lines {
        // Writing to a String cannot fail.
        let _ = writeln!(out, "{key:<42} {value}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(name: Option<&str>) -> anyhow::Result<String> {
        NetworkCommand {
            name: name.map(str::to_owned),
        }
        .render()
    }

    #[test]
    fn lists_profiles_without_a_name() {
        assert_eq!(
            render(None).unwrap(),
            "flare\nsongbird\ncoston\ncoston2\nlocal\n"
        );
    }

    #[test]
    fn prints_flare_epoch_settings() {
        let text = render(Some("flare")).unwrap();
        assert!(text.contains("chain_id                                   14\n"));
        assert!(text.contains("first_voting_round_start_ts                1658430000\n"));
        assert!(text.contains("reward_epoch_duration_in_voting_epochs     3360\n"));
        assert!(text.contains("reward_epoch_duration_seconds              302400\n"));
    }

    #[test]
    fn unknown_names_are_an_error_listing_the_profiles() {
        let error = render(Some("mainnet")).unwrap_err().to_string();
        assert!(error.contains("unknown network `mainnet`"));
        assert!(error.contains("coston2"));
    }
}
