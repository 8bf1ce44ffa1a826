//! `apq-intese-sync --format puc --semester 2010-S1`: the national transmission of a semester.
//!
//! Makes the transmission exactly once and delivers its file: the `Idempotency-Key` of the
//! `POST /v1/puc/transmissions` is kept in the checkpoint before the POST, so a run killed at any
//! point and started again makes no second transmission (the service replays the first), and
//! delivers the same file under the same name (a temporary file in the target directory, then a
//! rename) or with the same `Idempotency-Key` to the target URL. Once delivered, the checkpoint
//! says so and a new run for the semester does nothing (remove the checkpoint to make another
//! transmission of it, e.g. after fixing what IGRUE refused).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Reporter, Target, write_atomically};

/// What the checkpoint of a PUC run holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Checkpoint {
    semester: String,
    /// The Idempotency-Key of the transmission, chosen before it is asked for.
    key: String,
    /// The transmission made, once the service answered.
    transmission: Option<Uuid>,
    /// The file reached the target.
    delivered: bool,
}

/// One PUC run.
pub struct Job<'a> {
    pub http: &'a reqwest::Client,
    pub feed: &'a str,
    pub token: &'a str,
    pub semester: &'a str,
    pub target: &'a Target,
    /// The checkpoint's path, if given (else one per semester next to the target).
    pub checkpoint: Option<PathBuf>,
    /// A pause between making the transmission and delivering its file.
    pub delay: Duration,
}

fn checkpoint_path(job: &Job<'_>) -> PathBuf {
    job.checkpoint.clone().unwrap_or_else(|| match job.target {
        Target::Dir(dir) => dir.join(format!(".puc-{}.checkpoint", job.semester)),
        Target::Url(_) => {
            PathBuf::from(format!(".apq-intese-sync-puc-{}.checkpoint", job.semester))
        }
    })
}

fn read(path: &std::path::Path, semester: &str) -> anyhow::Result<Option<Checkpoint>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(e)
                .with_context(|| format!("cannot read the checkpoint {}", path.display()));
        }
    };
    let checkpoint: Checkpoint = serde_json::from_str(&text)
        .with_context(|| format!("the checkpoint {} is corrupt", path.display()))?;
    anyhow::ensure!(
        checkpoint.semester == semester,
        "the checkpoint {} is of {}, not {semester}",
        path.display(),
        checkpoint.semester
    );
    Ok(Some(checkpoint))
}

fn save(path: &std::path::Path, checkpoint: &Checkpoint) -> anyhow::Result<()> {
    write_atomically(path, &serde_json::to_vec_pretty(checkpoint)?)
}

/// Asks for the transmission (a replay after a crash answers the one made).
async fn transmit(job: &Job<'_>, key: &str) -> anyhow::Result<Uuid> {
    let response = job
        .http
        .post(format!("{}/v1/puc/transmissions", job.feed))
        .bearer_auth(job.token)
        .header("idempotency-key", key)
        .json(&serde_json::json!({ "semester": job.semester }))
        .send()
        .await
        .with_context(|| format!("the monitoring service at {} does not answer", job.feed))?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or(serde_json::Value::Null);
    anyhow::ensure!(
        status.is_success(),
        "the transmission of {} was refused ({status}): {body}",
        job.semester
    );
    body["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .context("the service's answer names no transmission")
}

async fn file(job: &Job<'_>, id: Uuid) -> anyhow::Result<String> {
    let response = job
        .http
        .get(format!("{}/v1/puc/transmissions/{id}/file", job.feed))
        .bearer_auth(job.token)
        .send()
        .await
        .with_context(|| format!("the monitoring service at {} does not answer", job.feed))?;
    anyhow::ensure!(
        response.status().is_success(),
        "the file of transmission {id} was refused: {}",
        response.status()
    );
    Ok(response.text().await?)
}

async fn deliver(job: &Job<'_>, id: Uuid, file: &str) -> anyhow::Result<String> {
    let name = format!("PUC-{}-{id}.txt", job.semester);
    match job.target {
        Target::Dir(dir) => {
            write_atomically(&dir.join(&name), file.as_bytes())?;
            Ok(name)
        }
        Target::Url(url) => {
            let response = job
                .http
                .post(url)
                .header("content-type", "text/plain; charset=utf-8")
                .header("idempotency-key", format!("puc-transmission-{id}"))
                .body(file.to_owned())
                .send()
                .await
                .with_context(|| format!("the target {url} does not answer"))?;
            anyhow::ensure!(
                response.status().is_success(),
                "the target {url} refused {name}: {}",
                response.status()
            );
            Ok(name)
        }
    }
}

/// Makes (once) and delivers (once) the transmission of the semester.
pub async fn run(job: Job<'_>, reporter: &Reporter) -> anyhow::Result<()> {
    apq_domain::Semester::parse(job.semester)
        .map_err(|e| anyhow::anyhow!("--semester {}: {e}", job.semester))?;
    let path = checkpoint_path(&job);
    let mut checkpoint = match read(&path, job.semester)? {
        Some(checkpoint) => checkpoint,
        None => {
            let fresh = Checkpoint {
                semester: job.semester.to_owned(),
                key: format!("puc-{}-{}", job.semester, Uuid::new_v4()),
                transmission: None,
                delivered: false,
            };
            // Kept before the POST: a restart asks again with the same key.
            save(&path, &fresh)?;
            fresh
        }
    };
    if checkpoint.delivered {
        reporter.event(
            &format!("the transmission of {} was already delivered", job.semester),
            &serde_json::json!({"semester": job.semester, "transmission": checkpoint.transmission}),
        );
        reporter.finish();
        return Ok(());
    }
    let id = transmit(&job, &checkpoint.key).await?;
    checkpoint.transmission = Some(id);
    save(&path, &checkpoint)?;
    reporter.event(
        &format!("transmission {id} of {} made", job.semester),
        &serde_json::json!({"semester": job.semester, "transmission": id}),
    );
    if !job.delay.is_zero() {
        tokio::time::sleep(job.delay).await;
    }
    let text = file(&job, id).await?;
    let name = deliver(&job, id, &text).await?;
    checkpoint.delivered = true;
    save(&path, &checkpoint)?;
    reporter.event(
        &format!("delivered {name}"),
        &serde_json::json!({"semester": job.semester, "transmission": id, "file": name, "bytes": text.len()}),
    );
    reporter.finish();
    Ok(())
}
