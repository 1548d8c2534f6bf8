//! Unit deltas and their 2-bit on-chain encoding.
//!
//! Byte `j` carries feeds `4j..4j+3`, the first feed in the most significant bit pair.
//! `01` = up, `11` = down, `00` = none; the contract ignores `10`. A trailing partial byte is
//! padded with `00` pairs. Feeds are in `getFeedIds()` index order, delisted slots included.

use std::fmt;

use alloy_primitives::U256;

/// One feed's move: up by one scale step, down by one, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Delta {
    /// No change (`00`, and the ignored `10`).
    #[default]
    Zero,
    /// Multiply by the scale (`01`, `'+'`).
    Up,
    /// Divide by the scale (`11`, `'-'`).
    Down,
}

/// Why deltas are not acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DeltaError {
    /// The number is not -1, 0 or 1.
    #[error("delta must be -1, 0 or 1, got {0}")]
    OutOfRange(i64),
    /// More delta bytes than `FastUpdater` accepts for this many feeds.
    #[error("{len} delta bytes exceed the {max} allowed for {feed_count} feeds")]
    TooLong {
        /// Delta bytes given.
        len: usize,
        /// The limit, `2 · ceil(feed_count / 8)`.
        max: usize,
        /// Number of feed indices on chain.
        feed_count: usize,
    },
}

impl Delta {
    /// The 2-bit code.
    pub fn code(self) -> u8 {
        match self {
            Delta::Zero => 0b00,
            Delta::Up => 0b01,
            Delta::Down => 0b11,
        }
    }

    /// What the contract does with a 2-bit code (`10` is ignored). Only the low two bits count.
    pub fn from_code(code: u8) -> Self {
        match code & 0b11 {
            0b01 => Delta::Up,
            0b11 => Delta::Down,
            _ => Delta::Zero,
        }
    }

    /// The Go client's character: `'+'`, `'-'` or `'0'`.
    pub fn as_char(self) -> char {
        match self {
            Delta::Zero => '0',
            Delta::Up => '+',
            Delta::Down => '-',
        }
    }

    /// The Go client's reading of a character: `'+'` up, `'-'` down, anything else none.
    pub fn from_char(c: char) -> Self {
        match c {
            '+' => Delta::Up,
            '-' => Delta::Down,
            _ => Delta::Zero,
        }
    }

    /// `1`, `-1` or `0`.
    pub fn as_i8(self) -> i8 {
        match self {
            Delta::Zero => 0,
            Delta::Up => 1,
            Delta::Down => -1,
        }
    }

    /// From `1`, `-1` or `0`.
    pub fn from_int(value: i64) -> Result<Self, DeltaError> {
        match value {
            0 => Ok(Delta::Zero),
            1 => Ok(Delta::Up),
            -1 => Ok(Delta::Down),
            other => Err(DeltaError::OutOfRange(other)),
        }
    }
}

impl fmt::Display for Delta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_char())
    }
}

/// What `FastUpdater` does to a feed value for one delta, with `scale` in 1x127 fixed point
/// (`2^127 + precision`): up is `(v · scale) >> 127`, down is `(v << 127) / scale`, in EVM
/// 256-bit arithmetic (wrapping; division by zero gives zero).
pub fn apply(value: U256, delta: Delta, scale: u128) -> U256 {
    let scale = U256::from(scale);
    match delta {
        Delta::Zero => value,
        Delta::Up => {
            let product: U256 = value.wrapping_mul(scale);
            product >> 127
        }
        Delta::Down => {
            let shifted: U256 = value << 127;
            shifted.checked_div(scale).unwrap_or(U256::ZERO)
        }
    }
}

/// Packs deltas four to a byte, first feed in the top bits; `ceil(n/4)` bytes.
pub fn encode(deltas: &[Delta]) -> Vec<u8> {
    deltas
        .chunks(4)
        .map(|chunk| {
            chunk
                .iter()
                .enumerate()
                .fold(0u8, |byte, (t, d)| byte | (d.code() << (6 - 2 * t)))
        })
        .collect()
}

/// What the contract applies: four deltas per byte (a multiple of four, trailing zeros kept).
pub fn decode(bytes: &[u8]) -> Vec<Delta> {
    bytes
        .iter()
        .flat_map(|byte| (0..4).map(move |t| Delta::from_code(byte >> (6 - 2 * t))))
        .collect()
}

/// The Go client's delta string (`"+-0+"`).
pub fn to_go_string(deltas: &[Delta]) -> String {
    deltas.iter().map(|d| d.as_char()).collect()
}

/// Parses a Go client delta string; characters other than `+` and `-` mean no change.
pub fn from_go_string(text: &str) -> Vec<Delta> {
    text.chars().map(Delta::from_char).collect()
}

/// `FastUpdater`'s limit on delta bytes: `2 · ceil(feed_count / 8)` (four bits per feed slot
/// of the 8-feeds-per-word storage).
pub fn max_delta_bytes(feed_count: usize) -> usize {
    2 * feed_count.div_ceil(8)
}

/// Checks the length limit ("More updates than available feeds").
pub fn check_len(len: usize, feed_count: usize) -> Result<(), DeltaError> {
    let max = max_delta_bytes(feed_count);
    if len <= max {
        Ok(())
    } else {
        Err(DeltaError::TooLong {
            len,
            max,
            feed_count,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_strings_encode_to_the_reference_bytes() {
        let cases: &[(&str, &[u8])] = &[
            ("+", &[0x40]),
            ("-", &[0xc0]),
            ("0", &[0x00]),
            ("+-0+", &[0x71]),
            ("+--+00--", &[0x7d, 0x0f]),
            ("-+0000++", &[0xd0, 0x05]),
            ("+++-0+", &[0x57, 0x10]),
            ("00000", &[0x00, 0x00]),
            ("++++-", &[0x55, 0xc0]),
            ("+0-0+0-0+", &[0x4c, 0x4c, 0x40]),
            ("", &[]),
        ];
        for (text, bytes) in cases {
            assert_eq!(encode(&from_go_string(text)), bytes.to_vec(), "{text}");
        }
    }

    #[test]
    fn decode_ignores_code_10_and_pads_to_four() {
        assert_eq!(decode(&[0xaa]), vec![Delta::Zero; 4]);
        assert_eq!(
            decode(&[0x71]),
            vec![Delta::Up, Delta::Down, Delta::Zero, Delta::Up]
        );
    }

    #[test]
    fn feed_arithmetic_matches_the_contract() {
        let scale = (1u128 << 127) + (1u128 << 114);
        let cases = [
            (100_000u64, 100_012u64, 99_987u64),
            (12_345_678, 12_347_185, 12_344_171),
            (536_870_911, 536_936_446, 536_805_382),
            (8191, 8191, 8190),
        ];
        for (value, up, down) in cases {
            let value = U256::from(value);
            assert_eq!(apply(value, Delta::Up, scale), U256::from(up));
            assert_eq!(apply(value, Delta::Down, scale), U256::from(down));
            assert_eq!(apply(value, Delta::Zero, scale), value);
        }
        assert_eq!(apply(U256::from(5), Delta::Down, 0), U256::ZERO);
    }

    #[test]
    fn length_limit_follows_the_contract() {
        assert_eq!(max_delta_bytes(9), 4);
        assert_eq!(check_len(4, 9), Ok(()));
        assert!(check_len(5, 9).is_err());
        assert_eq!(max_delta_bytes(256), 64);
        assert!(check_len(65, 256).is_err());
        assert_eq!(Delta::from_int(2), Err(DeltaError::OutOfRange(2)));
    }
}
