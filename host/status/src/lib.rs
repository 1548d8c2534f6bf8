//! The node's live status page: one self-contained HTML page (`GET /status`, inline CSS, JS and SVG; nothing
//! fetched from elsewhere) that polls `GET /api/status` every few seconds.
//!
//! ```text
//! config (entity addresses, roles) ─┐
//! indexer DB (ChainReader) ─────────┼─► StatusSource::snapshot ──► model::Status ──► GET /api/status (JSON)
//! feed plugins (Registry) ──────────┤                                                GET /status (the page)
//! metrics text (fast updates) ──────┘
//! ```
//!
//! * [`model`]: the JSON document;
//! * [`entity`]: the entity's addresses from the node's config (keys loaded for their address only);
//! * [`source`]: [`StatusSource`], made of the parts the node already has;
//! * [`router`]: the two routes, merged into the node's admin server.
//!
//! The rounds and registration are read with the data provider's readers (`ftso_data_provider::chain`,
//! `::round`), never a second copy of them.

pub mod entity;
pub mod model;
mod registration;
mod rounds;
pub mod router;
pub mod source;

pub use entity::entity_addresses;
pub use router::router;
pub use source::{ChainParts, Clock, MetricsText, StatusParts, StatusSource};

/// A feed id as the page names it: `category/name` when it decodes, else its hex.
fn feed_label(id: &ftso_core::feed::FeedId) -> String {
    match id.category_and_name() {
        Ok((category, name)) => format!("{category}/{name}"),
        Err(_) => id.to_string(),
    }
}
