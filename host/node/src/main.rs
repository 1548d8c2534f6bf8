//! `ftso-node`: parse the command line, set up logging, run the chosen command.

mod cli;
mod commands;
mod config;
mod secret_file;
mod signal;
mod supervisor;

use std::io::IsTerminal as _;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    init_tracing();
    match cli.execute() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", error_text(&error));
            std::process::ExitCode::FAILURE
        }
    }
}

/// Logs to stderr, filtered by `RUST_LOG` (default `info`); colours only when stderr is a terminal.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

/// The error and its causes on one line, each said once: a cause whose text its parent already includes (errors
/// that format their source into their own message) is not repeated.
fn error_text(error: &anyhow::Error) -> String {
    let mut text = String::new();
    let mut previous = String::new();
    for cause in error.chain() {
        let message = cause.to_string();
        if !previous.is_empty() && previous.contains(&message) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&message);
        previous = message;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("plugin fixed: {source}")]
    struct Repeats {
        source: std::io::Error,
    }

    #[test]
    fn each_cause_is_said_once() {
        let error = anyhow::Error::new(Repeats {
            source: std::io::Error::other("bad signature"),
        })
        .context("cannot start the feeds");
        assert_eq!(
            error_text(&error),
            "cannot start the feeds: plugin fixed: bad signature"
        );
        let plain = anyhow::anyhow!("disk full").context("writing");
        assert_eq!(error_text(&plain), "writing: disk full");
    }
}
