//! Every operation of the API as data, generated from `openapi.yaml` (checked in as
//! `generated/operations.rs`): the one place the hand-written crates take operation ids,
//! methods and paths from.
//!
//! ```
//! use mistral_openapi::operations::{self, Group, Method};
//!
//! let op = &operations::CREATE_CHAT_COMPLETION;
//! assert_eq!((op.method, op.path, op.group), (Method::Post, "/v1/chat/completions", Group::Chat));
//! assert!(op.streaming && op.retry.is_safe());
//! let get = operations::by_id("files_api_routes_retrieve_file").unwrap();
//! assert_eq!(get.path_with(&["497f6eca-6276-4993-bfeb-53cbbbba6f09"]), "/v1/files/497f6eca-6276-4993-bfeb-53cbbbba6f09");
//! ```

/// An HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`.
    Get,
    /// `PUT`.
    Put,
    /// `POST`.
    Post,
    /// `DELETE`.
    Delete,
    /// `PATCH`.
    Patch,
}

impl Method {
    /// The method as sent, e.g. `"POST"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
        }
    }

    /// The method as `http` (and so `reqwest`, which re-exports it) takes it.
    pub fn to_http(self) -> http::Method {
        match self {
            Method::Get => http::Method::GET,
            Method::Put => http::Method::PUT,
            Method::Post => http::Method::POST,
            Method::Delete => http::Method::DELETE,
            Method::Patch => http::Method::PATCH,
        }
    }
}

/// What an operation's request body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Body {
    /// No body.
    None,
    /// `application/json`.
    Json,
    /// `multipart/form-data`.
    Multipart,
}

/// Whether an operation may be sent again after a failure that may have reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Retry {
    /// Idempotent (GET, PUT, DELETE) or without server-side effects (completions, OCR...).
    Safe,
    /// Creates or changes something: retried only when the server surely did not act (429).
    Unsafe,
}

impl Retry {
    /// `self == Retry::Safe`.
    pub const fn is_safe(self) -> bool {
        matches!(self, Retry::Safe)
    }
}

/// One operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operation {
    /// `operationId`.
    pub id: &'static str,
    /// The method.
    pub method: Method,
    /// The path template, e.g. `/v1/files/{file_id}`.
    pub path: &'static str,
    /// The group (tag).
    pub group: Group,
    /// Whether it can answer `text/event-stream`.
    pub streaming: bool,
    /// The request body.
    pub body: Body,
    /// Whether retrying is safe.
    pub retry: Retry,
    /// Deprecated by the API (the retired fine-tuning operations).
    pub deprecated: bool,
    /// Beta in the API.
    pub beta: bool,
}

impl Operation {
    /// The path with each `{parameter}` replaced, in order, by `values` percent-encoded as a
    /// path segment (`:` and `@` stay as they are, `/` is encoded). Missing values leave the
    /// template's `{parameter}` in place.
    pub fn path_with(&self, values: &[&str]) -> String {
        let mut out = String::with_capacity(self.path.len() + 40);
        let mut rest = self.path;
        let mut values = values.iter();
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            out.push_str(&rest[..start]);
            match values.next() {
                Some(v) => push_segment(&mut out, v),
                None => out.push_str(&rest[start..=start + len]),
            }
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        out
    }

    /// The names of the path parameters, in order.
    pub fn path_params(&self) -> impl Iterator<Item = &'static str> {
        self.path.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(name, _)| name))
    }
}

/// `s` percent-encoded as one path segment: RFC 3986 `pchar`s (`:` and `@` among them) kept,
/// everything else (`/`, `?`, `#`, spaces, non-ASCII) encoded.
///
/// ```
/// assert_eq!(mistral_openapi::operations::encode_segment("ft:a/b c"), "ft:a%2Fb%20c");
/// ```
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_segment(&mut out, s);
    out
}

fn push_segment(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:@!$&'()*+,;=".contains(&b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
        }
    }
}

impl Group {
    /// The operations of this group, in the spec's order.
    pub fn operations(self) -> impl Iterator<Item = &'static Operation> {
        ALL.iter().filter(move |op| op.group == self)
    }
}

impl std::fmt::Display for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is no group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownGroup(pub String);

impl std::fmt::Display for UnknownGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = Group::ALL.iter().map(|g| g.as_str()).collect();
        write!(f, "unknown group {:?} (expected one of {})", self.0, names.join(", "))
    }
}

impl std::error::Error for UnknownGroup {}

impl std::str::FromStr for Group {
    type Err = UnknownGroup;

    /// A group by its tag, case-insensitively, `-` taken for `_` (`fine-tuning`).
    ///
    /// ```
    /// use mistral_openapi::operations::Group;
    /// assert_eq!("Fine-Tuning".parse::<Group>(), Ok(Group::FineTuning));
    /// assert!("chats".parse::<Group>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Group, UnknownGroup> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        Group::ALL.iter().copied().find(|g| g.as_str() == wanted).ok_or_else(|| UnknownGroup(s.to_string()))
    }
}

/// The operation with this `operationId`.
pub fn by_id(id: &str) -> Option<&'static Operation> {
    ALL.iter().find(|op| op.id == id)
}

#[cfg(feature = "regenerate")]
include!(concat!(env!("OUT_DIR"), "/operations.rs"));
#[cfg(not(feature = "regenerate"))]
include!("../generated/operations.rs");
