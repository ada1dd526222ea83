//! Starting and stopping: drop, graceful shutdown, and the `serve` entry point.

use std::time::{Duration, Instant};

use mistral_mock::{FAULT_HEADER, MockServer, Options};
use reqwest::Method;

use crate::{Mock, read, within};

#[tokio::test]
async fn dropping_the_server_stops_it() {
    within(20, async {
        let m = Mock::start().await;
        assert_eq!(read(m.request(Method::GET, "/v1/models")).await.status, 200);
        let addr = m.server.addr();
        drop(m);
        let deadline = Instant::now() + Duration::from_secs(5);
        while tokio::net::TcpStream::connect(addr).await.is_ok() {
            assert!(Instant::now() < deadline, "still accepting connections after drop");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn shutdown_lets_requests_in_flight_finish() {
    within(20, async {
        let m = Mock::start().await;
        let slow = tokio::spawn(read(m.request(Method::GET, "/v1/models").header(FAULT_HEADER, "delay=300ms")));
        tokio::time::sleep(Duration::from_millis(100)).await;
        let start = Instant::now();
        m.server.shutdown().await;
        assert!(start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
        assert_eq!(slow.await.expect("joined").status, 200);
    })
    .await;
}

#[tokio::test]
async fn serve_runs_until_its_shutdown_future() {
    within(20, async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(mistral_mock::serve(listener, Options::default(), async {
            let _ = stopped.await;
        }));
        let r =
            reqwest::Client::new().get(format!("http://{addr}/v1/models")).bearer_auth("k").send().await.expect("sent");
        assert_eq!(r.status(), 200);
        let _ = stop.send(());
        task.await.expect("joined").expect("served");

        let mut bad = Options::default();
        bad.speed = f64::NAN;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        assert!(matches!(
            mistral_mock::serve(listener, bad, async {}).await,
            Err(mistral_mock::Error::InvalidOption(_))
        ));
        let err = MockServer::builder().data_dir("/proc/self/no-such-dir/x").start().await.expect_err("bad dir");
        assert!(matches!(err, mistral_mock::Error::DataDir { .. }), "{err}");
    })
    .await;
}
