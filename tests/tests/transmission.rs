//! The national transmissions through HTTP on the loaded IV Atto: a transmission refused while a
//! blocking finding stands and made when the file is clean, IGRUE's answer read back onto the
//! records it names (and refused whole, changing nothing, when malformed), the errors cleared by
//! the next transmission, tombstones for what was deleted, and the sync job's `--format puc`
//! killed mid-transmission and restarted.
//!
//! The register is the loaded IV Atto as the Region completes it for the national file
//! (`apq_e2e::puc`), with impegni and pagamenti recorded: GEOSIGMA's pagamento past its impegni
//! blocks (check 028) until the missing impegno is recorded.

use std::path::Path;
use std::time::{Duration, Instant};

use apq_domain::Role;
use apq_e2e::{Suite, call, euro, files, loaded_suite, read, record, responsabile, sync_binary};
use apq_platform::testing::{TestApp, token_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn accordo() -> String {
    token_with(&[Role::ResponsabileAccordo])
}

/// CSTT-ALI commits and pays; GEOSIGMA pays more than it committed (check 028 blocks).
async fn events(m: &TestApp) {
    record(m, "CSTT-ALI", "impegni", json!({"code": "IMP-1", "tipologia": "I", "date": "2010-02-01", "amount": euro("500000.00")})).await;
    record(m, "CSTT-ALI", "pagamenti", json!({"code": "PAG-1", "tipologia": "P", "date": "2010-03-01", "amount": euro("200000.00")})).await;
    record(
        m,
        "GEOSIGMA",
        "impegni",
        json!({"code": "G-I", "tipologia": "I", "date": "2010-01-10", "amount": euro("100.00")}),
    )
    .await;
    record(
        m,
        "GEOSIGMA",
        "pagamenti",
        json!({"code": "G-P", "tipologia": "P", "date": "2010-02-10", "amount": euro("300.00")}),
    )
    .await;
}

/// The register completed and GEOSIGMA's missing impegno recorded: the file is clean.
async fn clean(suite: &Suite) {
    apq_e2e::puc::complete_the_iv_atto(suite).await;
    let impegno =
        json!({"code": "G-I2", "tipologia": "I", "date": "2010-01-20", "amount": euro("200.00")});
    record(&suite.monitoring, "GEOSIGMA", "impegni", impegno).await;
}

/// Cancels the PUC project of `code` (as of 1 January 2010).
async fn cancel(m: &TestApp, code: &str) {
    let (_, projects) = read(m, "/v1/puc/projects", None).await;
    let project = projects["items"]
        .as_array()
        .and_then(|items| items.iter().find(|p| p["intervento_code"] == code))
        .cloned()
        .unwrap_or_default();
    let (status, body) = call(
        m,
        Method::PATCH,
        &format!("/v1/puc/projects/{code}"),
        Some(&accordo()),
        Some(&project["version"]),
        Some(json!({"cancelled_on": "2010-01-01"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn transmit(m: &TestApp, key: Option<&str>) -> (StatusCode, Value) {
    let mut request = m
        .http
        .post(m.url("/v1/puc/transmissions"))
        .bearer_auth(accordo())
        .json(&json!({"semester": "2010-S1"}));
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn answer(m: &TestApp, id: &str, version: &Value, text: &str) -> (StatusCode, Value) {
    let response = m
        .http
        .post(m.url(&format!("/v1/puc/transmissions/{id}/response")))
        .bearer_auth(accordo())
        .header("content-type", "text/plain")
        .header(
            "if-match",
            format!("\"{}\"", version.as_i64().unwrap_or(-1)),
        )
        .body(text.to_owned())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn text(m: &TestApp, path: &str) -> String {
    let response = m
        .http
        .get(m.url(path))
        .bearer_auth(accordo())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/plain")
    );
    response.text().await.unwrap_or_default()
}

fn count(list: &Value) -> usize {
    list["items"].as_array().map(Vec::len).unwrap_or(0)
}

#[tokio::test]
async fn a_transmission_is_refused_while_blocking_and_igrue_s_answer_lands_on_its_records() {
    let suite = loaded_suite().await;
    let m = &suite.monitoring;
    events(m).await;

    // Refused while a blocking finding stands, each listed with its IGRUE code; nothing stored.
    let (status, problem) = transmit(m, Some("t-1")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let listed = problem["errors"].as_array().cloned().unwrap_or_default();
    assert!(
        listed
            .iter()
            .any(|e| e["field"] == "GEOSIGMA/FN06/IMPORTO_PAG"
                && e["message"].as_str().is_some_and(|m| m.starts_with("028"))),
        "{problem}"
    );
    let (status, list) = read(m, "/v1/puc/transmissions", Some(&accordo())).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(count(&list), 0, "{list}");

    // Clean once the register is complete: made, once per key.
    clean(&suite).await;
    let (status, made) = transmit(m, Some("t-2")).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let (status, again) = transmit(m, Some("t-2")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again["id"], made["id"], "a retry replays");
    let id = made["id"].as_str().unwrap_or_default().to_owned();
    let (_, preview) = read(m, "/v1/puc/2010-S1", None).await;
    assert_eq!(
        preview["findings"]
            .as_array()
            .map(|f| f.iter().any(|f| f["blocking"] == true)),
        Some(false),
        "{preview}"
    );
    let stored = text(m, &format!("/v1/puc/transmissions/{id}/file")).await;
    assert_eq!(
        stored,
        preview["file"].as_str().unwrap_or_default(),
        "the file as previewed"
    );
    let (status, sent) = read(m, &format!("/v1/puc/transmissions/{id}"), Some(&accordo())).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["state"], "sent");
    let records = sent["records"].as_array().cloned().unwrap_or_default();
    assert_eq!(sent["record_count"], records.len(), "one key each: {sent}");
    let impegno = records
        .iter()
        .find(|r| r["structure"] == "FN04" && r["entity"] == "IMP-1")
        .cloned()
        .unwrap_or_else(|| panic!("IMP-1 was sent: {sent}"));
    let n = impegno["progressivo"].as_i64().unwrap_or(0);
    assert_eq!(impegno["intervento_code"], "CSTT-ALI");
    let file = text(m, &format!("/v1/puc/transmissions/{id}/file")).await;
    assert!(file.contains(&format!("\r\nFN04#{n}#")), "{file}");

    let good = format!(
        "HH#0#SISIGRUE#\r\nTIPOERRORE#1#27|Impegni superiori al finanziamento#\r\nFN04#{n}#2#0|0|0|0|27|0|0|0#\r\nFF#3#2#\r\n"
    );
    // A malformed answer is refused whole, naming the line, and changes nothing.
    for (bad, line) in [
        (good.replace("FF#3#2#", "FF#3#5#"), "line 4"),
        (good.replace(&format!("FN04#{n}#"), "FN04#999#"), "line 3"),
        (
            good.replace(&format!("FN04#{n}#"), &format!("FN06#{n}#")),
            "line 3",
        ),
    ] {
        let (status, problem) = answer(m, &id, &sent["version"], &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {problem}");
        assert!(
            problem["errors"][0]["field"] == line,
            "{bad} names {line}: {problem}"
        );
    }
    let (_, unchanged) = read(m, &format!("/v1/puc/transmissions/{id}"), Some(&accordo())).await;
    assert_eq!(unchanged["version"], sent["version"]);
    assert_eq!(unchanged["state"], "sent");
    assert_eq!(unchanged["refused"], 0);

    // The answer: IGRUE's error lands on the impegno that was record N.
    let (status, answered) = answer(m, &id, &sent["version"], &good).await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    assert_eq!(answered["state"], "answered");
    assert_eq!(answered["refused"], 1);
    let on = &answered["records"][usize::try_from(n - 1).unwrap_or(0)];
    assert_eq!(on["entity"], "IMP-1", "{on}");
    assert_eq!(on["refusal_class"], 2);
    assert_eq!(
        on["errors"],
        json!([{"field": "IMPORTO_IMPEGNO", "code": 27, "description": "Impegni superiori al finanziamento"}])
    );
    let (status, errors) = read(
        m,
        "/v1/puc/errors?intervento_code=CSTT-ALI",
        Some(&accordo()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{errors}");
    assert_eq!(errors["transmission_id"], id.as_str());
    assert_eq!(count(&errors), 1, "{errors}");
    assert_eq!(errors["items"][0]["structure"], "FN04");
    assert_eq!(errors["items"][0]["entity"], "IMP-1");
    assert_eq!(errors["items"][0]["progressivo"], n);
    assert_eq!(
        errors["items"][0]["description"],
        "Impegni superiori al finanziamento"
    );
    let (_, other) = read(
        m,
        "/v1/puc/errors?intervento_code=GEOSIGMA",
        Some(&accordo()),
    )
    .await;
    assert_eq!(count(&other), 0, "{other}");
    // Answered once.
    let (status, _) = answer(m, &id, &answered["version"], &good).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // CSTT-ALI is cancelled: the preview sends each of its records again as a tombstone.
    cancel(m, "CSTT-ALI").await;
    let (_, preview) = read(m, "/v1/puc/2010-S1", None).await;
    let tombstones: Vec<&Value> = preview["records"]
        .as_array()
        .map(|r| r.iter().filter(|r| r["deleted"] == true).collect())
        .unwrap_or_default();
    let sent_cstt = records
        .iter()
        .filter(|r| r["intervento_code"] == "CSTT-ALI")
        .count();
    assert_eq!(tombstones.len(), sent_cstt, "{preview}");
    assert!(
        tombstones
            .iter()
            .all(|t| t["intervento_code"] == "CSTT-ALI")
    );
    let sent_line = file
        .split("\r\n")
        .find(|l| l.starts_with(&format!("FN04#{n}#")))
        .unwrap_or_default();
    let values = sent_line.split('#').nth(2).unwrap_or_default();
    // The values as sent (they end with the empty flag's separator), now flagged S.
    let tombstone = format!("{values}S#");
    assert!(
        preview["file"]
            .as_str()
            .is_some_and(|f| f.contains(&tombstone)),
        "the impegno sent as a tombstone ({tombstone}): {}",
        preview["file"]
    );

    // The next transmission sends the tombstones and clears the errors.
    let (status, made) = transmit(m, Some("t-3")).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let made_id = made["id"].as_str().unwrap_or_default();
    let stored = text(m, &format!("/v1/puc/transmissions/{made_id}/file")).await;
    assert_eq!(stored, preview["file"].as_str().unwrap_or_default());
    let (_, list) = read(m, "/v1/puc/transmissions", Some(&accordo())).await;
    assert_eq!(count(&list), 2, "{list}");
    assert_eq!(list["items"][0]["id"], made["id"], "newest first");
    assert_eq!(list["items"][0]["sent_by"], made["sent_by"]);
    let (_, errors) = read(m, "/v1/puc/errors", Some(&accordo())).await;
    assert_eq!(errors["transmission_id"], made["id"]);
    assert_eq!(
        count(&errors),
        0,
        "a later transmission clears them: {errors}"
    );
    // Tombstones are sent once: the next file has nothing left to delete.
    let (_, next) = read(m, "/v1/puc/2010-S1", None).await;
    let next = next["records"].as_array().cloned().unwrap_or_default();
    assert!(
        !next.is_empty()
            && next
                .iter()
                .all(|r| r["deleted"] == false && r["intervento_code"] != "CSTT-ALI"),
        "{next:?}"
    );

    // Audited; the roles hold.
    let (_, audit) = read(
        m,
        "/v1/audit?entity=puc_transmission",
        Some(&token_with(&[Role::Auditor])),
    )
    .await;
    assert_eq!(
        count(&audit),
        3,
        "the two transmissions and the answer: {audit}"
    );
    let (status, _) = read(m, "/v1/puc/transmissions", Some(&responsabile("CSTT-ALI"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

fn job(binary: &Path, feed: &str, dir: &Path, delay_ms: &str) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(binary);
    command
        .args([
            "--feed",
            feed,
            "--target-dir",
            &dir.to_string_lossy(),
            "--format",
            "puc",
            "--semester",
            "2010-S1",
            "--delay-ms",
            delay_ms,
        ])
        .env("APQ_SYNC_TOKEN", token_with(&[Role::Sync]));
    command
}

#[tokio::test]
async fn the_sync_job_killed_mid_transmission_and_restarted_sends_the_file_once() {
    let suite = loaded_suite().await;
    let m = &suite.monitoring;
    events(m).await;
    let binary = sync_binary();
    assert!(binary.exists(), "{} is built", binary.display());
    let dir = std::env::temp_dir().join(format!("apq-puc-{}", std::process::id()));
    drop(std::fs::remove_dir_all(&dir));

    // Blocked: the job stops, saying why, and nothing is made.
    let refused = job(&binary, &m.address, &dir, "0")
        .output()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("cannot finish") && stderr.contains("028"),
        "{stderr}"
    );
    let (_, list) = read(m, "/v1/puc/transmissions", Some(&accordo())).await;
    assert_eq!(count(&list), 0);

    clean(&suite).await;
    drop(std::fs::remove_dir_all(&dir));
    // Killed after the transmission is made, before its file is written.
    let mut first = job(&binary, &m.address, &dir, "30000")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let deadline = Instant::now() + Duration::from_secs(30);
    let made = loop {
        let (_, list) = read(m, "/v1/puc/transmissions", Some(&accordo())).await;
        if count(&list) == 1 {
            break list["items"][0].clone();
        }
        assert!(Instant::now() < deadline, "the job made no transmission");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    first.kill().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        files(&dir, ".txt"),
        Vec::<String>::new(),
        "killed before delivering"
    );

    // Restarted: the same transmission (no second one), its file delivered once.
    let output = job(&binary, &m.address, &dir, "0")
        .output()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let id = made["id"].as_str().unwrap_or_default();
    assert_eq!(files(&dir, ".txt"), [format!("PUC-2010-S1-{id}.txt")]);
    let (_, list) = read(m, "/v1/puc/transmissions", Some(&accordo())).await;
    assert_eq!(count(&list), 1, "one transmission made by the job: {list}");
    let delivered =
        std::fs::read_to_string(dir.join(format!("PUC-2010-S1-{id}.txt"))).unwrap_or_default();
    let stored = text(m, &format!("/v1/puc/transmissions/{id}/file")).await;
    assert_eq!(delivered, stored, "the file exactly as stored");
    assert!(
        delivered.starts_with("HH#0#RTOS#PUC#\r\n") && delivered.contains("|IMP-1|I|01/02/2010|")
    );

    // Once delivered, a new run of the semester does nothing.
    let again = job(&binary, &m.address, &dir, "0")
        .output()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(again.status.success());
    assert_eq!(files(&dir, ".txt").len(), 1);
    let (_, list) = read(m, "/v1/puc/transmissions", Some(&accordo())).await;
    assert_eq!(count(&list), 1);
    drop(std::fs::remove_dir_all(&dir));
}
