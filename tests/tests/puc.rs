//! The national transmission (PUC) through HTTP on the loaded IV Atto: the financial events an
//! intervento records (impegni, pagamenti, their reversals) and the scheda's totals derived from
//! them.

use apq_domain::Role;
use apq_e2e::{Suite, call, read};
use apq_platform::devkeys::TokenRequest;
use apq_platform::testing::{TestApp, token, token_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn suite() -> Suite {
    Suite::spawn_loaded()
        .await
        .unwrap_or_else(|e| panic!("cannot start the suite: {e:#}"))
}

fn responsabile(code: &str) -> String {
    let mut request = TokenRequest::new(vec![Role::ResponsabileIntervento]);
    request.interventi = vec![code.to_owned()];
    token(&request)
}

fn euro(amount: &str) -> Value {
    json!({"amount": amount, "currency": "EUR"})
}

async fn post(app: &TestApp, path: &str, bearer: &str, body: Value) -> (StatusCode, Value) {
    call(app, Method::POST, path, Some(bearer), None, Some(body)).await
}

/// Records one event of `code` as its responsabile and answers it.
async fn record(m: &TestApp, code: &str, register: &str, body: Value) -> Value {
    let (status, created) = post(
        m,
        &format!("/v1/interventi/{code}/{register}"),
        &responsabile(code),
        body,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
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
    let suite = suite().await;
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
    let suite = suite().await;
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
}

#[tokio::test]
async fn a_slip_of_the_procedural_iter_keeps_the_earlier_plan_and_is_classed() {
    let suite = suite().await;
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
