//! Page-numbered listing (`page`/`page_size`), as a stream of pages: shared by
//! [`Files::pages`](crate::Files::pages) and [`BatchJobs::pages`](crate::BatchJobs::pages).

use std::borrow::Cow;

use futures::Stream;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::Result;
use crate::transport::Call;

/// Every page from `first` on, `size` items each, fetched as the stream is polled. It ends
/// after a short page, or once `total` (when a page tells it) items were seen. `call` makes the
/// request of one page; `count` reads a page's item count and the total it announces.
pub(crate) fn pages<'c, T>(
    client: Cow<'c, Client>,
    first: u64,
    size: u64,
    call: impl Fn(u64, u64) -> Call + Send + Sync + 'c,
    count: fn(&T) -> (usize, Option<u64>),
) -> impl Stream<Item = Result<T>> + Send + 'c
where
    T: DeserializeOwned + Send + 'c,
{
    let call = std::sync::Arc::new(call);
    futures::stream::try_unfold(Some(first), move |page| {
        let (client, call) = (client.clone(), call.clone());
        async move {
            let Some(page) = page else { return Ok(None) };
            let out: T = client.json(call(page, size)).await?;
            let (len, total) = count(&out);
            let seen = (page + 1).saturating_mul(size);
            let more = size > 0 && len as u64 >= size && total.is_none_or(|t| seen < t);
            Ok(Some((out, more.then(|| page + 1))))
        }
    })
}
