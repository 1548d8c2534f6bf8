//! The host's only `wasmtime::component::bindgen!`: the `feed-plugin` world of `wit/`.
//!
//! Every import returns `wasmtime::Result<..>` ("trappable"): an `Err` is a host bug or a
//! misbehaving guest and traps the instance; errors meant for the plugin are the inner `Result`.

#![allow(missing_docs, reason = "generated code")]
#![allow(missing_debug_implementations, reason = "generated code")]

wasmtime::component::bindgen!({
    world: "feed-plugin",
    path: "../../wit",
    imports: { default: trappable },
    with: {
        "flare:feeds/websocket.connection": crate::capability::websocket::Connection,
    },
});

pub use exports::flare::feeds::provider;
pub use flare::feeds::{clock, http, log, trades, types, websocket};
