//! `cargo run --release -p mistral-bench [-- --quick] [-- --json]`: mistral-sdk against raw
//! reqwest + serde_json (the limit), the generated `mistral-openapi` client and async-openai,
//! on a canned local server in a child process. See BENCHMARKS.md at the workspace root.

mod bodies;
mod build_time;
mod callgrind;
mod clients;
mod io;
mod measure;
mod memory;
mod report;
mod server;

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail, ensure};
use clap::Parser;
use serde_json::json;

use clients::{Clients, Contender, Which};
use measure::{Meter, Sample};
use memory::MemMode;
use report::{Obs, Report, Row, Units};
use server::ServerProcess;

/// Benchmarks mistral-sdk against raw reqwest + serde_json, mistral-openapi and async-openai.
#[derive(Parser, Debug, Clone)]
#[command(name = "mistral-bench", version)]
struct Args {
    /// Fewer requests per round and shorter waits: finishes in well under a minute.
    #[arg(long)]
    quick: bool,
    /// Print one JSON object on stdout (the table goes to stderr).
    #[arg(long)]
    json: bool,
    /// Also count user-space instructions per unit with valgrind's callgrind (exact; slow).
    #[arg(long)]
    callgrind: bool,
    /// Rounds per scenario (default 15, quick 5); medians are over rounds.
    #[arg(long)]
    rounds: Option<usize>,
    /// Only scenarios whose name contains one of these (comma-separated), e.g. `chat,stream`.
    #[arg(long)]
    only: Option<String>,
    /// Run one workload once, no rounds, for a profiler: `SCENARIO/CONTENDER`, e.g. `chat_seq/mistral-sdk`.
    #[arg(long)]
    profile: Option<String>,
    /// Units (requests, streams, responses) for `--profile`.
    #[arg(long, default_value_t = 1000)]
    iters: u64,
    /// Chunk events per streamed response.
    #[arg(long, default_value_t = 20_000)]
    chunks: usize,
    /// Streams held open in the memory scenario.
    #[arg(long)]
    streams: Option<usize>,
    /// Use this server instead of starting one (`--profile` and `--mem-child`).
    #[arg(long)]
    addr: Option<std::net::SocketAddr>,
    /// Measure instead how long a user's first build takes: a one-file app on mistral-sdk and
    /// the same on async-openai, each built from clean (`--rounds` times, default 1).
    #[arg(long)]
    build_time: bool,
    /// Run the canned server (internal).
    #[arg(long, hide = true)]
    serve: bool,
    /// Milliseconds between events of a held stream (also the paused consumer's pause).
    #[arg(long, hide = true)]
    drip_ms: Option<u64>,
    /// Run one memory measurement (internal).
    #[arg(long, hide = true)]
    mem_child: Option<Contender>,
    #[arg(long, hide = true, default_value = "hold")]
    mem_mode: MemMode,
    /// Bytes (upload, download) or requests (batch) of one bulk run (internal).
    #[arg(long, hide = true, default_value_t = 0)]
    io_size: u64,
}

/// How much work each scenario does.
#[derive(Debug, Clone, PartialEq)]
struct Settings {
    rounds: usize,
    chat_seq_requests: u64,
    chat_conc_requests: u64,
    concurrency: u64,
    chunks: usize,
    streams_per_sample: u64,
    embed_requests: u64,
    mem_rounds: usize,
    mem_streams: usize,
    drip: Duration,
    /// Rounds of the bulk scenarios (each a child process).
    io_rounds: usize,
    /// Bytes of the uploaded and downloaded file.
    file_bytes: u64,
    /// Requests of the batch.
    batch_requests: u64,
}

