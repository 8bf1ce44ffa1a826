//! `apq-intese-sync`: the Applicativo Intese sync job.
//!
//! Pulls the monitoring feed from its checkpoint, writes each scheda to the target (a directory
//! of files, or an HTTP endpoint), acknowledges it, then advances the checkpoint, one item at a
//! time. A crash at any point neither loses nor duplicates a scheda: an item is written under a
//! name (or an Idempotency-Key) fixed by its scheda and change, so writing it again after a
//! restart replaces it; the acknowledgement is idempotent; the checkpoint moves only after both.
//!
//!     APQ_SYNC_TOKEN=... apq-intese-sync --feed http://127.0.0.1:8084 --target-dir ./intese
//!
//! With `--format puc --semester 2010-S1` it makes the national transmission of the semester
//! instead (the PUC file IGRUE reads), exactly once, and writes or POSTs its file (`puc.rs`).
//!
//! Progress goes to the terminal when there is one, structured JSON lines otherwise. The exit
//! status is non-zero, with a message, when the run cannot finish.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use apq_monitoring::{FeedItem, FeedPage, NewAcknowledgement, Outcome};
use clap::Parser;

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
    /// Items per feed page.
    #[arg(long, default_value_t = 50)]
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

struct Reporter {
    terminal: bool,
}

impl Reporter {
    fn event(&self, message: &str, fields: &serde_json::Value) {
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let _ = write!(err, "\r\x1b[2K{message}");
            let _ = err.flush();
        } else {
            let line = serde_json::json!({
                "timestamp": chrono::Utc::now().to_rfc3339(),
                "job": "apq-intese-sync",
                "message": message,
                "fields": fields,
            });
            let _ = writeln!(err, "{line}");
        }
    }

    fn finish(&self) {
        if self.terminal {
            let _ = writeln!(std::io::stderr());
        }
    }
}

/// Writes `bytes` to `path` atomically (temporary file, fsync, rename).
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let mut file = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)
        .with_context(|| format!("cannot move {} into place", path.display()))?;
    Ok(())
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

async fn deliver(http: &reqwest::Client, target: &Target, item: &FeedItem) -> anyhow::Result<()> {
    let body = serde_json::to_vec_pretty(item)?;
    match target {
        Target::Dir(dir) => write_atomically(&dir.join(format!("{}.json", item_key(item))), &body),
        Target::Url(url) => {
            let response = http
                .post(url)
                .header("content-type", "application/json")
                .header("idempotency-key", item_key(item))
                .body(body)
                .send()
                .await
                .with_context(|| format!("the target {url} does not answer"))?;
            anyhow::ensure!(
                response.status().is_success(),
                "the target {url} refused {}: {}",
                item_key(item),
                response.status()
            );
            Ok(())
        }
    }
}

async fn run(args: Args) -> anyhow::Result<usize> {
    let reporter = Reporter {
        terminal: std::io::stderr().is_terminal(),
    };
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
    let mut checkpoint = read_checkpoint(&checkpoint_path)?;
    let mut delivered = 0;
    reporter.event("starting", &serde_json::json!({"checkpoint": checkpoint}));
    loop {
        let response = http
            .get(format!(
                "{feed}/v1/feed?cursor={checkpoint}&limit={}",
                args.batch
            ))
            .bearer_auth(&args.token)
            .send()
            .await
            .with_context(|| format!("the monitoring feed at {feed} does not answer"))?;
        anyhow::ensure!(
            response.status().is_success(),
            "the monitoring feed refused the request: {}",
            response.status()
        );
        let page: FeedPage = response
            .json()
            .await
            .context("the feed's answer is not a feed page")?;
        for item in &page.items {
            deliver(&http, &target, item).await?;
            let ack = NewAcknowledgement {
                scheda_id: item.scheda.id,
                change_seq: item.change_seq,
                transmitted_at: chrono::Utc::now(),
                outcome: Outcome::Transmitted,
                message: None,
            };
            let acked = http
                .post(format!("{feed}/v1/feed/acknowledgements"))
                .bearer_auth(&args.token)
                .json(&ack)
                .send()
                .await
                .context("the acknowledgement did not reach the monitoring service")?;
            anyhow::ensure!(
                acked.status().is_success(),
                "the acknowledgement of {} was refused: {}",
                item_key(item),
                acked.status()
            );
            checkpoint = item.change_seq;
            write_atomically(&checkpoint_path, checkpoint.to_string().as_bytes())?;
            delivered += 1;
            reporter.event(
                &format!("delivered {delivered} scheda(e), checkpoint {checkpoint}"),
                &serde_json::json!({"scheda_id": item.scheda.id, "change_seq": item.change_seq, "intervento": item.scheda.intervento_code, "semester": item.scheda.semester}),
            );
            if args.delay_ms > 0 {
                tokio::time::sleep(Duration::from_millis(args.delay_ms)).await;
            }
        }
        if !page.more {
            break;
        }
    }
    reporter.event(
        &format!("done: {delivered} scheda(e) delivered, checkpoint {checkpoint}"),
        &serde_json::json!({"delivered": delivered, "checkpoint": checkpoint}),
    );
    reporter.finish();
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
