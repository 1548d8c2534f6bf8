//! A websocket subscription that stays subscribed: connects, sends its subscribe messages,
//! pings, and after a close reconnects with exponential backoff and subscribes again.
//!
//! The host opens connections only to hosts on the plugin's `allowed_hosts`, delivers their
//! messages to [`Plugin::on_message`](crate::Plugin::on_message) and reports closes to
//! [`Plugin::on_close`](crate::Plugin::on_close). Drive a [`Subscription`] from those and from
//! [`Plugin::tick`](crate::Plugin::tick):
//!
//! ```no_run
//! use ftso_plugin_sdk::prelude::*;
//! use ftso_plugin_sdk::ws::Subscription;
//!
//! struct Trades { feed: Subscription, last: Option<Observation> }
//!
//! impl Default for Trades {
//!     fn default() -> Self {
//!         let feed = Subscription::new("wss://stream.example.com/ws")
//!             .subscribe_with([Message::Text(r#"{"op":"subscribe","args":["BTC-USDT"]}"#.into())])
//!             .ping_every(20_000, Message::Text("ping".into()));
//!         Self { feed, last: None }
//!     }
//! }
//!
//! impl Plugin for Trades {
//!     fn tick(&mut self) { self.feed.tick(clock::now_ms()); }
//!     fn on_close(&mut self, id: u64, reason: String) { self.feed.on_close(id, &reason, clock::now_ms()); }
//!     fn on_message(&mut self, id: u64, message: Message) {
//!         if self.feed.owns(id) { /* parse the trade into self.last */ }
//!     }
//!     fn values(&mut self, feeds: &[FeedId], _round: Option<u32>) -> Vec<Option<Observation>> {
//!         feeds.iter().map(|_| self.last.clone()).collect()
//!     }
//! }
//! ```

use crate::Message;
pub use crate::bindings::flare::feeds::websocket::{Connection, Error};

/// Opens websocket connections. [`Host`] is the real one; tests substitute their own.
pub trait Transport {
    /// An open connection; dropping it closes it.
    type Connection: Link;
    /// Opens a connection to `url` and waits for the handshake.
    fn connect(&mut self, url: &str) -> Result<Self::Connection, Error>;
}

/// What a [`Subscription`] needs from an open connection.
pub trait Link {
    /// The id under which the host reports this connection's messages and close.
    fn id(&self) -> u64;
    /// Queues a message for sending.
    fn send(&self, message: Message) -> Result<(), Error>;
}

/// Connections opened by the host through the `websocket` capability.
#[derive(Debug, Default, Clone, Copy)]
pub struct Host;

impl Transport for Host {
    type Connection = Connection;

    fn connect(&mut self, url: &str) -> Result<Connection, Error> {
        connect(url)
    }
}

impl Link for Connection {
    fn id(&self) -> u64 {
        Connection::id(self)
    }
    fn send(&self, message: Message) -> Result<(), Error> {
        Connection::send(self, &message)
    }
}

/// Opens a connection through the host and waits for the handshake. Fails with
/// `access-denied`, `invalid-url`, `limit-exceeded` or `other`; outside a component it always
/// fails with `other`.
pub fn connect(url: &str) -> Result<Connection, Error> {
    #[cfg(target_arch = "wasm32")]
    {
        crate::bindings::flare::feeds::websocket::connect(url)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = url;
        Err(Error::Other(
            "websockets are only available inside a component".into(),
        ))
    }
}

/// Exponential reconnect backoff: `initial_ms`, doubled after each failure up to `max_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Wait before the first retry.
    pub initial_ms: u64,
    /// Longest wait between retries.
    pub max_ms: u64,
    /// A connection that stayed open this long resets the backoff when it closes.
    pub stable_after_ms: u64,
}

impl Default for Backoff {
    /// 1 s, doubling up to 60 s; reset after 30 s of uptime.
    fn default() -> Self {
        Self {
            initial_ms: 1_000,
            max_ms: 60_000,
            stable_after_ms: 30_000,
        }
    }
}

impl Backoff {
    /// The wait before retry number `failures` (1 = the first retry after a failure).
    pub fn delay_ms(&self, failures: u32) -> u64 {
        if failures == 0 {
            return 0;
        }
        let doublings = (failures - 1).min(63);
        self.initial_ms
            .saturating_mul(1u64 << doublings)
            .min(self.max_ms)
    }
}

