//! The cursors over changes under concurrent writers: the Applicativo Intese feed (and the sync
//! job reading it) and the audit trail each deliver every committed change exactly once, in
//! strictly increasing positions, however long the writers' transactions stay open.
//!
//! The writers run their transactions over direct connections to the service's database and
//! hold them open for random times (`pg_sleep`) before committing: a change made over HTTP
//! commits within a millisecond of taking its position, too fast to show the race this guards
//! against (a transaction that took an earlier position committing after a reader has already
//! passed a later one). The statements are the ones the handlers run: the review step's
//! `state = ..., change_seq = NULL, version = version + 1`, and `audit::record`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use apq_domain::Role;
use apq_e2e::schede::{Schede, new_scheda};
use apq_e2e::{Suite, read, responsabile, sync_binary};
use apq_platform::audit::{self, Change};
use apq_platform::testing::{TestApp, token_with};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Integer, Text};
use serde_json::Value;

/// A small deterministic generator (xorshift64*): each writer draws its choices from its seed.
struct Draw(u64);

impl Draw {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }

    /// How long a transaction stays open after its change: mostly a few milliseconds, one in
    /// five far longer than the reader's poll interval.
    fn hold(&mut self) -> f64 {
        let ms = if self.below(5) == 0 {
            40 + self.below(260)
        } else {
            self.below(12)
        };
        ms as f64 / 1000.0
    }
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Text)]
    id: String,
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = BigInt)]
    version: i64,
}

fn connect(url: &str) -> PgConnection {
    PgConnection::establish(url).unwrap_or_else(|e| panic!("{url}: {e}"))
}

fn hold_open(conn: &mut PgConnection, seconds: f64) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_sleep($1)")
        .bind::<Double, _>(seconds)
        .execute(conn)
        .map(drop)
}

/// The review step's change (schede.rs): a new state, `change_seq` left to the commit.
const SUBMIT: &str =
    "UPDATE schede SET state = 'submitted', return_reason = NULL, change_seq = NULL,
     version = version + 1, updated_at = now() WHERE id = $1::uuid RETURNING version";
/// A second change of the same scheda in the same transaction (it still gets one position).
const TOUCH: &str = "UPDATE schede SET change_seq = NULL, version = version + 1, updated_at = now()
     WHERE id = $1::uuid RETURNING version";

/// Submits each of `ids` once, one or two schede per transaction, some changed twice in it, some
/// transactions rolled back (and redone later), each held open for a random time. Answers what
/// it committed: (scheda, version).
fn scheda_writer(url: &str, seed: u64, ids: Vec<String>) -> Vec<(String, i64)> {
    let mut conn = connect(url);
    let mut draw = Draw(seed);
    let mut pending: VecDeque<String> = ids.into();
    let mut committed = Vec::new();
    while let Some(first) = pending.pop_front() {
        let mut batch = vec![first];
        if draw.below(5) == 0
            && let Some(second) = pending.pop_front()
        {
            batch.push(second);
        }
        let twice = draw.below(4) == 0;
        let roll_back = draw.below(20) == 0;
        let hold = draw.hold();
        let outcome = conn.transaction(|conn| {
            let mut changes = Vec::new();
            for id in &batch {
                let mut version = diesel::sql_query(SUBMIT)
                    .bind::<Text, _>(id)
                    .get_result::<Version>(conn)?
                    .version;
                if twice {
                    version = diesel::sql_query(TOUCH)
                        .bind::<Text, _>(id)
                        .get_result::<Version>(conn)?
                        .version;
                }
                changes.push((id.clone(), version));
            }
            hold_open(conn, hold)?;
            if roll_back {
                return Err(diesel::result::Error::RollbackTransaction);
            }
            Ok(changes)
        });
        match outcome {
            Ok(changes) => committed.extend(changes),
            Err(diesel::result::Error::RollbackTransaction) => pending.extend(batch),
            Err(error) => panic!("writer {seed}: {error}"),
        }
    }
    committed
}

