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

/// Where a pending data line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Src {
    Buf,
    Chunk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Data {
    /// No data line yet.
    Empty,
    /// One data line, still in `buf` or `chunk` at this range.
    Line(Src, usize, usize),
    /// Several lines (or one moved out of its buffer), in `data`.
    Owned,
}

/// An incremental `text/event-stream` decoder. Feed it bytes, take events out.
///
/// Bytes given with [`SseDecoder::feed_bytes`] are parsed where they are: only a line split
/// between two chunks is copied (into a carry buffer), so an event's data is normally handed
/// out without ever being copied.
#[derive(Debug)]
pub struct SseDecoder {
    /// Carried bytes, parsed before `chunk`: the start of a line split between chunks (with
    /// its end), everything given to [`SseDecoder::feed`], and the stream's first chunk (for
    /// the BOM check). A line never spans `buf` and `chunk`.
    buf: Vec<u8>,
    pos: usize,
    /// The last chunk given to `feed_bytes`, parsed in place from `cpos`.
    chunk: bytes::Bytes,
    cpos: usize,
    /// Whether `chunk` holds a CR: without one, lines end at LF only and a one-byte search
    /// finds them (cheaper per line than looking for both).
    chunk_cr: bool,
    data: Data,
    owned: String,
    /// The last `event:` name seen, kept between events: the next event usually repeats it,
    /// and then it is neither copied nor checked again. `event_set` says if it applies.
    event: String,
    event_set: bool,
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

/// Appends `bytes` as UTF-8, invalid sequences replaced (the common, valid case checked
/// once, with the fast validator).
fn push_lossy(out: &mut String, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(text) => out.push_str(text),
        Err(_) => out.push_str(&String::from_utf8_lossy(bytes)),
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
            chunk: bytes::Bytes::new(),
            cpos: 0,
            chunk_cr: false,
            data: Data::Empty,
            owned: String::new(),
            event: String::new(),
            event_set: false,
            id: None,
            retry: None,
            dispatched: false,
            skip_lf: false,
            bom_checked: false,
            max,
        }
    }

    /// Adds bytes read from the stream (copied; see [`SseDecoder::feed_bytes`]).
    pub fn feed(&mut self, bytes: &[u8]) {
        self.before_input();
        self.buf.extend_from_slice(bytes);
    }

    /// Adds a chunk read from the stream, kept and parsed in place: only the end of a line
    /// begun in an earlier chunk is copied.
    pub fn feed_bytes(&mut self, bytes: bytes::Bytes) {
        self.before_input();
        if !self.bom_checked {
            self.buf.extend_from_slice(&bytes);
            return;
        }
        let mut from = 0;
        if self.pos < self.buf.len() {
            // Complete the carried line with this chunk's first line ending (CR, LF, or the
            // CR of a CRLF: the LF is then skipped from the chunk).
            match memchr::memchr2(b'\n', b'\r', &bytes) {
                Some(end) => {
                    self.buf.extend_from_slice(&bytes[..=end]);
                    from = end + 1;
                }
                None => {
                    self.buf.extend_from_slice(&bytes);
                    return;
                }
            }
        }
        self.chunk_cr = memchr::memchr(b'\r', &bytes[from..]).is_some();
        self.chunk = bytes;
        self.cpos = from;
    }

    /// Makes room for new input: a pending data line is copied out of its buffer, the parsed
    /// part of `buf` dropped, the rest of the old chunk carried into `buf`.
    fn before_input(&mut self) {
        self.reset_if_dispatched();
        self.park();
    }

    /// Lets go of the chunk: what is left of it (a pending data line, the start of a line)
    /// is copied, so that a stream waiting for its next event holds no network buffer.
    fn park(&mut self) {
        if let Data::Line(src, a, b) = self.data {
            let line = match src {
                Src::Buf => &self.buf[a..b],
                Src::Chunk => &self.chunk[a..b],
            };
            self.owned.clear();
            push_lossy(&mut self.owned, line);
            self.data = Data::Owned;
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        if self.cpos < self.chunk.len() {
            self.buf.extend_from_slice(&self.chunk[self.cpos..]);
        }
        self.chunk = bytes::Bytes::new();
        self.cpos = 0;
    }

    /// Bytes fed but not yet parsed into complete lines.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos + self.chunk.len() - self.cpos
    }

    fn reset_if_dispatched(&mut self) {
        if self.dispatched {
            self.dispatched = false;
            self.data = Data::Empty;
            self.owned.clear();
            self.event_set = false;
            self.retry = None;
        }
    }

    /// The source being parsed (`buf` until it is read, then `chunk`), and its position.
    fn source(&self) -> (Src, usize) {
        if self.pos < self.buf.len() { (Src::Buf, self.pos) } else { (Src::Chunk, self.cpos) }
    }

    /// The next complete event, `Ok(None)` when more bytes are needed.
    pub fn next_event(&mut self) -> Result<Option<Event<'_>>, TooLarge> {
        self.reset_if_dispatched();
        loop {
            if !self.bom_checked {
                // Before the check everything is in `buf` (see `feed_bytes`).
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
            let (src, at) = self.source();
            let input: &[u8] = match src {
                Src::Buf => &self.buf,
                Src::Chunk => &self.chunk,
            };
            if self.skip_lf {
                match input.get(at) {
                    None => {
                        self.park();
                        return Ok(None);
                    }
                    Some(b'\n') => self.advance(src, at + 1),
                    Some(_) => {}
                }
                self.skip_lf = false;
                continue;
            }
            let found = if src == Src::Chunk && !self.chunk_cr {
                memchr::memchr(b'\n', &input[at..])
            } else {
                memchr::memchr2(b'\n', b'\r', &input[at..])
            };
            let Some(len) = found else {
                if input.len() - at > self.max {
                    return Err(TooLarge { limit: self.max });
                }
                self.park();
                return Ok(None);
            };
            let (start, end) = (at, at + len);
            if input[end] == b'\r' {
                self.skip_lf = true;
            }
            self.advance(src, end + 1);
            if start == end {
                if self.data == Data::Empty {
                    self.event_set = false;
                    self.retry = None;
                    continue;
                }
                self.dispatched = true;
                return Ok(Some(self.event_out()));
            }
            self.field(src, start, end)?;
        }
    }

    fn advance(&mut self, src: Src, to: usize) {
        match src {
            Src::Buf => self.pos = to,
            Src::Chunk => self.cpos = to,
        }
    }

    fn field(&mut self, src: Src, start: usize, end: usize) -> Result<(), TooLarge> {
        let input: &[u8] = match src {
            Src::Buf => &self.buf,
            Src::Chunk => &self.chunk,
        };
        let line = &input[start..end];
        if line[0] == b':' {
            return Ok(());
        }
        let (name, value_start) = match memchr::memchr(b':', line) {
            Some(colon) => {
                let v = start + colon + 1;
                let v = if input.get(v) == Some(&b' ') && v < end { v + 1 } else { v };
                (&line[..colon], v)
            }
            None => (line, end),
        };
        let value = &input[value_start..end];
        match name {
            b"data" => {
                let pending = match self.data {
                    Data::Empty => 0,
                    Data::Line(_, a, b) => b - a,
                    Data::Owned => self.owned.len(),
                };
                if pending + value.len() > self.max {
                    return Err(TooLarge { limit: self.max });
                }
                match self.data {
                    Data::Empty => self.data = Data::Line(src, value_start, end),
                    Data::Line(first, a, b) => {
                        let first = match first {
                            Src::Buf => &self.buf[a..b],
                            Src::Chunk => &self.chunk[a..b],
                        };
                        self.owned.clear();
                        push_lossy(&mut self.owned, first);
                        self.owned.push('\n');
                        push_lossy(&mut self.owned, value);
                        self.data = Data::Owned;
                    }
                    Data::Owned => {
                        self.owned.push('\n');
                        push_lossy(&mut self.owned, value);
                    }
                }
            }
            b"event" => {
                if self.event.as_bytes() != value {
                    self.event.clear();
                    push_lossy(&mut self.event, value);
                }
                self.event_set = true;
            }
            b"id" if !value.contains(&0) => {
                self.id = Some(String::from_utf8_lossy(value).into_owned());
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                self.retry = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok());
            }
            _ => {}
        }
        Ok(())
    }

    fn event_out(&mut self) -> Event<'_> {
        let event = if !self.event_set || self.event.is_empty() { "message" } else { self.event.as_str() };
        if let Data::Line(src, a, b) = self.data {
            let line = match src {
                Src::Buf => &self.buf[a..b],
                Src::Chunk => &self.chunk[a..b],
            };
            // One UTF-8 check per event: the common, valid case is handed out in place.
            if let Ok(data) = std::str::from_utf8(line) {
                return Event { event, data, id: self.id.as_deref(), retry: self.retry };
            }
            self.owned = String::from_utf8_lossy(line).into_owned();
            self.data = Data::Owned;
        }
        Event { event, data: self.owned.as_str(), id: self.id.as_deref(), retry: self.retry }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every event of `input` fed in pieces of `size` bytes, as (event, data, id), the same
    /// whether the pieces are copied in (`feed`), kept (`feed_bytes`), or both in turn.
    fn events(input: &[u8], size: usize) -> Vec<(String, String, Option<String>)> {
        let run = |how: usize| {
            let mut d = SseDecoder::new();
            let mut out = Vec::new();
            for (i, piece) in input.chunks(size.max(1)).enumerate() {
                match how {
                    0 => d.feed(piece),
                    1 => d.feed_bytes(bytes::Bytes::copy_from_slice(piece)),
                    _ if i % 2 == 0 => d.feed(piece),
                    _ => d.feed_bytes(bytes::Bytes::copy_from_slice(piece)),
                }
                while let Some(e) = d.next_event().unwrap() {
                    out.push((e.event.to_string(), e.data.to_string(), e.id.map(str::to_string)));
                }
            }
            out
        };
        let copied = run(0);
        assert_eq!(run(1), copied, "feed_bytes, pieces of {size}");
        assert_eq!(run(2), copied, "feed and feed_bytes, pieces of {size}");
        copied
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
    fn an_event_name_applies_to_its_own_event_only() {
        let input = b"event: a\ndata: 1\n\ndata: 2\n\nevent: a\ndata: 3\n\nevent: b\ndata: 4\n\nevent:\ndata: 5\n\n";
        for size in [1, 5, 100] {
            let names: Vec<String> = events(input, size).into_iter().map(|(e, _, _)| e).collect();
            assert_eq!(names, ["a", "message", "a", "b", "message"], "size {size}");
        }
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
    fn chunks_fed_without_reading_in_between() {
        // Two chunks before any next_event: the first one's lines are carried, not lost.
        let mut d = SseDecoder::new();
        d.feed_bytes(bytes::Bytes::from_static(b"data: a\n\nda"));
        d.feed_bytes(bytes::Bytes::from_static(b"ta: b\r"));
        d.feed_bytes(bytes::Bytes::from_static(b"\n\r\ndata: c\n"));
        let mut got = Vec::new();
        while let Some(e) = d.next_event().unwrap() {
            got.push(e.data.to_string());
        }
        assert_eq!(got, ["a", "b"]);
        assert_eq!(d.buffered(), 0);
        d.feed_bytes(bytes::Bytes::from_static(b"\n"));
        assert_eq!(d.next_event().unwrap().unwrap().data, "c");
    }

    #[test]
    fn a_data_line_pending_across_chunks_survives() {
        // The first data line stays in its chunk until the blank line comes in the next.
        for split in 1..24 {
            let input = b"event: x\ndata: one\ndata: two\n\ndata: three\n\n";
            let mut d = SseDecoder::new();
            let mut got = Vec::new();
            for piece in [&input[..split], &input[split..]] {
                d.feed_bytes(bytes::Bytes::copy_from_slice(piece));
                while let Some(e) = d.next_event().unwrap() {
                    got.push((e.event.to_string(), e.data.to_string()));
                }
            }
            assert_eq!(got, [("x".to_string(), "one\ntwo".to_string()), ("message".into(), "three".into())], "{split}");
        }
    }

    #[test]
    fn bounded_memory() {
        let mut d = SseDecoder::with_max_event_bytes(10);
        d.feed(b"data: 0123456789abc");
        assert_eq!(d.next_event(), Err(TooLarge { limit: 10 }));
        let mut d = SseDecoder::with_max_event_bytes(10);
        d.feed(b"data: 012345\ndata: 6789ab\n");
        assert_eq!(d.next_event(), Err(TooLarge { limit: 10 }));
        let mut d = SseDecoder::with_max_event_bytes(10);
        d.feed_bytes(bytes::Bytes::from_static(b"\n"));
        assert_eq!(d.next_event(), Ok(None));
        d.feed_bytes(bytes::Bytes::from_static(b"data: 0123"));
        d.feed_bytes(bytes::Bytes::from_static(b"456789abc"));
        assert_eq!(d.next_event(), Err(TooLarge { limit: 10 }));
    }
}
