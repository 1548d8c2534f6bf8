//! The crate's error type, classified with methods rather than string matching.

use std::path::PathBuf;

/// Why a plugin could not be loaded, or why one call into it yielded no values.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The component file could not be read.
    #[error("cannot read component {path}: {source}")]
    Read {
        /// The component file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The signature check refused the component.
    #[error("plugin {plugin}: {source}")]
    Signature {
        /// The plugin's name.
        plugin: String,
        /// Why the signature was refused.
        source: crate::signature::SignatureError,
    },
    /// The bytes are not a valid component, or it does not fit the `feed-plugin` world.
    #[error("plugin {plugin}: cannot compile or link the component: {reason}")]
    Compile {
        /// The plugin's name.
        plugin: String,
        /// The compiler's or linker's message.
        reason: String,
    },
    /// The plugin's `init` returned an error.
    #[error("plugin {plugin}: init refused: {reason}")]
    Init {
        /// The plugin's name.
        plugin: String,
        /// The message the plugin returned.
        reason: String,
    },
    /// The guest trapped (a panic, `unreachable`, an out-of-bounds access, or a host import that trapped).
    #[error("plugin {plugin}: trapped in {call}: {reason}")]
    Trap {
        /// The plugin's name.
        plugin: String,
        /// The export being called.
        call: &'static str,
        /// The trap's message.
        reason: String,
    },
    /// The call ran past its time budget and was interrupted.
    #[error("plugin {plugin}: {call} ran past its time budget of {budget:?}")]
    Timeout {
        /// The plugin's name.
        plugin: String,
        /// The export being called.
        call: &'static str,
        /// The configured budget.
        budget: std::time::Duration,
    },
    /// The instance tried to grow its memory beyond the configured cap.
    #[error("plugin {plugin}: {call} exceeded the memory limit of {limit_bytes} bytes")]
    MemoryExceeded {
        /// The plugin's name.
        plugin: String,
        /// The export being called.
        call: &'static str,
        /// The configured cap.
        limit_bytes: usize,
    },
    /// The plugin returned a malformed answer (e.g. the wrong number of entries).
    #[error("plugin {plugin}: {call} returned {got} entries for {expected} feeds")]
    BadAnswer {
        /// The plugin's name.
        plugin: String,
        /// The export being called.
        call: &'static str,
        /// Entries returned.
        got: usize,
        /// Entries expected.
        expected: usize,
    },
    /// The instance is down (failed earlier and waits for its backoff), or its worker has stopped.
    #[error("plugin {plugin} is unavailable: {reason}")]
    Unavailable {
        /// The plugin's name.
        plugin: String,
        /// Why.
        reason: String,
    },
}

impl PluginError {
    /// The guest trapped.
    pub fn is_trap(&self) -> bool {
        matches!(self, Self::Trap { .. })
    }

    /// The call ran past its time budget.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }

    /// The instance hit its memory cap.
    pub fn is_memory_exceeded(&self) -> bool {
        matches!(self, Self::MemoryExceeded { .. })
    }

    /// The instance is gone and must be recreated before it can serve again.
    pub fn kills_instance(&self) -> bool {
        matches!(
            self,
            Self::Trap { .. }
                | Self::Timeout { .. }
                | Self::MemoryExceeded { .. }
                | Self::Init { .. }
        )
    }

    /// The plugin could not be loaded at all (a reload keeps the old version).
    pub fn is_load_error(&self) -> bool {
        matches!(
            self,
            Self::Read { .. } | Self::Signature { .. } | Self::Compile { .. } | Self::Init { .. }
        )
    }

    /// A short label for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Read { .. } => "read",
            Self::Signature { .. } => "signature",
            Self::Compile { .. } => "compile",
            Self::Init { .. } => "init",
            Self::Trap { .. } => "trap",
            Self::Timeout { .. } => "timeout",
            Self::MemoryExceeded { .. } => "memory",
            Self::BadAnswer { .. } => "bad-answer",
            Self::Unavailable { .. } => "unavailable",
        }
    }
}
