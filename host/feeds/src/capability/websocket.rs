//! `websocket`: connections to allow-listed hosts. Each connection has a reader task that queues
//! incoming messages for the instance's worker (delivered through `on-message`) and a writer task
//! fed by `send`. Handles live in the instance's `ResourceTable`, so a plugin cannot forge one.

use std::sync::atomic::{AtomicU64, Ordering};

use futures::{SinkExt as _, StreamExt as _};
use tokio::{sync::mpsc, task::JoinHandle};
use tokio_tungstenite::tungstenite::{self, Message as WsMessage};
use wasmtime::component::Resource;

use crate::{
    bindings::websocket::{self, Error, Message},
    sandbox::PluginState,
    worker::Command,
};

/// Ids are unique for the life of the process.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Frames larger than this close the connection.
const MAX_MESSAGE_BYTES: usize = 16 << 20;

/// An open connection, owned by the instance's resource table.
#[derive(Debug)]
pub struct Connection {
    id: u64,
    outbound: Option<mpsc::UnboundedSender<WsMessage>>,
    reader: JoinHandle<()>,
    writer: JoinHandle<()>,
}

impl Connection {
    fn shut(&mut self) {
        if let Some(outbound) = self.outbound.take() {
            let _ = outbound.send(WsMessage::Close(None));
        }
        self.reader.abort();
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // The writer ends by itself once it has sent the close frame (its queue is closed).
        self.shut();
    }
}

fn to_ws(message: Message) -> WsMessage {
    match message {
        Message::Text(text) => WsMessage::Text(text.into()),
        Message::Binary(bytes) => WsMessage::Binary(bytes.into()),
    }
}

fn check_url(caps: &super::Capabilities, raw: &str) -> Result<url::Url, Error> {
    let url = url::Url::parse(raw).map_err(|e| Error::InvalidUrl(e.to_string()))?;
    if !matches!(url.scheme(), "ws" | "wss") {
        return Err(Error::InvalidUrl(format!(
            "scheme {:?} is not ws or wss",
            url.scheme()
        )));
    }
    if !caps.allow_list.allows(&url) {
        return Err(Error::AccessDenied);
    }
    if caps.websocket_open >= caps.websocket_max_connections {
        return Err(Error::LimitExceeded);
    }
    Ok(url)
}

impl websocket::Host for PluginState {
    fn connect(&mut self, url: String) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        let caps = &self.caps;
        let url = match check_url(caps, &url) {
            Ok(url) => url,
            Err(error) => {
                tracing::warn!(plugin = %caps.plugin, %url, ?error, "plugin websocket refused");
                return Ok(Err(error));
            }
        };
        let timeout = caps.http_timeout;
        let config = tungstenite::protocol::WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE_BYTES))
            .max_frame_size(Some(MAX_MESSAGE_BYTES));
        let handshake = caps.runtime.block_on(async move {
            tokio::time::timeout(
                timeout,
                tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), false),
            )
            .await
        });
        let stream = match handshake {
            Ok(Ok((stream, _response))) => stream,
            Ok(Err(error)) => return Ok(Err(Error::Other(error.to_string()))),
            Err(_) => return Ok(Err(Error::Other("handshake timed out".to_owned()))),
        };
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let (mut sink, mut source) = stream.split();
        let (outbound, mut queue) = mpsc::unbounded_channel::<WsMessage>();
        let _guard = caps.runtime.enter();
        let writer = tokio::spawn(async move {
            while let Some(message) = queue.recv().await {
                let closing = matches!(message, WsMessage::Close(_));
                if sink.send(message).await.is_err() || closing {
                    break;
                }
            }
            let _ = sink.close().await;
        });
        let events = caps.events.clone();
        let reader = tokio::spawn(async move {
            let reason = loop {
                match source.next().await {
                    Some(Ok(WsMessage::Text(text))) => {
                        let message = Message::Text(text.as_str().to_owned());
                        if events.send(Command::WsMessage { id, message }).is_err() {
                            return;
                        }
                    }
                    Some(Ok(WsMessage::Binary(bytes))) => {
                        let message = Message::Binary(bytes.to_vec());
                        if events.send(Command::WsMessage { id, message }).is_err() {
                            return;
                        }
                    }
                    Some(Ok(WsMessage::Close(frame))) => {
                        break frame.map_or_else(
                            || "closed by peer".to_owned(),
                            |f| format!("closed by peer: {} {}", u16::from(f.code), f.reason),
                        );
                    }
                    Some(Ok(_)) => {} // ping/pong/raw frames: tungstenite answers pings itself
                    Some(Err(error)) => break format!("error: {error}"),
                    None => break "connection ended".to_owned(),
                }
            };
            let _ = events.send(Command::WsClosed { id, reason });
        });
        drop(_guard);
        let connection = Connection {
            id,
            outbound: Some(outbound),
            reader,
            writer,
        };
        let handle = self.table.push(connection)?;
        self.caps.websocket_open += 1;
        self.caps
            .activity
            .opened(&self.caps.plugin, self.caps.websocket_open);
        tracing::debug!(plugin = %self.caps.plugin, id, "plugin websocket connected");
        Ok(Ok(handle))
    }
}

