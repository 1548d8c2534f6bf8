//! Random numbers from WASI `random` (the host's secure source), or the OS outside a component.

/// Why no random bytes were available.
pub use getrandom::Error;

/// A uniformly random `u64`.
pub fn u64() -> Result<u64, Error> {
    getrandom::u64()
}

/// A uniformly random float in `[0, 1)` (53 random bits, like JavaScript's `Math.random`).
pub fn unit_f64() -> Result<f64, Error> {
    Ok(unit_from_bits(u64()?))
}

/// Maps 64 random bits to `[0, 1)`, keeping the top 53.
pub(crate) fn unit_from_bits(bits: u64) -> f64 {
    // 2^-53: the spacing of doubles in [0.5, 1).
    const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
    (bits >> 11) as f64 * SCALE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_from_bits_spans_zero_to_just_below_one() {
        assert_eq!(unit_from_bits(0), 0.0);
        let top = unit_from_bits(u64::MAX);
        assert!(top < 1.0 && top > 0.999_999_999, "{top}");
        assert_eq!(unit_from_bits(1 << 63), 0.5);
    }

    #[test]
    fn unit_f64_stays_in_range() {
        for _ in 0..1000 {
            let x = unit_f64().unwrap();
            assert!((0.0..1.0).contains(&x), "{x}");
        }
    }
}
