//! Concurrent writers of one aggregate, all holding the same ETag: exactly one of them changes
//! it, every other gets 412, and the aggregate moves one version with one audit entry. Run
//! against the four services over real HTTP and real PostgreSQL (a sequential test could not
//! show a lost update: only writers that read the same version at the same time can).

use apq_domain::Role;
use apq_e2e::{call, loaded_suite, read};
use apq_platform::devkeys::TokenRequest;
use apq_platform::testing::{TestApp, token, token_with};
use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const WRITERS: usize = 20;

fn admin() -> String {
    token_with(&[Role::Admin])
}

/// `WRITERS` copies of one write, sent at once; `body(i)` is the i-th writer's body.
async fn race(
    app: &TestApp,
    method: Method,
    path: &str,
    bearer: &str,
    version: &Value,
    body: impl Fn(usize) -> Value,
) -> Vec<(StatusCode, Value)> {
    join_all((0..WRITERS).map(|i| {
        call(
            app,
            method.clone(),
            path,
            Some(bearer),
            Some(version),
            Some(body(i)),
        )
    }))
    .await
}

/// Exactly one winner and `WRITERS - 1` answers of 412; returns the winner's answer.
fn one_winner(outcomes: Vec<(StatusCode, Value)>, what: &str) -> Value {
    let statuses: Vec<u16> = outcomes.iter().map(|(s, _)| s.as_u16()).collect();
    let winners: Vec<Value> = outcomes
        .into_iter()
        .filter(|(s, _)| s.is_success())
        .map(|(_, body)| body)
        .collect();
    assert_eq!(
        winners.len(),
        1,
        "{what}: one writer wins, got {statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 412).count(),
        WRITERS - 1,
        "{what}: every other writer gets 412, got {statuses:?}"
    );
    winners.into_iter().next().unwrap_or(Value::Null)
}

