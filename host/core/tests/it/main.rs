//! Integration and property tests of `ftso-core`, one module per topic (one test binary).
//!
//! Round trips and invariants run proptest's default number of cases; the fuzz-style tests
//! (arbitrary bytes into decoders) run [`fuzz_cases`], which `PROPTEST_CASES` overrides:
//! `PROPTEST_CASES=200000 cargo test -p ftso-core --test it --release`.

mod fast_updates;
mod feed;
mod fsp;
mod median;
mod merkle;
mod payload;
mod reveal;
mod round;
mod value;

use proptest::test_runner::Config;

/// Default number of cases of each fuzz-style test (a few seconds in a debug build).
const DEFAULT_FUZZ_CASES: u32 = 2_000;

/// Cases for fuzz-style tests: `PROPTEST_CASES` if set, else [`DEFAULT_FUZZ_CASES`].
pub fn fuzz_cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_FUZZ_CASES)
}

/// Proptest configuration for fuzz-style tests.
pub fn fuzz_config() -> Config {
    Config::with_cases(fuzz_cases())
}
