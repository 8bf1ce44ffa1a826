//! The register through HTTP against real PostgreSQL, on the shipped IV Atto dataset.

use apq_domain::Role;
use apq_platform::devkeys::TokenRequest;
use apq_platform::testing::{TestApp, token, token_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn app() -> TestApp {
    let app = TestApp::spawn(&apq_agreements::SERVICE, &[])
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let mut conn = app.db.connect().unwrap_or_else(|e| panic!("{e:#}"));
    let written = apq_agreements::dataset::load(&mut conn).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(written > 50, "the dataset loads ({written} records)");
    app
}

fn admin() -> String {
    token_with(&[Role::Admin])
}

async fn get(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut request = app.get(path);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, String)],
    body: &Value,
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let content_type = if method == reqwest::Method::PATCH {
        "application/merge-patch+json"
    } else {
        "application/json"
    };
    let mut request = app
        .http
        .request(method, app.url(path))
        .header("content-type", content_type)
        .body(body.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
    let status = response.status();
    let headers = response.headers().clone();
    (
        status,
        response.json().await.unwrap_or(Value::Null),
        headers,
    )
}

/// The path of `sub` under an intervento as read: `/v1/interventi/{id}/{sub}`.
fn under(intervento: &Value, sub: &str) -> String {
    format!(
        "/v1/interventi/{}/{sub}",
        intervento["id"].as_str().unwrap_or("")
    )
}

async fn intervento(app: &TestApp, code: &str) -> Value {
    let (status, page) = get(app, "/v1/interventi?limit=50", None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["code"] == code).cloned())
        .unwrap_or_else(|| panic!("no {code} in {page}"))
}

