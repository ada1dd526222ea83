//! `--callgrind`: user-space instructions per unit, counted by valgrind's callgrind on two
//! `--profile` runs of different sizes; their difference cancels start-up and warm-up.
//! Exact and independent of the machine's load, unlike CPU time, but blind to the kernel
//! (syscalls, wake-ups), which CPU time includes.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, anyhow, ensure};

use crate::clients::Contender;

/// Whether `valgrind` can be run.
pub fn available() -> bool {
    Command::new("valgrind").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Instructions callgrind counted in one `--profile` run (the server child is not traced).
fn collected(exe: &Path, what: &str, iters: u64, chunks: usize) -> Result<u64> {
    let output = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null", "--trace-children=no"])
        .arg(exe)
        .args(["--profile", what, "--iters", &iters.to_string(), "--chunks", &chunks.to_string()])
        .stdin(Stdio::null())
        .output()
        .context("cannot run valgrind")?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    ensure!(output.status.success(), "valgrind on {what} failed: {}", stderr.lines().last().unwrap_or_default());
    let line = stderr
        .lines()
        .find_map(|l| l.split_once("Collected :").map(|(_, n)| n.trim().replace(',', "")))
        .ok_or_else(|| anyhow!("no instruction count from valgrind for {what}"))?;
    Ok(line.parse()?)
}

/// Instructions per unit of `scenario` by `contender`: runs of `small` and `large` iterations,
/// `units_per_iter` units each (chunks per stream; 1 for a request).
pub fn per_unit(
    scenario: &str,
    contender: Contender,
    (small, large): (u64, u64),
    units_per_iter: u64,
    chunks: usize,
) -> Result<f64> {
    let exe = std::env::current_exe()?;
    let what = format!("{scenario}/{}", contender.name());
    let a = collected(&exe, &what, small, chunks)?;
    let b = collected(&exe, &what, large, chunks)?;
    Ok((b as f64 - a as f64) / ((large - small) * units_per_iter) as f64)
}
