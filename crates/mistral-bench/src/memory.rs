//! Memory scenarios, each run in a fresh child process (`--mem-child`), so that one
//! contender's allocations never hide or inflate another's.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, ensure};
use serde::{Deserialize, Serialize};

use crate::clients::{Clients, Contender, Which};
use crate::io;
use crate::measure::{Meter, rss_kib};

/// What a memory child measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
pub enum MemMode {
    /// Many streams held open by the server, one event now and then.
    Hold,
    /// One long stream whose consumer pauses after the first event.
    Paused,
    /// The same with a conversation run's named events.
    PausedConversation,
    /// A streamed upload of `--io-size` bytes.
    Upload,
    /// A streamed download of `--io-size` bytes.
    Download,
    /// A streamed library document upload of `--io-size` bytes.
    DocUpload,
    /// A batch of `--io-size` chat requests, written, uploaded and read back.
    Batch,
}

/// The child's answer, one JSON line on stdout.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct MemReport {
    pub baseline_kib: u64,
    pub rss_kib: u64,
    pub hwm_kib: u64,
    pub streams: u64,
    pub events: u64,
    /// Bulk modes: bytes moved, wall and CPU seconds of the run.
    #[serde(default)]
    pub bytes: u64,
    #[serde(default)]
    pub wall_s: f64,
    #[serde(default)]
    pub cpu_s: f64,
}

/// Runs in the child process: measures, prints one [`MemReport`], returns.
pub fn run_child(
    contender: Contender,
    mode: MemMode,
    base: &str,
    streams: usize,
    drip: Duration,
    chunks: usize,
    io_size: u64,
) -> Result<MemReport> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let clients = Arc::new(Clients::new(base)?);
    rt.block_on(async move {
        // Warm up: a pooled connection, lazily built statics. Not a stream: that would leave
        // freed memory in the allocator for the measured run to reuse.
        clients.chat(contender).await?;
        let (baseline_kib, _) = rss_kib();
        match mode {
            MemMode::Hold => hold(clients, contender, streams, drip, baseline_kib).await,
            MemMode::Paused => paused(clients, contender, Which::Chat, drip, chunks, baseline_kib).await,
            MemMode::PausedConversation => {
                paused(clients, contender, Which::Conversation, drip, chunks, baseline_kib).await
            }
            MemMode::Upload | MemMode::Download | MemMode::DocUpload | MemMode::Batch => {
                let meter = Meter::start(None);
                let moved = match mode {
                    MemMode::Upload => io::upload(&clients, contender, io_size).await?,
                    MemMode::Download => io::download(&clients, contender, io_size).await?,
                    MemMode::DocUpload => io::doc_upload(&clients, contender, io_size).await?,
                    _ => io::batch(&clients, contender, io_size).await?,
                };
                let sample = meter.stop(moved.units);
                let (rss_kib, hwm_kib) = rss_kib();
                Ok(MemReport {
                    baseline_kib,
                    rss_kib,
                    hwm_kib,
                    streams: 0,
                    events: moved.units,
                    bytes: moved.bytes,
                    wall_s: sample.wall,
                    cpu_s: sample.cpu,
                })
            }
        }
    })
}

async fn hold(
    clients: Arc<Clients>,
    contender: Contender,
    streams: usize,
    drip: Duration,
    baseline_kib: u64,
) -> Result<MemReport> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<()>>(streams.max(1));
    for _ in 0..streams {
        let (clients, tx) = (clients.clone(), tx.clone());
        tokio::spawn(async move {
            let mut stream = match clients.open(contender, Which::Hold).await {
                Ok(s) => s,
                Err(e) => return tx.send(Err(e)).await,
            };
            if let Err(e) = stream.until(1).await {
                return tx.send(Err(e)).await;
            }
            let _ = tx.send(Ok(())).await;
            // Keep reading what the server drips until the process ends.
            let _ = stream.until(u64::MAX).await;
            Ok(())
        });
    }
    drop(tx);
    let opened = async {
        for _ in 0..streams {
            rx.recv().await.ok_or_else(|| anyhow!("a stream task ended early"))??;
        }
        Ok::<_, anyhow::Error>(())
    };
    tokio::time::timeout(Duration::from_secs(120), opened).await.context("opening the streams timed out")??;
    // Let every stream receive a dripped event or two.
    tokio::time::sleep(drip * 2 + Duration::from_millis(50)).await;
    let (rss_kib, hwm_kib) = rss_kib();
    Ok(MemReport {
        baseline_kib,
        rss_kib,
        hwm_kib,
        streams: streams as u64,
        events: streams as u64,
        ..MemReport::default()
    })
}

async fn paused(
    clients: Arc<Clients>,
    contender: Contender,
    which: Which,
    pause: Duration,
    chunks: usize,
    baseline_kib: u64,
) -> Result<MemReport> {
    let mut stream = clients.open(contender, which).await?;
    stream.until(1).await?;
    // The consumer is busy: whatever arrives now is buffered by the client, or not read.
    tokio::time::sleep(pause).await;
    let (rss_kib, hwm_kib) = rss_kib();
    let count = stream.until(u64::MAX).await?;
    ensure!(count.events == chunks as u64, "{} of {chunks} events", count.events);
    Ok(MemReport { baseline_kib, rss_kib, hwm_kib, streams: 1, events: count.events, ..MemReport::default() })
}

/// Runs one child process and reads its report.
pub fn spawn_child(
    contender: Contender,
    mode: MemMode,
    addr: std::net::SocketAddr,
    streams: usize,
    drip: Duration,
    chunks: usize,
    io_size: u64,
) -> Result<MemReport> {
    use clap::ValueEnum as _;
    let mode_name = mode.to_possible_value().map(|v| v.get_name().to_string()).unwrap_or_default();
    let exe = std::env::current_exe()?;
    let output = std::process::Command::new(exe)
        .args([
            "--mem-child",
            contender.name(),
            "--mem-mode",
            &mode_name,
            "--io-size",
            &io_size.to_string(),
            "--addr",
            &addr.to_string(),
            "--streams",
            &streams.to_string(),
            "--drip-ms",
            &drip.as_millis().to_string(),
            "--chunks",
            &chunks.to_string(),
        ])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("cannot run the memory child")?;
    ensure!(output.status.success(), "the memory child for {} failed ({})", contender.name(), output.status);
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().rev().find(|l| l.starts_with('{')).ok_or_else(|| anyhow!("no report: {text:?}"))?;
    Ok(serde_json::from_str(line)?)
}