/// What [`Subscription::tick`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum TickOutcome {
    /// Connected and up; nothing to do.
    Idle,
    /// Waiting for the backoff to pass before reconnecting.
    Waiting,
    /// Connected and sent the subscribe messages; the value is the connection id.
    Connected(u64),
    /// Sent a ping.
    Pinged,
    /// A connect or send failed; a retry is scheduled after the backoff.
    Failed(Error),
}

/// One websocket endpoint kept subscribed. See the [module docs](self) for an example.
#[derive(Debug)]
pub struct Subscription<T: Transport = Host> {
    url: String,
    subscribe: Vec<Message>,
    ping: Option<(u64, Message)>,
    backoff: Backoff,
    transport: T,
    connection: Option<T::Connection>,
    connected_at_ms: u64,
    last_ping_ms: u64,
    failures: u32,
    next_attempt_ms: u64,
}

impl Subscription<Host> {
    /// A subscription to `url` through the host; it connects on the first [`tick`](Self::tick).
    pub fn new(url: impl Into<String>) -> Self {
        Self::with_transport(url, Host)
    }
}

impl<T: Transport> Subscription<T> {
    /// A subscription to `url` through `transport`.
    pub fn with_transport(url: impl Into<String>, transport: T) -> Self {
        Self {
            url: url.into(),
            subscribe: Vec::new(),
            ping: None,
            backoff: Backoff::default(),
            transport,
            connection: None,
            connected_at_ms: 0,
            last_ping_ms: 0,
            failures: 0,
            next_attempt_ms: 0,
        }
    }

    /// Messages sent, in order, after every (re)connect.
    pub fn subscribe_with(mut self, messages: impl IntoIterator<Item = Message>) -> Self {
        self.subscribe = messages.into_iter().collect();
        self
    }

    /// Replaces the messages sent after every (re)connect.
    pub fn set_subscribe(&mut self, messages: impl IntoIterator<Item = Message>) {
        self.subscribe = messages.into_iter().collect();
    }

    /// Sends `message` every `interval_ms` while connected (for venues that drop quiet clients).
    pub fn ping_every(mut self, interval_ms: u64, message: Message) -> Self {
        self.ping = Some((interval_ms.max(1), message));
        self
    }

    /// Replaces the default [`Backoff`].
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The endpoint.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The id of the open connection, if any.
    pub fn connection_id(&self) -> Option<u64> {
        self.connection.as_ref().map(Link::id)
    }

    /// Whether connection `id` (from `on_message` / `on_close`) is this subscription's.
    pub fn owns(&self, id: u64) -> bool {
        self.connection_id() == Some(id)
    }

    /// Connect failures since the last stable connection.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Changes the endpoint used by the next connect (a per-connection token, say).
    pub fn set_url(&mut self, url: impl Into<String>) {
        self.url = url.into();
    }

    /// Whether the next [`tick`](Self::tick) would try to connect: disconnected and the
    /// backoff has passed.
    pub fn connect_due(&self, now_ms: u64) -> bool {
        self.connection.is_none() && now_ms >= self.next_attempt_ms
    }

    /// Counts a failure that happened before connecting (a failed handshake request) and
    /// schedules the next attempt after the backoff.
    pub fn defer(&mut self, now_ms: u64) {
        self.schedule_retry(now_ms);
    }

    /// Drops the open connection (which closes it) and schedules a reconnect after the
    /// backoff: for a connection found dead or stuck.
    pub fn reconnect(&mut self, now_ms: u64) {
        if self.connection.take().is_some() {
            if now_ms.saturating_sub(self.connected_at_ms) >= self.backoff.stable_after_ms {
                self.failures = 0;
            }
            self.schedule_retry(now_ms);
        }
    }

    /// Call from `tick`: connects and subscribes when disconnected and the backoff has passed,
    /// pings when a ping is due.
    pub fn tick(&mut self, now_ms: u64) -> TickOutcome {
        if self.connection.is_some() {
            return self.ping_if_due(now_ms);
        }
        if now_ms < self.next_attempt_ms {
            return TickOutcome::Waiting;
        }
        match self.open() {
            Ok(connection) => {
                let id = connection.id();
                self.connection = Some(connection);
                self.connected_at_ms = now_ms;
                self.last_ping_ms = now_ms;
                TickOutcome::Connected(id)
            }
            Err(error) => {
                self.schedule_retry(now_ms);
                TickOutcome::Failed(error)
            }
        }
    }

