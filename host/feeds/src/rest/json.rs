//! JSON as JavaScript sees it: `JSON.parse` keeps key order and makes every number a double;
//! `JSON.stringify` lists integer-like keys first and prints numbers in JavaScript's format. The
//! reference echoes request objects verbatim through that round trip, and so do we.

use std::fmt::Write as _;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A parsed JSON value with object keys in document order.
#[derive(Debug, Clone, PartialEq)]
pub enum JsValue {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// Any number (a double, like JavaScript).
    Number(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<JsValue>),
    /// An object; a repeated key keeps its first position and its last value.
    Object(Vec<(String, JsValue)>),
}

impl JsValue {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&JsValue> {
        match self {
            Self::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Serialises like `JSON.stringify`.
    pub fn write(&self, out: &mut String) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Self::Number(n) => out.push_str(&js_number(*n)),
            Self::String(s) => write_string(s, out),
            Self::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Self::Object(entries) => {
                // Integer-like keys come first in ascending order, then the rest in insertion order.
                let mut indexed: Vec<(u32, &(String, JsValue))> = entries
                    .iter()
                    .filter_map(|e| array_index(&e.0).map(|i| (i, e)))
                    .collect();
                indexed.sort_by_key(|(i, _)| *i);
                let named = entries.iter().filter(|e| array_index(&e.0).is_none());
                out.push('{');
                for (i, (key, value)) in
                    indexed.into_iter().map(|(_, e)| e).chain(named).enumerate()
                {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// A canonical array index (`"0"`, `"17"`, not `"01"`), below 2^32 − 1.
fn array_index(key: &str) -> Option<u32> {
    if key.is_empty()
        || (key.len() > 1 && key.starts_with('0'))
        || !key.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    key.parse::<u32>().ok().filter(|&i| i != u32::MAX)
}

/// Writes a JSON string literal the way `JSON.stringify` does.
pub fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Formats a double like JavaScript's `Number.prototype.toString` (`null` for NaN/±Infinity, as
/// `JSON.stringify` does).
pub fn js_number(x: f64) -> String {
    if !x.is_finite() {
        return "null".to_owned();
    }
    if x == 0.0 {
        return "0".to_owned();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "d.ddddde±x".
    let formatted = format!("{:e}", x.abs());
    let (mantissa, exponent) = formatted.split_once('e').unwrap_or((&formatted, "0"));
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let k = digits.len() as i64;
    let n = exponent + 1; // position of the decimal point relative to the digits
    let mut out = String::new();
    if x < 0.0 {
        out.push('-');
    }
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(n as usize);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
        out.push_str(&digits);
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let e = n - 1;
        let _ = write!(out, "e{}{}", if e >= 0 { "+" } else { "-" }, e.abs());
    }
    out
}

impl<'de> Deserialize<'de> for JsValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct JsVisitor;
        impl<'de> Visitor<'de> for JsVisitor {
            type Value = JsValue;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> Result<JsValue, E> {
                Ok(JsValue::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<JsValue, E> {
                Ok(JsValue::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<JsValue, E> {
                Ok(JsValue::Number(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<JsValue, E> {
                Ok(JsValue::Number(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<JsValue, E> {
                Ok(JsValue::Number(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<JsValue, E> {
                Ok(JsValue::String(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<JsValue, E> {
                Ok(JsValue::String(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsValue, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(JsValue::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsValue, A::Error> {
                let mut entries: Vec<(String, JsValue)> = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, JsValue>()? {
                    match entries.iter_mut().find(|(k, _)| *k == key) {
                        Some(entry) => entry.1 = value,
                        None => entries.push((key, value)),
                    }
                }
                Ok(JsValue::Object(entries))
            }
        }
        deserializer.deserialize_any(JsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_javascript() {
        // TC: (double, Number.prototype.toString)
        let cases = [
            (0.01, "0.01"),
            (71287.34508311428, "71287.34508311428"),
            (1e-7, "1e-7"),
            (1e-6, "0.000001"),
            (1.0, "1"),
            (-5.0, "-5"),
            (-0.0, "0"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (0.1 + 0.2, "0.30000000000000004"),
            (f64::NAN, "null"),
        ];
        for (x, want) in cases {
            assert_eq!(js_number(x), want, "{x:e}");
        }
    }

    #[test]
    fn objects_round_trip_like_json_parse_then_stringify() {
        let cases = [
            (
                r#"{"name":"BTC/USD","category":1}"#,
                r#"{"name":"BTC/USD","category":1}"#,
            ),
            (
                r#"{"category":"1","name":"BTC/USD","extra":true}"#,
                r#"{"category":"1","name":"BTC/USD","extra":true}"#,
            ),
            (
                r#"{"b":1,"2":0,"10":[1.0,null],"01":2}"#,
                r#"{"2":0,"10":[1,null],"b":1,"01":2}"#,
            ),
            (r#"{"a":1,"b":2,"a":3}"#, r#"{"a":3,"b":2}"#),
            (r#"{"s":"\u0001\"é/"}"#, r#"{"s":"\u0001\"é/"}"#),
        ];
        for (input, want) in cases {
            let value: JsValue = serde_json::from_str(input).unwrap();
            let mut out = String::new();
            value.write(&mut out);
            assert_eq!(out, want, "{input}");
        }
    }
}
