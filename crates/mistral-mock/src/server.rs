//! Starting, serving and stopping: [`MockServer`], [`MockServerBuilder`] and [`serve`].

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use mistral_openapi::operations::Operation;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

use crate::app::{self, App};
use crate::faults::{Faults, ResetConnection};
use crate::script::{Received, RuleBuilder};
use crate::{Error, Options};

/// A running mock of the Mistral API on `127.0.0.1`, stopped when dropped.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), mistral_mock::Error> {
/// let server = mistral_mock::MockServer::start().await?;
/// assert!(server.base_url().starts_with("http://127.0.0.1:"));
/// // ... point a client at server.base_url() with any non-empty bearer key ...
/// server.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct MockServer {
    app: Arc<App>,
    addr: SocketAddr,
    api_key: String,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Starts a server with default [`Options`] on a random port of 127.0.0.1.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), mistral_mock::Error> {
    /// let server = mistral_mock::MockServer::start().await?;
    /// # Ok(()) }
    /// ```
    pub async fn start() -> Result<MockServer, Error> {
        MockServer::builder().start().await
    }

    /// A builder to set [`Options`] before starting.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), mistral_mock::Error> {
    /// let server = mistral_mock::MockServer::builder().api_key("sk-test").speed(500.0).start().await?;
    /// assert_eq!(server.api_key(), "sk-test");
    /// # Ok(()) }
    /// ```
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash (paths start with `/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address listened on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A key the server accepts: the first configured one, else `mock-api-key` (any non-empty
    /// key is accepted when none is configured).
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// A scripted answer for requests of `operation` (see [`crate::script`]): narrow it with
    /// [`RuleBuilder::when`] and [`RuleBuilder::times`], install it with
    /// [`RuleBuilder::respond`].
    pub fn on(&self, operation: &'static Operation) -> RuleBuilder<'_> {
        RuleBuilder::new(&self.app.script, Some(operation))
    }

    /// A scripted answer for requests of any operation (or path).
    pub fn on_any(&self) -> RuleBuilder<'_> {
        RuleBuilder::new(&self.app.script, None)
    }

    /// Every request received so far, in order (the `authorization` header redacted).
    pub fn received(&self) -> Vec<Received> {
        self.app.script.received()
    }

    /// The requests received for `operation`, in order.
    pub fn received_for(&self, operation: &Operation) -> Vec<Received> {
        self.received().into_iter().filter(|r| r.operation == Some(operation.id)).collect()
    }

    /// Moves simulated time on by `simulated` for the fine-tuning and batch jobs: a test can
    /// make a job finish (or get further) without waiting.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), mistral_mock::Error> {
    /// let server = mistral_mock::MockServer::builder().speed(1.0).start().await?;
    /// // ... create a job; then, instead of waiting minutes:
    /// server.advance(std::time::Duration::from_secs(3600));
    /// # Ok(()) }
    /// ```
    pub fn advance(&self, simulated: Duration) {
        crate::script::advance(&self.app, simulated);
    }

    /// Forgets the requests received and the scripted answers (the state stays).
    pub fn reset(&self) {
        self.app.script.clear();
    }

    /// Stops accepting connections, lets open ones finish (up to
    /// [`Options::shutdown_grace`]) and waits until the server task has ended.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    /// Signals the server task to stop; it closes its listener and connections by itself.
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Options for a [`MockServer`], set one by one.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// let server = mistral_mock::MockServer::builder()
///     .api_key("key-1")
///     .api_key("key-2")
///     .speed(1000.0)
///     .body_limit(1 << 20)
///     .fail_first(2)
///     .faults("delay=10ms".parse()?)
///     .token_delay(Duration::from_millis(1))
///     .start()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct MockServerBuilder {
    options: Options,
    addr: Option<SocketAddr>,
}

impl MockServerBuilder {
    /// Accepts this bearer key (call again for more). With none, any non-empty key works.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.options.api_keys.push(key.into());
        self
    }

    /// Simulated seconds per real second for fine-tuning and batch jobs (default 50).
    pub fn speed(mut self, speed: f64) -> Self {
        self.options.speed = speed;
        self
    }

    /// Persists files and jobs in `dir` (created if needed) across restarts.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.options.data_dir = Some(dir.into());
        self
    }

    /// The largest JSON body in bytes (default 8 MiB); larger ones get 413.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.options.body_limit = bytes;
        self
    }

    /// The largest file upload in bytes (default 512 MiB).
    pub fn upload_limit(mut self, bytes: usize) -> Self {
        self.options.upload_limit = bytes;
        self
    }

    /// Answers the first `n` requests with 503.
    pub fn fail_first(mut self, n: u64) -> Self {
        self.options.fail_first = n;
        self
    }

    /// Applies `faults` to every request without an `x-mock-fault` header.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.options.faults = Some(faults);
        self
    }

    /// Pauses this long between streamed chunks.
    pub fn token_delay(mut self, delay: Duration) -> Self {
        self.options.token_delay = delay;
        self
    }

    /// Listens on `addr` instead of a random port of 127.0.0.1.
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = Some(addr);
        self
    }

    /// Whether agents, conversations and libraries keep state of their own
    /// ([`Options::stateful_beta`]; default on) or answer from the spec's examples.
    pub fn stateful_beta(mut self, on: bool) -> Self {
        self.options.stateful_beta = on;
        self
    }

    /// Replaces all options at once.
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Binds and starts serving in a background task.
    pub async fn start(self) -> Result<MockServer, Error> {
        let api_key = self.options.api_keys.first().cloned().unwrap_or_else(|| "mock-api-key".into());
        let app = App::new(self.options)?;
        let addr = self.addr.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
        let listener =
            TcpListener::bind(addr).await.map_err(|source| Error::Bind { addr: addr.to_string(), source })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind { addr: addr.to_string(), source })?;
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(run(listener, app.clone(), async move {
            let _ = rx.await;
        }));
        Ok(MockServer { app, addr, api_key, shutdown: Some(tx), task: Some(task) })
    }
}

