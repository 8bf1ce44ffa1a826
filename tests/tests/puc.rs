//! The national transmission (PUC) through HTTP on the loaded IV Atto: the financial events an
//! intervento records (impegni, pagamenti, their reversals) and the scheda's totals derived from
//! them.

use apq_domain::Role;
use apq_e2e::{call, euro, loaded_suite, read, record, responsabile};
use apq_platform::testing::{TestApp, token_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn post(app: &TestApp, path: &str, bearer: &str, body: Value) -> (StatusCode, Value) {
    call(app, Method::POST, path, Some(bearer), None, Some(body)).await
}

/// The names of the fields a problem lists.
fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e["field"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn impegni_and_pagamenti_are_events_with_their_reversals() {
    let suite = loaded_suite().await;
    let m = &suite.monitoring;
    let imp = record(
        m,
        "CSTT-ALI",
        "impegni",
        json!({"code": "IMP-2009/01", "tipologia": "I", "date": "2009-03-02", "amount": euro("500000.00"),
               "note": "Contratto con il RTI"}),
    )
    .await;
    assert_eq!(imp["kind"], "impegno", "{imp}");
    assert_eq!(imp["amount"], euro("500000.00"), "{imp}");
    record(
        m,
        "CSTT-ALI",
        "impegni",
        json!({"code": "DIS-2009/01", "tipologia": "D", "date": "2009-11-10", "amount": euro("50000.00"),
               "causale": "Economia di gara"}),
    )
    .await;
    record(
        m,
        "CSTT-ALI",
        "pagamenti",
        json!({"code": "PAG-2009/01", "tipologia": "P", "date": "2009-06-15", "amount": euro("200000.00")}),
    )
    .await;
    record(
        m,
        "CSTT-ALI",
        "pagamenti",
        json!({"code": "RET-2009/01", "tipologia": "R", "date": "2009-07-01", "amount": euro("1000.00"),
               "causale": "Nota di credito"}),
    )
    .await;

    let (status, impegni) = read(m, "/v1/interventi/CSTT-ALI/impegni", None).await;
    assert_eq!(status, StatusCode::OK, "{impegni}");
    let codes: Vec<&str> = impegni["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["code"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(codes, ["IMP-2009/01", "DIS-2009/01"], "oldest first");
    assert_eq!(impegni["net"], euro("450000.00"), "{impegni}");
    let (_, pagamenti) = read(m, "/v1/interventi/CSTT-ALI/pagamenti", None).await;
    assert_eq!(pagamenti["net"], euro("199000.00"), "{pagamenti}");

    // Each write is audited.
    let (status, audit) = read(
        m,
        "/v1/audit?entity=movement",
        Some(&token_with(&[Role::Auditor])),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(4), "{audit}");

    // The same code twice is a conflict; bad input names its field.
    let (status, problem) = post(
        m,
        "/v1/interventi/CSTT-ALI/impegni",
        &responsabile("CSTT-ALI"),
        json!({"code": "IMP-2009/01", "tipologia": "I", "date": "2009-03-02", "amount": euro("1.00")}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    for (body, field) in [
        (
            json!({"code": "X1", "tipologia": "I", "date": "2009-03-02", "amount": euro("0.00")}),
            "amount",
        ),
        (
            json!({"code": "X#1", "tipologia": "I", "date": "2009-03-02", "amount": euro("1.00")}),
            "code",
        ),
        (
            json!({"code": "X2", "tipologia": "D", "date": "2009-03-02", "amount": euro("1.00")}),
            "causale",
        ),
        (
            json!({"code": "X3", "tipologia": "D", "date": "2009-12-01", "amount": euro("450000.01"), "causale": "Revoca"}),
            "amount",
        ),
        (
            json!({"code": "X4", "tipologia": "P", "date": "2009-03-02", "amount": euro("1.00")}),
            "tipologia",
        ),
    ] {
        let (status, problem) = post(
            m,
            "/v1/interventi/CSTT-ALI/impegni",
            &responsabile("CSTT-ALI"),
            body.clone(),
        )
        .await;
        assert!(status.is_client_error(), "{body}: {status} {problem}");
        let text = problem.to_string();
        assert!(
            fields(&problem).iter().any(|f| f.contains(field)) || text.contains(field),
            "{body} names {field}: {problem}"
        );
    }
    // A refused reversal left nothing behind.
    let (_, impegni) = read(m, "/v1/interventi/CSTT-ALI/impegni", None).await;
    assert_eq!(impegni["net"], euro("450000.00"), "{impegni}");

    // Another intervento's responsabile cannot record here; an unknown intervento is not found.
    let (status, _) = post(
        m,
        "/v1/interventi/CSTT-ALI/pagamenti",
        &responsabile("GEOSIGMA"),
        json!({"code": "P9", "tipologia": "P", "date": "2009-03-02", "amount": euro("1.00")}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = post(
        m,
        "/v1/interventi/NOPE/pagamenti",
        &token_with(&[Role::Admin]),
        json!({"code": "P9", "tipologia": "P", "date": "2009-03-02", "amount": euro("1.00")}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
}

#[tokio::test]
async fn the_scheda_totals_are_derived_from_the_events() {
    let suite = loaded_suite().await;
    let m = &suite.monitoring;
    let code = "GEOSIGMA";
    record(
        m,
        code,
        "impegni",
        json!({"code": "I-1", "tipologia": "I", "date": "2009-08-03", "amount": euro("300000.00")}),
    )
    .await;
    // Dated after the semester: not in its totals.
    record(
        m,
        code,
        "impegni",
        json!({"code": "I-2", "tipologia": "I", "date": "2010-02-01", "amount": euro("100000.00")}),
    )
    .await;
    let scheda = |extra: Value| {
        let mut body = json!({"intervento_code": code, "semester": "2009-S2", "sal": "20.00", "planned_sal": "30.00",
                              "activities": [], "obstacles": null, "corrective_actions": null});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        body
    };
    // A declared total that disagrees with the events is refused, naming the field.
    let (status, problem) = post(
        m,
        "/v1/schede",
        &responsabile(code),
        scheda(json!({"commitments": euro("500000.00")})),
    )
    .await;
    assert!(status.is_client_error(), "{status} {problem}");
    assert_eq!(fields(&problem), ["commitments"], "{problem}");

    let (status, created) = post(m, "/v1/schede", &responsabile(code), scheda(json!({}))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["commitments"], euro("300000.00"), "{created}");
    assert_eq!(created["payments"], euro("0.00"), "{created}");
    let id = created["id"].as_str().unwrap_or("").to_owned();

    // A pagamento recorded while the scheda is a draft reaches it (and moves its version).
    record(
        m,
        code,
        "pagamenti",
        json!({"code": "P-1", "tipologia": "P", "date": "2009-12-01", "amount": euro("120000.00")}),
    )
    .await;
    let (_, draft) = read(m, &format!("/v1/schede/{id}"), None).await;
    assert_eq!(draft["payments"], euro("120000.00"), "{draft}");
    assert!(
        draft["version"].as_i64() > created["version"].as_i64(),
        "{draft}"
    );
    // A patch cannot declare other totals.
    let (status, problem) = call(
        m,
        Method::PATCH,
        &format!("/v1/schede/{id}"),
        Some(&responsabile(code)),
        Some(&draft["version"]),
        Some(json!({"payments": euro("1.00")})),
    )
    .await;
    assert!(status.is_client_error(), "{status} {problem}");
    assert_eq!(fields(&problem), ["payments"], "{problem}");

    let (status, submitted) = call(
        m,
        Method::POST,
        &format!("/v1/schede/{id}/submission"),
        Some(&responsabile(code)),
        Some(&draft["version"]),
        Some(json!({"note": "relazione"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{submitted}");
    // Its semester is closed: a later event is fine, one dated inside is not.
    let (status, problem) = post(
        m,
        &format!("/v1/interventi/{code}/pagamenti"),
        &responsabile(code),
        json!({"code": "P-2", "tipologia": "P", "date": "2009-12-15", "amount": euro("1.00")}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    record(
        m,
        code,
        "pagamenti",
        json!({"code": "P-3", "tipologia": "P", "date": "2010-01-15", "amount": euro("1.00")}),
    )
    .await;
    let (_, after) = read(m, &format!("/v1/schede/{id}"), None).await;
    assert_eq!(after["payments"], euro("120000.00"), "{after}");

    // The portals' feed carries the events the scheda's totals come from (those dated inside
    // its semester or before), and the intervento's phases.
    record(m, code, "phases", json!({"code": "0201", "planned_start": "2009-07-01", "planned_end": "2009-12-31", "actual_start": "2009-07-15"})).await;
    let (status, feed) = read(
        m,
        "/v1/feed?cursor=0&limit=200",
        Some(&token_with(&[Role::Sync])),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{feed}");
    let item = feed["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["scheda"]["id"] == id.as_str()))
        .cloned()
        .unwrap_or_default();
    let codes: Vec<&str> = item["movements"]
        .as_array()
        .map(|m| m.iter().filter_map(|m| m["code"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(codes, ["I-1", "P-1"], "{item}");
    assert_eq!(item["phases"][0]["code"], "0201", "{item}");
    assert_eq!(item["phases"][0]["actual_start"], "2009-07-15", "{item}");
}

#[tokio::test]
async fn a_slip_of_the_procedural_iter_keeps_the_earlier_plan_and_is_classed() {
    let suite = loaded_suite().await;
    let m = &suite.monitoring;
    let code = "CSTT-ALI";
    let opened = record(
        m,
        code,
        "phases",
        json!({"code": "0202", "planned_start": "2009-03-01", "planned_end": "2009-06-30", "actual_start": "2009-03-10"}),
    )
    .await;
    assert_eq!(opened["name"], "Stipula del contratto", "{opened}");
    assert!(
        opened["earlier_plans"]
            .as_array()
            .is_some_and(Vec::is_empty),
        "{opened}"
    );
    let (status, _) = post(
        m,
        &format!("/v1/interventi/{code}/phases"),
        &responsabile(code),
        json!({"code": "0202"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    for (body, field) in [
        (json!({"code": "9999"}), "code"),
        (
            json!({"code": "0203", "actual_start": "2009-05-01", "actual_end": "2009-04-01"}),
            "actual_end",
        ),
        (
            json!({"code": "0203", "planned_start": "2009-05-01", "planned_end": "2009-04-01"}),
            "planned_end",
        ),
    ] {
        let (status, problem) = post(
            m,
            &format!("/v1/interventi/{code}/phases"),
            &responsabile(code),
            body.clone(),
        )
        .await;
        assert!(status.is_client_error(), "{body}: {status}");
        assert_eq!(fields(&problem), [field], "{body}: {problem}");
    }

    let path = format!("/v1/interventi/{code}/phases/0202");
    let (status, problem) = call(
        m,
        Method::PATCH,
        &path,
        Some(&responsabile(code)),
        Some(&opened["version"]),
        Some(json!({"planned_end": "2009-12-31"})),
    )
    .await;
    assert!(status.is_client_error(), "{status} {problem}");
    assert_eq!(fields(&problem), ["reason"], "{problem}");
    let (status, _) = call(
        m,
        Method::PATCH,
        &path,
        Some(&responsabile("GEOSIGMA")),
        Some(&opened["version"]),
        Some(json!({"planned_end": "2009-12-31", "reason": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, slipped) = call(
        m,
        Method::PATCH,
        &path,
        Some(&responsabile(code)),
        Some(&opened["version"]),
        Some(json!({"planned_end": "2009-12-31", "reason": "Ricorso sulla gara"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{slipped}");
    assert_eq!(slipped["planned_end"], "2009-12-31", "{slipped}");
    assert_eq!(
        slipped["earlier_plans"][0]["planned_end"], "2009-06-30",
        "the earlier plan is kept: {slipped}"
    );
    assert_eq!(slipped["earlier_plans"][0]["reason"], "Ricorso sulla gara");

    for (as_of, class) in [
        ("2009-12-15", "due"),
        ("2010-01-30", "overdue"),
        ("2010-03-31", "delayed"),
        ("2011-01-01", "seriously_delayed"),
    ] {
        let (status, list) = read(
            m,
            &format!("/v1/interventi/{code}/phases?as_of={as_of}"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["items"][0]["delay"], class, "as of {as_of}: {list}");
    }
    // Ended on 2010-01-15: overdue by 15 days, whenever it is read.
    let (status, ended) = call(
        m,
        Method::PATCH,
        &path,
        Some(&responsabile(code)),
        Some(&slipped["version"]),
        Some(json!({"actual_end": "2010-01-15"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    assert_eq!(ended["delay"], "overdue", "{ended}");
    assert_eq!(
        ended["earlier_plans"].as_array().map(Vec::len),
        Some(1),
        "{ended}"
    );
}

#[tokio::test]
async fn each_intervento_has_a_stable_local_code_and_its_soggetti_collegati() {
    let suite = loaded_suite().await;
    let m = &suite.monitoring;
    let (status, projects) = read(m, "/v1/puc/projects", None).await;
    assert_eq!(status, StatusCode::OK, "{projects}");
    let items = projects["items"].as_array().cloned().unwrap_or_default();
    let codes: Vec<(&str, &str)> = items
        .iter()
        .filter_map(|p| Some((p["intervento_code"].as_str()?, p["local_code"].as_str()?)))
        .collect();
    assert_eq!(codes.len(), 3, "{projects}");
    let mut locals: Vec<&str> = codes.iter().map(|(_, l)| *l).collect();
    locals.sort_unstable();
    locals.dedup();
    assert_eq!(locals.len(), 3, "one local code each: {projects}");
    assert!(
        locals
            .iter()
            .all(|l| l.starts_with("APQ-SI-TOSCANA-") && l.len() <= 60)
    );
    let cstt = items
        .iter()
        .find(|p| p["intervento_code"] == "CSTT-ALI")
        .cloned()
        .unwrap_or_default();
    assert_eq!(cstt["cod_regione"], "09", "{cstt}");
    assert!(cstt["cod_provincia"].is_null(), "unknown is absent: {cstt}");

    // Registered once; its local code survives a change and a cancellation.
    let accordo = token_with(&[Role::ResponsabileAccordo]);
    let (status, _) = post(
        m,
        "/v1/puc/projects",
        &accordo,
        json!({"intervento_code": "CSTT-ALI"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, problem) = call(
        m,
        Method::PATCH,
        "/v1/puc/projects/CSTT-ALI",
        Some(&accordo),
        Some(&cstt["version"]),
        Some(json!({"cod_provincia": "048", "cod_comune": "053001"})),
    )
    .await;
    assert!(status.is_client_error(), "{status} {problem}");
    assert_eq!(fields(&problem), ["cod_comune"], "{problem}");
    let (status, cancelled) = call(
        m,
        Method::PATCH,
        "/v1/puc/projects/CSTT-ALI",
        Some(&accordo),
        Some(&cstt["version"]),
        Some(json!({"cod_provincia": "048", "cod_comune": "048017", "cancelled_on": "2010-06-30", "local_code": "X"})),
    )
    .await;
    assert!(
        status.is_client_error(),
        "the local code is not patched: {cancelled}"
    );
    let (status, cancelled) = call(
        m,
        Method::PATCH,
        "/v1/puc/projects/CSTT-ALI",
        Some(&accordo),
        Some(&cstt["version"]),
        Some(json!({"cod_provincia": "048", "cod_comune": "048017", "cancelled_on": "2010-06-30"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["local_code"], cstt["local_code"], "{cancelled}");
    assert_eq!(cancelled["cancelled_on"], "2010-06-30");

    // The IV Atto's parties as the seed gives them, the rest unknown.
    let (status, soggetti) = read(m, "/v1/interventi/CSTT-ALI/soggetti", None).await;
    assert_eq!(status, StatusCode::OK, "{soggetti}");
    let roles: Vec<(i64, &str)> = soggetti["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|s| Some((s["role"].as_i64()?, s["name"].as_str()?)))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(roles.len(), 2, "{soggetti}");
    assert_eq!(roles[0].0, 1);
    assert!(roles[0].1.starts_with("CNIPA"), "{soggetti}");
    assert_eq!(roles[1], (2, "Regione Toscana"));
    for s in soggetti["items"].as_array().cloned().unwrap_or_default() {
        assert!(s["codice_fiscale"].is_null() && s["ipa"].is_null(), "{s}");
        assert_eq!(s["public"], true, "{s}");
    }

    // A codice fiscale is checked with its control character; the role comes from TC24.
    let path = "/v1/interventi/CSTT-ALI/soggetti";
    for (body, field) in [
        (
            json!({"role": 3, "name": "Comune", "codice_fiscale": "01386030487"}),
            "codice_fiscale",
        ),
        (json!({"role": 9, "name": "Comune"}), "role"),
        (
            json!({"role": 3, "name": "Comune", "ipa": "troppo-lungo-x"}),
            "ipa",
        ),
    ] {
        let (status, problem) = post(m, path, &accordo, body.clone()).await;
        assert!(status.is_client_error(), "{body}: {status}");
        assert!(
            fields(&problem).iter().any(|f| f == field),
            "{body}: {problem}"
        );
    }
    let (status, added) = post(
        m,
        path,
        &accordo,
        json!({"role": 3, "name": "Comune di Firenze", "codice_fiscale": "01307110484", "public": true, "ipa": "c_d612"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["codice_fiscale"], "01307110484");
    let (status, _) = post(
        m,
        path,
        &responsabile("CSTT-ALI"),
        json!({"role": 3, "name": "Comune di Firenze"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// The fields of each structure (before FLG_CANCELLAZIONE), as the national protocol lists them.
fn field_count(structure: &str) -> Option<usize> {
    Some(match structure {
        "AP00" => 11,
        "AP05" => 2,
        "AP06" => 6,
        "SC00" => 9,
        "FN00" => 7,
        "FN01" => 4,
        "FN03" => 4,
        "FN04" | "FN06" => 7,
        "FN10" => 3,
        "IN01" => 5,
        "PR00" => 6,
        "PR01" => 3,
        "TR00" => 7,
        _ => return None,
    })
}

/// A strict reader of the PUC framing: `HH#0#<sender>#PUC#`, then
/// `<STRUCTURE>#<progressivo>#<fields>|<FLG_CANCELLAZIONE>#` with progressivi 1, 2, ..., then
/// `FF#<records + 1>#<records>#`, every line ending with CRLF. Answers (structure, fields, flag).
fn parse_puc(file: &str) -> Vec<(String, Vec<String>, String)> {
    assert!(file.ends_with("\r\n"), "the file ends with CRLF");
    let body = &file[..file.len() - 2];
    let lines: Vec<&str> = body.split("\r\n").collect();
    assert!(
        lines.iter().all(|l| !l.contains('\n') && !l.contains('\r')),
        "CRLF only"
    );
    assert_eq!(lines.first().copied(), Some("HH#0#RTOS#PUC#"), "the header");
    let n = lines.len() - 2;
    assert_eq!(
        lines.last().copied(),
        Some(format!("FF#{}#{n}#", n + 1).as_str()),
        "the footer"
    );
    let mut out = Vec::new();
    for (i, line) in lines[1..=n].iter().enumerate() {
        let parts: Vec<&str> = line.split('#').collect();
        assert_eq!(parts.len(), 4, "STRUCTURE#progressivo#fields#: {line}");
        assert_eq!(parts[3], "", "a record ends with #: {line}");
        assert_eq!(
            parts[1],
            (i + 1).to_string(),
            "progressivi count from 1: {line}"
        );
        let expected = field_count(parts[0]).unwrap_or_else(|| panic!("unknown structure: {line}"));
        let mut fields: Vec<String> = parts[2].split('|').map(str::to_owned).collect();
        assert_eq!(
            fields.len(),
            expected + 1,
            "{} fields and the flag: {line}",
            expected
        );
        let flag = fields.pop().unwrap_or_default();
        assert!(flag.is_empty() || flag == "S", "FLG_CANCELLAZIONE: {line}");
        for field in &fields {
            if field.contains('/')
                && field.len() == 10
                && field.chars().filter(|c| *c == '/').count() == 2
            {
                let parts: Vec<u32> = field.split('/').filter_map(|p| p.parse().ok()).collect();
                assert!(
                    parts.len() == 3
                        && (1..=31).contains(&parts[0])
                        && (1..=12).contains(&parts[1])
                        && parts[2] >= 1900,
                    "a date dd/mm/YYYY: {line}"
                );
            }
        }
        out.push((parts[0].to_owned(), fields, flag));
    }
    out
}

fn cents(amount: &str) -> i64 {
    let (units, decimals) = amount
        .split_once(',')
        .unwrap_or_else(|| panic!("a comma decimal: {amount}"));
    assert_eq!(decimals.len(), 2, "two decimals: {amount}");
    assert!(!units.contains('.'), "no thousands separator: {amount}");
    units.parse::<i64>().unwrap_or(-1) * 100 + decimals.parse::<i64>().unwrap_or(-1)
}

#[tokio::test]
async fn the_2010_s1_file_is_built_from_live_data_and_checked() {
    let suite = loaded_suite().await;
    let m = &suite.monitoring;
    let admin = token_with(&[Role::Admin]);
    for (register, body) in [
        (
            "impegni",
            json!({"code": "IMP-1", "tipologia": "I", "date": "2010-02-01", "amount": euro("500000.00"), "note": "Contratto RTI"}),
        ),
        (
            "impegni",
            json!({"code": "DIS-1", "tipologia": "D", "date": "2010-05-01", "amount": euro("20000.00"), "causale": "Ribasso"}),
        ),
        (
            "pagamenti",
            json!({"code": "PAG-1", "tipologia": "P", "date": "2010-03-01", "amount": euro("200000.00")}),
        ),
        (
            "impegni",
            json!({"code": "IMP-2", "tipologia": "I", "date": "2010-08-01", "amount": euro("1000.00")}),
        ),
    ] {
        record(m, "CSTT-ALI", register, body).await;
    }
    // GEOSIGMA pays more than it committed, and ends a phase it never started.
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
    record(m, "GEOSIGMA", "phases", json!({"code": "0203", "planned_start": "2010-01-01", "planned_end": "2010-03-31", "actual_end": "2010-03-01"})).await;

    // An intervento of the register without its Beneficiario.
    let (_, atti) = read(&suite.agreements, "/v1/atti-integrativi", None).await;
    let atto = atti["items"]
        .as_array()
        .and_then(|items| items.iter().find(|a| a["number"] == 4))
        .cloned()
        .unwrap_or_default();
    let (status, created) = post(
        &suite.agreements,
        "/v1/interventi",
        &admin,
        json!({"atto_id": atto["id"], "code": "PUC-NUOVO", "title": "Nuovo intervento", "kind": "ali", "sezione": "attuativa",
               "cup": null, "localisation": null, "objective": null, "soggetti_coinvolti": null, "design_level": null,
               "administrative_steps": null, "total_cost": euro("100000.00")}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, project) = post(
        m,
        "/v1/puc/projects",
        &admin,
        json!({"intervento_code": "PUC-NUOVO", "cod_regione": "09", "natura_cup": "02"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    let (status, _) = post(
        m,
        "/v1/interventi/PUC-NUOVO/soggetti",
        &admin,
        json!({"role": 1, "name": "Regione Toscana", "public": true}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, preview) = read(m, "/v1/puc/2010-S1", None).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let file = preview["file"].as_str().unwrap_or("");
    let parsed = parse_puc(file);
    let infos = preview["records"].as_array().cloned().unwrap_or_default();
    assert_eq!(parsed.len(), infos.len(), "one description per record");
    for (i, ((structure, _, _), info)) in parsed.iter().zip(&infos).enumerate() {
        assert_eq!(info["progressivo"], i + 1);
        assert_eq!(&info["structure"], structure);
    }
    // The file itself, as sent.
    let response = m
        .http
        .get(m.url("/v1/puc/2010-S1"))
        .header("accept", "text/plain")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/plain")
    );
    assert_eq!(
        response.text().await.unwrap_or_default(),
        file,
        "the preview is the file"
    );

    let local = |code: &str| {
        infos
            .iter()
            .zip(&parsed)
            .find(|(info, _)| info["intervento_code"] == code)
            .map(|(_, (_, fields, _))| fields[0].clone())
            .unwrap_or_default()
    };
    let cstt = local("CSTT-ALI");
    let of = |structure: &str, project: &str| -> Vec<Vec<String>> {
        parsed
            .iter()
            .filter(|(s, f, _)| s == structure && f[0] == project)
            .map(|(_, f, _)| f.clone())
            .collect()
    };
    let fn00: i64 = of("FN00", &cstt).iter().map(|f| cents(&f[6])).sum();
    assert_eq!(
        fn00, 189_285_000,
        "CSTT-ALI's FN00 amounts sum to 1892850,00"
    );
    let ap00 = of("AP00", &cstt);
    assert_eq!(ap00[0][4], "D53G07000070002", "{ap00:?}");
    assert_eq!(
        of("FN04", &cstt),
        [
            [
                &cstt,
                "IMP-1",
                "I",
                "01/02/2010",
                "500000,00",
                "",
                "Contratto RTI"
            ],
            [&cstt, "DIS-1", "D", "01/05/2010", "20000,00", "Ribasso", ""],
        ]
        .map(|r| r.map(str::to_owned).to_vec()),
        "the impegni of the semester, as recorded (not the one of August)"
    );
    assert_eq!(
        of("FN06", &cstt),
        [[&cstt, "PAG-1", "P", "01/03/2010", "200000,00", "", ""]
            .map(str::to_owned)
            .to_vec()]
    );
    let sc00 = of("SC00", &cstt);
    assert_eq!(
        sc00.iter().map(|f| f[1].as_str()).collect::<Vec<_>>(),
        ["1", "2"],
        "{sc00:?}"
    );
    assert_eq!(sc00[1][5], "Regione Toscana");
    assert_eq!(sc00[1][2], "", "an unknown codice fiscale is empty");

    // The national checks, each naming its code, structure, record and field.
    let findings = preview["findings"].as_array().cloned().unwrap_or_default();
    let has = |code: &str, intervento: &str, structure: &str, field: &str| {
        findings.iter().any(|f| {
            f["code"] == code
                && f["intervento_code"] == intervento
                && f["structure"] == structure
                && f["field"] == field
                && f["message"].as_str().is_some_and(|m| !m.is_empty())
        })
    };
    assert!(
        has("028", "GEOSIGMA", "FN06", "IMPORTO_PAG"),
        "{findings:#?}"
    );
    assert!(
        has("042", "GEOSIGMA", "PR00", "DATA_INIZIO_EFFETTIVA"),
        "{findings:#?}"
    );
    assert!(
        has("004", "PUC-NUOVO", "SC00", "COD_RUOLO_SOG"),
        "{findings:#?}"
    );
    assert!(
        !findings
            .iter()
            .any(|f| f["code"] == "028" && f["intervento_code"] == "CSTT-ALI"),
        "{findings:#?}"
    );
    assert!(!findings.iter().any(|f| f["code"] == "004"
        && f["intervento_code"] == "CSTT-ALI"
        && f["field"] == "COD_RUOLO_SOG"));
    assert_eq!(preview["blocked"], true);

    // A peer that does not answer: 503 naming it, never a file with a gap.
    suite.agreements.stop().await;
    let (status, problem) = read(m, "/v1/puc/2010-S1", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    assert!(problem.to_string().contains("agreements"), "{problem}");
}

/// The fields of every `structure` record of the project `local` (or of every TR00 when
/// `local` is empty) in a parsed file.
fn rows(
    parsed: &[(String, Vec<String>, String)],
    structure: &str,
    local: &str,
) -> Vec<Vec<String>> {
    parsed
        .iter()
        .filter(|(s, f, _)| s == structure && (local.is_empty() || f[0] == local))
        .map(|(_, f, _)| f.clone())
        .collect()
}

fn strings(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|v| (*v).to_owned()).collect())
        .collect()
}

/// Reads the preview of `semester`: the parsed file and the findings.
async fn preview(m: &TestApp, semester: &str) -> (Vec<(String, Vec<String>, String)>, Vec<Value>) {
    let (status, preview) = read(m, &format!("/v1/puc/{semester}"), None).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    (
        parse_puc(preview["file"].as_str().unwrap_or("")),
        preview["findings"].as_array().cloned().unwrap_or_default(),
    )
}

#[tokio::test]
async fn the_file_carries_the_strumento_cost_plan_economies_indicators_state_and_transfers() {
    let suite = loaded_suite().await;
    let m = &suite.monitoring;
    let code = "CSTT-ALI";
    let admin = token_with(&[Role::Admin]);
    let (_, projects) = read(m, "/v1/puc/projects", None).await;
    let local = projects["items"]
        .as_array()
        .and_then(|items| items.iter().find(|p| p["intervento_code"] == code))
        .and_then(|p| p["local_code"].as_str())
        .unwrap_or("")
        .to_owned();
    record(
        m,
        code,
        "impegni",
        json!({"code": "IMP-1", "tipologia": "I", "date": "2010-02-01", "amount": euro("500000.00")}),
    )
    .await;

    // The cost plan, by year, recorded by the intervento's responsabile.
    let y2008 = record(
        m,
        code,
        "cost-plan",
        json!({"year": 2008, "realised": euro("500000.00"), "to_realise": euro("0.00")}),
    )
    .await;
    assert_eq!(y2008["realised"], euro("500000.00"), "{y2008}");
    let y2009 = record(
        m,
        code,
        "cost-plan",
        json!({"year": 2009, "realised": euro("0.00"), "to_realise": euro("1382850.00")}),
    )
    .await;
    let path = format!("/v1/interventi/{code}/cost-plan");
    let (status, _) = post(
        m,
        &path,
        &responsabile(code),
        json!({"year": 2009, "realised": euro("0.00"), "to_realise": euro("1.00")}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "one row a year");
    for (body, field) in [
        (
            json!({"year": 2100, "realised": euro("1.00"), "to_realise": euro("0.00")}),
            "realised",
        ),
        (
            json!({"year": 1900, "realised": euro("0.00"), "to_realise": euro("0.00")}),
            "year",
        ),
    ] {
        let (status, problem) = post(m, &path, &responsabile(code), body.clone()).await;
        assert!(status.is_client_error(), "{body}: {status} {problem}");
        assert!(
            fields(&problem).iter().any(|f| f == field),
            "{body}: {problem}"
        );
    }
    let (status, plan) = read(m, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!(plan["total"], euro("1882850.00"), "{plan}");

    // Without the economy the plan does not add up to the financing: 039, naming record and field.
    let (parsed, findings) = preview(m, "2010-S1").await;
    let plan_039: Vec<&Value> = findings
        .iter()
        .filter(|f| f["code"] == "039" && f["intervento_code"] == code)
        .collect();
    assert_eq!(plan_039.len(), 1, "{findings:#?}");
    assert_eq!(plan_039[0]["structure"], "FN03");
    assert_eq!(plan_039[0]["record"], "2009");
    assert_eq!(plan_039[0]["field"], "IMP_DA_REALIZZARE");
    assert!(
        plan_039[0]["message"]
            .as_str()
            .is_some_and(|t| t.contains("1882850,00") && t.contains("1892850,00")),
        "{}",
        plan_039[0]
    );
    assert_eq!(
        rows(&parsed, "FN03", &local),
        strings(&[
            &[&local, "2008", "500000,00", "0,00"],
            &[&local, "2009", "0,00", "1382850,00"],
        ])
    );

    // An economy on the Regione's resources: it appears in FN10 and the plan adds up.
    let economy = record(
        m,
        code,
        "economie",
        json!({"fund": "regione_toscana", "amount": euro("10000.00"), "ascertained_on": "2010-05-31",
               "note": "Ribasso di gara"}),
    )
    .await;
    assert_eq!(economy["fund"], "regione_toscana", "{economy}");
    let (status, _) = post(
        m,
        &format!("/v1/interventi/{code}/economie"),
        &responsabile("GEOSIGMA"),
        json!({"fund": "stato", "amount": euro("1.00"), "ascertained_on": "2010-05-31"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = post(
        m,
        &format!("/v1/interventi/{code}/economie"),
        &responsabile(code),
        json!({"fund": "stato", "amount": euro("0.00"), "ascertained_on": "2010-05-31"}),
    )
    .await;
    assert!(status.is_client_error(), "{status} {problem}");
    assert!(fields(&problem).iter().any(|f| f == "amount"), "{problem}");

    // An indicator measured by the semester.
    let (status, measured) = call(
        m,
        Method::PUT,
        "/v1/indicators/IND-03/measurements/2009-S2",
        Some(&responsabile(code)),
        None,
        Some(json!({"value": "40"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{measured}");

    let (parsed, findings) = preview(m, "2010-S1").await;
    assert!(
        !findings.iter().any(|f| f["intervento_code"] == code
            && ["039", "038", "002", "008", "010", "011"]
                .contains(&f["code"].as_str().unwrap_or(""))),
        "plan + economies = financing; the strumento, indicators, state and plan are there: {findings:#?}"
    );
    assert_eq!(
        rows(&parsed, "FN10", &local),
        strings(&[&[&local, "REG", "10000,00"]])
    );
    let fn00: i64 = rows(&parsed, "FN00", &local)
        .iter()
        .map(|f| cents(&f[6]))
        .sum();
    assert_eq!(
        fn00, 189_285_000,
        "CSTT-ALI's FN00 amounts still sum to 1892850,00"
    );
    assert_eq!(
        rows(&parsed, "FN00", &local)
            .iter()
            .map(|f| f[1].as_str())
            .collect::<Vec<_>>(),
        ["STA", "REG", "REG"],
        "COD_FONDO from TC33"
    );
    let fn03: i64 = rows(&parsed, "FN03", &local)
        .iter()
        .map(|f| cents(&f[2]) + cents(&f[3]))
        .sum();
    let fn10: i64 = rows(&parsed, "FN10", &local)
        .iter()
        .map(|f| cents(&f[2]))
        .sum();
    assert_eq!(fn03 + fn10, fn00, "FN03 + FN10 = FN00 in the file itself");
    assert_eq!(
        rows(&parsed, "AP05", &local),
        strings(&[&[&local, "APQSI-TOS4"]]),
        "the IV Atto is the strumento attuativo"
    );
    let in01 = rows(&parsed, "IN01", &local);
    assert_eq!(
        in01.len(),
        16,
        "CSTT-ALI's indicators of the seed's Cap. 6: {in01:?}"
    );
    assert!(
        in01.contains(&strings(&[&[&local, "DPR", "IND-03", "111,00", "40,00"]])[0]),
        "{in01:?}"
    );
    assert!(
        in01.iter()
            .any(|f| f[2] == "IND-01" && f[3] == "8,00" && f[4].is_empty()),
        "a value not measured is empty, not zero: {in01:?}"
    );
    assert_eq!(
        rows(&parsed, "PR01", &local),
        strings(&[&[&local, "2", "30/06/2010"]]),
        "in progress: an impegno is recorded"
    );
    let (_, projects) = read(m, "/v1/puc/projects", None).await;
    let riuso = projects["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|p| p["intervento_code"] == "E-TOSCANA-RIUSO")
        })
        .and_then(|p| p["local_code"].as_str())
        .unwrap_or("")
        .to_owned();
    assert_eq!(
        rows(&parsed, "PR01", &riuso),
        strings(&[&[&riuso, "1", "30/06/2010"]]),
        "nothing recorded: not started"
    );
    assert!(rows(&parsed, "TR00", "").is_empty(), "no tranche paid yet");

    // A change of the plan is versioned and audited.
    let (status, changed) = call(
        m,
        Method::PATCH,
        &format!("{path}/2009"),
        Some(&responsabile(code)),
        Some(&y2009["version"]),
        Some(json!({"to_realise": euro("1382000.00"), "reason": "Riprogrammazione"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let (status, _) = call(
        m,
        Method::PATCH,
        &format!("{path}/2009"),
        Some(&responsabile(code)),
        Some(&y2009["version"]),
        Some(json!({"to_realise": euro("1.00")})),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "a stale ETag");
    let (_, findings) = preview(m, "2010-S1").await;
    assert!(
        findings.iter().any(|f| f["code"] == "039"
            && f["intervento_code"] == code
            && f["record"] == "2009"
            && f["field"] == "IMP_DA_REALIZZARE"),
        "{findings:#?}"
    );
    let auditor = token_with(&[Role::Auditor]);
    for (entity, count) in [("cost_plan_year", 3), ("economy", 1)] {
        let (status, audit) = read(m, &format!("/v1/audit?entity={entity}"), Some(&auditor)).await;
        assert_eq!(status, StatusCode::OK, "{audit}");
        assert_eq!(
            audit["items"].as_array().map(Vec::len),
            Some(count),
            "{entity}: {audit}"
        );
    }

    // The State pays the first tranche on 15 March 2010, recorded today: a transfer to the
    // Regione (TR00), dated when paid.
    let (_, found) = read(
        &suite.agreements,
        &format!("/v1/interventi?code={code}"),
        None,
    )
    .await;
    let id = found["items"][0]["id"].as_str().unwrap_or("").to_owned();
    let (_, tranches) = read(
        &suite.agreements,
        &format!("/v1/interventi/{id}/tranches"),
        None,
    )
    .await;
    let mut tranche = tranches["items"][0].clone();
    for (to, on) in [
        ("eligible", "2010-01-20"),
        ("requested", "2010-02-01"),
        ("paid", "2010-03-15"),
    ] {
        let (status, moved) = call(
            &suite.agreements,
            Method::POST,
            &format!(
                "/v1/tranches/{}/transitions",
                tranche["id"].as_str().unwrap_or("")
            ),
            Some(&admin),
            Some(&tranche["version"]),
            Some(json!({"to": to, "reason": format!("Tranche {to}"), "effective_on": on})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{moved}");
        tranche = moved;
    }
    let (_, history) = read(
        &suite.agreements,
        &format!(
            "/v1/tranches/{}/transitions",
            tranche["id"].as_str().unwrap_or("")
        ),
        None,
    )
    .await;
    assert_eq!(
        history["items"][2]["effective_on"], "2010-03-15",
        "{history}"
    );
    let (parsed, findings) = preview(m, "2010-S1").await;
    let amount = tranche["amount"]["amount"]
        .as_str()
        .unwrap_or("")
        .replace('.', ",");
    assert_eq!(
        rows(&parsed, "TR00", ""),
        strings(&[&["CSTT-ALI-T1", "15/03/2010", "", "1", &amount, "", "S"]]),
        "the Regione receives it: a public body whose codice fiscale is unknown"
    );
    assert!(
        !findings.iter().any(|f| f["code"] == "031"),
        "{findings:#?}"
    );
    let (parsed, _) = preview(m, "2009-S2").await;
    assert!(
        rows(&parsed, "TR00", "").is_empty(),
        "paid after that semester: not in its file"
    );
    let (status, problem) = call(
        &suite.agreements,
        Method::POST,
        &format!(
            "/v1/tranches/{}/transitions",
            tranches["items"][1]["id"].as_str().unwrap_or("")
        ),
        Some(&admin),
        Some(&tranches["items"][1]["version"]),
        Some(json!({"to": "eligible", "reason": "x", "effective_on": "2100-01-01"})),
    )
    .await;
    assert!(status.is_client_error(), "{status} {problem}");
    assert!(
        fields(&problem).iter().any(|f| f == "effective_on"),
        "{problem}"
    );
}

/// The soggetto of `code` named `name`.
async fn soggetto(m: &TestApp, code: &str, name: &str) -> Value {
    let (_, list) = read(m, &format!("/v1/interventi/{code}/soggetti"), None).await;
    list["items"]
        .as_array()
        .and_then(|items| items.iter().find(|s| s["name"] == name))
        .cloned()
        .unwrap_or_else(|| panic!("{name} is a soggetto of {code}: {list}"))
}

#[tokio::test]
async fn the_region_completes_what_the_seed_leaves_unknown_and_the_file_is_clean() {
    let suite = loaded_suite().await;
    let m = &suite.monitoring;
    let admin = token_with(&[Role::Admin]);

    // A soggetto's codice fiscale and IPA code, completed with If-Match; a bad one names the field.
    let regione = soggetto(m, "CSTT-ALI", "Regione Toscana").await;
    assert_eq!(
        regione["codice_fiscale"],
        Value::Null,
        "unknown in the seed"
    );
    let patch = |path: &str, version: &Value, body: Value| {
        let (path, version) = (path.to_owned(), version.clone());
        let admin = admin.clone();
        async move {
            call(
                m,
                Method::PATCH,
                &path,
                Some(&admin),
                Some(&version),
                Some(body),
            )
            .await
        }
    };
    let path = format!(
        "/v1/interventi/CSTT-ALI/soggetti/{}",
        regione["id"].as_str().unwrap_or("")
    );
    for (body, field) in [
        (json!({"codice_fiscale": "01386030487"}), "codice_fiscale"),
        (json!({"ipa": "r-toscan"}), "ipa"),
        (json!({"name": "Regione | Toscana"}), "name"),
    ] {
        let (status, problem) = patch(&path, &regione["version"], body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert_eq!(fields(&problem), [field], "{problem}");
    }
    let body = json!({"codice_fiscale": "01386030488", "ipa": "r_toscan"});
    let (status, changed) = patch(&path, &regione["version"], body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["codice_fiscale"], "01386030488");
    assert_eq!(changed["ipa"], "r_toscan");
    assert_eq!(
        changed["public"], regione["public"],
        "what the patch leaves out stays"
    );
    let (status, _) = patch(&path, &regione["version"], body.clone()).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "a stale ETag");
    let other = path.replace("CSTT-ALI", "GEOSIGMA");
    let (status, _) = patch(&other, &changed["version"], body).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a soggetto of another intervento"
    );

    // An output indicator of an intervento of the register; its code is unique.
    let indicator = json!({"code": "IND-G1", "name": "Amministrazioni che usano il sistema", "unit": "numero",
        "intervento_code": "GEOSIGMA", "baseline": "0", "target": "286"});
    let (status, defined) = post(m, "/v1/indicators", &admin, indicator.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{defined}");
    assert_eq!(defined["target"], "286.00");
    let (status, _) = post(m, "/v1/indicators", &admin, indicator.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let mut unknown = indicator;
    unknown["code"] = json!("IND-X1");
    unknown["intervento_code"] = json!("NON-ESISTE");
    let (status, _) = post(m, "/v1/indicators", &admin, unknown.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mut own = unknown.clone();
    own["intervento_code"] = json!("GEOSIGMA");
    let (status, _) = post(m, "/v1/indicators", &responsabile("GEOSIGMA"), own).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, preview) = read(m, "/v1/puc/2010-S1", None).await;
    let findings = preview["findings"].as_array().cloned().unwrap_or_default();
    assert!(
        !findings
            .iter()
            .any(|f| f["code"] == "008" && f["intervento_code"] == "GEOSIGMA"),
        "GEOSIGMA has its output indicator: {findings:#?}"
    );
    assert!(
        preview["file"]
            .as_str()
            .is_some_and(|f| f.contains("|IND-G1|")),
        "IN01 sent"
    );

    // The rest of what the seed leaves unknown: then no national check blocks.
    let (_, before) = read(m, "/v1/puc/2010-S1", None).await;
    assert_eq!(before["blocked"], true);
    apq_e2e::puc::complete_the_iv_atto(&suite).await;
    let (_, after) = read(m, "/v1/puc/2010-S1", None).await;
    let blocking: Vec<&Value> = after["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["blocking"] == true)
        .collect();
    assert!(blocking.is_empty(), "a clean file: {blocking:#?}");
    assert_eq!(after["blocked"], false);
}

/// More projects than the service reads in a page (it reads 200 at a time): the streamed file
/// carries every project once, in COD_LOCALE_PROGETTO order, with one trailer counting every
/// record, and is byte for byte the file the preview describes.
#[tokio::test]
async fn a_file_of_more_projects_than_a_page_is_streamed_whole_and_in_order() {
    let suite = loaded_suite().await;
    let admin = token_with(&[Role::Admin]);
    let (_, atti) = read(&suite.agreements, "/v1/atti-integrativi", None).await;
    let atto = atti["items"]
        .as_array()
        .and_then(|items| items.iter().find(|a| a["number"] == 4))
        .map(|a| a["id"].clone())
        .unwrap_or_default();
    let added = 230;
    for n in 0..added {
        let code = format!("PUC-PAGINA-{n:03}");
        let (status, created) = post(
            &suite.agreements,
            "/v1/interventi",
            &admin,
            json!({"atto_id": atto, "code": code, "title": format!("Intervento {n}"), "kind": "ali",
                   "sezione": "attuativa", "cup": null, "localisation": null, "objective": null,
                   "soggetti_coinvolti": null, "design_level": null, "administrative_steps": null,
                   "total_cost": euro("1000.00")}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let (status, project) = post(
            &suite.monitoring,
            "/v1/puc/projects",
            &admin,
            json!({"intervento_code": code, "cod_regione": "09", "natura_cup": "02"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{project}");
    }
    let m = &suite.monitoring;
    let response = m
        .http
        .get(m.url("/v1/puc/2010-S1?format=file"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK);
    let file = response.text().await.unwrap_or_default();
    let parsed = parse_puc(&file);
    let projects: Vec<&str> = parsed
        .iter()
        .filter(|(structure, _, _)| structure == "AP00")
        .map(|(_, fields, _)| fields[0].as_str())
        .collect();
    assert_eq!(projects.len(), 3 + added, "every project once");
    assert!(
        projects.windows(2).all(|w| w[0] < w[1]),
        "in COD_LOCALE_PROGETTO order"
    );
    let mut seen: Vec<&str> = parsed
        .iter()
        .filter(|(structure, _, _)| structure != "TR00")
        .map(|(_, f, _)| f[0].as_str())
        .collect();
    seen.dedup();
    assert_eq!(seen.len(), projects.len(), "a project's records together");
    let (status, preview) = read(m, "/v1/puc/2010-S1", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        preview["file"].as_str(),
        Some(file.as_str()),
        "the streamed file is the one described"
    );
    assert_eq!(
        preview["records"].as_array().map(Vec::len),
        Some(parsed.len())
    );
}