    /// Call from `on_close`: when `id` is this subscription's, forgets the connection and
    /// schedules a reconnect; returns whether it was.
    pub fn on_close(&mut self, id: u64, reason: &str, now_ms: u64) -> bool {
        if !self.owns(id) {
            return false;
        }
        let _ = reason;
        self.connection = None;
        if now_ms.saturating_sub(self.connected_at_ms) >= self.backoff.stable_after_ms {
            self.failures = 0;
        }
        self.schedule_retry(now_ms);
        true
    }

    /// Sends a message on the open connection; on failure the connection is dropped and a
    /// reconnect scheduled.
    pub fn send(&mut self, message: Message, now_ms: u64) -> Result<(), Error> {
        let Some(connection) = &self.connection else {
            return Err(Error::Closed);
        };
        let sent = connection.send(message);
        if sent.is_err() {
            self.connection = None;
            self.schedule_retry(now_ms);
        }
        sent
    }

    fn open(&mut self) -> Result<T::Connection, Error> {
        let connection = self.transport.connect(&self.url)?;
        for message in &self.subscribe {
            connection.send(message.clone())?;
        }
        Ok(connection)
    }

    fn ping_if_due(&mut self, now_ms: u64) -> TickOutcome {
        let Some((interval_ms, message)) = &self.ping else {
            return TickOutcome::Idle;
        };
        if now_ms.saturating_sub(self.last_ping_ms) < *interval_ms {
            return TickOutcome::Idle;
        }
        let message = message.clone();
        self.last_ping_ms = now_ms;
        match self.send(message, now_ms) {
            Ok(()) => TickOutcome::Pinged,
            Err(error) => TickOutcome::Failed(error),
        }
    }

