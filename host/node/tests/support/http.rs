//! Plain HTTP/1.x over a TCP stream: enough to read the node's admin and REST servers with no client library.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

/// How long a request may wait for its answer.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// `GET path` on `addr`: the status code and the body; `None` while the server is not there.
pub fn get(addr: &str, path: &str) -> Option<(u16, String)> {
    request(
        addr,
        &format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n"),
    )
}

/// The body of `GET path` when the answer is 200; `None` otherwise.
pub fn get_ok(addr: &str, path: &str) -> Option<String> {
    get(addr, path).and_then(|(code, body)| (code == 200).then_some(body))
}

/// `POST path` of a JSON `body`: the status code and the body of the answer.
pub fn post_json(addr: &str, path: &str, body: &str) -> Option<(u16, String)> {
    request(
        addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

/// Sends `raw` and reads the answer to its end.
fn request(addr: &str, raw: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(READ_TIMEOUT)).ok()?;
    stream.write_all(raw.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    let code = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((code, body.to_owned()))
}
