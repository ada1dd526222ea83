//! Just enough PDF to read the text of simple documents: the page tree (`/Pages` `/Kids`, else
//! every `/Type /Page` in file order), each page's `/MediaBox` (inherited) and the text its
//! uncompressed content streams show (`Tj`, `TJ`, `'` and `"` inside `BT`/`ET`, a new line
//! at `Td`/`TD`/`T*`/`Tm` moves and at each `ET`). Compressed streams (any `/Filter`), fonts'
//! encodings and cross-reference streams are not read: such a page's text is unknown (`None`).
//! Never panics, whatever the bytes.

use std::collections::HashMap;

/// A PDF page as read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Page {
    /// Width and height in points (1/72 inch).
    pub(crate) size: (f64, f64),
    /// The text shown, one line per text line; `None` when a content stream could not be read.
    pub(crate) text: Option<String>,
}

/// US Letter, in points: the size of a page without a readable `/MediaBox`.
const LETTER: (f64, f64) = (612.0, 792.0);

/// One `N G obj ... endobj`.
struct Object<'a> {
    /// The dictionary (and anything else before `stream`), as text.
    dict: String,
    /// The stream's bytes, if the object has one.
    stream: Option<&'a [u8]>,
}

/// The pages of `bytes`, if it is a PDF (starts with `%PDF`) with at least one page.
pub(crate) fn pages(bytes: &[u8]) -> Option<Vec<Page>> {
    if !bytes.starts_with(b"%PDF") {
        return None;
    }
    let objects = objects(bytes);
    let is_page = |o: &Object| type_is(&o.dict, "Page");
    let mut order = page_tree(&objects);
    if order.is_empty() {
        // No usable tree: every page, by number (objects are mostly numbered in file order).
        order = objects.iter().filter(|(_, o)| is_page(o)).map(|(n, _)| *n).collect();
        order.sort_unstable();
    }
    let pages: Vec<Page> = order
        .iter()
        .filter_map(|n| objects.get(n).filter(|o| is_page(o)))
        .map(|page| Page { size: media_box(page, &objects), text: page_text(page, &objects) })
        .collect();
    (!pages.is_empty()).then_some(pages)
}

/// Whether a dictionary says `/Type /<name>` (and not a longer name such as `/Pages`).
fn type_is(dict: &str, name: &str) -> bool {
    let mut rest = dict;
    while let Some(at) = rest.find("/Type") {
        let after = rest[at + 5..].trim_start();
        if let Some(tail) = after.strip_prefix('/').and_then(|t| t.strip_prefix(name))
            && !tail.starts_with(|c: char| c.is_ascii_alphanumeric())
        {
            return true;
        }
        rest = &rest[at + 5..];
    }
    false
}

/// Every object of the file by number (the last definition wins, as with incremental updates).
fn objects(bytes: &[u8]) -> HashMap<u32, Object<'_>> {
    let mut out = HashMap::new();
    let mut at = 0;
    while let Some(found) = find(bytes, b"obj", at) {
        at = found + 3;
        let Some(number) = object_number(bytes, found) else { continue };
        let end = find(bytes, b"endobj", at).unwrap_or(bytes.len());
        let body = &bytes[at..end];
        let (dict, stream) = match find(body, b"stream", 0) {
            Some(s) => {
                let mut start = s + 6;
                if body.get(start) == Some(&b'\r') {
                    start += 1;
                }
                if body.get(start) == Some(&b'\n') {
                    start += 1;
                }
                let stop = find(body, b"endstream", start).unwrap_or(body.len());
                (&body[..s], Some(&body[start.min(stop)..stop]))
            }
            None => (body, None),
        };
        out.insert(number, Object { dict: String::from_utf8_lossy(dict).into_owned(), stream });
        at = end;
    }
    out
}