/// Opens a scheda over HTTP and submits it: (scheda, version) of the submission.
async fn open_and_submit(m: &TestApp, code: &str, semester: &str) -> (String, i64) {
    let author = responsabile(code);
    let schede = Schede(m);
    let created = schede
        .open(&author, new_scheda(code, semester, "20.00"))
        .await;
    let id = created["id"].as_str().unwrap_or("").to_owned();
    let submitted = schede.submit(&author, &created).await;
    assert!(
        submitted["change_seq"].is_null(),
        "the writer's own answer has no position yet: {submitted}"
    );
    (id, submitted["version"].as_i64().unwrap_or(-1))
}

async fn sync_once(binary: &Path, feed: &str, dir: &Path, token: &str) {
    let output = tokio::process::Command::new(binary)
        .args(["--feed", feed, "--target-dir", &dir.to_string_lossy()])
        .args(["--batch", "25"])
        .env("APQ_SYNC_TOKEN", token)
        .output()
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The schede the sync job wrote: scheda id -> the positions of the files written for it.
fn delivered(dir: &Path) -> BTreeMap<String, Vec<i64>> {
    let mut by_scheda: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{e}")) {
        let name = entry
            .unwrap_or_else(|e| panic!("{e}"))
            .file_name()
            .to_string_lossy()
            .into_owned();
        if let Some(stem) = name
            .strip_prefix("scheda-")
            .and_then(|n| n.strip_suffix(".json"))
            && let Some((id, seq)) = stem.rsplit_once("-seq-")
        {
            by_scheda
                .entry(id.to_owned())
                .or_default()
                .push(seq.parse().unwrap_or(-1));
        }
    }
    by_scheda
}

