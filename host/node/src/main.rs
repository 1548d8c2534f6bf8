//! `ftso-node`: parse the command line, set up logging, run the chosen command.

mod admin;
mod cli;
mod commands;
mod config;
mod logging;
mod secret_file;
mod signal;
mod status;
mod supervisor;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    let log_format = cli.log_format();
    logging::init(log_format);
    match cli.execute() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            let text = error_text(&error);
            match log_format {
                logging::LogFormat::Text => eprintln!("error: {text}"),
                logging::LogFormat::Json => tracing::error!(error = %text, "exiting"),
            }
            std::process::ExitCode::FAILURE
        }
    }
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
