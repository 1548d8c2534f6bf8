//! The scheduler → finalizer hand-off: each protocol message our node signs in submitSignatures is handed to the
//! finalizer in process (the reference's message listener, system-client §6.2), so a type-1 submission (signature
//! without the message) can still be finalized without waiting for another voter's type-0 submission.

use ftso_core::protocol_message::ProtocolMessageMerkleRoot;
use tokio::sync::mpsc;

/// How many signed messages may wait for the finalizer before the scheduler's hand-off starts dropping them
/// (with a WARN: the finalizer still sees the message in other voters' type-0 submissions).
pub const OWN_MESSAGES_CAPACITY: usize = 256;

/// The scheduler's end: `try_send` each message it signed.
pub type OwnMessageSender = mpsc::Sender<ProtocolMessageMerkleRoot>;

/// The finalizer's end.
pub type OwnMessageReceiver = mpsc::Receiver<ProtocolMessageMerkleRoot>;

/// A new hand-off channel.
pub fn own_messages() -> (OwnMessageSender, OwnMessageReceiver) {
    mpsc::channel(OWN_MESSAGES_CAPACITY)
}
