//! Frames as the connector sees them: text, or binary after the exchange's compression is
//! undone.

use std::io::Read as _;

use crate::Message;

/// How an exchange compresses its binary frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Frames are sent as they are.
    None,
    /// Binary frames are gzip streams (htx, bingx, coinex).
    Gzip,
    /// Binary frames are raw deflate streams (bitmart's compressed endpoint).
    Deflate,
}

/// A decoded frame: text (JSON for most exchanges) or binary (mexc's protobuf).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A text frame, or a compressed binary frame that decoded to UTF-8.
    Text(&'a str),
    /// A binary frame that is not text.
    Binary(&'a [u8]),
}

impl<'a> Frame<'a> {
    /// The text, if this is a text frame.
    pub fn text(self) -> Option<&'a str> {
        match self {
            Self::Text(text) => Some(text),
            Self::Binary(_) => None,
        }
    }
}

/// A frame's bytes after decompression, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// UTF-8 text.
    Text(String),
    /// Other bytes.
    Binary(Vec<u8>),
}

impl Decoded {
    /// Borrows it as a [`Frame`].
    pub fn as_frame(&self) -> Frame<'_> {
        match self {
            Self::Text(text) => Frame::Text(text),
            Self::Binary(bytes) => Frame::Binary(bytes),
        }
    }
}

/// Undoes `compression` on a binary message (text messages pass as they are); a binary result
/// that is valid UTF-8 becomes text.
pub fn decode(message: Message, compression: Compression) -> Result<Decoded, std::io::Error> {
    let bytes = match message {
        Message::Text(text) => return Ok(Decoded::Text(text)),
        Message::Binary(bytes) => bytes,
    };
    let bytes = match compression {
        Compression::None => bytes,
        Compression::Gzip => inflate(flate2::read::GzDecoder::new(bytes.as_slice()))?,
        Compression::Deflate => inflate(flate2::read::DeflateDecoder::new(bytes.as_slice()))?,
    };
    Ok(match String::from_utf8(bytes) {
        Ok(text) => Decoded::Text(text),
        Err(not_text) => Decoded::Binary(not_text.into_bytes()),
    })
}

/// Frames above this size after decompression are refused (a decompression bomb).
const MAX_DECODED_BYTES: u64 = 16 << 20;

fn inflate(reader: impl std::io::Read) -> Result<Vec<u8>, std::io::Error> {
    let mut out = Vec::new();
    reader.take(MAX_DECODED_BYTES + 1).read_to_end(&mut out)?;
    if out.len() as u64 > MAX_DECODED_BYTES {
        return Err(std::io::Error::other("decompressed frame too large"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    #[test]
    fn gzip_and_deflate_frames_decode_to_text() {
        let text = r#"{"ping":1700000000000}"#;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(text.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(
            decode(Message::Binary(gz), Compression::Gzip).unwrap(),
            Decoded::Text(text.into())
        );
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        raw.write_all(text.as_bytes()).unwrap();
        let raw = raw.finish().unwrap();
        assert_eq!(
            decode(Message::Binary(raw), Compression::Deflate).unwrap(),
            Decoded::Text(text.into())
        );
    }

    #[test]
    fn text_passes_and_binary_stays_binary() {
        assert_eq!(
            decode(Message::Text("pong".into()), Compression::Gzip).unwrap(),
            Decoded::Text("pong".into())
        );
        assert_eq!(
            decode(Message::Binary(vec![0xff, 0x00]), Compression::None).unwrap(),
            Decoded::Binary(vec![0xff, 0x00])
        );
        assert!(decode(Message::Binary(vec![1, 2, 3]), Compression::Gzip).is_err());
    }
}
