//! `apq-intese-sync`: the Applicativo Intese sync job.
//!
//! Pulls the monitoring feed from its checkpoint a page at a time: writes each scheda of the page
//! to the target (a directory of files, made durable before anything is acknowledged, or an HTTP
//! endpoint), acknowledges the whole page in one call, then advances the checkpoint. A crash at
//! any point neither loses nor duplicates a scheda: an item is written under a name (or an
//! Idempotency-Key) fixed by its scheda and change, so writing it again after a restart replaces
//! it; the acknowledgement is idempotent; the checkpoint moves only after both. A call that meets
//! a passing failure (no answer, 408, 429, 502-504) is tried again with exponential backoff.
//!
//!     APQ_SYNC_TOKEN=... apq-intese-sync --feed http://127.0.0.1:8084 --target-dir ./intese
//!
//! With `--format puc --semester 2010-S1` it makes the national transmission of the semester
//! instead (the PUC file IGRUE reads), exactly once, and writes or POSTs its file (`puc.rs`).
//!
//! Progress goes to the terminal (a progress line) when there is one, structured JSON lines (one
//! per page) otherwise. The exit
//! status is non-zero, with a message, when the run cannot finish.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use apq_monitoring::{
    AcknowledgementBatch, FeedItem, FeedPage, MAX_BATCH, NewAcknowledgement,
    NewAcknowledgementBatch, Outcome,
};
use backon::{ExponentialBuilder, Retryable};
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};

#[path = "apq-intese-sync/puc.rs"]
mod puc;

/// What the job delivers.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// The schede of the monitoring feed, one JSON file each.
    Json,
    /// The national transmission of `--semester` in IGRUE's PUC layout.
    Puc,
}

#[derive(Parser, Debug)]
#[command(
    name = "apq-intese-sync",
    about = "Pulls the monitoring feed into the Applicativo Intese"
)]
struct Args {
    /// The monitoring service's base URL.
    #[arg(long, env = "APQ_SYNC_FEED", default_value = "http://127.0.0.1:8084")]
    feed: String,
    /// A bearer token with the `sync` role (never on the command line in production: use the variable).
    #[arg(long, env = "APQ_SYNC_TOKEN", hide_env_values = true)]
    token: String,
    /// Write each scheda as a JSON file in this directory...
    #[arg(long, env = "APQ_SYNC_TARGET_DIR", conflicts_with = "target_url")]
    target_dir: Option<PathBuf>,
    /// ...or POST it to this endpoint (with an Idempotency-Key per scheda change).
    #[arg(long, env = "APQ_SYNC_TARGET_URL")]
    target_url: Option<String>,
    /// Where the checkpoint is kept (default: `.checkpoint` in the target directory).
    #[arg(long, env = "APQ_SYNC_CHECKPOINT")]
    checkpoint: Option<PathBuf>,
    /// Items per feed page (and per acknowledgement), 1 to 200.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=MAX_BATCH as i64))]
    batch: u32,
    /// A pause after each item (to go easy on the target).
    #[arg(long, default_value_t = 0)]
    delay_ms: u64,
    /// A PEM bundle of CA certificates trusted on top of the system's, for an `https` feed or
    /// target signed by an internal CA (the same variable as the services' `tls.ca_file`).
    #[arg(long, env = "APQ_TLS__CA_FILE")]
    ca_file: Option<PathBuf>,
    /// Timeout of each HTTP call, in seconds.
    #[arg(long, default_value_t = 30)]
    timeout_secs: u64,
    /// How many times a call that met a passing failure is tried again.
    #[arg(long, default_value_t = 4)]
    retries: usize,
    /// `json` (the feed of schede) or `puc` (the national transmission of `--semester`).
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// The semester of a `puc` transmission, e.g. 2010-S1.
    #[arg(long, required_if_eq("format", "puc"))]
    semester: Option<String>,
}

enum Target {
    Dir(PathBuf),
    Url(String),
}

/// Where the run stands, for whoever watches: a progress line on a terminal, a JSON line per
/// page otherwise.
struct Reporter {
    bar: Option<ProgressBar>,
}