/// The audit entries of one entity with this action.
async fn audited(app: &TestApp, entity: &str, id: &str, action: &str) -> usize {
    let (status, page) = read(
        app,
        &format!("/v1/audit?entity={entity}&entity_id={id}&limit=200"),
        Some(&admin()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .map(|items| items.iter().filter(|e| e["action"] == action).count())
        .unwrap_or(0)
}

#[tokio::test]
async fn concurrent_puts_of_one_catalogue_service_with_one_etag_make_one_version() {
    let suite = loaded_suite().await;
    let app = &suite.catalogue;
    let (status, current) = read(app, "/v1/services/8", None).await;
    assert_eq!(status, StatusCode::OK, "{current}");
    let record = current["record"].clone();
    let outcomes = race(
        app,
        Method::PUT,
        "/v1/services/8",
        &admin(),
        &current["version"],
        |i| json!({"record": record, "reason": format!("writer {i}")}),
    )
    .await;
    let winner = one_winner(outcomes, "PUT /v1/services/8");
    let expected = current["version"].as_i64().unwrap_or(0) + 1;
    assert_eq!(winner["version"], expected);
    let (_, after) = read(app, "/v1/services/8", None).await;
    assert_eq!(after["version"], expected, "one new version, no more");
    let (status, _) = read(
        app,
        &format!("/v1/services/8/versions/{}", expected + 1),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no second new version");
    assert_eq!(audited(app, "service", "8", "new_version").await, 1);

    // Withdrawals race the same way: one withdraws, the others hold a stale ETag.
    let outcomes = race(
        app,
        Method::POST,
        "/v1/services/8/withdrawal",
        &admin(),
        &after["version"],
        |i| json!({"reason": format!("writer {i}")}),
    )
    .await;
    let winner = one_winner(outcomes, "POST /v1/services/8/withdrawal");
    assert_eq!(winner["status"], "withdrawn");
    assert_eq!(audited(app, "service", "8", "withdraw").await, 1);
}

#[tokio::test]
async fn concurrent_transitions_of_one_adhesion_with_one_etag_make_one_step() {
    let suite = loaded_suite().await;
    let app = &suite.adhesion;
    let (status, adhesion) = call(
        app,
        Method::POST,
        "/v1/adhesions",
        Some(&admin()),
        None,
        Some(json!({"ente_code": "051013", "service_number": 1, "requested_on": "2009-03-01", "act_ref": "Delibera GC 1"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{adhesion}");
    let id = adhesion["id"].as_str().unwrap_or("").to_owned();
    let outcomes = race(
        app,
        Method::POST,
        &format!("/v1/adhesions/{id}/transitions"),
        &admin(),
        &adhesion["version"],
        |i| json!({"to": "commitment_signed", "on": "2009-04-01", "act_ref": format!("impegno {i}")}),
    )
    .await;
    let winner = one_winner(outcomes, "POST /v1/adhesions/{id}/transitions");
    assert_eq!(winner["state"], "commitment_signed");
    assert_eq!(
        winner["version"],
        adhesion["version"].as_i64().unwrap_or(0) + 1
    );
    let (_, after) = read(app, &format!("/v1/adhesions/{id}"), Some(&admin())).await;
    assert_eq!(after["version"], winner["version"]);
    assert_eq!(after["commitment_signed"], winner["commitment_signed"]);
    assert_eq!(audited(app, "adhesion", &id, "commitment_signed").await, 1);
}

#[tokio::test]
async fn concurrent_financing_plan_puts_of_one_intervento_with_one_etag_make_one_plan() {
    let suite = loaded_suite().await;
    let app = &suite.agreements;
    let (_, list) = read(app, "/v1/interventi", None).await;
    let cstt = list["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["code"] == "CSTT-ALI"))
        .cloned()
        .unwrap_or(Value::Null);
    let id = cstt["id"].as_str().unwrap_or("").to_owned();
    // Each writer moves a different cent between the State and the Regione: a lost update
    // would leave some writer's plan in place of the winner's.
    let outcomes = race(
        app,
        Method::PUT,
        &format!("/v1/interventi/{id}/financing-plan"),
        &admin(),
        &cstt["version"],
        |i| {
            let cnipa = format!("584745.{:02}", 76 - i);
            let rest = format!("1308104.{:02}", 24 + i);
            json!({"sources": [
                {"contributor": "stato", "heading": "II Fase e-Gov Linea 3", "legal_basis": "L. 289/2002", "amount": {"amount": cnipa, "currency": "EUR"}, "cnipa": true},
                {"contributor": "regione_toscana", "heading": "Cofinanziamento Regione Toscana", "legal_basis": "Bilancio 2006-2008", "amount": {"amount": rest, "currency": "EUR"}, "cnipa": false}
            ], "reason": format!("writer {i}")})
        },
    )
    .await;
    let winner = one_winner(outcomes, "PUT /v1/interventi/{id}/financing-plan");
    let (_, after) = read(app, &format!("/v1/interventi/{id}"), None).await;
    assert_eq!(after["version"], cstt["version"].as_i64().unwrap_or(0) + 1);
    assert_eq!(
        after["cnipa_cofinancing"], winner["cnipa_cofinancing"],
        "the stored plan is the winner's"
    );
    assert_eq!(audited(app, "intervento", &id, "financing_plan").await, 1);
}

#[tokio::test]
async fn concurrent_steps_of_one_scheda_with_one_etag_make_one_step() {
    let suite = loaded_suite().await;
    let app = &suite.monitoring;
    let mut request = TokenRequest::new(vec![Role::ResponsabileIntervento]);
    request.interventi = vec!["CSTT-ALI".to_owned()];
    let responsabile = token(&request);
    let (status, scheda) = call(
        app,
        Method::POST,
        "/v1/schede",
        Some(&responsabile),
        None,
        Some(json!({"intervento_code": "CSTT-ALI", "semester": "2009-S2", "sal": "35.00", "planned_sal": "60.00",
            "commitments": {"amount": "500000.00", "currency": "EUR"}, "payments": {"amount": "250000.00", "currency": "EUR"},
            "activities": [{"code": "A3-1", "state": "in_progress", "actual_start": "2009-07-01", "actual_end": null}],
            "obstacles": null, "corrective_actions": null})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{scheda}");
    let id = scheda["id"].as_str().unwrap_or("").to_owned();
    let outcomes = race(
        app,
        Method::POST,
        &format!("/v1/schede/{id}/submission"),
        &responsabile,
        &scheda["version"],
        |i| json!({"note": format!("relazione {i}")}),
    )
    .await;
    let winner = one_winner(outcomes, "POST /v1/schede/{id}/submission");
    assert_eq!(winner["state"], "submitted");
    let (_, history) = read(app, &format!("/v1/schede/{id}/history"), None).await;
    let submissions = history["items"].as_array().map(|events| {
        events
            .iter()
            .filter(|e| e["to_state"] == "submitted")
            .count()
    });
    assert_eq!(submissions, Some(1), "one submission event: {history}");
    assert_eq!(audited(app, "scheda", &id, "submitted").await, 1);

    // Then the accordo's validation and return race each other on the submitted version.
    let accordo = token_with(&[Role::ResponsabileAccordo]);
    let validation = format!("/v1/schede/{id}/validation");
    let rejection = format!("/v1/schede/{id}/return");
    let outcomes = join_all((0..WRITERS).map(|i| {
        let (path, note) = if i % 2 == 0 {
            (&validation, Value::Null)
        } else {
            (&rejection, json!("correggere"))
        };
        call(
            app,
            Method::POST,
            path,
            Some(&accordo),
            Some(&winner["version"]),
            Some(json!({"note": note})),
        )
    }))
    .await;
    let reviewed = one_winner(outcomes, "validation or return of one scheda");
    assert!(
        reviewed["state"] == "validated" || reviewed["state"] == "returned",
        "{reviewed}"
    );
}
