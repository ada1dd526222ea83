//! An incremental server-sent events decoder, as the WHATWG HTML standard (9.2.6) parses
//! `text/event-stream`: any line ending (CRLF, LF, CR, even split across reads), a leading
//! BOM, comments, `event`/`data`/`id`/`retry` fields, multi-line data, and UTF-8 decoded
//! with replacement. Only complete lines are decoded, so a character split across network
//! chunks is never broken. Memory is bounded: an event or line larger than the limit is an
//! error, not a growing buffer.
//!
//! Most events are one `data:` line; their data is handed out as a slice of the read
//! buffer, without a copy.
//!
//! ```
//! use mistral_sdk::sse::SseDecoder;
//!
//! let mut decoder = SseDecoder::new();
//! decoder.feed(b": keep-alive\r\nevent: update\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\ndata: [DO");
//! let event = decoder.next_event().unwrap().unwrap();
//! assert_eq!((event.event, event.data), ("update", "{\"a\":\n1}"));
//! assert!(decoder.next_event().unwrap().is_none()); // the rest is not complete yet
//! decoder.feed(b"NE]\n\n");
//! assert_eq!(decoder.next_event().unwrap().unwrap().data, "[DONE]");
//! ```

/// The default bound on one event (and one line): 16 MiB.
pub const DEFAULT_MAX_EVENT_BYTES: usize = 16 * 1024 * 1024;

/// One dispatched event. Borrowed from the decoder until the next call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event<'a> {
    /// The `event:` type, `"message"` when none was given.
    pub event: &'a str,
    /// The data lines joined by `\n`.
    pub data: &'a str,
    /// The last event id seen in the stream, if any.
    pub id: Option<&'a str>,
    /// A `retry:` value (milliseconds) given in this event, if any.
    pub retry: Option<u64>,
}

/// The decoder gave up on the stream.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("server-sent event larger than {limit} bytes")]
pub struct TooLarge {
    /// The limit that was passed.
    pub limit: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Data {
    /// No data line yet.
    Empty,
    /// One data line, still in `buf` at this range.
    Line(usize, usize),
    /// Several lines (or one moved out of `buf`), in `data`.
    Owned,
}

/// An incremental `text/event-stream` decoder. Feed it bytes, take events out.
#[derive(Debug)]
pub struct SseDecoder {
    buf: Vec<u8>,
    pos: usize,
    data: Data,
    owned: String,
    event: String,
    id: Option<String>,
    retry: Option<u64>,
    dispatched: bool,
    skip_lf: bool,
    bom_checked: bool,
    max: usize,
}

impl Default for SseDecoder {
    fn default() -> Self {
        SseDecoder::new()
    }
}

impl SseDecoder {
    /// A decoder with the default bound ([`DEFAULT_MAX_EVENT_BYTES`]).
    pub fn new() -> SseDecoder {
        SseDecoder::with_max_event_bytes(DEFAULT_MAX_EVENT_BYTES)
    }

    /// A decoder that fails on an event or line larger than `max` bytes.
    pub fn with_max_event_bytes(max: usize) -> SseDecoder {
        SseDecoder {
            buf: Vec::new(),
            pos: 0,
            data: Data::Empty,
            owned: String::new(),
            event: String::new(),
            id: None,
            retry: None,
            dispatched: false,
            skip_lf: false,
            bom_checked: false,
            max,
        }
    }

    /// Adds bytes read from the stream.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.reset_if_dispatched();
        if let Data::Line(a, b) = self.data {
            // The buffer is about to move: keep the pending line.
            self.owned.clear();
            self.owned.push_str(&String::from_utf8_lossy(&self.buf[a..b]));
            self.data = Data::Owned;
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes fed but not yet parsed into complete lines.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn reset_if_dispatched(&mut self) {
        if self.dispatched {
            self.dispatched = false;
            self.data = Data::Empty;
            self.owned.clear();
            self.event.clear();
            self.retry = None;
        }
    }

    /// The next complete event, `Ok(None)` when more bytes are needed.
    pub fn next_event(&mut self) -> Result<Option<Event<'_>>, TooLarge> {
        self.reset_if_dispatched();
        loop {
            if !self.bom_checked {
                let rest = &self.buf[self.pos..];
                const BOM: &[u8] = b"\xEF\xBB\xBF";
                if rest.len() < BOM.len() && BOM.starts_with(rest) {
                    return Ok(None);
                }
                if rest.starts_with(BOM) {
                    self.pos += BOM.len();
                }
                self.bom_checked = true;
            }
            if self.skip_lf {
                match self.buf.get(self.pos) {
                    None => return Ok(None),
                    Some(b'\n') => self.pos += 1,
                    Some(_) => {}
                }
                self.skip_lf = false;
            }
            let rest = &self.buf[self.pos..];
            let Some(len) = memchr::memchr2(b'\n', b'\r', rest) else {
                if rest.len() > self.max {
                    return Err(TooLarge { limit: self.max });
                }
                return Ok(None);
            };
            let (start, end) = (self.pos, self.pos + len);
            self.pos = end + 1;
            if self.buf[end] == b'\r' {
                self.skip_lf = true;
            }
            if start == end {
                if self.data == Data::Empty {
                    self.event.clear();
                    self.retry = None;
                    continue;
                }
                self.dispatched = true;
                return Ok(Some(self.event_out()));
            }
            self.field(start, end)?;
        }
    }

