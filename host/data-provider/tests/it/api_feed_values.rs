//! The HTTP feed-values client (`ftso_feeds::source::HttpFeedValues`) against the real feeds
//! REST server serving the `fixed` plugin: the values equal what the registry gives in process,
//! in request order, with a missing value as `None`.

use std::time::Duration;

use ftso_feeds::{FeedValueSource, FeedsHost, registry::FeedKey, source::HttpFeedValues};
use tokio_util::sync::CancellationToken;

use crate::api_support::{FIXED_VALUE, fixed_feeds_config};

fn key(category: u8, name: &str) -> FeedKey {
    FeedKey {
        category,
        name: name.to_owned(),
    }
}

#[tokio::test]
async fn http_values_equal_the_in_process_registry() {
    let cache = tempfile::tempdir().unwrap();
    let mut config = fixed_feeds_config(cache.path());
    // The fixed plugin serves two feeds only, so that one requested feed has no value.
    config.plugins[0].feeds = toml::from_str::<ftso_feeds::config::PluginConfig>(
        r#"name = "fixed"
component = "x.wasm"
feeds = [{ category = 1, name = "BTC/USD" }, { category = 2, name = "EUR/USD" }]"#,
    )
    .unwrap()
    .feeds;
    let host = FeedsHost::start(config).await.unwrap();
    let registry = host.registry().clone();
    let url = format!("http://{}/", host.local_addr().unwrap());
    let cancel = CancellationToken::new();
    let server = tokio::spawn(host.serve(cancel.clone()));

    let client = HttpFeedValues::new(&url, Duration::from_secs(10)).unwrap();
    let feeds = [key(2, "EUR/USD"), key(1, "NOPE/USD"), key(1, "BTC/USD")];
    for round in [Some(1009), None] {
        let over_http = client.values(round, &feeds).await.unwrap();
        let in_process = FeedValueSource::values(&registry, round, &feeds)
            .await
            .unwrap();
        assert_eq!(over_http, in_process, "round {round:?}");
        assert_eq!(over_http, vec![Some(FIXED_VALUE), None, Some(FIXED_VALUE)]);
    }
    assert_eq!(
        client.values(Some(1), &[]).await.unwrap(),
        Vec::<Option<f64>>::new()
    );

    cancel.cancel();
    server.await.unwrap().unwrap();
    // The server is gone: the source as a whole fails (the commit then fails, as the reference's).
    assert!(client.values(Some(1009), &feeds).await.is_err());
}

#[test]
fn only_http_urls_are_accepted() {
    assert!(HttpFeedValues::new("ftp://host", Duration::from_secs(1)).is_err());
    assert!(HttpFeedValues::new("not a url", Duration::from_secs(1)).is_err());
    assert!(HttpFeedValues::new("https://values.example:3101", Duration::from_secs(1)).is_ok());
}