impl Settings {
    fn from_args(args: &Args) -> Settings {
        let mut s = if args.quick {
            Settings {
                rounds: 5,
                chat_seq_requests: 300,
                chat_conc_requests: 1_280,
                concurrency: 64,
                chunks: args.chunks,
                streams_per_sample: 1,
                embed_requests: 2,
                mem_rounds: 5,
                mem_streams: 250,
                drip: Duration::from_millis(150),
                io_rounds: 1,
                file_bytes: 256 << 20,
                batch_requests: 100_000,
            }
        } else {
            // Many short rounds rather than a few long ones: on a shared machine the load
            // changes by the second, and a contender is best compared with its neighbours.
            Settings {
                rounds: 15,
                chat_seq_requests: 1_500,
                chat_conc_requests: 4_096,
                concurrency: 64,
                chunks: args.chunks,
                streams_per_sample: 2,
                embed_requests: 6,
                mem_rounds: 5,
                mem_streams: 1_000,
                drip: Duration::from_millis(500),
                io_rounds: 3,
                file_bytes: 1 << 30,
                batch_requests: 1_000_000,
            }
        };
        if let Some(r) = args.rounds {
            s.rounds = r.max(1);
            s.mem_rounds = r.max(1);
            s.io_rounds = r.max(1);
        }
        if let Some(n) = args.streams {
            s.mem_streams = n;
        }
        if let Some(ms) = args.drip_ms {
            s.drip = Duration::from_millis(ms);
        }
        s
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Work {
    ChatSeq,
    ChatConc,
    Stream(Which),
    Embed,
    EmbedBase64,
    Mem(MemMode),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavour {
    /// Multi-thread tokio, 2 workers.
    Multi,
    /// Current-thread tokio.
    Current,
}

struct Scenario {
    key: &'static str,
    work: Work,
    flavour: Flavour,
    contenders: &'static [Contender],
    units: Units,
    /// Multiplier from seconds of CPU per unit to `units.secondary`.
    cpu_scale: f64,
}

const fn units(primary: &'static str, secondary: &'static str) -> Units {
    Units { primary, secondary }
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        key: "chat_seq",
        work: Work::ChatSeq,
        flavour: Flavour::Multi,
        contenders: &Contender::ALL,
        units: units("req/s", "us CPU/req"),
        cpu_scale: 1e6,
    },
    Scenario {
        key: "chat_c64",
        work: Work::ChatConc,
        flavour: Flavour::Multi,
        contenders: &Contender::ALL,
        units: units("req/s", "us CPU/req"),
        cpu_scale: 1e6,
    },
    Scenario {
        key: "stream",
        work: Work::Stream(Which::Chat),
        flavour: Flavour::Multi,
        contenders: &Contender::STREAMING,
        units: units("chunks/s", "us CPU/chunk"),
        cpu_scale: 1e6,
    },
    Scenario {
        key: "stream_ct",
        work: Work::Stream(Which::Chat),
        flavour: Flavour::Current,
        contenders: &Contender::STREAMING,
        units: units("chunks/s", "us CPU/chunk"),
        cpu_scale: 1e6,
    },
    Scenario {
        key: "stream_think",
        work: Work::Stream(Which::Think),
        flavour: Flavour::Multi,
        contenders: &Contender::RAW_SDK,
        units: units("chunks/s", "us CPU/chunk"),
        cpu_scale: 1e6,
    },
    Scenario {
        key: "stream_conv",
        work: Work::Stream(Which::Conversation),
        flavour: Flavour::Multi,
        contenders: &Contender::RAW_SDK,
        units: units("events/s", "us CPU/event"),
        cpu_scale: 1e6,
    },
    Scenario {
        key: "embed",
        work: Work::Embed,
        flavour: Flavour::Multi,
        contenders: &Contender::ALL,
        units: units("resp/s", "ms CPU/resp"),
        cpu_scale: 1e3,
    },
    Scenario {
        key: "embed_b64",
        work: Work::EmbedBase64,
        flavour: Flavour::Multi,
        contenders: &Contender::RAW_SDK,
        units: units("resp/s", "ms CPU/resp"),
        cpu_scale: 1e3,
    },
    Scenario {
        key: "mem_hold",
        work: Work::Mem(MemMode::Hold),
        flavour: Flavour::Multi,
        contenders: &Contender::STREAMING,
        units: Units { primary: "KiB RSS/stream", secondary: "MiB peak RSS" },
        cpu_scale: 1.0,
    },
    Scenario {
        key: "mem_paused",
        work: Work::Mem(MemMode::Paused),
        flavour: Flavour::Multi,
        contenders: &Contender::STREAMING,
        units: Units { primary: "MiB RSS growth", secondary: "MiB peak growth" },
        cpu_scale: 1.0,
    },
    Scenario {
        key: "mem_paused_conv",
        work: Work::Mem(MemMode::PausedConversation),
        flavour: Flavour::Multi,
        contenders: &Contender::RAW_SDK,
        units: Units { primary: "MiB RSS growth", secondary: "MiB peak growth" },
        cpu_scale: 1.0,
    },
    Scenario {
        key: "upload",
        work: Work::Mem(MemMode::Upload),
        flavour: Flavour::Multi,
        contenders: &Contender::RAW_SDK,
        units: Units { primary: "MB/s", secondary: "MiB peak RSS growth" },
        cpu_scale: 1.0,
    },
    Scenario {
        key: "download",
        work: Work::Mem(MemMode::Download),
        flavour: Flavour::Multi,
        contenders: &Contender::RAW_SDK,
        units: Units { primary: "MB/s", secondary: "MiB peak RSS growth" },
        cpu_scale: 1.0,
    },
    Scenario {
        key: "doc_upload",
        work: Work::Mem(MemMode::DocUpload),
        flavour: Flavour::Multi,
        contenders: &Contender::RAW_SDK,
        units: Units { primary: "MB/s", secondary: "MiB peak RSS growth" },
        cpu_scale: 1.0,
    },
    Scenario {
        key: "batch",
        work: Work::Mem(MemMode::Batch),
        flavour: Flavour::Multi,
        contenders: &Contender::RAW_SDK,
        units: Units { primary: "MB/s JSONL", secondary: "MiB peak RSS" },
        cpu_scale: 1.0,
    },
];

fn runtime(flavour: Flavour) -> Result<tokio::runtime::Runtime> {
    Ok(match flavour {
        Flavour::Multi => tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?,
        Flavour::Current => tokio::runtime::Builder::new_current_thread().enable_all().build()?,
    })
}

/// What every response must hold, from the canned bodies themselves.
#[derive(Debug, Clone, Copy)]
struct Expect {
    chat_content: u64,
    chunks: u64,
    floats: u64,
}

/// One timed run of `units` units of `work` by `contender`, on a task of the current runtime.
async fn sample(
    clients: Arc<Clients>,
    work: Work,
    contender: Contender,
    units: u64,
    concurrency: u64,
    expect: Expect,
    server_pid: Option<u32>,
) -> Result<Sample> {
    let meter = Meter::start(server_pid);
    let done = match work {
        Work::ChatSeq => {
            for _ in 0..units {
                let n = clients.chat(contender).await?;
                ensure!(n == expect.chat_content, "{}: answer of {n} bytes", contender.name());
            }
            units
        }
        Work::ChatConc => {
            let per_task = units.div_ceil(concurrency);
            let tasks: Vec<_> = (0..concurrency)
                .map(|_| {
                    let clients = clients.clone();
                    tokio::spawn(async move {
                        for _ in 0..per_task {
                            let n = clients.chat(contender).await?;
                            ensure!(n == expect.chat_content, "{}: answer of {n} bytes", contender.name());
                        }
                        Ok(())
                    })
                })
                .collect();
            for t in tasks {
                t.await??;
            }
            per_task * concurrency
        }
        Work::Stream(which) => {
            let mut events = 0;
            for _ in 0..units {
                let count = clients.stream_of(contender, which).await?;
                ensure!(
                    count.events == expect.chunks,
                    "{}: {} of {} events",
                    contender.name(),
                    count.events,
                    expect.chunks
                );
                events += count.events;
            }
            events
        }
        Work::Embed => {
            for _ in 0..units {
                let n = clients.embed(contender).await?;
                ensure!(n == expect.floats, "{}: {n} floats", contender.name());
            }
            units
        }
        Work::EmbedBase64 => {
            for _ in 0..units {
                let n = clients.embed_base64(contender).await?;
                ensure!(n == expect.floats, "{}: {n} floats", contender.name());
            }
            units
        }
        Work::Mem(_) => bail!("memory scenarios run in child processes"),
    };
    Ok(meter.stop(done))
}

fn units_per_sample(work: Work, s: &Settings) -> u64 {
    match work {
        Work::ChatSeq => s.chat_seq_requests,
        Work::ChatConc => s.chat_conc_requests,
        Work::Stream(_) => s.streams_per_sample,
        Work::Embed | Work::EmbedBase64 => s.embed_requests,
        Work::Mem(_) => 1,
    }
}

fn expect(chunks: usize) -> Result<Expect> {
    use mistral_sdk::types::{ChatCompletionResponse, MessageContent};
    let chat: ChatCompletionResponse = serde_json::from_slice(&bodies::chat_body())?;
    let chat_content = match chat.choices.first().and_then(|c| c.message.content.as_ref()) {
        Some(MessageContent::String(s)) => s.len() as u64,
        _ => bail!("the canned chat body has no text"),
    };
    // The tests check that the canned embeddings body has exactly this many floats.
    let floats = (bodies::EMBED_INPUTS * bodies::EMBED_DIM) as u64;
    Ok(Expect { chat_content, chunks: chunks as u64, floats })
}

struct Bench {
    settings: Settings,
    server: ServerProcess,
    expect: Expect,
}

impl Bench {
    fn timed(&self, sc: &Scenario) -> Result<Vec<Row>> {
        let rt = runtime(sc.flavour)?;
        let base = format!("http://{}", self.server.addr);
        let clients = Arc::new(rt.block_on(async { Clients::new(&base) })?);
        let pid = Some(self.server.pid());
        let s = &self.settings;
        let run = |c: Contender, units: u64| -> Result<Sample> {
            let fut = sample(clients.clone(), sc.work, c, units, s.concurrency, self.expect, pid);
            rt.block_on(async move { tokio::spawn(fut).await })?
        };
        // Warm-up: connections, buffers, lazily built statics; checks every contender's answers.
        for &c in sc.contenders {
            let warm = match sc.work {
                Work::ChatSeq | Work::ChatConc => (units_per_sample(sc.work, s) / 10).max(s.concurrency),
                _ => 1,
            };
            run(c, warm).with_context(|| format!("{} warm-up of {}", sc.key, c.name()))?;
        }
        let mut rows: Vec<Row> =
            sc.contenders.iter().map(|&c| Row { scenario: sc.key, contender: c, obs: Vec::new() }).collect();
        let n = sc.contenders.len();
        for round in 0..s.rounds {
            for k in 0..n {
                let i = (k + round) % n;
                let c = sc.contenders[i];
                let sample =
                    run(c, units_per_sample(sc.work, s)).with_context(|| format!("{} {}", sc.key, c.name()))?;
                rows[i].obs.push(Obs {
                    primary: sample.rate(),
                    secondary: sample.cpu_per_unit() * sc.cpu_scale,
                    ctx_per_unit: Some(sample.ctx_switches as f64 / sample.units as f64),
                    server_busy: sample.server_busy(),
                });
            }
        }
        drop(clients);
        rt.shutdown_timeout(Duration::from_secs(1));
        Ok(rows)
    }

    fn memory(&self, sc: &Scenario, mode: MemMode) -> Result<Vec<Row>> {
        let s = &self.settings;
        let mut rows: Vec<Row> =
            sc.contenders.iter().map(|&c| Row { scenario: sc.key, contender: c, obs: Vec::new() }).collect();
        let n = sc.contenders.len();
        let (rounds, io_size) = match mode {
            MemMode::Upload | MemMode::Download | MemMode::DocUpload => (s.io_rounds, s.file_bytes),
            MemMode::Batch => (s.io_rounds, s.batch_requests),
            _ => (s.mem_rounds, 0),
        };
        for round in 0..rounds {
            for k in 0..n {
                let i = (k + round) % n;
                let c = sc.contenders[i];
                let r = memory::spawn_child(c, mode, self.server.addr, s.mem_streams, s.drip, s.chunks, io_size)?;
                let growth_kib = r.rss_kib.saturating_sub(r.baseline_kib) as f64;
                let peak_kib = r.hwm_kib as f64;
                rows[i].obs.push(match mode {
                    MemMode::Hold => Obs {
                        primary: growth_kib / r.streams.max(1) as f64,
                        secondary: peak_kib / 1024.0,
                        ..Obs::default()
                    },
                    MemMode::Paused | MemMode::PausedConversation => Obs {
                        primary: growth_kib / 1024.0,
                        secondary: r.hwm_kib.saturating_sub(r.baseline_kib) as f64 / 1024.0,
                        ..Obs::default()
                    },
                    // Throughput, and the peak RSS growth over the warmed-up process.
                    MemMode::Upload | MemMode::Download | MemMode::DocUpload => Obs {
                        primary: r.bytes as f64 / r.wall_s / 1e6,
                        secondary: r.hwm_kib.saturating_sub(r.baseline_kib) as f64 / 1024.0,
                        ..Obs::default()
                    },
                    // JSONL throughput, and the whole process's peak RSS.
                    MemMode::Batch => {
                        Obs { primary: r.bytes as f64 / r.wall_s / 1e6, secondary: peak_kib / 1024.0, ..Obs::default() }
                    }
                });
            }
        }
        Ok(rows)
    }
}

fn selected(only: &Option<String>, key: &str) -> bool {
    match only {
        None => true,
        Some(list) => list.split(',').map(str::trim).any(|f| !f.is_empty() && key.contains(f)),
    }
}

fn machine() -> (usize, String) {
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_string()))
        })
        .unwrap_or_else(|| "unknown".into());
    (nproc, cpu)
}