const SCHEDA_WRITERS: u64 = 7;
const DRAFTS: i32 = 1_200;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_feed_under_load_delivers_every_change_once_in_commit_order() {
    let suite = Suite::spawn_loaded()
        .await
        .unwrap_or_else(|e| panic!("cannot start the suite: {e:#}"));
    let m = &suite.monitoring;
    let url = m.db.url.clone();

    // A draft opened over HTTP is the model of the drafts the writers submit.
    let model = Schede(m)
        .open(
            &responsabile("CSTT-ALI"),
            new_scheda("CSTT-ALI", "2009-S2", "20.00"),
        )
        .await;
    assert!(model["change_seq"].is_null(), "{model}");
    let model_id = model["id"].as_str().unwrap_or("").to_owned();
    let (_, stored) = read(m, &format!("/v1/schede/{model_id}"), None).await;
    assert!(
        stored["change_seq"].as_i64().is_some_and(|seq| seq > 0),
        "committed, it has its position: {stored}"
    );
    let drafts: Vec<String> = {
        let mut conn = connect(&url);
        diesel::sql_query(
            "INSERT INTO schede (id, intervento_id, intervento_code, semester, state, sal, planned_sal,
                                 commitments, payments, activities, intervento)
             SELECT gen_random_uuid(), gen_random_uuid(), intervento_code, semester, 'draft', sal,
                    planned_sal, commitments, payments, activities, intervento
             FROM schede, generate_series(1, $2) WHERE id = $1::uuid RETURNING id::text AS id",
        )
        .bind::<Text, _>(&model_id)
        .bind::<Integer, _>(DRAFTS)
        .load::<Id>(&mut conn)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|row| row.id)
        .collect()
    };
    assert_eq!(drafts.len(), DRAFTS as usize);

    let sync_token = token_with(&[Role::Sync]);
    let done = Arc::new(AtomicBool::new(false));

    // The reader: polls from its cursor with a small page, every few milliseconds, and drains
    // once the writers have stopped.
    let reader = {
        let http = m.http.clone();
        let feed = m.url("/v1/feed");
        let token = sync_token.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut cursor = 0_i64;
            let mut seen: Vec<(String, i64, i64)> = Vec::new();
            loop {
                let finished = done.load(Ordering::SeqCst);
                let page: Value = http
                    .get(format!("{feed}?cursor={cursor}&limit=7"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{e}"))
                    .json()
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                for item in page["items"].as_array().cloned().unwrap_or_default() {
                    seen.push((
                        item["scheda"]["id"].as_str().unwrap_or("").to_owned(),
                        item["scheda"]["version"].as_i64().unwrap_or(-1),
                        item["change_seq"].as_i64().unwrap_or(-1),
                    ));
                }
                cursor = page["checkpoint"]
                    .as_i64()
                    .unwrap_or_else(|| panic!("{page}"));
                if page["more"] != true {
                    if finished {
                        return seen;
                    }
                    tokio::time::sleep(Duration::from_millis(15)).await;
                }
            }
        })
    };

    // The sync job, run again and again from its checkpoint (as its CronJob does) during the load.
    let dir = std::env::temp_dir().join(format!("apq-feed-load-{}", std::process::id()));
    drop(std::fs::remove_dir_all(&dir));
    let binary = sync_binary();
    assert!(binary.exists(), "{} is built", binary.display());
    let syncer = {
        let (binary, dir, token, done) = (
            binary.clone(),
            dir.clone(),
            sync_token.clone(),
            done.clone(),
        );
        let feed = m.address.clone();
        tokio::spawn(async move {
            let mut runs = 0;
            while !done.load(Ordering::SeqCst) {
                sync_once(&binary, &feed, &dir, &token).await;
                runs += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            runs
        })
    };

    let started = Instant::now();
    let chunk = drafts.len().div_ceil(SCHEDA_WRITERS as usize);
    let writers: Vec<_> = drafts
        .chunks(chunk)
        .zip(1..)
        .map(|(ids, seed)| {
            let (url, ids) = (url.clone(), ids.to_vec());
            tokio::task::spawn_blocking(move || scheda_writer(&url, 0x9e37_79b9 * seed, ids))
        })
        .collect();
    // Alongside them, schede opened and submitted over HTTP, through the handlers.
    let mut expected: Vec<(String, i64)> = Vec::new();
    for semester in ["2010-S1", "2010-S2", "2011-S1", "2011-S2"] {
        for code in ["CSTT-ALI", "E-TOSCANA-RIUSO", "GEOSIGMA"] {
            expected.push(open_and_submit(m, code, semester).await);
        }
    }
    for writer in writers {
        expected.extend(writer.await.unwrap_or_else(|e| panic!("{e}")));
    }
    let writing = started.elapsed();
    done.store(true, Ordering::SeqCst);
    let seen = reader.await.unwrap_or_else(|e| panic!("{e}"));
    let runs = syncer.await.unwrap_or_else(|e| panic!("{e}"));
    assert!(
        expected.len() >= 1_000,
        "{} changes in {writing:?}",
        expected.len()
    );

    let changes: Vec<(String, i64)> = seen.iter().map(|(id, v, _)| (id.clone(), *v)).collect();
    let distinct: BTreeSet<_> = changes.iter().cloned().collect();
    assert_eq!(distinct.len(), changes.len(), "no change seen twice");
    let expected: BTreeSet<_> = expected.into_iter().collect();
    let missed: Vec<_> = expected.difference(&distinct).collect();
    let unknown: Vec<_> = distinct.difference(&expected).collect();
    assert!(
        missed.is_empty() && unknown.is_empty(),
        "of {} changes the reader missed {}: {:?}..., and saw {} it should not have: {:?}",
        expected.len(),
        missed.len(),
        missed.iter().take(3).collect::<Vec<_>>(),
        unknown.len(),
        unknown.iter().take(3).collect::<Vec<_>>()
    );

    let positions: Vec<i64> = seen.iter().map(|s| s.2).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "positions strictly increase"
    );

    // The sync job, having run during the load and once more now, delivered every scheda once.
    sync_once(&binary, &m.address, &dir, &sync_token).await;
    let files = delivered(&dir);
    let twice: Vec<_> = files.iter().filter(|(_, seqs)| seqs.len() > 1).collect();
    assert!(twice.is_empty(), "delivered twice: {twice:?}");
    let schede: BTreeSet<String> = expected.iter().map(|(id, _)| id.clone()).collect();
    let synced: BTreeSet<String> = files.keys().cloned().collect();
    assert_eq!(
        schede.difference(&synced).count() + synced.difference(&schede).count(),
        0,
        "after {runs} runs during the load, the sync job delivered {} of {} schede",
        synced.intersection(&schede).count(),
        schede.len()
    );
    let (_, acks) = read(m, "/v1/feed/acknowledgements", Some(&sync_token)).await;
    assert_eq!(
        acks["items"].as_array().map(Vec::len),
        Some(schede.len()),
        "one acknowledgement per delivered change"
    );
    drop(std::fs::remove_dir_all(&dir));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_audit_trail_pages_every_entry_once_under_concurrent_writers() {
    let app = TestApp::spawn(&apq_catalogue::SERVICE, &[])
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let http = app.http.clone();
        let trail = app.url("/v1/audit");
        let token = token_with(&[Role::Auditor]);
        let done = done.clone();
        tokio::spawn(async move {
            let mut cursor: Option<String> = None;
            // (entity, entity_id, position)
            let mut seen: Vec<(String, String, i64)> = Vec::new();
            loop {
                let finished = done.load(Ordering::SeqCst);
                let query = cursor
                    .as_ref()
                    .map(|c| format!("?limit=5&cursor={c}"))
                    .unwrap_or_else(|| "?limit=5".to_owned());
                let page: Value = http
                    .get(format!("{trail}{query}"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{e}"))
                    .json()
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                let items = page["items"].as_array().cloned().unwrap_or_default();
                for entry in &items {
                    seen.push((
                        entry["entity"].as_str().unwrap_or("").to_owned(),
                        entry["entity_id"].as_str().unwrap_or("").to_owned(),
                        entry["position"].as_i64().unwrap_or(-1),
                    ));
                }
                match page["next_cursor"].as_str() {
                    Some(next) => cursor = Some(next.to_owned()),
                    None => {
                        // The last page has no next_cursor: a follower goes on after its last
                        // entry, whose cursor is its position (encoded as the API encodes it).
                        if let Some(last) = seen.last().filter(|_| !items.is_empty()) {
                            cursor = Some(apq_platform::pagination::encode_cursor(&last.2));
                        }
                        if finished {
                            return seen;
                        }
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
        })
    };
    let writers: Vec<_> = (1..=6_u64)
        .map(|writer| {
            let url = app.db.url.clone();
            tokio::task::spawn_blocking(move || {
                let mut conn = connect(&url);
                let mut draw = Draw(0x51_7cc1 * writer);
                let mut recorded = Vec::new();
                for n in 0..40 {
                    let entries: Vec<String> = (0..1 + draw.below(3))
                        .map(|k| format!("w{writer}-{n}-{k}"))
                        .collect();
                    let hold = draw.hold();
                    conn.transaction::<_, apq_platform::ApiError, _>(|conn| {
                        for entity_id in &entries {
                            audit::record(
                                conn,
                                Change {
                                    actor: "load-test",
                                    entity: "load_test",
                                    entity_id: entity_id.clone(),
                                    action: "create",
                                    reason: None,
                                    before: None,
                                    after: None,
                                },
                            )?;
                        }
                        Ok(hold_open(conn, hold)?)
                    })
                    .unwrap_or_else(|e| panic!("{e}"));
                    recorded.extend(entries);
                }
                recorded
            })
        })
        .collect();
    let mut expected = BTreeSet::new();
    for writer in writers {
        expected.extend(writer.await.unwrap_or_else(|e| panic!("{e}")));
    }
    done.store(true, Ordering::SeqCst);
    let seen = reader.await.unwrap_or_else(|e| panic!("{e}"));
    let ours: Vec<&String> = seen
        .iter()
        .filter(|(entity, _, _)| entity == "load_test")
        .map(|(_, id, _)| id)
        .collect();
    let distinct: BTreeSet<String> = ours.iter().map(|id| (*id).clone()).collect();
    assert_eq!(distinct.len(), ours.len(), "no entry seen twice");
    let missed: Vec<_> = expected.difference(&distinct).collect();
    assert!(
        missed.is_empty() && distinct.len() == expected.len(),
        "of {} entries the pages missed {}: {:?}...",
        expected.len(),
        missed.len(),
        missed.iter().take(3).collect::<Vec<_>>()
    );
    assert!(
        seen.windows(2).all(|w| w[0].2 < w[1].2),
        "positions strictly increase"
    );
}