impl Reporter {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {pos} scheda(e) delivered ({per_sec}) {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Self { bar }
    }

    fn event(&self, message: &str, fields: &serde_json::Value) {
        match &self.bar {
            Some(bar) => bar.set_message(message.to_owned()),
            None => {
                let line = serde_json::json!({
                    "timestamp": chrono::Utc::now().to_rfc3339(),
                    "job": "apq-intese-sync",
                    "message": message,
                    "fields": fields,
                });
                let _ = writeln!(std::io::stderr().lock(), "{line}");
            }
        }
    }

    fn delivered(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, flushed to disk, renamed
/// into place. The directory itself is made durable by [`sync_dir`].
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path)
        .with_context(|| format!("cannot move {} into place", path.display()))?;
    Ok(())
}

/// Makes the renames done in `dir` durable (they live in the directory, not in the files).
fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot flush {}", dir.display()))
}

fn read_checkpoint(path: &Path) -> anyhow::Result<i64> {
    match std::fs::read_to_string(path) {
        Ok(text) => text
            .trim()
            .parse()
            .with_context(|| format!("the checkpoint {} is corrupt", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(e).with_context(|| format!("cannot read the checkpoint {}", path.display())),
    }
}

fn item_key(item: &FeedItem) -> String {
    format!("scheda-{}-seq-{}", item.scheda.id, item.change_seq)
}

/// A failed call: passing (tried again) or not.
#[derive(Debug, thiserror::Error)]
enum CallError {
    #[error("{0}")]
    Passing(String),
    #[error("{0}")]
    Final(String),
}

impl CallError {
    fn is_passing(&self) -> bool {
        matches!(self, CallError::Passing(_))
    }
}

/// Sends one request (built afresh for each try) and reads a JSON answer; no answer and the
/// passing statuses of the peer clients (408, 429, 502-504) are passing failures, any other
/// refusal is final.
async fn call<T: serde::de::DeserializeOwned>(
    request: impl Fn() -> reqwest::RequestBuilder,
    what: &str,
    retries: usize,
) -> anyhow::Result<T> {
    let once = || async {
        let response = request()
            .send()
            .await
            .map_err(|e| CallError::Passing(format!("{what} does not answer: {e}")))?;
        let status = response.status();
        if status.is_success() {
            return response.json::<T>().await.map_err(|e| {
                CallError::Final(format!("{what} answered something unexpected: {e}"))
            });
        }
        let message = format!("{what} refused the request: {status}");
        Err(if apq_platform::client::is_passing_status(status) {
            CallError::Passing(message)
        } else {
            CallError::Final(message)
        })
    };
    Ok(once
        .retry(
            ExponentialBuilder::default()
                .with_min_delay(Duration::from_millis(200))
                .with_max_delay(Duration::from_secs(10))
                .with_max_times(retries),
        )
        .when(CallError::is_passing)
        .await?)
}

struct Job {
    http: reqwest::Client,
    feed: String,
    token: String,
    target: Target,
    retries: usize,
}

impl Job {
    async fn page(&self, cursor: i64, limit: u32) -> anyhow::Result<FeedPage> {
        let url = format!("{}/v1/feed", self.feed);
        call(
            || {
                self.http
                    .get(&url)
                    .query(&[("cursor", cursor.to_string()), ("limit", limit.to_string())])
                    .bearer_auth(&self.token)
            },
            &format!("the monitoring feed at {}", self.feed),
            self.retries,
        )
        .await
    }

    async fn deliver(&self, item: &FeedItem) -> anyhow::Result<()> {
        let body = serde_json::to_vec_pretty(item)?;
        match &self.target {
            Target::Dir(dir) => {
                write_atomically(&dir.join(format!("{}.json", item_key(item))), &body)
            }
            Target::Url(url) => call::<serde::de::IgnoredAny>(
                || {
                    self.http
                        .post(url)
                        .header("content-type", "application/json")
                        .header("idempotency-key", item_key(item))
                        .body(body.clone())
                },
                &format!("the target {url}"),
                self.retries,
            )
            .await
            .map(|_| ()),
        }
    }

    /// Acknowledges a delivered page in one call (idempotent, so safe to try again).
    async fn acknowledge(&self, items: &[FeedItem]) -> anyhow::Result<()> {
        let batch = NewAcknowledgementBatch {
            items: items
                .iter()
                .map(|item| NewAcknowledgement {
                    scheda_id: item.scheda.id,
                    change_seq: item.change_seq,
                    transmitted_at: chrono::Utc::now(),
                    outcome: Outcome::Transmitted,
                    message: None,
                })
                .collect(),
        };
        let url = format!("{}/v1/feed/acknowledgement-batches", self.feed);
        let recorded: AcknowledgementBatch = call(
            || self.http.post(&url).bearer_auth(&self.token).json(&batch),
            "the monitoring service (acknowledging a page)",
            self.retries,
        )
        .await?;
        anyhow::ensure!(
            recorded.items.len() == items.len(),
            "the monitoring service acknowledged {} of {} scheda(e)",
            recorded.items.len(),
            items.len()
        );
        Ok(())
    }
}

async fn run(args: Args) -> anyhow::Result<usize> {
    let reporter = Reporter::new();
    let (target, default_checkpoint) = match (&args.target_dir, &args.target_url) {
        (Some(dir), None) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            (Target::Dir(dir.clone()), dir.join(".checkpoint"))
        }
        (None, Some(url)) => (
            Target::Url(url.clone()),
            PathBuf::from(".apq-intese-sync.checkpoint"),
        ),
        _ => anyhow::bail!("give either --target-dir or --target-url"),
    };
    let checkpoint_path = args.checkpoint.clone().unwrap_or(default_checkpoint);
    let checkpoint_dir = checkpoint_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."))
        .to_path_buf();
    let tls = apq_platform::settings::TlsSettings {
        ca_file: args.ca_file.clone(),
        https_only: false,
    };
    let http = apq_platform::tls::client_builder(&tls)?
        .timeout(Duration::from_secs(args.timeout_secs))
        .build()?;
    let feed = args.feed.trim_end_matches('/').to_owned();
    if let (Format::Puc, Some(semester)) = (args.format, &args.semester) {
        let job = puc::Job {
            http: &http,
            feed: &feed,
            token: &args.token,
            semester,
            target: &target,
            checkpoint: args.checkpoint.clone(),
            delay: Duration::from_millis(args.delay_ms),
        };
        return puc::run(job, &reporter).await.map(|()| 1);
    }
    let job = Job {
        http,
        feed,
        token: args.token.clone(),
        target,
        retries: args.retries,
    };
    let mut checkpoint = read_checkpoint(&checkpoint_path)?;
    let mut delivered = 0;
    reporter.event("starting", &serde_json::json!({"checkpoint": checkpoint}));
    loop {
        let page = job.page(checkpoint, args.batch).await?;
        for item in &page.items {
            job.deliver(item).await?;
            if args.delay_ms > 0 {
                tokio::time::sleep(Duration::from_millis(args.delay_ms)).await;
            }
        }
        if let Target::Dir(dir) = &job.target {
            sync_dir(dir)?;
        }
        if !page.items.is_empty() {
            job.acknowledge(&page.items).await?;
            checkpoint = page.checkpoint;
            write_atomically(&checkpoint_path, checkpoint.to_string().as_bytes())?;
            sync_dir(&checkpoint_dir)?;
            delivered += page.items.len();
            reporter.delivered(page.items.len() as u64);
            reporter.event(
                &format!("checkpoint {checkpoint}"),
                &serde_json::json!({"delivered": delivered, "page": page.items.len(), "checkpoint": checkpoint}),
            );
        }
        if !page.more {
            break;
        }
    }
    reporter.finish();
    reporter.event(
        &format!("done: {delivered} scheda(e) delivered, checkpoint {checkpoint}"),
        &serde_json::json!({"delivered": delivered, "checkpoint": checkpoint}),
    );
    Ok(delivered)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(_) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(
                std::io::stderr(),
                "\napq-intese-sync: cannot finish: {error:#}"
            );
            std::process::ExitCode::FAILURE
        }
    }
}
