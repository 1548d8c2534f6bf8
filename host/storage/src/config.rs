//! The `[storage]` config section.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// Where the indexer database lives.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// Database URL: `sqlite://path/to/file.db?mode=rwc` or `postgres://user:pass@host/db`.
    /// Default: an SQLite file `indexer.db` in the node's data directory. The URL may carry a password: do not
    /// log it (see [`redact_url`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl std::fmt::Debug for StorageConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url = self.url.as_deref().map(redact_url);
        f.debug_struct("StorageConfig").field("url", &url).finish()
    }
}

impl StorageConfig {
    /// The URL to open: the configured one, or the SQLite default under `data_dir`.
    pub fn url_or_default(&self, data_dir: &Path) -> String {
        self.url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("indexer.db").display()
            )
        })
    }
}

/// A URL as it may appear in logs, errors and `Debug` output: the one redaction of the node.
///
/// Credentials (user and password) become `***`. For network URLs (RPC endpoints, databases) the path and query
/// become `[redacted]`, since providers put API keys there; the scheme, host and port stay, so the message still
/// says where. `sqlite:` URLs keep their file path and options (no secret lives in a path on disk). Text that is not a URL is
/// redacted whole.
pub fn redact_url(url: &str) -> String {
    let Ok(parsed) = url::Url::parse(url) else {
        return "[redacted]".to_owned();
    };
    let scheme = parsed.scheme();
    let credentials = if parsed.username().is_empty() && parsed.password().is_none() {
        ""
    } else {
        "***@"
    };
    if scheme == "sqlite" {
        return match url.rsplit_once('@') {
            Some((_, path)) if !credentials.is_empty() => format!("sqlite://{credentials}{path}"),
            _ => url.to_owned(),
        };
    }
    let Some(host) = parsed.host_str() else {
        return format!("{scheme}:[redacted]");
    };
    let port = parsed.port().map_or_else(String::new, |p| format!(":{p}"));
    let nothing_after_host = parsed.path().trim_matches('/').is_empty() && parsed.query().is_none();
    let rest = if nothing_after_host {
        ""
    } else {
        "/[redacted]"
    };
    format!("{scheme}://{credentials}{host}{port}{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_refused() {
        let error = toml::from_str::<StorageConfig>("uri = \"sqlite://x\"").unwrap_err();
        assert!(error.to_string().contains("uri"), "{error}");
    }

    #[test]
    fn the_unsupported_url_error_names_no_credentials() {
        let error = crate::Backend::from_url("mysql://root:hunter2@db/x").unwrap_err();
        let text = error.to_string();
        assert!(
            !text.contains("root") && !text.contains("hunter2"),
            "{text}"
        );
        assert!(text.contains("mysql://***@db"), "{text}");
    }

    #[test]
    fn debug_output_is_redacted() {
        let config = StorageConfig {
            url: Some("postgres://ftso:hunter2@db/ftso".into()),
        };
        let text = format!("{config:?}");
        assert!(!text.contains("hunter2") && text.contains("db"), "{text}");
    }

    #[test]
    fn defaults_to_sqlite_in_the_data_dir() {
        let cfg: StorageConfig = toml::from_str("").unwrap();
        assert_eq!(
            cfg.url_or_default(Path::new("/var/lib/ftso")),
            "sqlite:///var/lib/ftso/indexer.db?mode=rwc"
        );
        let pg: StorageConfig = toml::from_str(r#"url = "postgres://u:secret@db/ftso""#).unwrap();
        assert_eq!(
            pg.url_or_default(Path::new("/x")),
            "postgres://u:secret@db/ftso"
        );
    }

    #[test]
    fn redaction_hides_credentials_paths_and_queries_but_says_where() {
        let cases = [
            (
                "postgres://u:secret@db:5432/ftso",
                "postgres://***@db:5432/[redacted]",
            ),
            ("postgres://db.internal", "postgres://db.internal"),
            ("mysql://root:hunter2@db/x", "mysql://***@db/[redacted]"),
            (
                "https://rpc.example.com/ext/C/rpc?x-apikey=SECRET",
                "https://rpc.example.com/[redacted]",
            ),
            (
                "wss://node.example.com/v3/KEY",
                "wss://node.example.com/[redacted]",
            ),
            ("sqlite:///a/b.db?mode=rwc", "sqlite:///a/b.db?mode=rwc"),
            ("sqlite://u:p@/a/b.db", "[redacted]"),
            ("not a url with hunter2", "[redacted]"),
        ];
        for (url, want) in cases {
            assert_eq!(redact_url(url), want, "{url}");
        }
    }
}
