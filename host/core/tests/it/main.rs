//! Integration and property tests of `ftso-core`, one module per topic (one test binary).

mod fast_updates;
