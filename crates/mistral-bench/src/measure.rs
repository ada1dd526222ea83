//! Clocks: wall time, this process's CPU time, its context switches, the server's CPU time,
//! resident memory.

use std::time::Instant;

/// CPU time of this whole process (all threads), in seconds.
pub fn process_cpu() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return f64::NAN;
    }
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Voluntary plus involuntary context switches of this process so far.
pub fn context_switches() -> u64 {
    // SAFETY: rusage is plain data; getrusage fills it through a valid pointer.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    if rc != 0 {
        return 0;
    }
    (usage.ru_nvcsw + usage.ru_nivcsw) as u64
}

/// CPU time of another process (sum over its threads), in seconds, from `schedstat`.
pub fn other_process_cpu(pid: u32) -> Option<f64> {
    let mut total_ns: u64 = 0;
    for entry in std::fs::read_dir(format!("/proc/{pid}/task")).ok()? {
        let path = entry.ok()?.path().join("schedstat");
        let text = std::fs::read_to_string(path).ok()?;
        total_ns += text.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total_ns as f64 * 1e-9)
}

/// `VmRSS` and `VmHWM` of this process, in KiB.
pub fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// One timed run of a contender: `units` requests, chunks or responses.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    pub units: u64,
    pub wall: f64,
    pub cpu: f64,
    pub server_cpu: Option<f64>,
    pub ctx_switches: u64,
}

impl Sample {
    pub fn rate(&self) -> f64 {
        self.units as f64 / self.wall
    }

    pub fn cpu_per_unit(&self) -> f64 {
        self.cpu / self.units as f64
    }

    pub fn server_busy(&self) -> Option<f64> {
        self.server_cpu.map(|s| s / self.wall)
    }
}

/// Started before a run, stopped after it.
pub struct Meter {
    server_pid: Option<u32>,
    server_cpu: Option<f64>,
    cpu: f64,
    ctx: u64,
    wall: Instant,
}

impl Meter {
    pub fn start(server_pid: Option<u32>) -> Meter {
        let server_cpu = server_pid.and_then(other_process_cpu);
        let ctx = context_switches();
        let cpu = process_cpu();
        Meter { server_pid, server_cpu, cpu, ctx, wall: Instant::now() }
    }

    pub fn stop(self, units: u64) -> Sample {
        let wall = self.wall.elapsed().as_secs_f64();
        let cpu = process_cpu() - self.cpu;
        let ctx_switches = context_switches().saturating_sub(self.ctx);
        let server_cpu = match (self.server_pid.and_then(other_process_cpu), self.server_cpu) {
            (Some(end), Some(start)) => Some(end - start),
            _ => None,
        };
        Sample { units, wall, cpu, server_cpu, ctx_switches }
    }
}

/// The median (mean of the middle two for an even count); NaN for none.
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}
