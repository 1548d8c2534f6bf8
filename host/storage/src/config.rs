//! The `[storage]` config section.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// Where the indexer database lives.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageConfig {
    /// Database URL: `sqlite://path/to/file.db?mode=rwc` or `postgres://user:pass@host/db`.
    /// Default: an SQLite file `indexer.db` in the node's data directory. The URL may carry a password: do not
    /// log it (see [`StorageConfig::redacted_url`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl std::fmt::Debug for StorageConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url = self.url.as_deref().map(Self::redacted_url);
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

    /// The URL with any password replaced by `***`, for logs.
    pub fn redacted_url(url: &str) -> String {
        let Some((scheme, rest)) = url.split_once("://") else {
            return url.to_owned();
        };
        let Some((userinfo, host)) = rest.split_once('@') else {
            return url.to_owned();
        };
        match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn redacts_passwords() {
        assert_eq!(
            StorageConfig::redacted_url("postgres://u:secret@db:5432/ftso"),
            "postgres://u:***@db:5432/ftso"
        );
        assert_eq!(
            StorageConfig::redacted_url("sqlite:///a/b.db"),
            "sqlite:///a/b.db"
        );
    }
}