impl websocket::HostConnection for PluginState {
    fn id(&mut self, connection: Resource<Connection>) -> wasmtime::Result<u64> {
        Ok(self.table.get(&connection)?.id)
    }

    fn send(
        &mut self,
        connection: Resource<Connection>,
        message: Message,
    ) -> wasmtime::Result<Result<(), Error>> {
        let connection = self.table.get(&connection)?;
        let sent = match &connection.outbound {
            Some(outbound) if !connection.writer.is_finished() => {
                outbound.send(to_ws(message)).is_ok()
            }
            _ => false,
        };
        Ok(if sent { Ok(()) } else { Err(Error::Closed) })
    }

    fn close(&mut self, connection: Resource<Connection>) -> wasmtime::Result<()> {
        self.table.get_mut(&connection)?.shut();
        Ok(())
    }

    fn drop(&mut self, connection: Resource<Connection>) -> wasmtime::Result<()> {
        let connection = self.table.delete(connection)?;
        drop(connection);
        self.caps.websocket_open = self.caps.websocket_open.saturating_sub(1);
        self.caps
            .activity
            .set_open(&self.caps.plugin, self.caps.websocket_open);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capability::{AllowList, Capabilities};

    fn caps(open: usize) -> Capabilities {
        crate::install_crypto_provider();
        Capabilities {
            plugin: "t".into(),
            allow_list: AllowList::new(&["127.0.0.1:9000".to_owned()]),
            http: reqwest::Client::new(),
            http_timeout: std::time::Duration::from_secs(1),
            http_max_body_bytes: 0,
            websocket_max_connections: 2,
            websocket_open: open,
            runtime: tokio::runtime::Handle::current(),
            events: std::sync::mpsc::channel().0,
            log_budget: Default::default(),
            recent_logs: Default::default(),
            prices: Default::default(),
            activity: Default::default(),
        }
    }

    #[tokio::test]
    async fn connections_are_checked_against_scheme_allow_list_and_limit() {
        assert!(check_url(&caps(0), "ws://127.0.0.1:9000/").is_ok());
        assert!(check_url(&caps(1), "ws://127.0.0.1:9000/").is_ok());
        assert!(matches!(
            check_url(&caps(2), "ws://127.0.0.1:9000/"),
            Err(Error::LimitExceeded)
        ));
        assert!(matches!(
            check_url(&caps(0), "ws://127.0.0.1:9001/"),
            Err(Error::AccessDenied)
        ));
        assert!(matches!(
            check_url(&caps(0), "http://127.0.0.1:9000/"),
            Err(Error::InvalidUrl(_))
        ));
        assert!(matches!(
            check_url(&caps(0), "not a url"),
            Err(Error::InvalidUrl(_))
        ));
    }
}
