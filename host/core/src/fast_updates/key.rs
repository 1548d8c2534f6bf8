//! The sortition key: a BN254 scalar `sk` and its public key `pk = sk·G`.

use std::fmt;

use alloy_primitives::U256;
use ark_bn254::{Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{PrimeField, Zero};

use super::curve::{PointWords, fr_to_u256};

/// Why a sortition key could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not a `0x`-prefixed hex number or a decimal number.
    #[error("sortition key is not a 0x-prefixed hex or a decimal number")]
    Malformed,
    /// The key reduces to zero modulo the group order (its public key would be infinity).
    #[error("sortition key is zero modulo the group order")]
    Zero,
}

/// A sortition private key with its public key. `Debug` never prints the private scalar.
#[derive(Clone, PartialEq, Eq)]
pub struct SortitionKey {
    secret: Fr,
    public: G1Affine,
}

impl SortitionKey {
    /// A key from a scalar (any value; it is used modulo `q`). Zero is rejected.
    pub fn from_scalar(secret: Fr) -> Result<Self, KeyError> {
        if secret.is_zero() {
            return Err(KeyError::Zero);
        }
        let public = (G1Affine::generator() * secret).into_affine();
        Ok(Self { secret, public })
    }

    /// A fresh key, uniform in `[1, q)` up to a negligible bias, from 64 bytes `fill_random`
    /// draws from a CSPRNG (the Go keygen draws uniformly in `[0, q)`).
    pub fn generate(mut fill_random: impl FnMut(&mut [u8; 64])) -> Self {
        loop {
            let mut bytes = [0u8; 64];
            fill_random(&mut bytes);
            if let Ok(key) = Self::from_be_bytes(&bytes) {
                return key;
            }
        }
    }

    /// A key from big-endian bytes of any length, reduced modulo `q` (the Go client does not
    /// reduce, but only `sk·G` and `sk·c mod q` are ever used, so the results are identical).
    pub fn from_be_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        Self::from_scalar(Fr::from_be_bytes_mod_order(bytes))
    }

    /// Parses the configured key exactly as the Go client's `big.Int.SetString(s, 0)` reads it:
    /// an optional sign, then `0x`/`0X` hex, `0b`/`0B` binary, `0o`/`0O` or a bare leading `0`
    /// octal, otherwise decimal; `_` may separate digits (or follow the prefix). So a bare hex
    /// string without `0x` is not accepted, and `0123` is octal. Surrounding whitespace is
    /// ignored (Go would reject it). The value is reduced modulo `q`; a negative key is `−sk`.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let (negative, unsigned) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let value = parse_go_base0(unsigned)?;
        Self::from_scalar(if negative { -value } else { value })
    }

    /// The private scalar.
    pub fn secret(&self) -> &Fr {
        &self.secret
    }

    /// The private scalar as a canonical word (for the keygen output).
    pub fn secret_word(&self) -> U256 {
        fr_to_u256(&self.secret)
    }

    /// The public key as an arkworks point.
    pub fn public(&self) -> &G1Affine {
        &self.public
    }

    /// The public key as registered on chain: `(bytes32 pk.x, bytes32 pk.y)`.
    pub fn public_words(&self) -> PointWords {
        PointWords::from_affine(&self.public)
    }
}

impl fmt::Debug for SortitionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SortitionKey")
            .field("secret", &"[redacted]")
            .field("public", &self.public_words())
            .finish()
    }
}

/// Go's base-0 integer syntax (without sign), reduced modulo `q`.
fn parse_go_base0(text: &str) -> Result<Fr, KeyError> {
    let lower = text.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest, true)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest, true)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    // Underscores only between digits, or between the prefix and the first digit.
    let bytes = digits.as_bytes();
    let mut previous_is_digit = prefixed;
    let mut any_digit = false;
    let base = Fr::from(u64::from(radix));
    let mut value = Fr::zero();
    for (index, &byte) in bytes.iter().enumerate() {
        if byte == b'_' {
            let next_is_digit = bytes.get(index + 1).is_some_and(|b| *b != b'_');
            if !previous_is_digit || !next_is_digit {
                return Err(KeyError::Malformed);
            }
            previous_is_digit = false;
            continue;
        }
        let digit = char::from(byte)
            .to_digit(radix)
            .ok_or(KeyError::Malformed)?;
        value = value * base + Fr::from(u64::from(digit));
        previous_is_digit = true;
        any_digit = true;
    }
    if any_digit || lower == "0" {
        Ok(value)
    } else {
        Err(KeyError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SK1: &str = "0x01512de600a10a0aac01580dbfc080965b89ed2329a7b2bf538f4c7e09e34aa1";

    #[test]
    fn readme_key_has_the_reference_public_key() {
        let key = SortitionKey::parse(SK1).unwrap();
        let pk = key.public_words();
        assert_eq!(
            format!("{:#066x}", pk.x),
            "0x2d51b65f7aae9bc2f0c6bd1d3187ff94fbc1cb26a9daf490c8045a61c4fc50d2"
        );
        assert!(!format!("{key:?}").contains("1512de6"));
    }

    #[test]
    fn decimal_and_hex_forms_agree_and_keys_above_q_reduce() {
        let hex = SortitionKey::parse("0x1234").unwrap();
        let dec = SortitionKey::parse("4660").unwrap();
        assert_eq!(hex, dec);
        let big = SortitionKey::parse(
            "0xd49743deccbccc5dc7baa8e69e5be03298da8688a15dd202e20f15d5e0e9a9fb",
        )
        .unwrap();
        let reduced = SortitionKey::parse(
            "0x13060a1347f64bb6e679920c98567ebdf80ae566ba780fbdd2873f8620e9a9f7",
        )
        .unwrap();
        assert_eq!(big, reduced);
    }

    #[test]
    fn go_base0_forms_agree() {
        let want = SortitionKey::parse("4660").unwrap();
        for form in [
            "0x1234",
            "0X1234",
            "0x_12_34",
            "0b1001000110100",
            "0o11064",
            "011064",
            "4_660",
            "+4660",
        ] {
            assert_eq!(SortitionKey::parse(form), Ok(want.clone()), "{form}");
        }
        let minus_one = SortitionKey::parse("-1").unwrap();
        let q_minus_one = SortitionKey::parse(
            "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000",
        )
        .unwrap();
        assert_eq!(minus_one, q_minus_one);
        for bad in ["", "_1", "1_", "1__2", "0x", "0b2", "09", "12a", "-"] {
            assert_eq!(SortitionKey::parse(bad), Err(KeyError::Malformed), "{bad}");
        }
    }

    #[test]
    fn rejects_malformed_and_zero_keys() {
        assert_eq!(SortitionKey::parse("abc"), Err(KeyError::Malformed));
        assert_eq!(SortitionKey::parse("0xzz"), Err(KeyError::Malformed));
        assert_eq!(SortitionKey::parse("0x00"), Err(KeyError::Zero));
        assert_eq!(
            SortitionKey::parse(
                "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001"
            ),
            Err(KeyError::Zero)
        );
    }
}
