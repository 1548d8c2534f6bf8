//! Dev-only helpers shared by the host crates' tests.
//!
//! [`wasm_component`] builds a plugin or test component of this workspace for `wasm32-wasip2`
//! and returns the path of the component file, so host tests load the real thing:
//!
//! ```no_run
//! let fixed = ftso_testkit::wasm_component("ftso-plugin-fixed")?;
//! assert!(fixed.ends_with("ftso_plugin_fixed.wasm"));
//! # anyhow::Ok(())
//! ```
//!
//! [`LoopbackExchange`] stands in for an exchange's websocket API on loopback, replaying a
//! fixture file per exchange (`fixtures/exchanges/`), for the connector plugins' tests.

mod component;
pub mod exchange;

pub use exchange::{Fixture, LoopbackExchange};

pub use component::{WASM_TARGET, component_path, wasm_component, wasm_components, workspace_root};