/// Serves the mock API on `listener` until `shutdown` completes, then drains connections.
/// This is the entry point for embedding the mock in another binary (e.g. a `mistral mock`
/// subcommand); [`MockServer`] uses it in a background task.
///
/// ```no_run
/// # #[tokio::main]
/// # async fn main() -> Result<(), mistral_mock::Error> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.expect("bind");
/// let stop = async { let _ = tokio::signal::ctrl_c().await; };
/// mistral_mock::serve(listener, mistral_mock::Options::default(), stop).await?;
/// # Ok(()) }
/// ```
pub async fn serve(
    listener: TcpListener,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let app = App::new(options)?;
    run(listener, app, shutdown).await;
    Ok(())
}

/// A service error that makes hyper close the connection without answering.
#[derive(Debug, thiserror::Error)]
#[error("x-mock-fault: reset")]
struct Reset;

async fn handle(router: Router, request: hyper::Request<Incoming>) -> Result<axum::response::Response, Reset> {
    let response = match router.oneshot(request.map(Body::new)).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    if response.extensions().get::<ResetConnection>().is_some() {
        return Err(Reset);
    }
    Ok(response)
}

async fn run(listener: TcpListener, app: Arc<App>, shutdown: impl Future<Output = ()>) {
    let grace = app.options.shutdown_grace;
    let router = app::router(app);
    let builder = auto::Builder::new(TokioExecutor::new());
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let router = router.clone();
                    let service = hyper::service::service_fn(move |request| handle(router.clone(), request));
                    let connection = builder.serve_connection(TokioIo::new(stream), service).into_owned();
                    let connection = graceful.watch(connection);
                    connections.spawn(async move {
                        let _ = connection.await;
                    });
                }
                // E.g. too many open files: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(grace, graceful.shutdown()).await;
    connections.shutdown().await;
}