    fn schedule_retry(&mut self, now_ms: u64) {
        self.failures = self.failures.saturating_add(1);
        self.next_attempt_ms = now_ms.saturating_add(self.backoff.delay_ms(self.failures));
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::rc::Rc;

    use super::*;

    /// Records every send; connect answers come from a queue (Ok = next id).
    #[derive(Default, Clone)]
    struct Fake {
        connects: Rc<RefCell<VecDeque<Result<u64, Error>>>>,
        sent: Rc<RefCell<Vec<(u64, Message)>>>,
        fail_sends: Rc<RefCell<bool>>,
    }

    struct FakeLink {
        id: u64,
        fake: Fake,
    }

    impl Transport for Fake {
        type Connection = FakeLink;
        fn connect(&mut self, _url: &str) -> Result<FakeLink, Error> {
            let next = self
                .connects
                .borrow_mut()
                .pop_front()
                .unwrap_or(Err(Error::Other("no more scripted connects".into())));
            next.map(|id| FakeLink {
                id,
                fake: self.clone(),
            })
        }
    }

    impl Link for FakeLink {
        fn id(&self) -> u64 {
            self.id
        }
        fn send(&self, message: Message) -> Result<(), Error> {
            if *self.fake.fail_sends.borrow() {
                return Err(Error::Closed);
            }
            self.fake.sent.borrow_mut().push((self.id, message));
            Ok(())
        }
    }

    fn text(s: &str) -> Message {
        Message::Text(s.into())
    }

    fn subscription(fake: &Fake) -> Subscription<Fake> {
        Subscription::with_transport("wss://venue.test/ws", fake.clone())
            .subscribe_with([text("sub-a"), text("sub-b")])
            .ping_every(10_000, text("ping"))
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let backoff = Backoff::default();
        let delays: Vec<u64> = (0..9).map(|n| backoff.delay_ms(n)).collect();
        assert_eq!(
            delays,
            [
                0, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000
            ]
        );
        assert_eq!(backoff.delay_ms(u32::MAX), 60_000);
    }

    #[test]
    fn first_tick_connects_and_sends_subscribe_messages_in_order() {
        let fake = Fake::default();
        fake.connects.borrow_mut().push_back(Ok(7));
        let mut sub = subscription(&fake);
        assert_eq!(sub.tick(0), TickOutcome::Connected(7));
        assert!(sub.owns(7) && !sub.owns(8));
        assert_eq!(
            *fake.sent.borrow(),
            vec![(7, text("sub-a")), (7, text("sub-b"))]
        );
    }

    #[test]
    fn pings_only_when_the_interval_has_passed() {
        let fake = Fake::default();
        fake.connects.borrow_mut().push_back(Ok(1));
        let mut sub = subscription(&fake);
        sub.tick(1_000);
        assert_eq!(sub.tick(10_999), TickOutcome::Idle);
        assert_eq!(sub.tick(11_000), TickOutcome::Pinged);
        assert_eq!(sub.tick(12_000), TickOutcome::Idle);
        assert_eq!(fake.sent.borrow().last(), Some(&(1, text("ping"))));
    }

    #[test]
    fn failed_connects_back_off_exponentially() {
        let fake = Fake::default();
        fake.connects.borrow_mut().extend([
            Err(Error::AccessDenied),
            Err(Error::Other("refused".into())),
            Ok(3),
        ]);
        let mut sub = subscription(&fake);
        assert_eq!(sub.tick(0), TickOutcome::Failed(Error::AccessDenied));
        assert_eq!(sub.tick(999), TickOutcome::Waiting);
        assert_eq!(
            sub.tick(1_000),
            TickOutcome::Failed(Error::Other("refused".into()))
        );
        assert_eq!(sub.tick(2_999), TickOutcome::Waiting);
        assert_eq!(sub.tick(3_000), TickOutcome::Connected(3));
    }

    #[test]
    fn close_of_own_connection_resubscribes_after_backoff() {
        let fake = Fake::default();
        fake.connects.borrow_mut().extend([Ok(1), Ok(2)]);
        let mut sub = subscription(&fake);
        sub.tick(0);
        assert!(!sub.on_close(99, "someone else's", 500));
        assert!(sub.on_close(1, "peer went away", 500));
        assert_eq!(sub.connection_id(), None);
        assert_eq!(sub.tick(1_499), TickOutcome::Waiting);
        assert_eq!(sub.tick(1_500), TickOutcome::Connected(2));
        let resent: Vec<_> = fake
            .sent
            .borrow()
            .iter()
            .filter(|(id, _)| *id == 2)
            .cloned()
            .collect();
        assert_eq!(resent, vec![(2, text("sub-a")), (2, text("sub-b"))]);
    }

    #[test]
    fn a_stable_connection_resets_the_backoff() {
        let fake = Fake::default();
        fake.connects
            .borrow_mut()
            .extend([Err(Error::Closed), Err(Error::Closed), Ok(1)]);
        let mut sub = subscription(&fake);
        sub.tick(0);
        sub.tick(1_000);
        sub.tick(3_000);
        assert_eq!(sub.failures(), 2);
        assert!(sub.on_close(1, "bye", 3_000 + 30_000));
        assert_eq!(sub.failures(), 1, "reset, then this close counts once");
    }

    #[test]
    fn failed_send_drops_the_connection_and_schedules_a_reconnect() {
        let fake = Fake::default();
        fake.connects.borrow_mut().push_back(Ok(5));
        let mut sub = subscription(&fake);
        sub.tick(0);
        *fake.fail_sends.borrow_mut() = true;
        assert_eq!(sub.tick(10_000), TickOutcome::Failed(Error::Closed));
        assert_eq!(sub.connection_id(), None);
        assert_eq!(sub.tick(10_500), TickOutcome::Waiting);
    }

    #[test]
    fn forced_reconnect_closes_and_resubscribes_after_backoff() {
        let fake = Fake::default();
        fake.connects.borrow_mut().extend([Ok(1), Ok(2)]);
        let mut sub = subscription(&fake);
        sub.tick(0);
        sub.reconnect(40_000);
        assert_eq!(sub.connection_id(), None);
        assert!(!sub.connect_due(40_999));
        assert!(sub.connect_due(41_000));
        sub.set_url("wss://venue.test/ws?token=2");
        assert_eq!(sub.tick(41_000), TickOutcome::Connected(2));
        assert_eq!(sub.url(), "wss://venue.test/ws?token=2");
        sub.defer(41_000);
        assert_eq!(sub.failures(), 2);
    }

    #[test]
    fn host_transport_is_unavailable_outside_a_component() {
        let mut sub = Subscription::new("wss://venue.test/ws");
        assert!(
            matches!(sub.tick(0), TickOutcome::Failed(Error::Other(m)) if m.contains("only available"))
        );
    }
}
