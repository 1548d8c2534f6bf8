//! The documented example config parses, and every key in it is a real key.

use ftso_feeds::FeedsConfig;

const EXAMPLE: &str = include_str!("../../../../config/feeds.example.toml");

#[test]
fn the_example_config_parses() {
    let config = FeedsConfig::from_toml_str(EXAMPLE).expect("example parses");
    assert_eq!(config.listen.port(), 3101);
    assert_eq!(config.plugins.len(), 1);
    assert_eq!(config.plugins[0].name, "fixed");
    assert_eq!(config.plugins[0].settings_json(), r#"{"value":0.01}"#);
}

#[test]
fn every_commented_key_in_the_example_is_accepted_uncommented() {
    // Uncomment `# key = value` lines of the [feeds] table and parse again: unknown keys are refused
    // (deny_unknown_fields), so a stale example fails here.
    let mut section = String::from("[feeds]\n");
    for line in EXAMPLE.lines() {
        let Some(rest) = line.strip_prefix("# ") else {
            continue;
        };
        if let Some((key, _)) = rest.split_once(" = ") {
            if key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                && !section.contains(&format!("\n{key} ="))
            {
                if [
                    "name",
                    "component",
                    "feeds",
                    "allowed_hosts",
                    "call_timeout",
                    "memory_limit_mib",
                ]
                .contains(&key)
                    && section.contains("\ncall_timeout =")
                {
                    continue;
                }
                section.push_str(rest);
                section.push('\n');
            }
        }
        if rest.starts_with("[[feeds.plugins]]") {
            break;
        }
    }
    let config =
        FeedsConfig::from_toml_str(&section).unwrap_or_else(|e| panic!("{e:#}\n{section}"));
    assert_eq!(config.call_timeout, std::time::Duration::from_millis(500));
    assert!(section.contains("restart_backoff_max"), "{section}");
}