async fn atto_iv(app: &TestApp) -> String {
    let (_, atti) = get(app, "/v1/atti-integrativi", None).await;
    atti["items"]
        .as_array()
        .and_then(|items| items.iter().find(|a| a["number"] == 4))
        .and_then(|a| a["id"].as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no IV atto in {atti}"))
}

fn amount(value: &Value) -> &str {
    value["amount"].as_str().unwrap_or("?")
}

fn if_match(version: &Value) -> (&'static str, String) {
    (
        "if-match",
        format!("\"{}\"", version.as_i64().unwrap_or(-1)),
    )
}

#[tokio::test]
async fn tavole_1_2_3_reproduce_the_seed_to_the_cent() {
    let app = app().await;
    let atto = atto_iv(&app).await;
    let (status, tavole) = get(&app, &format!("/v1/atti-integrativi/{atto}/tavole"), None).await;
    assert_eq!(status, StatusCode::OK, "{tavole}");

    let t1 = &tavole["tavola_1"];
    assert_eq!(amount(&t1["total"]), "1892850.00");
    let cstt = &t1["rows"][0];
    assert_eq!(cstt["code"], "CSTT-ALI");
    assert_eq!(cstt["cup"], "D53G07000070002");
    let parts: Vec<&str> = cstt["sources"]
        .as_array()
        .map(|s| s.iter().map(|s| amount(&s["amount"])).collect())
        .unwrap_or_default();
    assert_eq!(parts, ["584745.76", "175500.00", "1132604.24", "0.00"]);

    let t2 = &tavole["tavola_2"];
    let by_contributor: Vec<(&str, &str)> = t2["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    (
                        r["contributor"].as_str().unwrap_or(""),
                        amount(&r["amount"]),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        by_contributor,
        [
            ("stato", "584745.76"),
            ("regione_toscana", "1308104.24"),
            ("eell", "0.00")
        ]
    );
    assert_eq!(amount(&t2["total"]), "1892850.00");

    let t3 = &tavole["tavola_3"];
    assert_eq!(amount(&t3["total_cost"]), "8583829.00");
    assert_eq!(amount(&t3["cnipa_cofinancing"]), "3389968.00");
}

#[tokio::test]
async fn the_cost_table_and_the_seeds_inconsistencies_are_readable() {
    let app = app().await;
    let cstt = intervento(&app, "CSTT-ALI").await;
    let id = cstt["id"].as_str().unwrap_or("");
    let (_, table) = get(&app, &format!("/v1/interventi/{id}/cost-table"), None).await;
    assert_eq!(amount(&table["total"]), "1892850.00");
    assert_eq!(table["matches_cost"], true);
    assert_eq!(amount(&table["by_funding"]["cnipa"]), "584745.76");
    assert_eq!(amount(&table["by_category"]["hardware"]), "757350.00");

    let (_, activities) = get(&app, &format!("/v1/interventi/{id}/activities"), None).await;
    assert_eq!(
        amount(&activities["total_cost"]),
        "1942850.00",
        "the sheets add up to more than the cost"
    );
    assert_eq!(amount(&activities["intervento_cost"]), "1892850.00");

    let (_, found) = get(&app, "/v1/inconsistencies", None).await;
    let items = found["items"].as_array().cloned().unwrap_or_default();
    assert!(items.len() >= 10, "{found}");
    assert!(
        items
            .iter()
            .any(|i| i["value_a"].as_str().unwrap_or("").contains("1942850")
                || i["value_b"].as_str().unwrap_or("").contains("1942850")),
        "the A8 gap is listed"
    );
}

#[tokio::test]
async fn co_financing_above_the_ali_cap_is_refused_at_the_cap_accepted() {
    let app = app().await;
    let cstt = intervento(&app, "CSTT-ALI").await;
    let path = format!(
        "/v1/interventi/{}/financing-plan",
        cstt["id"].as_str().unwrap_or("")
    );
    let plan = |cnipa: &str, rest: &str| {
        json!({"sources": [
            {"contributor": "stato", "heading": "II Fase e-Gov Linea 3", "legal_basis": "L. 289/2002", "amount": {"amount": cnipa, "currency": "EUR"}, "cnipa": true},
            {"contributor": "regione_toscana", "heading": "Cofinanziamento Regione Toscana", "legal_basis": "Bilancio 2006-2008", "amount": {"amount": rest, "currency": "EUR"}, "cnipa": false}
        ], "reason": "test"})
    };
    // 50.01% of 1,892,850.00 is 946,614.29 (rounded up): above the cap.
    let (status, problem, _) = send(
        &app,
        reqwest::Method::PUT,
        &path,
        Some(&admin()),
        &[if_match(&cstt["version"])],
        &plan("946614.29", "946235.71"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let detail = problem["detail"].as_str().unwrap_or("");
    assert!(
        detail.contains("above the cap of 50.00%") && detail.contains("by 189,29 €"),
        "{detail}"
    );

    let (status, updated, headers) = send(
        &app,
        reqwest::Method::PUT,
        &path,
        Some(&admin()),
        &[if_match(&cstt["version"])],
        &plan("946425.00", "946425.00"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["cofinancing_share"], "50.00");
    assert_eq!(amount(&updated["cnipa_cofinancing"]), "946425.00");
    assert!(headers.contains_key("etag"));

    let (_, summary) = get(&app, &under(&cstt, "financial-summary"), None).await;
    let tranches: Vec<&str> = summary["tranches"]
        .as_array()
        .map(|t| t.iter().map(|t| amount(&t["amount"])).collect())
        .unwrap_or_default();
    assert_eq!(
        tranches,
        ["283927.50", "473212.50", "189285.00"],
        "the tranche plan follows the co-financing"
    );
    assert_eq!(amount(&summary["tranches_due"]), "946425.00");
}

#[tokio::test]
async fn a_plan_that_does_not_add_up_is_refused_saying_by_how_much() {
    let app = app().await;
    let cstt = intervento(&app, "CSTT-ALI").await;
    let path = format!(
        "/v1/interventi/{}/financing-plan",
        cstt["id"].as_str().unwrap_or("")
    );
    let body = json!({"sources": [{"contributor": "stato", "heading": "x", "legal_basis": "y", "amount": {"amount": "1000.00", "currency": "EUR"}, "cnipa": true}]});
    let (status, problem, _) = send(
        &app,
        reqwest::Method::PUT,
        &path,
        Some(&admin()),
        &[if_match(&cstt["version"])],
        &body,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("1.891.850,00 € short"),
        "{problem}"
    );
}

#[tokio::test]
async fn a_tranche_cannot_jump_from_planned_to_paid() {
    let app = app().await;
    let cstt = intervento(&app, "CSTT-ALI").await;
    let (_, tranches) = get(&app, &under(&cstt, "tranches"), None).await;
    let first = &tranches["items"][0];
    assert_eq!(first["state"], "planned");
    assert_eq!(amount(&first["amount"]), "175423.73");
    let path = format!(
        "/v1/tranches/{}/transitions",
        first["id"].as_str().unwrap_or("")
    );
    let (status, problem, _) = send(
        &app,
        reqwest::Method::POST,
        &path,
        Some(&admin()),
        &[if_match(&first["version"])],
        &json!({"to": "paid", "reason": "skip ahead"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("cannot become paid")
    );

    let (status, eligible, _) = send(&app, reqwest::Method::POST, &path, Some(&token_with(&[Role::Sync])), &[if_match(&first["version"])],
        &json!({"to": "eligible", "reason": "Piano di monitoraggio approved by CNIPA", "evaluation": {"plan_approved": true}})).await;
    assert_eq!(status, StatusCode::OK, "{eligible}");
    assert_eq!(eligible["state"], "eligible");
    let (status, _, _) = send(
        &app,
        reqwest::Method::POST,
        &path,
        Some(&token_with(&[Role::Sync])),
        &[if_match(&eligible["version"])],
        &json!({"to": "requested", "reason": "the sync job may not request payments"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, history) = get(&app, &path, None).await;
    assert_eq!(history["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn the_tranche_plan_is_read_by_code_with_the_interventos_maturity() {
    let app = app().await;
    let cstt = intervento(&app, "CSTT-ALI").await;
    let (status, plan) = get(&app, "/v1/tranche-plans/CSTT-ALI", None).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!(plan["intervento_id"], cstt["id"]);
    assert_eq!(plan["intervento_code"], "CSTT-ALI");
    assert_eq!(plan["kind"], "ali");
    assert_eq!(
        plan["progetto_esecutivo_validated_on"],
        cstt["maturity"]["progetto_esecutivo_validated_on"]
    );
    let (_, tranches) = get(&app, &under(&cstt, "tranches"), None).await;
    assert_eq!(
        plan["tranches"], tranches["items"],
        "the same tranches as the intervento's list"
    );
    assert_eq!(amount(&plan["tranches"][0]["amount"]), "175423.73");
    let (status, problem) = get(&app, "/v1/tranche-plans/NO-SUCH-INTERVENTO", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
}

#[tokio::test]
async fn geosigma_moves_to_attuativa_only_once_mature_and_the_decision_is_audited() {
    let app = app().await;
    let atto = atto_iv(&app).await;
    let geosigma = intervento(&app, "GEOSIGMA").await;
    let id = geosigma["id"].as_str().unwrap_or("").to_owned();
    let decision = json!({
        "atto_id": atto, "decided_on": "2010-03-15", "verbale_ref": "Verbale Tavolo n. 3",
        "summary": "Passaggio di GEOSIGMA alla sezione attuativa",
        "effect": {"kind": "promote_to_attuativa", "intervento_id": id}
    });
    let (status, problem, _) = send(
        &app,
        reqwest::Method::POST,
        "/v1/tavolo-decisions",
        Some(&admin()),
        &[],
        &decision,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        fields,
        [
            "reuse_agreements_formalised_on",
            "progetto_esecutivo_validated_on"
        ]
    );
    assert_eq!(
        intervento(&app, "GEOSIGMA").await["sezione"],
        "programmatica"
    );

    let (status, formalised, _) = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/v1/interventi/{id}"),
        Some(&admin()),
        &[if_match(&geosigma["version"])],
        &json!({"reuse_agreements_formalised_on": "2009-11-20", "reason": "maturity recorded"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{formalised}");
    assert_eq!(formalised["maturity"]["mature"], false);
    // CNIPA's approval of the progetto esecutivo is its act, with its reference and who made it.
    let (status, mature, _) = send(&app, reqwest::Method::PUT, &format!("/v1/interventi/{id}/progetto-esecutivo"), Some(&token_with(&[Role::Cnipa])), &[if_match(&formalised["version"])],
        &json!({"approved_on": "2010-02-01", "act_ref": "nota CNIPA prot. 123", "approved_by": "CNIPA - Ufficio riuso"})).await;
    assert_eq!(status, StatusCode::OK, "{mature}");
    assert_eq!(mature["maturity"]["mature"], true);
    assert_eq!(
        mature["maturity"]["progetto_esecutivo_validated_on"],
        "2010-02-01"
    );
    assert_eq!(
        mature["maturity"]["progetto_esecutivo"]["act_ref"],
        "nota CNIPA prot. 123"
    );

    let (status, recorded, headers) = send(
        &app,
        reqwest::Method::POST,
        "/v1/tavolo-decisions",
        Some(&admin()),
        &[],
        &decision,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{recorded}");
    assert!(headers.contains_key("location"));
    assert_eq!(recorded["kind"], "promote_to_attuativa");
    assert_eq!(intervento(&app, "GEOSIGMA").await["sezione"], "attuativa");

    let (status, audit) = get(
        &app,
        &format!(
            "/v1/audit?entity=tavolo_decision&entity_id={}",
            recorded["id"].as_str().unwrap_or("")
        ),
        Some(&token_with(&[Role::Auditor])),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    assert_eq!(audit["items"][0]["action"], "promote_to_attuativa");
    assert_eq!(audit["items"][0]["actor"], "dev");
    let (_, trail) = get(
        &app,
        &format!("/v1/audit?entity=intervento&entity_id={id}"),
        Some(&admin()),
    )
    .await;
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .map(|e| e.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        actions,
        [
            "update",
            "approve_progetto_esecutivo",
            "promote_to_attuativa"
        ]
    );

    let atto_tavole = get(&app, &format!("/v1/atti-integrativi/{atto}/tavole"), None)
        .await
        .1;
    assert_eq!(
        amount(&atto_tavole["tavola_3"]["total_cost"]),
        "4949418.00",
        "GEOSIGMA left the programmatica"
    );
}

#[tokio::test]
async fn a_stale_if_match_is_412_and_a_missing_one_428() {
    let app = app().await;
    let cstt = intervento(&app, "CSTT-ALI").await;
    let path = format!("/v1/interventi/{}", cstt["id"].as_str().unwrap_or(""));
    let (status, first, _) = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        Some(&admin()),
        &[if_match(&cstt["version"])],
        &json!({"objective": "first editor"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, problem, _) = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        Some(&admin()),
        &[if_match(&cstt["version"])],
        &json!({"objective": "second editor"}),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{problem}");
    let (status, _, _) = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        Some(&admin()),
        &[],
        &json!({"objective": "blind"}),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(
        intervento(&app, "CSTT-ALI").await["objective"],
        "first editor"
    );
}

#[tokio::test]
async fn a_replayed_idempotency_key_creates_nothing_new() {
    let app = app().await;
    let atto = atto_iv(&app).await;
    let body = json!({"atto_id": atto, "code": "NUOVO-1", "title": "Nuovo intervento", "kind": "riuso", "sezione": "programmatica",
                      "cup": null, "localisation": null, "objective": null, "soggetti_coinvolti": null, "design_level": null,
                      "administrative_steps": null, "total_cost": {"amount": "100000.00", "currency": "EUR"}});
    let key = [("idempotency-key", "create-nuovo-1".to_owned())];
    let (first_status, first, _) = send(
        &app,
        reqwest::Method::POST,
        "/v1/interventi",
        Some(&admin()),
        &key,
        &body,
    )
    .await;
    assert_eq!(first_status, StatusCode::CREATED, "{first}");
    let (again_status, again, headers) = send(
        &app,
        reqwest::Method::POST,
        "/v1/interventi",
        Some(&admin()),
        &key,
        &body,
    )
    .await;
    assert_eq!(again_status, StatusCode::CREATED);
    assert_eq!(again["id"], first["id"]);
    assert_eq!(
        headers.get("location").and_then(|v| v.to_str().ok()),
        Some(format!("/v1/interventi/{}", first["id"].as_str().unwrap_or("")).as_str())
    );
    let (_, page) = get(&app, "/v1/interventi?limit=50", None).await;
    assert_eq!(
        page["items"].as_array().map(Vec::len),
        Some(4),
        "one created, not two"
    );

    let mut other = body.clone();
    other["title"] = json!("Another title");
    let (status, _, _) = send(
        &app,
        reqwest::Method::POST,
        "/v1/interventi",
        Some(&admin()),
        &key,
        &other,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a key reused for another request"
    );
    let (status, problem, _) = send(
        &app,
        reqwest::Method::POST,
        "/v1/interventi",
        Some(&admin()),
        &[],
        &body,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "the code is taken: {problem}");
}

#[tokio::test]
async fn only_editors_change_the_register_and_each_denial_holds() {
    let app = app().await;
    let cstt = intervento(&app, "CSTT-ALI").await;
    let geosigma = intervento(&app, "GEOSIGMA").await;
    let cstt_path = format!("/v1/interventi/{}", cstt["id"].as_str().unwrap_or(""));
    let patch = json!({"objective": "changed"});

    // Anonymous and auditor read public data.
    assert_eq!(get(&app, &cstt_path, None).await.0, StatusCode::OK);
    assert_eq!(
        get(&app, &cstt_path, Some(&token_with(&[Role::Auditor])))
            .await
            .0,
        StatusCode::OK
    );
    // ...but change nothing.
    let (status, _, _) = send(
        &app,
        reqwest::Method::PATCH,
        &cstt_path,
        None,
        &[if_match(&cstt["version"])],
        &patch,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for role in [
        Role::Auditor,
        Role::Ente,
        Role::Sync,
        Role::ResponsabileIntervento,
    ] {
        let (status, problem, _) = send(
            &app,
            reqwest::Method::PATCH,
            &cstt_path,
            Some(&token_with(&[role])),
            &[if_match(&cstt["version"])],
            &patch,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}: {problem}");
    }
    // Anonymous callers do not read the audit trail nor the officials' e-mails.
    assert_eq!(
        get(&app, "/v1/audit", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(&app, "/v1/audit", Some(&token_with(&[Role::Ente])))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (_, persons) = get(&app, "/v1/persons", None).await;
    assert!(
        persons["items"]
            .as_array()
            .is_some_and(|p| !p.is_empty() && p.iter().all(|p| p["email"].is_null()))
    );
    let (_, persons) = get(&app, "/v1/persons", Some(&token_with(&[Role::Auditor]))).await;
    assert!(
        persons["items"]
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p["email"].is_string()))
    );
    // E-mail addresses are personal data: a token of a body or of the sync job does not get them.
    for role in [Role::Ente, Role::Sync] {
        let (_, persons) = get(&app, "/v1/persons", Some(&token_with(&[role]))).await;
        assert!(
            persons["items"]
                .as_array()
                .is_some_and(|p| !p.is_empty() && p.iter().all(|p| p["email"].is_null())),
            "{role}: {persons}"
        );
    }

    // A responsabile di intervento changes the activities of their own intervento only.
    let mut own = TokenRequest::new(vec![Role::ResponsabileIntervento]);
    own.interventi = vec!["CSTT-ALI".to_owned()];
    let own = token(&own);
    let activity = json!({"code": "A10-1", "phase": "Estensione", "title": "Nuova attività", "description": null, "start_on": "2010-01-01",
                          "end_on": "2010-06-30", "responsible": null, "profiles": null, "products": null, "validation_criteria": null,
                          "service_number": null, "costs": [{"category": "formazione", "amount": {"amount": "1000.00", "currency": "EUR"}}]});
    let (status, created, _) = send(
        &app,
        reqwest::Method::POST,
        &format!("{cstt_path}/activities"),
        Some(&own),
        &[],
        &activity,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, _, _) = send(
        &app,
        reqwest::Method::POST,
        &under(&geosigma, "activities"),
        Some(&own),
        &[],
        &activity,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not their intervento");
    let (status, changed, _) = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/v1/activities/{}", created["id"].as_str().unwrap_or("")),
        Some(&own),
        &[if_match(&created["version"])],
        &json!({"end_on": "2010-09-30"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let (status, _, _) = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/v1/activities/{}", created["id"].as_str().unwrap_or("")),
        Some(&own),
        &[if_match(&changed["version"])],
        &json!({"end_on": "2009-01-01"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an activity cannot end before it starts"
    );
    let (status, _, _) = send(
        &app,
        reqwest::Method::PUT,
        &format!("{cstt_path}/financing-plan"),
        Some(&own),
        &[if_match(&cstt["version"])],
        &json!({"sources": []}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the financing plan is the editors'"
    );
    let (status, _, _) = send(&app, reqwest::Method::POST, "/v1/tavolo-decisions", Some(&token_with(&[Role::Auditor])), &[],
        &json!({"atto_id": cstt["atto_id"], "decided_on": "2010-01-01", "verbale_ref": null, "summary": "x", "effect": {"kind": "cancel", "intervento_id": cstt["id"]}})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bad_input_names_the_field() {
    let app = app().await;
    let (status, problem) = get(&app, "/v1/interventi?cup=D53G0700007000", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["errors"][0]["field"], "cup");
    let (status, problem) = get(&app, "/v1/interventi?sezione=altro", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["errors"][0]["field"], "sezione");
    let (status, problem) = get(&app, "/v1/interventi/not-a-uuid", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "id");
    let (status, _) = get(
        &app,
        "/v1/interventi/00000000-0000-0000-0000-000000000000",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_conciliation_is_agreed_in_a_verbale_or_referred_by_the_tavolo() {
    let app = app().await;
    let atto = atto_iv(&app).await;
    let invite = |subject: &str| {
        json!({"atto_id": atto, "intervento_id": null, "subject": subject,
        "parties": ["Regione Toscana", "CNIPA"], "invited_on": "2010-04-01"})
    };
    let (status, agreed_case, _) = send(
        &app,
        reqwest::Method::POST,
        "/v1/conciliations",
        Some(&admin()),
        &[],
        &invite("Ritardo SAL"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{agreed_case}");
    let (status, agreed, _) = send(
        &app,
        reqwest::Method::POST,
        &format!(
            "/v1/conciliations/{}/agreement",
            agreed_case["id"].as_str().unwrap_or("")
        ),
        Some(&admin()),
        &[if_match(&agreed_case["version"])],
        &json!({"agreed_on": "2010-04-20", "verbale_ref": "Verbale di conciliazione n. 1"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{agreed}");
    assert_eq!(agreed["state"], "agreed");

    let (_, open_case, _) = send(
        &app,
        reqwest::Method::POST,
        "/v1/conciliations",
        Some(&admin()),
        &[],
        &invite("Copertura finanziaria"),
    )
    .await;
    let referral = json!({"atto_id": atto, "decided_on": "2010-05-10", "verbale_ref": "Verbale Tavolo n. 4", "summary": "Rinvio al Comitato paritetico",
        "effect": {"kind": "refer_to_comitato", "conciliation_id": open_case["id"]}});
    let (status, decision, _) = send(
        &app,
        reqwest::Method::POST,
        "/v1/tavolo-decisions",
        Some(&admin()),
        &[],
        &referral,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{decision}");
    let (_, list) = get(&app, "/v1/conciliations", None).await;
    let referred = list["items"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == open_case["id"]).cloned())
        .unwrap_or_default();
    assert_eq!(referred["state"], "referred");
    assert_eq!(referred["decision_id"], decision["id"]);
    let (status, _, _) = send(
        &app,
        reqwest::Method::POST,
        "/v1/tavolo-decisions",
        Some(&admin()),
        &[],
        &referral,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "an agreed or referred conciliation cannot be referred again"
    );
}

#[tokio::test]
async fn cancelling_and_reactivating_and_a_cost_table_that_must_add_up() {
    let app = app().await;
    let atto = atto_iv(&app).await;
    let riuso = intervento(&app, "E-TOSCANA-RIUSO").await;
    let decide = |kind: &str| {
        json!({"atto_id": atto, "decided_on": "2010-06-01", "verbale_ref": null, "summary": kind,
        "effect": {"kind": kind, "intervento_id": riuso["id"]}})
    };
    assert_eq!(
        send(
            &app,
            reqwest::Method::POST,
            "/v1/tavolo-decisions",
            Some(&admin()),
            &[],
            &decide("cancel")
        )
        .await
        .0,
        StatusCode::CREATED
    );
    assert_eq!(
        intervento(&app, "E-TOSCANA-RIUSO").await["state"],
        "cancelled"
    );
    let (_, tavole) = get(&app, &format!("/v1/atti-integrativi/{atto}/tavole"), None).await;
    assert_eq!(
        amount(&tavole["tavola_3"]["total_cost"]),
        "3634411.00",
        "a cancelled intervento leaves the Tavole"
    );
    assert_eq!(
        send(
            &app,
            reqwest::Method::POST,
            "/v1/tavolo-decisions",
            Some(&admin()),
            &[],
            &decide("cancel")
        )
        .await
        .0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        send(
            &app,
            reqwest::Method::POST,
            "/v1/tavolo-decisions",
            Some(&admin()),
            &[],
            &decide("reactivate")
        )
        .await
        .0,
        StatusCode::CREATED
    );
    assert_eq!(intervento(&app, "E-TOSCANA-RIUSO").await["state"], "active");

    let cstt = intervento(&app, "CSTT-ALI").await;
    let cell = |amount: &str| json!({"category": "hardware", "funding": "bilancio_regione", "period": "2008-2009", "amount": {"amount": amount, "currency": "EUR"}});
    let path = format!(
        "/v1/interventi/{}/cost-table",
        cstt["id"].as_str().unwrap_or("")
    );
    let (status, problem, _) = send(
        &app,
        reqwest::Method::PUT,
        &path,
        Some(&admin()),
        &[if_match(&cstt["version"])],
        &json!({"cells": [cell("10.00")]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, table, _) = send(
        &app,
        reqwest::Method::PUT,
        &path,
        Some(&admin()),
        &[if_match(&cstt["version"])],
        &json!({"cells": [cell("1892850.00")]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{table}");
    assert_eq!(table["matches_cost"], true);
}

#[tokio::test]
async fn a_programmatica_intervento_is_not_activated_only_by_the_regiones_motivated_act() {
    let app = app().await;
    let geosigma = intervento(&app, "GEOSIGMA").await;
    assert_eq!(geosigma["sezione"], "programmatica");
    let path = under(&geosigma, "non-activation");
    let act = json!({"decided_on": "2010-03-15", "act_ref": "DGR n. 200 del 15.3.2010",
                     "motivation": "difficoltà tecniche: la piattaforma da riusare non è più mantenuta"});
    let accordo = token_with(&[Role::ResponsabileAccordo]);
    // The Regione's act: not CNIPA's, and never without If-Match.
    for (who, headers, expected) in [
        (
            token_with(&[Role::Cnipa]),
            vec![if_match(&geosigma["version"])],
            StatusCode::FORBIDDEN,
        ),
        (
            token_with(&[Role::Auditor]),
            vec![if_match(&geosigma["version"])],
            StatusCode::FORBIDDEN,
        ),
        (accordo.clone(), vec![], StatusCode::PRECONDITION_REQUIRED),
    ] {
        let (status, body, _) = send(
            &app,
            reqwest::Method::POST,
            &path,
            Some(&who),
            &headers,
            &act,
        )
        .await;
        assert_eq!(status, expected, "{body}");
    }
    // A motivation is required, and not blank.
    for missing in [
        json!({"decided_on": "2010-03-15", "act_ref": "DGR n. 200"}),
        json!({"decided_on": "2010-03-15", "act_ref": "DGR n. 200", "motivation": "  "}),
    ] {
        let (status, problem, _) = send(
            &app,
            reqwest::Method::POST,
            &path,
            Some(&accordo),
            &[if_match(&geosigma["version"])],
            &missing,
        )
        .await;
        assert!(status.is_client_error(), "{problem}");
        assert!(problem.to_string().contains("motivation"), "{problem}");
    }
    let (status, done, headers) = send(
        &app,
        reqwest::Method::POST,
        &path,
        Some(&accordo),
        &[if_match(&geosigma["version"])],
        &act,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(headers.contains_key("etag"));
    assert_eq!(done["state"], "not_activated");
    assert_eq!(
        done["non_activation"]["act_ref"],
        "DGR n. 200 del 15.3.2010"
    );
    assert_eq!(done["non_activation"]["decided_on"], "2010-03-15");
    assert!(
        done["non_activation"]["motivation"]
            .as_str()
            .unwrap_or("")
            .contains("difficoltà tecniche")
    );
    assert_eq!(intervento(&app, "GEOSIGMA").await["state"], "not_activated");
    // The same ETag again is stale; with the new one the intervento is no longer active.
    let (status, _, _) = send(
        &app,
        reqwest::Method::POST,
        &path,
        Some(&accordo),
        &[if_match(&geosigma["version"])],
        &act,
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let (status, problem, _) = send(
        &app,
        reqwest::Method::POST,
        &path,
        Some(&accordo),
        &[if_match(&done["version"])],
        &act,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    // Audited, with the act and its motivation.
    let (_, trail) = get(
        &app,
        &format!(
            "/v1/audit?entity=intervento&entity_id={}",
            geosigma["id"].as_str().unwrap_or("")
        ),
        Some(&admin()),
    )
    .await;
    let entry = trail["items"]
        .as_array()
        .and_then(|e| e.iter().find(|e| e["action"] == "not_activate").cloned())
        .unwrap_or_default();
    assert!(
        entry["reason"]
            .as_str()
            .unwrap_or("")
            .contains("DGR n. 200"),
        "{trail}"
    );
    // Only an intervento of the sezione programmatica is not activated (art. 5.7).
    let cstt = intervento(&app, "CSTT-ALI").await;
    let (status, problem, _) = send(
        &app,
        reqwest::Method::POST,
        &under(&cstt, "non-activation"),
        Some(&admin()),
        &[if_match(&cstt["version"])],
        &act,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("art. 5.7"),
        "{problem}"
    );
    assert_eq!(intervento(&app, "CSTT-ALI").await["state"], "active");
}
