//! [`BatchSource`]: where a [`BatchRunner`](crate::BatchRunner)'s requests come from.

use std::sync::Arc;

use futures::stream::BoxStream;
use futures::{Stream, StreamExt};

/// The requests of a batch, each with its custom id, read lazily as the upload is sent:
/// from an iterator or a stream (read once: an upload that fails is then not retried), from
/// a function that makes the iterator again for every attempt ([`BatchSource::replayable`]),
/// or from a `Vec` (replayable).
///
/// ```
/// use mistral_sdk::{BatchSource, ChatRequest};
///
/// let questions = ["Best cheese?", "Best wine?"];
/// // Made again if the upload is retried, never held whole in memory.
/// let source = BatchSource::replayable(move || {
///     questions.into_iter().enumerate().map(|(i, q)| (format!("q{i}"), ChatRequest::new("mistral-small-latest").user(q)))
/// });
/// assert!(source.is_replayable());
/// let once = BatchSource::iter((0..3).map(|i| (i.to_string(), ChatRequest::new("mistral-small-latest").user("Hi"))));
/// assert!(!once.is_replayable());
/// ```
pub struct BatchSource<T> {
    make: Box<dyn FnMut() -> Option<Items<T>> + Send>,
    replayable: bool,
}

/// One pass over the requests.
pub(crate) type Items<T> = BoxStream<'static, (String, T)>;

impl<T> std::fmt::Debug for BatchSource<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchSource").field("replayable", &self.replayable).finish_non_exhaustive()
    }
}

impl<T: Send + 'static> BatchSource<T> {
    /// Requests from an iterator, read once.
    pub fn iter<K, I>(items: I) -> BatchSource<T>
    where
        K: Into<String>,
        I: IntoIterator<Item = (K, T)>,
        I::IntoIter: Send + 'static,
    {
        BatchSource::stream(futures::stream::iter(items))
    }

    /// Requests from a stream, read once.
    pub fn stream<K, S>(items: S) -> BatchSource<T>
    where
        K: Into<String>,
        S: Stream<Item = (K, T)> + Send + 'static,
    {
        let mut once = Some(items.map(|(id, item)| (id.into(), item)).boxed());
        BatchSource { make: Box::new(move || once.take()), replayable: false }
    }

    /// Requests from a function called for each attempt of the upload, so that a failed
    /// upload can be sent again: it must give the same requests each time.
    pub fn replayable<K, I, F>(mut make: F) -> BatchSource<T>
    where
        K: Into<String>,
        I: IntoIterator<Item = (K, T)>,
        I::IntoIter: Send + 'static,
        F: FnMut() -> I + Send + 'static,
    {
        let make = move || Some(futures::stream::iter(make()).map(|(id, item)| (id.into(), item)).boxed());
        BatchSource { make: Box::new(make), replayable: true }
    }

    /// Whether the requests can be read again (for a retried upload).
    pub fn is_replayable(&self) -> bool {
        self.replayable
    }

    /// The next pass over the requests, `None` once a read-once source was read.
    pub(crate) fn items(&mut self) -> Option<Items<T>> {
        (self.make)()
    }
}

/// A replayable source over the vector's requests (cloned as they are written).
impl<T, K> From<Vec<(K, T)>> for BatchSource<T>
where
    T: Clone + Send + Sync + 'static,
    K: Into<String> + Clone + Send + Sync + 'static,
{
    fn from(items: Vec<(K, T)>) -> Self {
        let items = Arc::new(items);
        BatchSource::replayable(move || {
            let items = items.clone();
            (0..items.len()).map(move |i| items[i].clone())
        })
    }
}