    fn field(&mut self, start: usize, end: usize) -> Result<(), TooLarge> {
        let line = &self.buf[start..end];
        if line[0] == b':' {
            return Ok(());
        }
        let (name, value_start) = match memchr::memchr(b':', line) {
            Some(colon) => {
                let v = start + colon + 1;
                let v = if self.buf.get(v) == Some(&b' ') && v < end { v + 1 } else { v };
                (&line[..colon], v)
            }
            None => (line, end),
        };
        match name {
            b"data" => {
                let pending = match self.data {
                    Data::Empty => 0,
                    Data::Line(a, b) => b - a,
                    Data::Owned => self.owned.len(),
                };
                if pending + (end - value_start) > self.max {
                    return Err(TooLarge { limit: self.max });
                }
                match self.data {
                    Data::Empty => self.data = Data::Line(value_start, end),
                    Data::Line(a, b) => {
                        self.owned.clear();
                        self.owned.push_str(&String::from_utf8_lossy(&self.buf[a..b]));
                        self.owned.push('\n');
                        self.owned.push_str(&String::from_utf8_lossy(&self.buf[value_start..end]));
                        self.data = Data::Owned;
                    }
                    Data::Owned => {
                        self.owned.push('\n');
                        self.owned.push_str(&String::from_utf8_lossy(&self.buf[value_start..end]));
                    }
                }
            }
            b"event" => {
                self.event.clear();
                self.event.push_str(&String::from_utf8_lossy(&self.buf[value_start..end]));
            }
            b"id" => {
                let value = &self.buf[value_start..end];
                if !value.contains(&0) {
                    self.id = Some(String::from_utf8_lossy(value).into_owned());
                }
            }
            b"retry" => {
                let value = &self.buf[value_start..end];
                if !value.is_empty() && value.iter().all(u8::is_ascii_digit) {
                    self.retry = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok());
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn event_out(&mut self) -> Event<'_> {
        let event = if self.event.is_empty() { "message" } else { self.event.as_str() };
        if let Data::Line(a, b) = self.data {
            // One UTF-8 check per event: the common, valid case is handed out in place.
            if let Ok(data) = std::str::from_utf8(&self.buf[a..b]) {
                return Event { event, data, id: self.id.as_deref(), retry: self.retry };
            }
            self.owned = String::from_utf8_lossy(&self.buf[a..b]).into_owned();
            self.data = Data::Owned;
        }
        Event { event, data: self.owned.as_str(), id: self.id.as_deref(), retry: self.retry }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every event of `input` fed in pieces of `size` bytes, as (event, data, id).
    fn events(input: &[u8], size: usize) -> Vec<(String, String, Option<String>)> {
        let mut d = SseDecoder::new();
        let mut out = Vec::new();
        for piece in input.chunks(size.max(1)) {
            d.feed(piece);
            while let Some(e) = d.next_event().unwrap() {
                out.push((e.event.to_string(), e.data.to_string(), e.id.map(str::to_string)));
            }
        }
        out
    }

    fn ev(event: &str, data: &str, id: Option<&str>) -> (String, String, Option<String>) {
        (event.into(), data.into(), id.map(Into::into))
    }

    #[test]
    fn whatwg_fields_and_line_endings() {
        let input = "\u{FEFF}: comment\r\nretry: 1000\rid: 7\nevent: ping\ndata\n\ndata:no-space\r\n\r\ndata:  two spaces\ndata: second\n\nid\ndata: x\n\n";
        for size in [1, 2, 3, 7, 100] {
            assert_eq!(
                events(input.as_bytes(), size),
                vec![
                    ev("ping", "", Some("7")),
                    ev("message", "no-space", Some("7")),
                    ev("message", " two spaces\nsecond", Some("7")),
                    ev("message", "x", Some("")),
                ],
                "size {size}"
            );
        }
    }

    #[test]
    fn events_without_data_are_not_dispatched_and_reset_the_type() {
        assert_eq!(events(b"event: a\n\ndata: b\n\n", 1), vec![ev("message", "b", None)]);
    }

    #[test]
    fn incomplete_event_at_eof_is_not_dispatched() {
        assert_eq!(events(b"data: a\n\ndata: b\n", 4), vec![ev("message", "a", None)]);
    }

    #[test]
    fn utf8_split_and_invalid() {
        let input = "data: héllo 🌍\n\n".as_bytes();
        assert_eq!(events(input, 1), vec![ev("message", "héllo 🌍", None)]);
        assert_eq!(events(b"data: a\xFFb\n\n", 1), vec![ev("message", "a\u{FFFD}b", None)]);
    }

    #[test]
    fn cr_at_chunk_boundary_then_lf() {
        let mut d = SseDecoder::new();
        d.feed(b"data: a\r");
        assert!(d.next_event().unwrap().is_none());
        d.feed(b"\n\r\n");
        assert_eq!(d.next_event().unwrap().unwrap().data, "a");
        assert!(d.next_event().unwrap().is_none());
    }

    #[test]
    fn bounded_memory() {
        let mut d = SseDecoder::with_max_event_bytes(10);
        d.feed(b"data: 0123456789abc");
        assert_eq!(d.next_event(), Err(TooLarge { limit: 10 }));
        let mut d = SseDecoder::with_max_event_bytes(10);
        d.feed(b"data: 012345\ndata: 6789ab\n");
        assert_eq!(d.next_event(), Err(TooLarge { limit: 10 }));
    }
}
