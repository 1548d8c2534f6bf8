//! Conformance with the reference implementations: every case of every vector file.
//!
//! Reads the vector directory from `FTSO_VECTORS_DIR`, or `../shared/vectors` beside the
//! repository. Every file listed in [`FILES`] must exist, and every element of every top-level
//! array in it (except input tables such as `pow10`) must be checked; the run prints how many
//! cases of each file were checked and exits non-zero on any failure.

mod commit;
mod fast_updates;
mod feed_ids;
mod fsp_signing;
mod harness;
mod median;
mod merkle;
mod relay_model;
mod round_results;
mod support;
mod value_encoding;

use harness::VectorFile;

/// A checker runs every case of one vector file through [`harness::Run`].
type Checker = fn(&VectorFile, &mut harness::Run);

/// Every vector file of the schema, with its checker. A missing file is a failure.
const FILES: &[(&str, Checker)] = &[
    ("commit.json", commit::check),
    ("fast-updates.json", fast_updates::check),
    ("feed-ids.json", feed_ids::check),
    ("fsp-signing.json", fsp_signing::check),
    ("median.json", median::check),
    ("merkle.json", merkle::check),
    ("round-results.json", round_results::check),
    ("value-encoding.json", value_encoding::check),
];

fn main() {
    std::process::exit(harness::run_all(FILES));
}