fn run(args: &Args) -> Result<()> {
    let settings = Settings::from_args(args);
    let expect = expect(settings.chunks)?;
    let server = ServerProcess::spawn(settings.chunks, settings.drip)?;
    let bench = Bench { settings: settings.clone(), server, expect };
    let (nproc, cpu) = machine();
    let started = std::time::Instant::now();
    let header = format!(
        "mistral-bench{}: {nproc} x {cpu}\n\
         client: tokio multi-thread runtime, 2 workers (stream_ct: current-thread), work on a spawned task; \
         server: child process, hyper 1 HTTP/1.1, current-thread\n\
         {} rounds ({} for memory), contenders interleaved, order rotated each round; medians over rounds\n\
         per round: chat_seq {} requests, chat_c64 {} requests ({} in flight), stream {} x {} chunks, \
         embed {} x {}x{} floats, mem_hold {} streams; bulk: {} rounds, files of {} MiB, batch of {} requests\n\n",
        if args.quick { " --quick" } else { "" },
        settings.rounds,
        settings.mem_rounds,
        settings.chat_seq_requests,
        settings.chat_conc_requests,
        settings.concurrency,
        settings.streams_per_sample,
        settings.chunks,
        settings.embed_requests,
        bodies::EMBED_INPUTS,
        bodies::EMBED_DIM,
        settings.mem_streams,
        settings.io_rounds,
        settings.file_bytes >> 20,
        settings.batch_requests,
    );
    if !args.json {
        eprint!("{header}");
    }
    let mut rows = Vec::new();
    for sc in SCENARIOS.iter().filter(|sc| selected(&args.only, sc.key)) {
        eprintln!("  {} ...", sc.key);
        rows.extend(match sc.work {
            Work::Mem(mode) => bench.memory(sc, mode)?,
            _ => bench.timed(sc)?,
        });
    }
    let mut instructions = Vec::new();
    if args.callgrind {
        ensure!(callgrind::available(), "--callgrind needs valgrind on the PATH");
        let chat_iters = if args.quick { (100, 200) } else { (200, 400) };
        for sc in SCENARIOS.iter().filter(|sc| selected(&args.only, sc.key)) {
            let (iters, units) = match sc.work {
                Work::ChatSeq => (chat_iters, 1),
                Work::Stream(_) => ((1, 2), settings.chunks as u64),
                Work::Embed | Work::EmbedBase64 => ((1, 2), 1),
                _ => continue,
            };
            eprintln!("  {} under callgrind ...", sc.key);
            for &c in sc.contenders {
                instructions.push((sc.key, c, callgrind::per_unit(sc.key, c, iters, units, settings.chunks)?));
            }
        }
    }
    let report = Report {
        header,
        rows,
        instructions,
        units: SCENARIOS.iter().map(|sc| (sc.key, sc.units)).collect(),
        meta: json!({
            "nproc": nproc,
            "cpu": cpu,
            "quick": args.quick,
            "callgrind": args.callgrind,
            "rounds": settings.rounds,
            "mem_rounds": settings.mem_rounds,
            "client_runtime": "tokio multi-thread, 2 workers (stream_ct: current-thread); work runs on a spawned task",
            "server": "child process, hyper 1 HTTP/1.1, tokio current-thread, 16 KiB writes",
            "chat_seq_requests_per_round": settings.chat_seq_requests,
            "chat_c64_requests_per_round": settings.chat_conc_requests,
            "concurrency": settings.concurrency,
            "chunks_per_stream": settings.chunks,
            "streams_per_round": settings.streams_per_sample,
            "embed_responses_per_round": settings.embed_requests,
            "embed_shape": [bodies::EMBED_INPUTS, bodies::EMBED_DIM],
            "mem_streams": settings.mem_streams,
            "drip_ms": settings.drip.as_millis() as u64,
            "io_rounds": settings.io_rounds,
            "file_bytes": settings.file_bytes,
            "batch_requests": settings.batch_requests,
            "seconds": (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        }),
    };
    let table = report.table();
    if args.json {
        eprintln!("\n{table}");
        println!("{}", serde_json::to_string_pretty(&report.json())?);
    } else {
        println!("\n{table}");
        println!("({:.1} s)", started.elapsed().as_secs_f64());
    }
    Ok(())
}

/// `--profile SCENARIO/CONTENDER`: one run of `--iters` units, nothing else, for callgrind.
fn profile(args: &Args, what: &str) -> Result<()> {
    let (key, name) = what.split_once('/').ok_or_else(|| anyhow!("--profile wants SCENARIO/CONTENDER"))?;
    let sc = SCENARIOS.iter().find(|s| s.key == key).ok_or_else(|| anyhow!("no scenario {key}"))?;
    let contender =
        Contender::ALL.into_iter().find(|c| c.name() == name).ok_or_else(|| anyhow!("no contender {name}"))?;
    let settings = Settings::from_args(args);
    let expect = expect(settings.chunks)?;
    let spawned;
    let (addr, pid) = match args.addr {
        Some(addr) => (addr, None),
        None => {
            spawned = ServerProcess::spawn(settings.chunks, settings.drip)?;
            (spawned.addr, Some(spawned.pid()))
        }
    };
    let rt = runtime(sc.flavour)?;
    let clients = Arc::new(Clients::new(&format!("http://{addr}"))?);
    let run = |units: u64| -> Result<Sample> {
        let fut = sample(clients.clone(), sc.work, contender, units, settings.concurrency, expect, pid);
        rt.block_on(async move { tokio::spawn(fut).await })?
    };
    let warm = match sc.work {
        Work::ChatSeq | Work::ChatConc => settings.concurrency.min(args.iters).max(1),
        _ => 1,
    };
    run(warm)?;
    let s = run(args.iters)?;
    println!(
        "{what}: {} units, {:.3} s wall, {:.3} {} ({} {})",
        s.units,
        s.wall,
        s.cpu_per_unit() * sc.cpu_scale,
        sc.units.secondary,
        report::num(s.rate()),
        sc.units.primary
    );
    Ok(())
}

fn main() -> Result<()> {
    let args = Args::parse();
    if args.serve {
        let drip = Duration::from_millis(args.drip_ms.unwrap_or(500));
        return server::run_child(args.chunks, drip);
    }
    if let Some(contender) = args.mem_child {
        let settings = Settings::from_args(&args);
        let addr = args.addr.ok_or_else(|| anyhow!("--mem-child needs --addr"))?;
        let report = memory::run_child(
            contender,
            args.mem_mode,
            &format!("http://{addr}"),
            settings.mem_streams,
            settings.drip,
            settings.chunks,
            args.io_size,
        )?;
        println!("{}", serde_json::to_string(&report)?);
        // The held streams are dropped with the process, not one by one.
        std::process::exit(0);
    }
    if let Some(what) = &args.profile {
        return profile(&args, what);
    }
    if args.build_time {
        return build_time_report(&args);
    }
    run(&args)
}

/// `--build-time`: the clean-build times, their ratio and its target (<= 1.0).
fn build_time_report(args: &Args) -> Result<()> {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let times = build_time::measure(&workspace, args.rounds.unwrap_or(1))?;
    let ratio = times.ratio();
    let (sdk, openai) = (build_time::median(&times.sdk), build_time::median(&times.openai));
    eprintln!(
        "clean debug build of a one-file chat app: mistral-sdk {:.1} s, async-openai {:.1} s: ratio {ratio:.2} (target <= 1.00: {})",
        sdk.as_secs_f64(),
        openai.as_secs_f64(),
        if ratio <= 1.0 { "met" } else { "missed" }
    );
    if args.json {
        let secs = |t: &[Duration]| t.iter().map(Duration::as_secs_f64).collect::<Vec<_>>();
        let out = json!({
            "scenario": "build_time",
            "sdk_seconds": secs(&times.sdk),
            "async_openai_seconds": secs(&times.openai),
            "ratios": {"sdk_vs_async_openai_build_time": ratio},
            "targets": [{"name": "sdk_vs_async_openai_build_time", "max": 1.0, "value": ratio, "met": ratio <= 1.0}],
        });
        println!("{out}");
    }
    Ok(())
}

#[cfg(test)]
mod tests;
