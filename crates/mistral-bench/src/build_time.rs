//! `--build-time`: how long a user's first build takes. Two one-file apps that send one chat
//! request, one on mistral-sdk (this workspace's, by path) and one on async-openai (the version
//! this harness benchmarks, chat only), each built from clean in a target directory of its
//! own, one after the other, in alternating order; the wall time of `cargo build` is the
//! measure (its jobs use every core, as a user's build does).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The apps, as a user would write them.
const SDK_MAIN: &str = r#"use mistral_sdk::{ChatRequest, ChatResponseExt, Client};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    let answer = client.chat().create(ChatRequest::new("mistral-small-latest").user("Hello")).await?;
    println!("{}", answer.text());
    Ok(())
}
"#;

const OPENAI_MAIN: &str = r#"use async_openai::types::chat::{ChatCompletionRequestUserMessageArgs, CreateChatCompletionRequestArgs};
use async_openai::{Client, config::OpenAIConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::with_config(OpenAIConfig::new().with_api_base("https://api.mistral.ai/v1"));
    let request = CreateChatCompletionRequestArgs::default()
        .model("mistral-small-latest")
        .messages([ChatCompletionRequestUserMessageArgs::default().content("Hello").build()?.into()])
        .build()?;
    let answer = client.chat().create(request).await?;
    println!("{:?}", answer.choices.first().and_then(|c| c.message.content.as_deref()));
    Ok(())
}
"#;

/// One contender's app.
pub struct App {
    pub name: &'static str,
    dir: PathBuf,
}

/// The clean-build times of each app, in the order built.
pub struct BuildTimes {
    pub sdk: Vec<Duration>,
    pub openai: Vec<Duration>,
}

impl BuildTimes {
    /// sdk / async-openai, medians.
    pub fn ratio(&self) -> f64 {
        median(&self.sdk).as_secs_f64() / median(&self.openai).as_secs_f64()
    }
}

pub fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

/// Writes both apps under `root`.
pub fn write_apps(root: &Path, workspace: &Path) -> Result<(App, App)> {
    let sdk_path = workspace.join("crates/mistral-sdk");
    let sdk = App { name: "mistral-sdk", dir: root.join("app-sdk") };
    let sdk_toml = format!(
        "[package]\nname = \"app-sdk\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[workspace]\n\n[dependencies]\n\
         mistral-sdk = {{ path = {:?} }}\ntokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n",
        sdk_path.display().to_string()
    );
    write_app(&sdk.dir, &sdk_toml, SDK_MAIN)?;
    let openai = App { name: "async-openai", dir: root.join("app-openai") };
    let openai_toml = "[package]\nname = \"app-openai\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[workspace]\n\n\
                       [dependencies]\nasync-openai = { version = \"=0.43.0\", features = [\"chat-completion\"] }\n\
                       tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }\n";
    write_app(&openai.dir, openai_toml, OPENAI_MAIN)?;
    Ok((sdk, openai))
}

fn write_app(dir: &Path, manifest: &str, main: &str) -> Result<()> {
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(dir.join("Cargo.toml"), manifest)?;
    std::fs::write(dir.join("src/main.rs"), main)?;
    Ok(())
}

/// Resolves the app's dependencies (offline when the registry cache has them), outside the
/// measure.
pub fn fetch(app: &App) -> Result<()> {
    let status = Command::new("cargo").arg("fetch").current_dir(&app.dir).status().context("cargo fetch")?;
    if !status.success() {
        bail!("cargo fetch failed for {}", app.name);
    }
    Ok(())
}

/// One debug build from clean: a fresh target directory.
pub fn build_clean(app: &App, round: usize) -> Result<Duration> {
    let target = app.dir.join(format!("target-{round}"));
    let _ = std::fs::remove_dir_all(&target);
    let started = Instant::now();
    let output = Command::new("cargo")
        .args(["build", "--quiet", "--offline"])
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .env("CARGO_INCREMENTAL", "0")
        .current_dir(&app.dir)
        .output()
        .context("cargo build")?;
    let took = started.elapsed();
    if !output.status.success() {
        bail!("building the {} app failed:\n{}", app.name, String::from_utf8_lossy(&output.stderr));
    }
    let _ = std::fs::remove_dir_all(&target);
    Ok(took)
}

/// `rounds` clean builds of each app, alternating which goes first.
pub fn measure(workspace: &Path, rounds: usize) -> Result<BuildTimes> {
    let root = std::env::temp_dir().join(format!("mistral-bench-build-{}", std::process::id()));
    let (sdk, openai) = write_apps(&root, workspace)?;
    fetch(&sdk)?;
    fetch(&openai)?;
    let mut times = BuildTimes { sdk: Vec::new(), openai: Vec::new() };
    for round in 0..rounds.max(1) {
        let order = if round % 2 == 0 { [&sdk, &openai] } else { [&openai, &sdk] };
        for app in order {
            let took = build_clean(app, round)?;
            eprintln!("build {round}: {} {:.1} s", app.name, took.as_secs_f64());
            if app.name == sdk.name { times.sdk.push(took) } else { times.openai.push(took) }
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    Ok(times)
}