/// The number of the object whose `obj` keyword is at `at` (`12 0 obj`), unless this `obj` is
/// the end of `endobj` or not a definition.
fn object_number(bytes: &[u8], at: usize) -> Option<u32> {
    if at >= 3 && &bytes[at - 3..at] == b"end" {
        return None;
    }
    // Backwards: spaces, the generation, spaces, the number, then a delimiter.
    let mut i = at;
    let digits = |i: &mut usize| {
        while *i > 0 && bytes[*i - 1].is_ascii_whitespace() {
            *i -= 1;
        }
        let end = *i;
        while *i > 0 && bytes[*i - 1].is_ascii_digit() {
            *i -= 1;
        }
        (end > *i && end - *i <= 10).then(|| std::str::from_utf8(&bytes[*i..end]).ok()?.parse::<u32>().ok()).flatten()
    };
    let _generation = digits(&mut i)?;
    let number = digits(&mut i)?;
    (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()).then_some(number)
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

/// The references `N G R` of `key`'s value: one, or an array of them.
fn references(dict: &str, key: &str) -> Vec<u32> {
    let Some(at) = dict.find(key) else { return Vec::new() };
    let rest = dict[at + key.len()..].trim_start();
    let value = match rest.strip_prefix('[') {
        Some(array) => &array[..array.find(']').unwrap_or(array.len())],
        None => {
            let end = rest.find('R').map_or(rest.len(), |r| r + 1);
            &rest[..end]
        }
    };
    let words: Vec<&str> = value.split_whitespace().collect();
    words.windows(3).filter(|w| w[2] == "R").filter_map(|w| w[0].parse().ok()).collect()
}

/// The pages in the tree's order, from the catalog's `/Pages` (or a `/Pages` without a parent).
fn page_tree(objects: &HashMap<u32, Object>) -> Vec<u32> {
    let root = objects
        .values()
        .find(|o| type_is(&o.dict, "Catalog"))
        .and_then(|catalog| references(&catalog.dict, "/Pages").first().copied())
        .or_else(|| {
            let mut roots: Vec<u32> = objects
                .iter()
                .filter(|(_, o)| type_is(&o.dict, "Pages") && !o.dict.contains("/Parent"))
                .map(|(n, _)| *n)
                .collect();
            roots.sort_unstable();
            roots.first().copied()
        });
    let mut out = Vec::new();
    let mut seen = Vec::new();
    if let Some(root) = root {
        walk(root, objects, &mut out, &mut seen, 0);
    }
    out
}

fn walk(n: u32, objects: &HashMap<u32, Object>, out: &mut Vec<u32>, seen: &mut Vec<u32>, depth: usize) {
    if depth > 32 || seen.contains(&n) {
        return;
    }
    seen.push(n);
    let Some(o) = objects.get(&n) else { return };
    if type_is(&o.dict, "Pages") {
        for kid in references(&o.dict, "/Kids") {
            walk(kid, objects, out, seen, depth + 1);
        }
    } else if type_is(&o.dict, "Page") {
        out.push(n);
    }
}

/// The page's `/MediaBox` (or its ancestors'), as width and height.
fn media_box(page: &Object, objects: &HashMap<u32, Object>) -> (f64, f64) {
    let mut dict = page.dict.as_str();
    for _ in 0..32 {
        if let Some(at) = dict.find("/MediaBox") {
            let rest = dict[at + 9..].trim_start();
            if let Some(array) = rest.strip_prefix('[') {
                let numbers: Vec<f64> = array[..array.find(']').unwrap_or(array.len())]
                    .split_whitespace()
                    .filter_map(|w| w.parse().ok())
                    .collect();
                if let [x0, y0, x1, y1] = numbers[..] {
                    return ((x1 - x0).abs(), (y1 - y0).abs());
                }
            }
        }
        match references(dict, "/Parent").first().and_then(|p| objects.get(p)) {
            Some(parent) => dict = parent.dict.as_str(),
            None => break,
        }
    }
    LETTER
}

/// The text of the page's content streams; `None` if one is compressed or missing.
fn page_text(page: &Object, objects: &HashMap<u32, Object>) -> Option<String> {
    let mut lines: Vec<String> = Vec::new();
    for n in references(&page.dict, "/Contents") {
        let content = objects.get(&n)?;
        if content.dict.contains("/Filter") {
            return None;
        }
        lines.extend(show_text(content.stream?));
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    Some(lines.join("\n"))
}

/// One token of a content stream.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(f64),
    Text(Vec<u8>),
    Array(Vec<Token>),
    /// `/F1`: an operand that shows nothing.
    Name,
    Operator(String),
}

/// The text lines a content stream shows.
fn show_text(stream: &[u8]) -> Vec<String> {
    let mut lines: Vec<String> = vec![String::new()];
    let mut operands: Vec<Token> = Vec::new();
    let mut last_y: Option<f64> = None;
    let new_line = |lines: &mut Vec<String>| {
        if lines.last().is_some_and(|l| !l.is_empty()) {
            lines.push(String::new());
        }
    };
    let mut tokens = Tokens { bytes: stream, at: 0 };
    while let Some(token) = tokens.next_token(0) {
        let Token::Operator(op) = token else {
            operands.push(token);
            continue;
        };
        let number = |i: usize| match operands.get(i) {
            Some(Token::Number(n)) => Some(*n),
            _ => None,
        };
        match op.as_str() {
            "Td" | "TD" if number(1).is_some_and(|ty| ty != 0.0) => new_line(&mut lines),
            "Tm" => {
                let y = number(5);
                if last_y.is_some() && y != last_y {
                    new_line(&mut lines);
                }
                last_y = y;
            }
            "T*" => new_line(&mut lines),
            "ET" => {
                new_line(&mut lines);
                last_y = None;
            }
            "Tj" | "'" | "\"" => {
                if op != "Tj" {
                    new_line(&mut lines);
                }
                if let Some(Token::Text(text)) = operands.last()
                    && let Some(line) = lines.last_mut()
                {
                    line.extend(text.iter().map(|b| char::from(*b)));
                }
            }
            "TJ" => {
                if let (Some(Token::Array(items)), Some(line)) = (operands.last(), lines.last_mut()) {
                    for item in items {
                        match item {
                            Token::Text(text) => line.extend(text.iter().map(|b| char::from(*b))),
                            // A wide negative adjustment is a space between words.
                            Token::Number(n) if *n < -200.0 && !line.ends_with(' ') => line.push(' '),
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
        operands.clear();
    }
    lines
}

/// A tokenizer of content streams (strings, hex strings, arrays, numbers, names, operators).
struct Tokens<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Tokens<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next_token(&mut self, depth: usize) -> Option<Token> {
        loop {
            let b = self.peek()?;
            match b {
                b if b.is_ascii_whitespace() => self.at += 1,
                b'%' => {
                    while self.peek().is_some_and(|c| c != b'\n' && c != b'\r') {
                        self.at += 1;
                    }
                }
                b'(' => return Some(Token::Text(self.literal())),
                b'<' if self.bytes.get(self.at + 1) == Some(&b'<') => {
                    self.at += 2;
                    return Some(Token::Operator("<<".into()));
                }
                b'<' => return Some(Token::Text(self.hex())),
                // Arrays nested deeper than this are read flat.
                b'[' if depth < 16 => {
                    self.at += 1;
                    let mut items = Vec::new();
                    loop {
                        match self.next_token(depth + 1) {
                            Some(Token::Operator(op)) if op == "]" => break,
                            Some(token) => items.push(token),
                            None => break,
                        }
                    }
                    return Some(Token::Array(items));
                }
                b']' | b'{' | b'}' | b'>' => {
                    self.at += 1;
                    return Some(Token::Operator(char::from(b).to_string()));
                }
                _ => return Some(self.word()),
            }
        }
    }

    /// A `(...)` string: balanced parentheses, backslash escapes.
    fn literal(&mut self) -> Vec<u8> {
        self.at += 1;
        let mut out = Vec::new();
        let mut nesting = 0usize;
        while let Some(b) = self.peek() {
            self.at += 1;
            match b {
                b'\\' => {
                    let Some(e) = self.peek() else { break };
                    self.at += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'0'..=b'7' => {
                            let mut value = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        value = value * 8 + u32::from(d - b'0');
                                        self.at += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((value & 0xff) as u8);
                        }
                        b'\r' | b'\n' => {
                            if e == b'\r' && self.peek() == Some(b'\n') {
                                self.at += 1;
                            }
                        }
                        other => out.push(other),
                    }
                }
                b'(' => {
                    nesting += 1;
                    out.push(b);
                }
                b')' if nesting == 0 => break,
                b')' => {
                    nesting -= 1;
                    out.push(b);
                }
                _ => out.push(b),
            }
        }
        out
    }

    /// A `<48656c6c6f>` string.
    fn hex(&mut self) -> Vec<u8> {
        self.at += 1;
        let mut digits = Vec::new();
        while let Some(b) = self.peek() {
            self.at += 1;
            if b == b'>' {
                break;
            }
            if let Some(d) = char::from(b).to_digit(16) {
                digits.push(d as u8);
            }
        }
        if digits.len() % 2 == 1 {
            digits.push(0);
        }
        digits.chunks(2).map(|pair| pair[0] << 4 | pair[1]).collect()
    }

    /// A number, a name (`/F1`) or an operator (`Tj`, `'`, `T*`).
    fn word(&mut self) -> Token {
        let start = self.at;
        self.at += 1;
        while self.peek().is_some_and(|c| !c.is_ascii_whitespace() && !b"()<>[]{}/%".contains(&c)) {
            self.at += 1;
        }
        let word = String::from_utf8_lossy(&self.bytes[start..self.at]).into_owned();
        match word.parse::<f64>() {
            _ if word.starts_with('/') => Token::Name,
            Ok(n) => Token::Number(n),
            Err(_) => Token::Operator(word),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PDF as the integration tests build one: two pages, text shown with Tj and TJ.
    fn two_pages() -> Vec<u8> {
        let page1 = "BT /F1 24 Tf 72 720 Td (Quarterly report) Tj 0 -30 Td (Revenue grew by \\(12%\\).) Tj ET";
        let page2 = "BT /F1 12 Tf 72 720 Td [(Second) -250 (page)] TJ T* <48656c6c6f> Tj ET";
        let mut pdf = String::from("%PDF-1.4\n");
        pdf.push_str("1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n");
        pdf.push_str("2 0 obj << /Type /Pages /Kids [4 0 R 3 0 R] /Count 2 /MediaBox [0 0 595 842] >> endobj\n");
        pdf.push_str("3 0 obj << /Type /Page /Parent 2 0 R /Contents 6 0 R >> endobj\n");
        pdf.push_str("4 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R >> endobj\n");
        for (n, content) in [(5, page1), (6, page2)] {
            pdf.push_str(&format!("{n} 0 obj << /Length {} >>\nstream\n{content}\nendstream\nendobj\n", content.len()));
        }
        pdf.push_str("trailer << /Root 1 0 R >>\n%%EOF\n");
        pdf.into_bytes()
    }

    #[test]
    fn reads_pages_in_tree_order_with_their_text_and_size() {
        let pages = pages(&two_pages()).expect("a PDF");
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].size, (612.0, 792.0));
        assert_eq!(pages[0].text.as_deref(), Some("Quarterly report\nRevenue grew by (12%)."));
        assert_eq!(pages[1].size, (595.0, 842.0), "inherited from the page tree");
        assert_eq!(pages[1].text.as_deref(), Some("Second page\nHello"));
    }

    #[test]
    fn compressed_or_broken_input_never_panics() {
        assert_eq!(pages(b"not a pdf"), None);
        assert_eq!(pages(b"%PDF-1.7\n"), None);
        let compressed = b"%PDF-1.7\n1 0 obj << /Type /Page /Contents 2 0 R >> endobj\n2 0 obj << /Filter /FlateDecode /Length 3 >>\nstream\nxyz\nendstream endobj";
        let pages = pages(compressed).expect("one page");
        assert_eq!((pages[0].text.as_deref(), pages[0].size), (None, LETTER));
        for cut in 0..two_pages().len() {
            let _ = super::pages(&two_pages()[..cut]);
        }
        let _ = super::pages(b"%PDF obj obj endobj ( \\");
    }
}
