//! Polling a job until it ends: [`WatchOptions`] and the one loop behind
//! [`Jobs::watch`](crate::Jobs::watch) and [`BatchJobs::watch`](crate::BatchJobs::watch).

use std::future::Future;
use std::time::Duration;

use futures::Stream;

use crate::error::Result;

/// How a `watch` polls ([`Jobs::watch`](crate::Jobs::watch),
/// [`BatchJobs::watch`](crate::BatchJobs::watch)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WatchOptions {
    /// The first wait, and the wait after a change (default 1 s).
    pub initial_interval: Duration,
    /// The longest wait (default 30 s).
    pub max_interval: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions { initial_interval: Duration::from_secs(1), max_interval: Duration::from_secs(30) }
    }
}

/// What a watched resource looks like to the polling loop.
pub(crate) trait Watched {
    /// What tells two snapshots apart (status, counters...): a snapshot is yielded when it
    /// changes.
    type Key: PartialEq + Send;
    fn key(&self) -> Self::Key;
    /// Whether the resource will not change any more.
    fn is_final(&self) -> bool;
}

/// Calls `fetch` at once, then again and again: yields each snapshot whose key changed, and
/// ends after a final one (or the first error). The wait starts at
/// `options.initial_interval` and grows by half each time nothing changed, up to
/// `options.max_interval`.
pub(crate) fn poll<T, F, Fut>(fetch: F, options: WatchOptions) -> impl Stream<Item = Result<T>> + Send + 'static
where
    T: Watched + Send + 'static,
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T>> + Send,
{
    let fetch = std::sync::Arc::new(fetch);
    let state = Some((None::<T::Key>, options.initial_interval, true));
    futures::stream::unfold(state, move |state| {
        let fetch = fetch.clone();
        async move {
            let (mut last, mut interval, first) = state?;
            if !first {
                tokio::time::sleep(interval).await;
            }
            loop {
                let snapshot = match fetch().await {
                    Ok(snapshot) => snapshot,
                    Err(e) => return Some((Err(e), None)),
                };
                if snapshot.is_final() {
                    return Some((Ok(snapshot), None));
                }
                let key = snapshot.key();
                if last.as_ref() != Some(&key) {
                    last = Some(key);
                    return Some((Ok(snapshot), Some((last, options.initial_interval, false))));
                }
                interval = interval.mul_f64(1.5).min(options.max_interval);
                tokio::time::sleep(interval).await;
            }
        }
    })
}
