//! Monitoring across the four services, real HTTP, real PostgreSQL, the shipped datasets.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use apq_domain::Role;
use apq_e2e::schede::Schede;
use apq_e2e::{Suite, call, files, loaded_suite, read, responsabile, sync_binary};
use apq_platform::testing::{TestApp, token_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn accordo() -> String {
    token_with(&[Role::ResponsabileAccordo])
}

fn scheda(code: &str, semester: &str, sal: &str) -> Value {
    json!({"intervento_code": code, "semester": semester, "sal": sal, "planned_sal": "60.00",
           "commitments": {"amount": "500000.00", "currency": "EUR"}, "payments": {"amount": "250000.00", "currency": "EUR"},
           "activities": [{"code": "A3-1", "state": "in_progress", "actual_start": "2009-07-01", "actual_end": null}],
           "obstacles": null, "corrective_actions": null})
}

/// Opens a scheda and takes it through submission (and validation if asked).
async fn scheda_through(
    monitoring: &TestApp,
    code: &str,
    semester: &str,
    sal: &str,
    validate: bool,
) -> Value {
    let schede = Schede(monitoring);
    let created = schede
        .open(&responsabile(code), scheda(code, semester, sal))
        .await;
    let submitted = schede.submit(&responsabile(code), &created).await;
    if !validate {
        return submitted;
    }
    schede.validate(&accordo(), &submitted).await
}

#[tokio::test]
async fn the_deadlines_of_2009_s2_and_2010_s1_and_the_calendar() {
    let suite = loaded_suite().await;
    let m = &suite.monitoring;
    let (_, s2) = read(m, "/v1/semesters/2009-S2", None).await;
    assert_eq!(
        (
            s2["data_entry"].as_str(),
            s2["validation_request"].as_str(),
            s2["rapporto"].as_str()
        ),
        (Some("2010-01-31"), None, Some("2010-02-28")),
        "the seed sets no deadline for the validation request (L573-574)"
    );
    let (_, s1) = read(m, "/v1/semesters/2010-S1", None).await;
    assert_eq!(
        (s1["data_entry"].as_str(), s1["rapporto"].as_str()),
        (Some("2010-07-31"), Some("2010-09-30"))
    );
    assert_eq!(
        read(m, "/v1/semesters/2010-S3", None).await.0,
        StatusCode::BAD_REQUEST
    );

    // The IV Atto is not signed in the register: the calendar says so unless given a date.
    let (status, problem) = read(m, "/v1/calendar", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, _) = call(m, Method::POST, "/v1/obligations", Some(&accordo()), None,
        Some(json!({"obligation": "data_entry", "semester": "2009-S2", "done_on": "2010-01-29", "act_ref": "Applicativo Intese"}))).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, calendar) = read(
        m,
        "/v1/calendar?signed_on=2009-06-15&as_of=2010-03-01&until=2010-06-30",
        None,
    )
    .await;
    let find = |obligation: &str, semester: Option<&str>| {
        calendar["items"]
            .as_array()
            .and_then(|items| {
                items
                    .iter()
                    .find(|i| i["obligation"] == obligation && i["semester"].as_str() == semester)
                    .cloned()
            })
            .unwrap_or_default()
    };
    assert_eq!(find("piano_submitted", None)["due_on"], "2009-07-15");
    assert_eq!(find("piano_submitted", None)["status"], "late");
    assert_eq!(find("data_entry", Some("2009-S2"))["status"], "done");
    assert_eq!(find("rapporto", Some("2009-S2"))["status"], "late");
    assert_eq!(
        find("rapporto", Some("2009-S2"))["party"],
        "soggetto_responsabile_accordo"
    );
    assert_eq!(find("data_entry", Some("2010-S1"))["status"], "pending");
    // Art. 7.2.h: the CUP of each intervento that lacks one, due at the first monitoring.
    let cup = |calendar: &Value, code: &str| {
        calendar["items"]
            .as_array()
            .and_then(|items| {
                items
                    .iter()
                    .find(|i| i["obligation"] == "cup" && i["intervento_code"] == code)
                    .cloned()
            })
            .unwrap_or_default()
    };
    assert_eq!(cup(&calendar, "CSTT-ALI")["status"], "done", "{calendar}");
    for code in ["E-TOSCANA-RIUSO", "GEOSIGMA"] {
        let item = cup(&calendar, code);
        assert_eq!(
            (item["due_on"].as_str(), item["status"].as_str()),
            (Some("2010-01-31"), Some("late")),
            "{item}"
        );
    }
    record_cup(&suite, "GEOSIGMA", "D13D09000010007").await;
    let (_, calendar) = read(
        m,
        "/v1/calendar?signed_on=2009-06-15&as_of=2010-03-01&until=2010-06-30",
        None,
    )
    .await;
    assert_eq!(cup(&calendar, "GEOSIGMA")["status"], "done", "{calendar}");
    assert_eq!(cup(&calendar, "E-TOSCANA-RIUSO")["status"], "late");
    let (status, problem) = call(
        m,
        Method::POST,
        "/v1/obligations",
        Some(&accordo()),
        None,
        Some(json!({"obligation": "cup", "done_on": "2010-01-29", "act_ref": null})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the CUP is recorded in the register: {problem}"
    );
    assert!(problem.to_string().contains("obligation"), "{problem}");

    // Late obligations open defaults; a deadline, then the referral to the Tavolo.
    let (status, opened) = call(
        m,
        Method::POST,
        "/v1/defaults/detections",
        Some(&accordo()),
        None,
        Some(json!({"signed_on": "2009-06-15", "as_of": "2010-03-01"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{opened}");
    let cases = opened["items"].as_array().cloned().unwrap_or_default();
    assert!(
        cases
            .iter()
            .any(|c| c["obligation"] == "rapporto" && c["semester"] == "2009-S2")
    );
    assert!(
        !cases
            .iter()
            .any(|c| c["obligation"] == "data_entry" && c["semester"] == "2009-S2"),
        "done obligations open no case"
    );
    let case = cases
        .iter()
        .find(|c| c["obligation"] == "rapporto")
        .cloned()
        .unwrap_or_default();
    let path = format!("/v1/defaults/{}/actions", case["id"].as_str().unwrap_or(""));
    let (_, with_deadline) = call(
        m,
        Method::POST,
        &path,
        Some(&accordo()),
        Some(&case["version"]),
        Some(json!({"action": "give_deadline", "deadline": "2010-03-31"})),
    )
    .await;
    assert_eq!(
        call(
            m,
            Method::POST,
            &path,
            Some(&accordo()),
            Some(&with_deadline["version"]),
            Some(json!({"action": "refer", "on": "2010-03-15"}))
        )
        .await
        .0,
        StatusCode::CONFLICT
    );
    let (status, referred) = call(
        m,
        Method::POST,
        &path,
        Some(&accordo()),
        Some(&with_deadline["version"]),
        Some(json!({"action": "refer", "on": "2010-04-01"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{referred}");
    assert_eq!(referred["state"], "referred");
    assert_eq!(
        call(
            m,
            Method::POST,
            "/v1/defaults/detections",
            Some(&responsabile("CSTT-ALI")),
            None,
            Some(json!({"signed_on": "2009-06-15", "as_of": "2010-03-01"}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_scheda_cannot_be_validated_before_it_is_submitted() {
    let suite = loaded_suite().await;
    let m = &suite.monitoring;
    let schede = Schede(m);
    let author = responsabile("CSTT-ALI");
    let created = schede
        .open(&author, scheda("CSTT-ALI", "2009-S2", "35.00"))
        .await;
    assert_eq!(
        created["intervento"]["cup"], "D53G07000070002",
        "the register's data are in the scheda"
    );
    assert_eq!(created["state"], "draft");
    let path = format!("/v1/schede/{}", created["id"].as_str().unwrap_or(""));
    let (status, problem) = schede
        .step(&accordo(), &created, "validation", json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("submitted first")
    );
    assert_eq!(
        call(
            m,
            Method::POST,
            "/v1/schede",
            Some(&responsabile("GEOSIGMA")),
            None,
            Some(scheda("CSTT-ALI", "2010-S1", "40.00"))
        )
        .await
        .0,
        StatusCode::FORBIDDEN,
        "not their intervento"
    );

    let submitted = schede.submit(&author, &created).await;
    assert_eq!(submitted["state"], "submitted");
    let (status, _) = schede
        .step(&author, &submitted, "validation", json!({}))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "nobody validates their own scheda"
    );
    let note = json!({"note": "manca la relazione sugli ostacoli"});
    let (_, returned) = schede.step(&accordo(), &submitted, "return", note).await;
    assert_eq!(returned["state"], "returned");
    let (status, fixed) = call(
        m,
        Method::PATCH,
        &path,
        Some(&author),
        Some(&returned["version"]),
        Some(json!({"obstacles": "ritardi nella gara"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{fixed}");
    let (_, again) = schede.step(&author, &fixed, "submission", json!({})).await;
    let validated = schede.validate(&accordo(), &again).await;
    assert_eq!(
        call(
            m,
            Method::PATCH,
            &path,
            Some(&accordo()),
            Some(&validated["version"]),
            Some(json!({"sal": "99.00"}))
        )
        .await
        .0,
        StatusCode::CONFLICT
    );
    let (_, history) = read(m, &format!("{path}/history"), None).await;
    let states: Vec<&str> = history["items"]
        .as_array()
        .map(|h| h.iter().filter_map(|e| e["to_state"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        states,
        ["draft", "submitted", "returned", "submitted", "validated"]
    );
}

async fn tranche_2(m: &TestApp) -> Value {
    let (status, eligibility) = read(m, "/v1/interventi/CSTT-ALI/eligibility", None).await;
    assert_eq!(status, StatusCode::OK, "{eligibility}");
    eligibility["tranches"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["seq"] == 2).cloned())
        .unwrap_or_default()
}

fn holds(tranche: &Value, condition: &str) -> Option<bool> {
    tranche["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["condition"] == condition))
        .and_then(|c| c["holds"].as_bool())
}

/// The SAL condition holds exactly at 50%; the 30% rule divides by the 138 comuni the Atto
/// declares, not by the registered adherents: 3 signed of 10 registered is 2,17% (it read 30%
/// and released the tranche before).
#[tokio::test]
async fn cstt_sal_holds_exactly_at_50_and_3_signed_of_10_registered_is_2_17_percent_of_138() {
    let suite = loaded_suite().await;
    let (m, a) = (&suite.monitoring, &suite.adhesion);
    let admin = token_with(&[Role::Admin]);
    // Ten small comuni adhere to CSTT-ALI and to PAeSI; their commitments will be signed one by one.
    let (_, page) = read(a, "/v1/enti?province=SI&piccolo_comune=true&limit=10", None).await;
    let mut adhesions = Vec::new();
    for code in page["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e["code"].as_str().map(str::to_owned))
    {
        let (status, adherent) = call(a, Method::POST, "/v1/interventi/CSTT-ALI/adherents", Some(&admin), None,
            Some(json!({"ente_code": code, "adhered_on": "2007-06-01", "act_ref": "lettera di adesione"}))).await;
        assert_eq!(status, StatusCode::CREATED, "{adherent}");
        let (status, adhesion) = call(a, Method::POST, "/v1/adhesions", Some(&admin), None,
            Some(json!({"ente_code": code, "service_number": 1, "requested_on": "2009-03-01", "act_ref": null}))).await;
        assert_eq!(status, StatusCode::CREATED, "{adhesion}");
        adhesions.push(adhesion);
    }
    assert_eq!(adhesions.len(), 10);
    let sign = |adhesion: Value| async move {
        let path = format!(
            "/v1/adhesions/{}/transitions",
            adhesion["id"].as_str().unwrap_or("")
        );
        let (status, _) = call(
            a,
            Method::POST,
            &path,
            Some(&token_with(&[Role::Admin])),
            Some(&adhesion["version"]),
            Some(json!({"to": "commitment_signed", "on": "2009-05-01", "act_ref": "contratto"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    };
    // SAL just under 50%, validated.
    scheda_through(m, "CSTT-ALI", "2009-S2", "49.99", true).await;
    for adhesion in adhesions.iter().take(3).cloned() {
        sign(adhesion).await;
    }
    let t = tranche_2(m).await;
    assert_eq!(
        (
            holds(&t, "sal"),
            holds(&t, "adhesion_share"),
            t["eligible"].as_bool()
        ),
        (Some(false), Some(false), Some(false)),
        "SAL 49.99%: {t}"
    );

    // SAL reaches 50% in the next semester; 3 of 138 is still far from 30%.
    scheda_through(m, "CSTT-ALI", "2010-S1", "50.00", true).await;
    let t = tranche_2(m).await;
    assert_eq!(
        (
            holds(&t, "sal"),
            holds(&t, "adhesion_share"),
            t["eligible"].as_bool()
        ),
        (Some(true), Some(false), Some(false)),
        "SAL 50% and 3 signed of 10 registered: {t}"
    );
    let check = t["checks"]
        .as_array()
        .and_then(|c| {
            c.iter()
                .find(|c| c["condition"] == "adhesion_share")
                .cloned()
        })
        .unwrap_or_default();
    assert!(
        check["figure"]
            .as_str()
            .unwrap_or("")
            .starts_with("3 of 138 comuni aderenti (2,17%) have signed commitments"),
        "{check}"
    );

    // Marking it eligible is refused, naming the condition.
    let (status, problem) = call(
        m,
        Method::POST,
        "/v1/interventi/CSTT-ALI/tranches/2/eligibility",
        Some(&accordo()),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("adhesion_share")
    );
    let (status, problem) = call(
        m,
        Method::POST,
        "/v1/interventi/CSTT-ALI/tranches/3/eligibility",
        Some(&accordo()),
        None,
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "12 months of operation are missing: {problem}"
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("months_of_operation")
    );
}

/// With two of ten registered comuni signed (20% of the registered, 1,45% of the 138 declared),
/// tranche 2 is not eligible even at SAL 50%.
#[tokio::test]
async fn one_comune_short_of_30_percent_is_not_enough() {
    let suite = loaded_suite().await;
    let (m, a) = (&suite.monitoring, &suite.adhesion);
    let admin = token_with(&[Role::Admin]);
    let (_, page) = read(a, "/v1/enti?province=GR&piccolo_comune=true&limit=10", None).await;
    let codes: Vec<String> = page["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e["code"].as_str().map(str::to_owned))
        .collect();
    let mut signed = 0;
    for code in &codes {
        let (_, adhesion) = call(a, Method::POST, "/v1/adhesions", Some(&admin), None,
            Some(json!({"ente_code": code, "service_number": 2, "requested_on": "2009-03-01", "act_ref": null}))).await;
        if signed < 2 {
            let path = format!(
                "/v1/adhesions/{}/transitions",
                adhesion["id"].as_str().unwrap_or("")
            );
            let (status, _) = call(
                a,
                Method::POST,
                &path,
                Some(&admin),
                Some(&adhesion["version"]),
                Some(json!({"to": "commitment_signed", "on": "2009-05-01", "act_ref": null})),
            )
            .await;
            assert_eq!(status, StatusCode::OK);
            signed += 1;
        }
    }
    scheda_through(m, "CSTT-ALI", "2009-S2", "50.00", true).await;
    let t = tranche_2(m).await;
    assert_eq!(
        (
            holds(&t, "sal"),
            holds(&t, "adhesion_share"),
            t["eligible"].as_bool()
        ),
        (Some(true), Some(false), Some(false)),
        "2 of 10 comuni: {t}"
    );
    let (status, _) = call(
        m,
        Method::POST,
        "/v1/interventi/CSTT-ALI/tranches/2/eligibility",
        Some(&accordo()),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn with_the_adhesion_service_stopped_eligibility_answers_503() {
    let suite = loaded_suite().await;
    suite.adhesion.stop().await;
    let started = Instant::now();
    let (status, problem) = read(
        &suite.monitoring,
        "/v1/interventi/CSTT-ALI/eligibility",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("adhesion"),
        "the peer is named: {problem}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "within the configured timeout"
    );
    // GEOSIGMA's tranches need no adhesion figures: they still answer.
    let (status, _) = read(
        &suite.monitoring,
        "/v1/interventi/GEOSIGMA/eligibility",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

/// Records the CUP of `code` in agreements.
async fn record_cup(suite: &Suite, code: &str, cup: &str) {
    let (_, page) = apq_e2e::read(
        &suite.agreements,
        &format!("/v1/interventi?code={code}"),
        None,
    )
    .await;
    let intervento = &page["items"][0];
    let (status, body) = call(
        &suite.agreements,
        Method::PATCH,
        &format!("/v1/interventi/{}", intervento["id"].as_str().unwrap_or("")),
        Some(&accordo()),
        Some(&intervento["version"]),
        Some(json!({"cup": cup, "reason": "CUP inserito al primo monitoraggio"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_page_of_acknowledgements_is_recorded_all_or_none() {
    let suite = loaded_suite().await;
    let m = &suite.monitoring;
    let sync = token_with(&[Role::Sync]);
    for semester in ["2009-S2", "2010-S1"] {
        scheda_through(m, "CSTT-ALI", semester, "20.00", false).await;
    }
    let (_, page) = read(m, "/v1/feed?cursor=0&limit=10", Some(&sync)).await;
    let acks: Vec<Value> = page["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    json!({"scheda_id": i["scheda"]["id"], "change_seq": i["change_seq"],
                        "transmitted_at": "2010-02-01T10:00:00Z", "outcome": "transmitted", "message": null})
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(acks.len(), 2, "{page}");
    let batch = |items: Vec<Value>| json!({ "items": items });
    let post = |body: Value| {
        call(
            m,
            Method::POST,
            "/v1/feed/acknowledgement-batches",
            Some(&sync),
            None,
            Some(body),
        )
    };

    // One unknown change refuses the whole page, naming its item; nothing is recorded.
    let mut unknown = acks[1].clone();
    unknown["change_seq"] = json!(999_999);
    let (status, problem) = post(batch(vec![acks[0].clone(), unknown])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        problem["errors"][0]["field"], "items[1].change_seq",
        "{problem}"
    );
    let (_, recorded) = read(m, "/v1/feed/acknowledgements", Some(&sync)).await;
    assert_eq!(recorded["items"], json!([]), "all or none");

    let (status, first) = post(batch(acks.clone())).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["created"], 2);
    assert_eq!(
        first["items"][1]["scheda_id"], acks[1]["scheda_id"],
        "in the order given"
    );
    assert_eq!(first["items"][0]["outcome"], "transmitted");
    // The same page again (a job restarted before its checkpoint) changes nothing.
    let (status, again) = post(batch(acks.clone())).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["created"], 0);
    assert_eq!(again["items"], first["items"]);
    // CNIPA's convalida of one of them, in a later page, replaces its outcome.
    let mut validated = acks[0].clone();
    validated["outcome"] = json!("validated");
    validated["message"] = json!("convalidata");
    let (status, later) = post(batch(vec![validated])).await;
    assert_eq!(status, StatusCode::OK, "{later}");
    assert_eq!(later["items"][0]["outcome"], "validated");
    assert_eq!(later["items"][0]["message"], "convalidata");
    assert_eq!(later["created"], 0);
    // A transmission again (a page re-sent) leaves the convalida, and the same outcome again
    // with another message changes nothing; a rejection replaces it.
    let mut again_validated = acks[0].clone();
    again_validated["outcome"] = json!("validated");
    again_validated["message"] = json!("di nuovo");
    let mut rejected = acks[1].clone();
    rejected["outcome"] = json!("rejected");
    rejected["message"] = json!("dati incompleti");
    let (status, mixed) = post(batch(vec![acks[0].clone(), again_validated, rejected])).await;
    assert_eq!(status, StatusCode::OK, "{mixed}");
    assert_eq!(mixed["created"], 0, "{mixed}");
    for (i, outcome, message) in [
        (0, "validated", "convalidata"),
        (1, "validated", "convalidata"),
        (2, "rejected", "dati incompleti"),
    ] {
        assert_eq!(
            (
                mixed["items"][i]["outcome"].as_str(),
                mixed["items"][i]["message"].as_str()
            ),
            (Some(outcome), Some(message)),
            "{mixed}"
        );
    }

    for (body, field) in [
        (batch(vec![]), "items"),
        (batch(vec![acks[0].clone(); 201]), "items"),
    ] {
        let (status, problem) = post(body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
}

#[tokio::test]
async fn the_sync_job_killed_halfway_and_restarted_delivers_every_scheda_exactly_once() {
    let suite = loaded_suite().await;
    let m = &suite.monitoring;
    // The two RIUSO interventi get their CUP at the first monitoring (art. 7.2.h).
    for (code, cup) in [
        ("E-TOSCANA-RIUSO", "D13D09000020007"),
        ("GEOSIGMA", "D13D09000030007"),
    ] {
        record_cup(&suite, code, cup).await;
    }
    for code in ["CSTT-ALI", "E-TOSCANA-RIUSO", "GEOSIGMA"] {
        for semester in ["2009-S2", "2010-S1"] {
            scheda_through(m, code, semester, "20.00", semester == "2009-S2").await;
        }
    }
    let dir = std::env::temp_dir().join(format!("apq-intese-{}", std::process::id()));
    drop(std::fs::remove_dir_all(&dir));
    let sync_token = token_with(&[Role::Sync]);
    let binary = sync_binary();
    assert!(binary.exists(), "{} is built", binary.display());
    let mut job = tokio::process::Command::new(&binary)
        .args([
            "--feed",
            &m.address,
            "--target-dir",
            &dir.to_string_lossy(),
            "--batch",
            "2",
            "--delay-ms",
            "400",
        ])
        .env("APQ_SYNC_TOKEN", &sync_token)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while files(&dir, ".json").len() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    job.kill().await.unwrap_or_else(|e| panic!("{e}"));
    let halfway = files(&dir, ".json").len();
    assert!(
        (2..6).contains(&halfway),
        "killed halfway, after {halfway} of 6"
    );

    let output = tokio::process::Command::new(&binary)
        .args([
            "--feed",
            &m.address,
            "--target-dir",
            &dir.to_string_lossy(),
            "--batch",
            "2",
        ])
        .env("APQ_SYNC_TOKEN", &sync_token)
        .output()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let delivered = files(&dir, ".json");
    assert_eq!(
        delivered.len(),
        6,
        "every scheda exactly once: {delivered:?}"
    );
    let (_, acks) = read(m, "/v1/feed/acknowledgements", Some(&sync_token)).await;
    let mut acked: Vec<String> = acks["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|a| format!("{}-{}", a["scheda_id"], a["change_seq"]))
                .collect()
        })
        .unwrap_or_default();
    acked.sort();
    acked.dedup();
    assert_eq!(acked.len(), 6);
    let item: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(&delivered[0])).unwrap_or_default())
            .unwrap_or(Value::Null);
    assert!(
        item["scheda"]["intervento"]["total_cost"]["amount"].is_string(),
        "the documented format: {item}"
    );
    assert!(item["indicators"].is_array());

    // A third run finds nothing new; a bad token stops it with a clear message.
    let again = tokio::process::Command::new(&binary)
        .args(["--feed", &m.address, "--target-dir", &dir.to_string_lossy()])
        .env("APQ_SYNC_TOKEN", &sync_token)
        .output()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(again.status.success());
    assert_eq!(files(&dir, ".json").len(), 6);
    let refused = tokio::process::Command::new(&binary)
        .args(["--feed", &m.address, "--target-dir", &dir.to_string_lossy()])
        .env("APQ_SYNC_TOKEN", "not-a-token")
        .output()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("cannot finish"));
    drop(std::fs::remove_dir_all(&dir));
}

/// English phrases the report's code could emit (from earlier drafts, the peers' English texts,
/// the eligibility checks' English figures, state and role names): none may appear in the PDF.
const ENGLISH: &[&str] = &[
    "of the commitments have been paid",
    "points behind the planned",
    "approved on",
    "not approved",
    "validated on",
    "not validated",
    "validated SAL verification",
    "highest SAL",
    "of adhering comuni have signed",
    "no adhering comuni",
    "months of verified operation",
    "SAL verification n.",
    "positive SAL verification",
    "the Piano di monitoraggio approved by CNIPA",
    "the progetto esecutivo approved by CNIPA",
    "Generated on",
    " on 20",
    "planned",
    "eligible",
    "requested",
    "in_progress",
    "not_started",
    "submitted",
    "soggetto_responsabile",
    "responsabile_intervento",
    "data_entry",
    "validation_request",
    "Section",
    "Draft",
    "unknown",
    "Not available",
    "none reported",
    // What the eligibility checks say in English (the Rapporto prints their Italian texts).
    "have signed commitments",
    "usable",
    "goes live",
    "go-live",
    "admissibility",
    "completion recorded",
    "the intervento is",
    "to recover",
    "no declared adherents",
];

fn chromium() -> &'static str {
    ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| {
            std::process::Command::new("which")
                .arg(c)
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .unwrap_or_else(|| {
            panic!("headless Chromium is needed (Debian's chromium); ./deploy/test installs it")
        })
}

/// Runs a poppler tool on a file and returns its standard output.
fn poppler(tool: &str, args: &[&str], file: &std::path::Path) -> String {
    let out = std::process::Command::new(tool)
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| {
            panic!("{tool} is needed (Debian's poppler-utils; ./deploy/test installs it): {e}")
        });
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn report_fixture(m: &TestApp) {
    scheda_through(m, "CSTT-ALI", "2009-S2", "42.50", true).await;
    scheda_through(m, "GEOSIGMA", "2009-S2", "10.00", false).await;
    let (status, _) = call(
        m,
        Method::PUT,
        "/v1/indicators/IND-03/measurements/2009-S2",
        Some(&accordo()),
        None,
        Some(json!({"value": "60"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

async fn bytes(request: reqwest::RequestBuilder) -> (StatusCode, String, Vec<u8>) {
    let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.bytes().await.unwrap_or_default().to_vec();
    (status, kind, body)
}

/// Checks a PDF of the IV Atto's report with poppler: Italian figures, the three interventi, no
/// English, embedded fonts, PDF/A identification.
fn check_pdf(pdf: &[u8], dir: &std::path::Path, name: &str) {
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let file = dir.join(name);
    std::fs::write(&file, pdf).unwrap_or_else(|e| panic!("{e}"));
    let text = pdf_text(&file);
    for figure in [
        "1.892.850,00",
        "584.745,76",
        "30,89%",
        "CSTT-ALI",
        "RIUSO",
        "GEOSIGMA",
        "Rapporto di monitoraggio",
        "secondo semestre 2009",
        "1. Stato di avanzamento generale",
        "2. Contesto programmatico",
        "3. Analisi per intervento",
        "Giancarlo Galardi",
    ] {
        assert!(text.contains(figure), "{figure} is in the PDF");
    }
    for phrase in ENGLISH {
        assert!(
            !text.contains(phrase),
            "no English in the PDF: {phrase:?} appears"
        );
    }
    let fonts = poppler("pdffonts", &[], &file);
    let lines: Vec<&str> = fonts
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(!lines.is_empty(), "fonts: {fonts}");
    for line in &lines {
        let columns: Vec<&str> = line.split_whitespace().collect();
        // name type [encoding] emb sub uni object ID: "emb" is the fifth column from the end.
        let emb = columns.len().checked_sub(5).and_then(|i| columns.get(i));
        assert_eq!(emb, Some(&"yes"), "every font is embedded: {line}");
    }
    let meta = poppler("pdfinfo", &["-meta"], &file);
    assert!(meta.contains("pdfaid"), "PDF/A identification: {meta}");
    assert!(
        meta.contains("<pdfaid:part>2</pdfaid:part>") || meta.contains("pdfaid:part=\"2\""),
        "PDF/A-2: {meta}"
    );
    let info = poppler("pdfinfo", &[], &file);
    assert!(
        info.contains("Rapporto di monitoraggio"),
        "the title: {info}"
    );
}

#[tokio::test]
async fn the_report_renders_for_the_iv_atto_in_headless_chromium() {
    let suite = loaded_suite().await;
    let m = &suite.monitoring;
    report_fixture(m).await;
    let (status, report) = read(m, "/v1/reports/2009-S2", None).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let view = &report["view"];
    let codes: Vec<&str> = view["interventi"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["code"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(codes.len(), 3, "all three interventi: {codes:?}");
    assert!(codes.contains(&"CSTT-ALI") && codes.contains(&"GEOSIGMA"));
    let programmatica = view["programmatica"].as_array().map(Vec::len);
    assert_eq!(programmatica, Some(2), "{}", view["programmatica"]);
    let cstt = view["interventi"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["code"] == "CSTT-ALI"))
        .cloned()
        .unwrap_or(Value::Null);
    let finance = cstt["finance"].to_string();
    assert!(finance.contains("€ 1.892.850,00"), "{finance}");
    assert!(finance.contains("€ 584.745,76"), "{finance}");
    assert!(finance.contains("30,89%"), "{finance}");
    assert!(
        cstt["observations"]
            .to_string()
            .contains("inferiore di 17,50 punti percentuali"),
        "{}",
        cstt["observations"]
    );
    assert!(cstt["tranches"].as_array().is_some_and(|t| t.len() == 3));
    let ind = cstt["indicators"].to_string();
    assert!(
        ind.contains("non definito"),
        "an unknown target is unknown: {ind}"
    );
    // IND-13 is computed from the records, not measured: the Rapporto shows the computed
    // value and says it is computed (PEC and Firma, already in service, are on time).
    let ind_13 = cstt["indicators"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["code"] == "IND-13"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(ind_13["value"], "2", "{ind_13}");
    let outcome = ind_13["outcome"].as_str().unwrap_or("");
    assert!(
        outcome.starts_with("calcolato al ")
            && outcome.contains("servizi erogati nei tempi previsti: 2 su 8"),
        "{ind_13}"
    );

    let (status, kind, html) = bytes(m.get("/v1/reports/2009-S2/document")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/html"), "{kind}");
    let html = String::from_utf8_lossy(&html).into_owned();
    assert!(html.contains("@media print"), "a print stylesheet");
    assert!(
        !html.contains("-0.00") && !html.contains("-0,00"),
        "no negative zero"
    );
    let dir = std::env::temp_dir().join(format!("apq-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let page = dir.join("rapporto.html");
    std::fs::write(&page, &html).unwrap_or_else(|e| panic!("{e}"));
    let screenshot = dir.join("rapporto.png");
    let chromium = chromium();
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];
    let profile = format!("--user-data-dir={}", dir.join("profile").display());
    let dom = tokio::process::Command::new(chromium)
        .args(flags)
        .arg(&profile)
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("Rapporto di monitoraggio"),
        "the DOM: {}",
        &dom[..dom.len().min(500)]
    );
    for section in [
        "1. Stato di avanzamento generale",
        "2. Contesto programmatico",
        "3. Analisi per intervento",
        "D53G07000070002",
        "€ 1.892.850,00",
        "€ 584.745,76",
        "30,89%",
        "GEOSIGMA",
        "Maturità",
        "Decisioni del Tavolo dei sottoscrittori",
        "Tranche del cofinanziamento",
        "Adempimenti del semestre",
        "Inadempienze aperte",
        "Enti aderenti e servizi attivati",
        "Per provincia",
        "Giancarlo Galardi",
        "SAL per intervento: rilevato e previsto",
        "Tranche del cofinanziamento CNIPA: previste ed erogate",
        "Indicatori: valore rilevato in percentuale del target",
    ] {
        assert!(dom.contains(section), "{section} is in the rendered page");
    }
    assert!(dom.matches("<svg").count() >= 3, "three charts");
    assert!(
        !dom.contains("Sezione programmatica: ."),
        "no empty section"
    );
    let shot = tokio::process::Command::new(chromium)
        .args(flags)
        .arg(&profile)
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg("--window-size=1000,1600")
        .arg(format!("file://{}", page.display()))
        .output()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let size = std::fs::metadata(&screenshot).map(|m| m.len()).unwrap_or(0);
    assert!(size > 10_000, "a real page was painted ({size} bytes)");

    // The same document as PDF/A-2b, by content negotiation and by parameter.
    let (status, kind, pdf) = bytes(
        m.get("/v1/reports/2009-S2/document")
            .header("accept", "application/pdf"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "application/pdf");
    check_pdf(&pdf, &dir, "bozza.pdf");
    let (status, kind, _) = bytes(m.get("/v1/reports/2009-S2/document?format=pdf")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "application/pdf");
    // APQ_REPORT_OUT=<dir> keeps the page, its screenshot and the PDF to look at.
    if let Ok(out) = std::env::var("APQ_REPORT_OUT") {
        let out = PathBuf::from(out);
        std::fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{e}"));
        for name in ["rapporto.html", "rapporto.png", "bozza.pdf"] {
            std::fs::copy(dir.join(name), out.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
    let (status, problem) = read(m, "/v1/reports/2009-S2/document?format=docx", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert!(problem.to_string().contains("format"), "{problem}");
    drop(std::fs::remove_dir_all(&dir));
}

async fn issue(m: &TestApp, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    call(
        m,
        Method::POST,
        "/v1/reports/2009-S2/issues",
        token,
        None,
        Some(body),
    )
    .await
}

/// The text of a PDF, by poppler's pdftotext.
fn pdf_text(file: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(file)
        .arg("-")
        .output()
        .unwrap_or_else(|e| {
            panic!("pdftotext is needed (Debian's poppler-utils; ./deploy/test installs it): {e}")
        });
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).replace('\u{a0}', " ")
}

#[tokio::test]
async fn an_issued_report_is_frozen_and_a_correction_is_a_new_version() {
    let suite = loaded_suite().await;
    let m = &suite.monitoring;
    report_fixture(m).await;
    let (status, _) = issue(m, Some(&responsabile("CSTT-ALI")), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = issue(m, None, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, problem) = issue(m, Some(&accordo()), json!({"issued_on": "2009-12-01"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert!(problem.to_string().contains("issued_on"), "{problem}");
    let (status, problem) = issue(m, Some(&accordo()), json!({"issued_on": "yesterday"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert!(problem.to_string().contains("issued_on"), "{problem}");

    let (status, first) = issue(m, Some(&accordo()), json!({"issued_on": "2010-02-26"})).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["version"], 1);
    let pdf_hash = first["pdf_sha256"].as_str().unwrap_or_default().to_owned();
    assert_eq!(pdf_hash.len(), 64);
    let (_, kind, pdf) = bytes(
        m.get("/v1/reports/2009-S2/issues/1/document")
            .header("accept", "application/pdf"),
    )
    .await;
    assert_eq!(kind, "application/pdf");
    let dir = std::env::temp_dir().join(format!("apq-issued-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    check_pdf(&pdf, &dir, "v1.pdf");
    let text = pdf_text(&dir.join("v1.pdf"));
    assert!(
        text.contains("Versione n. 1") && text.contains("26 febbraio 2010"),
        "{text}"
    );

    // A later change to a scheda does not alter the issued report.
    scheda_through(m, "E-TOSCANA-RIUSO", "2009-S2", "5.00", false).await;
    let (_, _, again) = bytes(m.get("/v1/reports/2009-S2/issues/1/document?format=pdf")).await;
    assert_eq!(again, pdf, "the issued bytes are kept");
    let (status, verification) = read(m, "/v1/reports/2009-S2/issues/1/verification", None).await;
    assert_eq!(status, StatusCode::OK, "{verification}");
    assert_eq!(verification["identical"], true, "{verification}");
    assert_eq!(verification["data_intact"], true, "{verification}");
    assert_eq!(verification["pdf_sha256"], pdf_hash.as_str());

    // A correction needs a reason and is version 2; version 1 stays readable.
    let (status, problem) = issue(m, Some(&accordo()), json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert!(problem.to_string().contains("reason"), "{problem}");
    let (status, second) = issue(
        m,
        Some(&accordo()),
        json!({"reason": "Aggiunta la scheda di e-Toscana Riuso"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(second["version"], 2);
    assert_ne!(second["pdf_sha256"], first["pdf_sha256"]);
    let (status, list) = read(m, "/v1/reports/2009-S2/issues", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2), "{list}");
    let (_, _, still) = bytes(m.get("/v1/reports/2009-S2/issues/1/document?format=pdf")).await;
    assert_eq!(still, pdf, "version 1 is unchanged");
    let (status, _) = read(m, "/v1/reports/2009-S2/issues/3", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    drop(std::fs::remove_dir_all(&dir));
}

#[tokio::test]
async fn the_report_with_a_peer_stopped_is_a_503_naming_it_never_a_report_with_a_gap() {
    let suite = loaded_suite().await;
    let m = &suite.monitoring;
    let (status, _) = read(m, "/v1/reports/2009-S2", None).await;
    assert_eq!(status, StatusCode::OK);
    suite.adhesion.stop().await;
    for path in [
        "/v1/reports/2009-S2",
        "/v1/reports/2009-S2/document",
        "/v1/reports/2009-S2/document?format=pdf",
    ] {
        let (status, problem) = read(m, path, None).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}: {problem}");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap_or("")
                .contains("adhesion"),
            "the peer is named: {problem}"
        );
    }
    let (status, problem) = call(
        m,
        Method::POST,
        "/v1/reports/2009-S2/issues",
        Some(&accordo()),
        None,
        Some(json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    let (status, list) = read(m, "/v1/reports/2009-S2/issues", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"], json!([]), "nothing was issued");
    suite.agreements.stop().await;
    let (status, problem) = read(m, "/v1/reports/2009-S2", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("agreements")
            || problem["detail"]
                .as_str()
                .unwrap_or("")
                .contains("adhesion"),
        "a peer is named: {problem}"
    );
}
