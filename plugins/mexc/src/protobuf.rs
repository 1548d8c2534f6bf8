//! The few protobuf messages of MEXC's aggregated deals stream, read by hand (wire format:
//! varints and length-delimited fields; unknown fields skipped).

/// `PushDataV3ApiWrapper` with its `publicAggreDeals` body.
#[derive(Debug, Default, PartialEq)]
pub struct Push {
    /// Field 3 `symbol`, e.g. `BTCUSDT`.
    pub symbol: String,
    /// Field 314 `publicAggreDeals`, field 1 `deals`.
    pub deals: Vec<Deal>,
}

/// `PublicAggreDealsV3ApiItem`.
#[derive(Debug, Default, PartialEq)]
pub struct Deal {
    /// Field 1, a decimal string.
    pub price: f64,
    /// Field 2, a decimal string.
    pub quantity: f64,
    /// Field 4, ms.
    pub time_ms: u64,
}

const WRAPPER_SYMBOL: u64 = 3;
const WRAPPER_AGGRE_DEALS: u64 = 314;
const DEALS_ITEM: u64 = 1;

/// A field's value as read from the wire.
enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// Iterates the fields of one message.
struct Fields<'a> {
    rest: &'a [u8],
}

fn varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = bytes.split_first()?;
        *bytes = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

impl<'a> Iterator for Fields<'a> {
    type Item = Option<(u64, Value<'a>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let field = (|| {
            let key = varint(&mut self.rest)?;
            let value = match key & 7 {
                0 => Value::Varint(varint(&mut self.rest)?),
                1 | 5 => {
                    let width = if key & 7 == 1 { 8 } else { 4 };
                    self.rest = self.rest.get(width..)?;
                    Value::Fixed
                }
                2 => {
                    let len = usize::try_from(varint(&mut self.rest)?).ok()?;
                    let (body, rest) = (self.rest.get(..len)?, self.rest.get(len..)?);
                    self.rest = rest;
                    Value::Bytes(body)
                }
                _ => return None,
            };
            Some((key >> 3, value))
        })();
        if field.is_none() {
            self.rest = &[];
        }
        Some(field)
    }
}

fn fields(bytes: &[u8]) -> Fields<'_> {
    Fields { rest: bytes }
}

fn decimal(bytes: &[u8]) -> Option<f64> {
    std::str::from_utf8(bytes).ok()?.trim().parse().ok()
}

fn decode_deal(bytes: &[u8]) -> Option<Deal> {
    let mut deal = Deal::default();
    for field in fields(bytes) {
        match field? {
            (1, Value::Bytes(b)) => deal.price = decimal(b)?,
            (2, Value::Bytes(b)) => deal.quantity = decimal(b)?,
            (4, Value::Varint(v)) => deal.time_ms = v,
            _ => {}
        }
    }
    (deal.price.is_finite() && deal.price > 0.0).then_some(deal)
}

/// Reads a wrapper; `None` when it is malformed or carries no deals.
pub fn decode_push(bytes: &[u8]) -> Option<Push> {
    let mut push = Push::default();
    for field in fields(bytes) {
        match field? {
            (WRAPPER_SYMBOL, Value::Bytes(b)) => {
                push.symbol = std::str::from_utf8(b).ok()?.to_owned()
            }
            (WRAPPER_AGGRE_DEALS, Value::Bytes(body)) => {
                for inner in fields(body) {
                    if let (DEALS_ITEM, Value::Bytes(item)) = inner? {
                        push.deals.extend(decode_deal(item));
                    }
                }
            }
            _ => {}
        }
    }
    (!push.symbol.is_empty() && !push.deals.is_empty()).then_some(push)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first binary frame of the loopback fixture (host/testkit/fixtures/exchanges/mexc.toml).
    const FRAME: &str = "0a2f73706f74407075626c69632e61676772652e6465616c732e76332e6170692e7062403130306d734042544355534454d213540a180a0733373030322e351204302e3031180120f4d395ffbc310a150a0533373030331203302e32180220d8d495ffbc31122173706f74407075626c69632e61676772652e6465616c732e76332e6170692e70621a074254435553445428e2d495ffbc3130e7d495ffbc31";

    fn hex(text: &str) -> Vec<u8> {
        let clean: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
        clean
            .chunks(2)
            .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
            .collect()
    }

    #[test]
    fn decodes_the_aggregated_deals_wrapper() {
        let push = decode_push(&hex(FRAME)).unwrap();
        assert_eq!(push.symbol, "BTCUSDT");
        assert_eq!(
            push.deals,
            [
                Deal {
                    price: 37002.5,
                    quantity: 0.01,
                    time_ms: 1_700_000_000_500
                },
                Deal {
                    price: 37003.0,
                    quantity: 0.2,
                    time_ms: 1_700_000_000_600
                },
            ]
        );
        assert_eq!(decode_push(&[0xff]), None);
        assert_eq!(decode_push(&[]), None);
    }
}
