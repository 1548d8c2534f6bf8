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
    assert!(!config.allow_unsigned);
    assert_eq!(
        config.trusted_publishers.len(),
        1,
        "the example trusts the development key scripts/build-plugins.sh signs with"
    );
}

#[test]
fn every_commented_key_in_the_example_is_accepted_uncommented() {
    // Uncomment the `# key = value` lines of the [feeds] table and parse again: unknown keys are
    // refused (deny_unknown_fields), so a stale example fails here.
    let mut section = String::from("[feeds]\n");
    for line in EXAMPLE.lines() {
        if line.starts_with("[[feeds.plugins]]") {
            break;
        }
        let Some(rest) = line.strip_prefix("# ") else {
            continue;
        };
        let Some((key, _)) = rest.split_once(" = ") else {
            continue;
        };
        if key.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            section.push_str(rest);
            section.push('\n');
        }
    }
    let config =
        FeedsConfig::from_toml_str(&section).unwrap_or_else(|e| panic!("{e:#}\n{section}"));
    assert_eq!(config.call_timeout, std::time::Duration::from_millis(500));
    assert!(section.contains("restart_backoff_max"), "{section}");
    assert!(section.contains("allow_unsigned"), "{section}");
}
