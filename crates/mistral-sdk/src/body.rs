//! [`IdleBody`]: a response body read chunk by chunk, failing when no byte comes for longer
//! than the stream idle timeout. Shared by every stream of the crate (completions, named
//! events, downloads).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;
use tokio::time::{Instant, Sleep};

use crate::error::{Error, Result};

/// The body's chunks as reqwest gives them.
pub(crate) type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// A body with its idle timer.
pub(crate) struct IdleBody {
    body: ByteStream,
    idle: Option<(Duration, Pin<Box<Sleep>>)>,
}

impl IdleBody {
    pub(crate) fn new(body: ByteStream, idle: Option<Duration>) -> IdleBody {
        IdleBody { body, idle: idle.map(|d| (d, Box::pin(tokio::time::sleep(d)))) }
    }

    /// The response's body.
    pub(crate) fn of(response: reqwest::Response, idle: Option<Duration>) -> IdleBody {
        IdleBody::new(Box::pin(response.bytes_stream()), idle)
    }

    /// The next chunk (the idle timer starts again), `None` at the end, an error when the
    /// connection broke or stayed silent too long. Not to be polled again after an error.
    pub(crate) fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        match self.body.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(bytes))) => {
                if let Some((d, sleep)) = &mut self.idle {
                    sleep.as_mut().reset(Instant::now() + *d);
                }
                Poll::Ready(Some(Ok(bytes)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(Error::Stream {
                message: format!("the connection broke: {e}"),
                source: Some(Box::new(e)),
            }))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                if let Some((_, sleep)) = &mut self.idle
                    && sleep.as_mut().poll(cx).is_ready()
                {
                    return Poll::Ready(Some(Err(Error::Timeout { what: "stream idle", source: None })));
                }
                Poll::Pending
            }
        }
    }
}
