//! [`Pending`]: what every non-streaming operation returns, awaited as is or refined first.

use std::borrow::Cow;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::meta::WithMeta;
use crate::options::RequestOptions;
use crate::transport::{Call, Read, decode};

/// One API call, not sent yet. `.await` it for the decoded answer; before that,
/// [`options`](Pending::options) sets a timeout, retries or headers for this call only, and
/// [`with_meta`](Pending::with_meta) keeps the status, headers and raw body next to the
/// decoded value.
///
/// ```no_run
/// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
/// use std::time::Duration;
/// use mistral_sdk::RequestOptions;
///
/// let models = client.models().list().await?;
/// let with_meta = client
///     .models()
///     .list()
///     .options(RequestOptions::new().timeout(Duration::from_secs(3)))
///     .with_meta()
///     .await?;
/// println!("{} models, request {:?}", with_meta.data.data.len(), with_meta.meta.request_id());
/// // Fields the spec does not know yet are in the raw body.
/// let raw: Option<serde_json::Value> = serde_json::from_slice(&with_meta.raw).ok();
/// # let _ = (models, raw);
/// # Ok(()) }
/// ```
#[must_use = "a call is sent when awaited"]
pub struct Pending<'c, T> {
    client: Cow<'c, Client>,
    call: Prepared<'c>,
    answer: PhantomData<fn() -> T>,
}

type BoxFuture<'c, T> = Pin<Box<dyn Future<Output = T> + Send + 'c>>;

/// The call, or why it could not be made, or (for uploads, which look at their source
/// first) how to make it.
enum Prepared<'c> {
    Ready(Call),
    Failed(Error),
    Later(BoxFuture<'c, Result<Call>>),
}

impl Prepared<'_> {
    /// Why the call could not be made.
    fn into_error(self) -> Error {
        match self {
            Prepared::Failed(error) => error,
            _ => Error::stream("the call was not made"),
        }
    }
}

impl From<Result<Call>> for Prepared<'_> {
    fn from(call: Result<Call>) -> Self {
        match call {
            Ok(call) => Prepared::Ready(call),
            Err(error) => Prepared::Failed(error),
        }
    }
}

impl<T> std::fmt::Debug for Pending<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = match &self.call {
            Prepared::Ready(call) => call.op.id,
            Prepared::Failed(_) => "(invalid)",
            Prepared::Later(_) => "(being prepared)",
        };
        f.debug_struct("Pending").field("operation", &op).field("client", &self.client).finish()
    }
}

impl<'c, T: DeserializeOwned + Send + 'c> Pending<'c, T> {
    pub(crate) fn new(client: &Cow<'c, Client>, call: Result<Call>) -> Pending<'c, T> {
        Pending { client: client.clone(), call: call.into(), answer: PhantomData }
    }

    /// A call made by `making` when the pending call is sent.
    pub(crate) fn later(
        client: &Cow<'c, Client>,
        making: impl Future<Output = Result<Call>> + Send + 'c,
    ) -> Pending<'c, T> {
        Pending { client: client.clone(), call: Prepared::Later(Box::pin(making)), answer: PhantomData }
    }

    /// These settings for this call (over the group's and the client's, field by field).
    pub fn options(self, options: RequestOptions) -> Self {
        Pending { client: Cow::Owned(self.client.with_options(options)), ..self }
    }

    /// Sends, and gives the decoded answer with the response's status, headers and raw bytes.
    pub async fn with_meta(self) -> Result<WithMeta<T>> {
        let call = match self.call {
            Prepared::Ready(call) => call,
            Prepared::Failed(error) => return Err(error),
            Prepared::Later(making) => making.await?,
        };
        self.client.json_with_meta(call).await
    }

    /// The call, sent and decoded. The exchange borrows the call where it is: the state of
    /// the whole call is one allocation, small enough for the allocator's fast path.
    async fn run(mut self) -> Result<T> {
        if let Prepared::Later(making) = &mut self.call {
            self.call = making.await.into();
        }
        let call = match &mut self.call {
            Prepared::Ready(call) => call,
            _ => return Err(self.call.into_error()),
        };
        decode(self.client.exchange(call, Read::Body).await?)
    }
}

impl<'c, T: DeserializeOwned + Send + 'c> IntoFuture for Pending<'c, T> {
    type Output = Result<T>;
    type IntoFuture = BoxFuture<'c, Result<T>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

/// A group of operations ([`Chat`](crate::Chat), [`Models`](crate::Models)...): a client,
/// borrowed, or owned when it carries options of its own.
macro_rules! group {
    ($(#[$doc:meta])* $name:ident, $method:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name<'c> {
            client: std::borrow::Cow<'c, $crate::client::Client>,
        }

        impl $crate::client::Client {
            $(#[$doc])*
            pub fn $method(&self) -> $name<'_> {
                $name { client: std::borrow::Cow::Borrowed(self) }
            }
        }

        impl<'c> $name<'c> {
            /// These settings for every call made through this handle (see
            /// [`RequestOptions`](crate::RequestOptions)).
            pub fn with_options(self, options: $crate::options::RequestOptions) -> Self {
                $name { client: std::borrow::Cow::Owned(self.client.with_options(options)) }
            }

            /// A call of this group, ready to be awaited or refined.
            #[allow(dead_code)] // a group of deprecated calls only has none
            fn pending<T: serde::de::DeserializeOwned + Send + 'c>(
                &self,
                call: $crate::error::Result<$crate::transport::Call>,
            ) -> $crate::pending::Pending<'c, T> {
                $crate::pending::Pending::new(&self.client, call)
            }
        }
    };
}

pub(crate) use group;
