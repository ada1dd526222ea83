//! Printing: aligned tables, key/value blocks, JSON, and the small formatters they use.

use std::io::{self, Write};

use serde::Serialize;

/// A writer that remembers whether it stands at the start of a line, so an interrupted
/// stream can be ended with exactly one newline.
pub struct Out<'a> {
    inner: &'a mut dyn Write,
    at_line_start: bool,
}

impl<'a> Out<'a> {
    /// Wraps `inner`.
    pub fn new(inner: &'a mut dyn Write) -> Out<'a> {
        Out { inner, at_line_start: true }
    }

    /// Ends the current line if something was written on it.
    pub fn finish_line(&mut self) -> io::Result<()> {
        if !self.at_line_start {
            self.write_all(b"\n")?;
        }
        self.flush()
    }
}

impl Write for Out<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        if let Some(last) = buf.get(..n).and_then(<[u8]>::last) {
            self.at_line_start = *last == b'\n';
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Awaits `pending`. With `--json` (`raw` true) the server's bytes are printed as received
/// (fields newer than the spec included) and `None` comes back; otherwise the decoded value,
/// for the human output.
pub(crate) async fn fetch<T>(
    raw: bool,
    out: &mut Out<'_>,
    pending: mistral_sdk::Pending<'_, T>,
) -> Result<Option<T>, crate::Failure>
where
    T: serde::de::DeserializeOwned + Send,
{
    if !raw {
        return Ok(Some(pending.await?));
    }
    let answer = pending.with_meta().await?;
    out.write_all(&answer.raw)?;
    out.finish_line()?;
    Ok(None)
}

/// `s` on one line (whitespace runs become one space), cut to `max` characters with `…`.
pub fn shorten(s: &str, max: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= max {
        s
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// Writes `value` as one pretty-printed JSON document.
pub fn json(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// Writes `value` as one line of JSON (for streams).
pub fn json_line(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    writeln!(out)?;
    out.flush()
}

/// A table with a header row, columns padded to their widest cell.
#[derive(Debug, Clone)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    right: Vec<bool>,
}

impl Table {
    /// A table with these column headers.
    pub fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            right: vec![false; headers.len()],
        }
    }

    /// Aligns these columns (by index) to the right, as for numbers.
    pub fn right(mut self, columns: &[usize]) -> Table {
        for &c in columns {
            if let Some(r) = self.right.get_mut(c) {
                *r = true;
            }
        }
        self
    }

    /// Adds a row; missing cells are blank, extra ones dropped, control characters (line
    /// breaks, terminal escapes) shown as spaces.
    pub fn row(&mut self, cells: Vec<String>) {
        let mut cells: Vec<String> = cells.iter().map(|c| clean(c)).collect();
        cells.resize(self.headers.len(), String::new());
        self.rows.push(cells);
    }

    /// Whether it has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Writes the table: a header line and one line per row, columns two spaces apart,
    /// no trailing spaces.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }
        for row in std::iter::once(&self.headers).chain(&self.rows) {
            let mut line = String::new();
            for (i, (cell, (w, right))) in row.iter().zip(widths.iter().zip(&self.right)).enumerate() {
                let pad = w.saturating_sub(width(cell));
                if i > 0 {
                    line.push_str("  ");
                }
                if *right {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

/// Writes `key: value` lines with the values aligned (control characters shown as spaces).
pub fn key_values(out: &mut dyn Write, pairs: &[(&str, String)]) -> io::Result<()> {
    let w = pairs.iter().map(|(k, _)| width(k)).max().unwrap_or(0);
    for (k, v) in pairs {
        writeln!(out, "{k}:{:pad$} {}", "", clean(v), pad = w.saturating_sub(width(k)))?;
    }
    Ok(())
}

/// `s` with control characters (line breaks, terminal escapes) replaced by spaces.
fn clean(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// A Unix timestamp (seconds) as `YYYY-MM-DD HH:MM:SS` in UTC, or the number itself when
/// it is out of range.
pub fn timestamp(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| secs.to_string())
}

/// A time as `YYYY-MM-DD HH:MM:SS` in UTC.
pub fn datetime(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A byte count for people: `512 B`, `1.5 KiB`, `3.2 MiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = UNITS[0];
    for u in &UNITS[1..] {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    format!("{v:.1} {unit}")
}

/// An optional value, or `-`.
pub fn or_dash(v: Option<impl ToString>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let mut t = Table::new(&["ID", "SIZE", "NAME"]).right(&[1]);
        t.row(vec!["a".into(), "1".into(), "first".into()]);
        t.row(vec!["long-id".into(), "1234".into(), "x\ny".into(), "dropped".into()]);
        let mut buf = Vec::new();
        t.write(&mut buf).unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), "ID       SIZE  NAME\na           1  first\nlong-id  1234  x y\n");
    }

    #[test]
    fn key_values_align() {
        let mut buf = Vec::new();
        key_values(&mut buf, &[("id", "x".into()), ("status", "RUNNING".into())]).unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), "id:     x\nstatus: RUNNING\n");
    }

    #[test]
    fn formatters() {
        assert_eq!(bytes(10), "10 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(5 * 1024 * 1024), "5.0 MiB");
        assert_eq!(timestamp(0), "1970-01-01 00:00:00");
        assert_eq!(or_dash(None::<u8>), "-");
    }

    #[test]
    fn out_tracks_line_start() {
        let mut buf = Vec::new();
        {
            let mut out = Out::new(&mut buf);
            write!(out, "partial").unwrap();
            out.finish_line().unwrap();
            out.finish_line().unwrap();
        }
        assert_eq!(buf, b"partial\n");
    }
}
