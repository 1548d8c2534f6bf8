//! Serde helpers for exchange wire types, which often quote their numbers
//! (OKX: `{"px":"65000.1","ts":"1700000000000"}`).
//!
//! ```
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct OkxTrade {
//!     #[serde(rename = "px", deserialize_with = "ftso_plugin_sdk::de::f64_lenient")]
//!     price: f64,
//!     #[serde(rename = "ts", deserialize_with = "ftso_plugin_sdk::de::u64_lenient")]
//!     timestamp_ms: u64,
//! }
//!
//! let trade: OkxTrade = serde_json::from_str(r#"{"px":"65000.1","ts":"1700000000000"}"#).unwrap();
//! assert_eq!((trade.price, trade.timestamp_ms), (65000.1, 1_700_000_000_000));
//! ```

use serde::{Deserialize, Deserializer, de::Error as _};

/// A number written either as a JSON number or as a string holding one.
#[derive(Deserialize)]
#[serde(untagged)]
enum Lenient<T> {
    Number(T),
    Text(String),
}

/// Reads an `f64` from a JSON number or a numeric string; refuses non-finite values.
pub fn f64_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let value = match Lenient::<f64>::deserialize(deserializer)? {
        Lenient::Number(n) => n,
        Lenient::Text(text) => text
            .trim()
            .parse::<f64>()
            .map_err(|e| D::Error::custom(format!("not a number: {text:?} ({e})")))?,
    };
    if !value.is_finite() {
        return Err(D::Error::custom(format!("not a finite number: {value}")));
    }
    Ok(value)
}

/// Reads a `u64` (e.g. epoch milliseconds) from a JSON integer or an integer string.
pub fn u64_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    match Lenient::<u64>::deserialize(deserializer)? {
        Lenient::Number(n) => Ok(n),
        Lenient::Text(text) => text
            .trim()
            .parse::<u64>()
            .map_err(|e| D::Error::custom(format!("not an unsigned integer: {text:?} ({e})"))),
    }
}

/// Milliseconds since the Unix epoch of an RFC 3339 UTC time as exchanges write it:
/// `2024-05-01T12:34:56Z`, with any number of fraction digits (`.123456789Z`); `None` for
/// anything else (offsets other than `Z` included).
pub fn rfc3339_ms(text: &str) -> Option<u64> {
    let text = text.strip_suffix('Z')?;
    let (date, time) = text.split_once('T')?;
    let mut date_parts = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (
        date_parts.next()??,
        date_parts.next()??,
        date_parts.next()??,
    );
    let (clock, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut clock_parts = clock.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (hour, minute, second) = (
        clock_parts.next()??,
        clock_parts.next()??,
        clock_parts.next()??,
    );
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let millis: i64 = format!("{:0<3}", fraction.get(..3).unwrap_or(fraction))
        .parse()
        .ok()?;
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second;
    u64::try_from(seconds * 1000 + millis).ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Row {
        #[serde(deserialize_with = "f64_lenient")]
        px: f64,
        #[serde(deserialize_with = "u64_lenient")]
        ts: u64,
    }

    fn row(json: &str) -> Result<Row, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn reads_quoted_and_plain_numbers() {
        // TC1: both quoted (OKX style)
        let r = row(r#"{"px":"0.01","ts":"1700000000000"}"#).unwrap();
        assert_eq!((r.px, r.ts), (0.01, 1_700_000_000_000));
        // TC2: both plain (Binance style)
        let r = row(r#"{"px":71287.34508311428,"ts":1700000000001}"#).unwrap();
        assert_eq!((r.px, r.ts), (71287.34508311428, 1_700_000_000_001));
        // TC3: exponent inside a string
        assert_eq!(row(r#"{"px":"1e-7","ts":0}"#).unwrap().px, 1e-7);
    }

    #[test]
    fn rfc3339_times_to_epoch_millis() {
        assert_eq!(rfc3339_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_ms("2023-11-14T22:13:20Z"), Some(1_700_000_000_000));
        assert_eq!(
            rfc3339_ms("2023-11-14T22:13:20.123456789Z"),
            Some(1_700_000_000_123)
        );
        assert_eq!(
            rfc3339_ms("2024-02-29T00:00:00.5Z"),
            Some(1_709_164_800_500)
        );
        assert_eq!(rfc3339_ms("2023-11-14T22:13:20+01:00"), None);
        assert_eq!(rfc3339_ms("2023-13-14T22:13:20Z"), None);
        assert_eq!(rfc3339_ms("yesterday"), None);
    }

    #[test]
    fn refuses_garbage_and_non_finite_values() {
        // TC1: not a number at all
        assert!(
            row(r#"{"px":"abc","ts":0}"#)
                .unwrap_err()
                .to_string()
                .contains("not a number")
        );
        // TC2: NaN spelled as a string parses in Rust but must not become a price
        assert!(
            row(r#"{"px":"NaN","ts":0}"#)
                .unwrap_err()
                .to_string()
                .contains("finite")
        );
        // TC3: negative or fractional timestamps
        assert!(
            row(r#"{"px":1,"ts":"-5"}"#)
                .unwrap_err()
                .to_string()
                .contains("unsigned")
        );
        assert!(row(r#"{"px":1,"ts":1.5}"#).is_err());
    }
}
