//! Extra body fields: the escape hatch of every request builder, for fields this release does
//! not name yet.

use serde::Serialize;
use serde_json::{Map, Value};

/// Fields merged over a typed request's JSON body, same-named fields overridden.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Extra(Map<String, Value>);

impl Extra {
    pub(crate) fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        self.0.insert(name.into(), value.into());
    }

    /// Serializes `typed` with these fields merged in. Without any, `typed` is serialized
    /// directly (no intermediate `Value`: the common case stays as cheap as it was).
    pub(crate) fn serialize<T: Serialize, S: serde::Serializer>(
        &self,
        typed: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        if self.0.is_empty() {
            return typed.serialize(serializer);
        }
        let mut body = serde_json::to_value(typed).map_err(serde::ser::Error::custom)?;
        match &mut body {
            Value::Object(fields) => fields.extend(self.0.iter().map(|(k, v)| (k.clone(), v.clone()))),
            // Every request type is an object; nothing to merge into otherwise.
            _ => return Err(serde::ser::Error::custom("extra fields need an object body")),
        }
        body.serialize(serializer)
    }
}

/// A typed body with extra fields merged in, to serialize as one JSON object.
pub(crate) struct Merged<'a, T>(pub(crate) &'a T, pub(crate) &'a Extra);

impl<T: Serialize> Serialize for Merged<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.1.serialize(self.0, serializer)
    }
}
