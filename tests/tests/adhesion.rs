//! Bodies and adhesions, with the catalogue and the adhesion services talking real HTTP.

use std::collections::HashMap;

use apq_domain::Role;
use apq_e2e::adhesions::Adhesions;
use apq_e2e::{call, read, spawn_loaded};
use apq_platform::devkeys::TokenRequest;
use apq_platform::testing::{TestApp, token, token_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

struct Pair {
    catalogue: TestApp,
    adhesion: TestApp,
}

async fn pair() -> Pair {
    let catalogue = spawn_loaded(&apq_catalogue::SERVICE, &[])
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let adhesion = spawn_loaded(
        &apq_adhesion::SERVICE,
        &[
            ("peers.catalogue.base_url", catalogue.address.clone()),
            ("peers.catalogue.timeout_ms", "2000".to_owned()),
        ],
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    Pair {
        catalogue,
        adhesion,
    }
}

fn ente(code: &str) -> String {
    let mut request = TokenRequest::new(vec![Role::Ente]);
    request.ente = Some(code.to_owned());
    request.subject = format!("operatore-{code}");
    token(&request)
}

fn adhere(code: &str, service: i32) -> Value {
    json!({"ente_code": code, "service_number": service, "requested_on": "2009-03-01", "act_ref": format!("Delibera GC {code}")})
}

/// Moves `adhesion` (as last read) to `to` on the date `on`, as `token`'s holder.
async fn transition(
    app: &TestApp,
    token: &str,
    adhesion: &Value,
    to: &str,
    on: &str,
) -> (StatusCode, Value) {
    let path = format!(
        "/v1/adhesions/{}/transitions",
        adhesion["id"].as_str().unwrap_or("")
    );
    let body = json!({"to": to, "on": on, "act_ref": null});
    call(
        app,
        Method::POST,
        &path,
        Some(token),
        Some(&adhesion["version"]),
        Some(body),
    )
    .await
}

async fn count_adhesions(app: &TestApp) -> usize {
    let auditor = token_with(&[Role::Auditor]);
    let (_, export) = read(app, "/v1/open-data/adhesions", Some(&auditor)).await;
    export["items"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(usize::MAX)
}

#[tokio::test]
async fn the_273_tuscan_comuni_load_119_of_them_small() {
    let pair = pair().await;
    let mut codes = Vec::new();
    let mut small = 0;
    let mut next = Some("/v1/enti?region_code=09&kind=comune&limit=200".to_owned());
    while let Some(path) = next {
        let (status, page) = read(&pair.adhesion, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for item in page["items"].as_array().cloned().unwrap_or_default() {
            codes.push(item["code"].as_str().unwrap_or("").to_owned());
            small += usize::from(item["piccolo_comune"] == true);
        }
        assert!(
            page["source"]
                .as_str()
                .unwrap_or("")
                .contains("ISTAT / Openpolis")
        );
        next = page["_links"]["next"]["href"].as_str().map(str::to_owned);
    }
    assert_eq!(codes.len(), 273);
    assert_eq!(small, 119);
    let (_, filtered) = read(
        &pair.adhesion,
        "/v1/enti?region_code=09&piccolo_comune=true&limit=200",
        None,
    )
    .await;
    assert_eq!(filtered["items"].as_array().map(Vec::len), Some(119));
    let (_, firenze) = read(&pair.adhesion, "/v1/enti/048017", None).await;
    assert_eq!(firenze["name"], "Firenze");
    assert_eq!(firenze["piccolo_comune"], false);
    let (status, problem) = read(&pair.adhesion, "/v1/enti?region_code=9", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["errors"][0]["field"], "region_code");
}

#[tokio::test]
async fn a_comune_sees_and_changes_only_its_own_adhesions() {
    let pair = pair().await;
    let app = &pair.adhesion;
    let adhesions = Adhesions(app);
    // Two comuni of the province of Arezzo: 051013 adheres to PAeSI, 051010 is another body.
    let own = adhesions
        .requested(&ente("051013"), adhere("051013", 1))
        .await;
    assert_eq!(own["service_version"], 1);
    let path = format!("/v1/adhesions/{}", own["id"].as_str().unwrap_or(""));

    assert_eq!(
        read(app, &path, Some(&ente("051013"))).await.0,
        StatusCode::OK
    );
    let (status, mine) = read(app, "/v1/enti/051013/adhesions", Some(&ente("051013"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(1));

    let other = ente("051010");
    assert_eq!(
        read(app, &path, Some(&other)).await.0,
        StatusCode::NOT_FOUND,
        "another body's adhesion is not shown to exist"
    );
    assert_eq!(
        read(app, "/v1/enti/051013/adhesions", Some(&other)).await.0,
        StatusCode::FORBIDDEN
    );
    let sign = |token: String| {
        let own = own.clone();
        let adhesions = Adhesions(app);
        async move {
            adhesions
                .step(&token, &own, "commitment_signed", "2009-04-01")
                .await
        }
    };
    assert_eq!(sign(other.clone()).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        adhesions.request(&other, adhere("051013", 2)).await.0,
        StatusCode::FORBIDDEN
    );
    // Anonymous callers get only the aggregate figures; auditors read but do not write.
    assert_eq!(read(app, &path, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(read(app, "/v1/figures", None).await.0, StatusCode::OK);
    assert_eq!(
        read(app, &path, Some(&token_with(&[Role::Auditor])))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        sign(token_with(&[Role::Auditor])).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        read(app, "/v1/services/1/adhesions", Some(&other)).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, by_service) = read(
        app,
        "/v1/services/1/adhesions",
        Some(&token_with(&[Role::Admin])),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_service["items"][0]["ente_code"], "051013");

    let (status, signed) = sign(ente("051013")).await;
    assert_eq!(status, StatusCode::OK, "{signed}");
    assert_eq!(signed["state"], "commitment_signed");
}

#[tokio::test]
async fn the_lifecycle_refuses_skipped_or_backward_steps() {
    let pair = pair().await;
    let adhesions = Adhesions(&pair.adhesion);
    let admin = token_with(&[Role::Admin]);
    let created = adhesions.requested(&admin, adhere("051013", 7)).await;
    // The adhesion as each step left it, by state: a step is taken at the version of one of them.
    let mut at: HashMap<&str, Value> = HashMap::from([("requested", created)]);
    let table = [
        // (at the version of, step to, on, status, why)
        (
            "requested",
            "active",
            "2009-05-01",
            StatusCode::CONFLICT,
            "skipping the commitment",
        ),
        (
            "requested",
            "commitment_signed",
            "2009-04-01",
            StatusCode::OK,
            "the commitment",
        ),
        (
            "commitment_signed",
            "requested",
            "2009-04-02",
            StatusCode::CONFLICT,
            "a step back",
        ),
        (
            "commitment_signed",
            "active",
            "2009-03-15",
            StatusCode::BAD_REQUEST,
            "an activation before the commitment",
        ),
        (
            "commitment_signed",
            "active",
            "2009-06-01",
            StatusCode::OK,
            "the activation",
        ),
        (
            "active",
            "ceased",
            "2010-12-31",
            StatusCode::OK,
            "the cessation",
        ),
        (
            "ceased",
            "active",
            "2011-01-01",
            StatusCode::CONFLICT,
            "nothing after ceasing",
        ),
        (
            "commitment_signed",
            "ceased",
            "2011-01-01",
            StatusCode::PRECONDITION_FAILED,
            "a stale version",
        ),
    ];
    for (from, to, on, expected, why) in table {
        let (status, answer) = adhesions.step(&admin, &at[from], to, on).await;
        assert_eq!(status, expected, "{why}: {from} -> {to} on {on}: {answer}");
        match status {
            StatusCode::OK => {
                assert_eq!(answer["state"], to, "{why}");
                at.insert(to, answer);
            }
            StatusCode::BAD_REQUEST => assert_eq!(answer["errors"][0]["field"], "on", "{why}"),
            _ => {}
        }
    }
    assert_eq!(at["active"]["activated"]["act_ref"], "atto active");
}

#[tokio::test]
async fn the_committed_share_is_computed_right_where_it_crosses_30_percent() {
    let pair = pair().await;
    let app = &pair.adhesion;
    let admin = token_with(&[Role::Admin]);
    // Ten small comuni of the province of Arezzo adhere to PAeSI on 1 March 2009.
    let (_, page) = read(
        app,
        "/v1/enti?province=AR&piccolo_comune=true&limit=10",
        None,
    )
    .await;
    let codes: Vec<String> = page["items"]
        .as_array()
        .map(|i| {
            i.iter()
                .filter_map(|e| e["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(codes.len(), 10);
    let mut adhesions = Vec::new();
    for code in &codes {
        let (status, created) = call(
            app,
            Method::POST,
            "/v1/adhesions",
            Some(&admin),
            None,
            Some(adhere(code, 1)),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        adhesions.push(created);
    }
    // Three sign on 1 April, 2 May and 3 June.
    for (adhesion, on) in adhesions
        .iter()
        .zip(["2009-04-01", "2009-05-02", "2009-06-03"])
    {
        let (status, _) = transition(app, &admin, adhesion, "commitment_signed", on).await;
        assert_eq!(status, StatusCode::OK);
    }
    let share = |as_of: &'static str| async move {
        let (_, figures) = read(
            app,
            &format!("/v1/figures?as_of={as_of}&service_number=1"),
            None,
        )
        .await;
        (
            figures["overall"]["adhering_comuni"].as_i64(),
            figures["overall"]["committed_comuni"].as_i64(),
            figures["overall"]["committed_share"].clone(),
        )
    };
    assert_eq!(share("2009-02-28").await, (Some(0), Some(0), Value::Null));
    assert_eq!(
        share("2009-05-01").await,
        (Some(10), Some(1), json!("10.00"))
    );
    assert_eq!(
        share("2009-06-02").await,
        (Some(10), Some(2), json!("20.00"))
    );
    assert_eq!(
        share("2009-06-03").await,
        (Some(10), Some(3), json!("30.00")),
        "the day it reaches 30%"
    );
    let (_, figures) = read(app, "/v1/figures?as_of=2009-06-03", None).await;
    assert_eq!(figures["by_service"][0]["service_number"], 1);
    assert_eq!(figures["by_service"][0]["committed_share"], "30.00");
    // By province: the ten comuni are all in the province of Arezzo.
    assert_eq!(figures["by_province"][0]["province"], "AR", "{figures}");
    assert_eq!(figures["by_province"][0]["adhering_comuni"], 10);
    assert_eq!(figures["by_province"][0]["committed_comuni"], 3);
    assert_eq!(figures["by_province"].as_array().map(Vec::len), Some(1));
}

/// How many summaries of the figures the adhesion database keeps.
fn kept_summaries(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.db.connect().unwrap_or_else(|e| panic!("{e:#}"));
    diesel::sql_query("SELECT count(*) AS n FROM figures_summaries")
        .get_result::<Count>(&mut conn)
        .map(|c| c.n)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn todays_figures_are_kept_and_follow_every_write() {
    let pair = pair().await;
    let app = &pair.adhesion;
    let admin = token_with(&[Role::Admin]);
    let today = async || {
        let (status, figures) = read(app, "/v1/figures?region_code=09", None).await;
        assert_eq!(status, StatusCode::OK, "{figures}");
        (
            figures["overall"]["adhering_comuni"].as_i64(),
            figures["overall"]["committed_comuni"].as_i64(),
        )
    };
    // A summary an earlier day left behind goes when today's is kept.
    {
        use diesel::prelude::*;
        let mut conn = app.db.connect().unwrap_or_else(|e| panic!("{e:#}"));
        diesel::sql_query(
            "INSERT INTO figures_summaries (as_of, service_number, region_code, generation, figures)
             SELECT DATE '2000-01-01', 0, '09', generation, '{}' FROM figures_generation",
        )
        .execute(&mut conn)
        .unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(today().await, (Some(0), Some(0)));
    assert_eq!(
        kept_summaries(app),
        1,
        "today's figures are kept, yesterday's gone"
    );
    assert_eq!(today().await, (Some(0), Some(0)), "served from the summary");
    // Another date is counted, not kept: callers cannot fill the table with dates.
    read(app, "/v1/figures?as_of=2009-06-03", None).await;
    assert_eq!(kept_summaries(app), 1);

    // Poggibonsi (Siena) adheres: the write drops the summary and the figures follow at once.
    let (status, created) = call(
        app,
        Method::POST,
        "/v1/adhesions",
        Some(&admin),
        None,
        Some(adhere("052022", 1)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(kept_summaries(app), 0, "a write drops the summaries");
    assert_eq!(today().await, (Some(1), Some(0)));
    let (status, _) = transition(app, &admin, &created, "commitment_signed", "2009-04-01").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(today().await, (Some(1), Some(1)));
    // A comune outside Toscana does not move the region's figures.
    let (status, _) = call(
        app,
        Method::POST,
        "/v1/adhesions",
        Some(&admin),
        None,
        Some(adhere("001001", 1)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(today().await, (Some(1), Some(1)));
}

#[tokio::test]
async fn a_service_the_catalogue_does_not_have_is_refused() {
    let pair = pair().await;
    let admin = token_with(&[Role::Admin]);
    let (status, problem) = call(
        &pair.adhesion,
        Method::POST,
        "/v1/adhesions",
        Some(&admin),
        None,
        Some(adhere("051013", 42)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "service_number");
    let (status, problem) = call(&pair.adhesion, Method::POST, "/v1/adhesions", Some(&admin), None,
        Some(json!({"ente_code": "051013", "service_number": 7, "sub_service": "telepatia", "requested_on": "2009-03-01", "act_ref": null}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "sub_service");
    // A withdrawn service takes no new adhesion.
    let (_, entry) = read(&pair.catalogue, "/v1/services/4", None).await;
    let (status, _) = call(
        &pair.catalogue,
        Method::POST,
        "/v1/services/4/withdrawal",
        Some(&admin),
        Some(&entry["version"]),
        Some(json!({"reason": "test"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, problem) = call(
        &pair.adhesion,
        Method::POST,
        "/v1/adhesions",
        Some(&admin),
        None,
        Some(adhere("051013", 4)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("withdrawn")
    );
    assert_eq!(count_adhesions(&pair.adhesion).await, 0);
}

#[tokio::test]
async fn with_the_catalogue_stopped_adhesion_writes_fail_with_503_and_leave_nothing() {
    let pair = pair().await;
    let admin = token_with(&[Role::Admin]);
    pair.catalogue.stop().await;
    let response = pair
        .adhesion
        .post("/v1/adhesions")
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .header("idempotency-key", "outage-1")
        .body(adhere("051013", 1).to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));
    let problem: Value = response.json().await.unwrap_or(Value::Null);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("catalogue"),
        "{problem}"
    );
    assert_eq!(
        count_adhesions(&pair.adhesion).await,
        0,
        "nothing half-written"
    );
    let mut conn = pair.adhesion.db.connect().unwrap_or_else(|e| panic!("{e}"));
    use diesel::prelude::*;
    let keys: i64 = diesel::sql_query("SELECT 1 FROM idempotency_keys")
        .execute(&mut conn)
        .map(|n| n as i64)
        .unwrap_or(-1);
    assert_eq!(
        keys, 0,
        "the idempotency key is not consumed by a failed request"
    );
}

#[tokio::test]
async fn an_aggregation_operator_adheres_for_its_members_through_it() {
    let pair = pair().await;
    let app = &pair.adhesion;
    let admin = token_with(&[Role::Admin]);
    let union = json!({"code": "UC-CASENTINO", "kind": "unione", "name": "Unione dei Comuni Montani del Casentino", "members": ["051013", "051010"]});
    let (status, created) = call(
        app,
        Method::POST,
        "/v1/enti",
        Some(&admin),
        None,
        Some(union),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let operator = ente("UC-CASENTINO");
    let through = json!({"ente_code": "051013", "service_number": 6, "via_aggregation": "UC-CASENTINO", "requested_on": "2009-03-01", "act_ref": null});
    let (status, adhesion) = call(
        app,
        Method::POST,
        "/v1/adhesions",
        Some(&operator),
        None,
        Some(through),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{adhesion}");
    assert_eq!(adhesion["via_aggregation"], "UC-CASENTINO");
    let (status, seen) = read(app, "/v1/enti/051013/adhesions", Some(&operator)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        call(
            app,
            Method::POST,
            "/v1/adhesions",
            Some(&operator),
            None,
            Some(adhere("051013", 1))
        )
        .await
        .0,
        StatusCode::FORBIDDEN,
        "not through the aggregation: the comune's own business"
    );
    assert_eq!(
        read(app, "/v1/enti/048017/adhesions", Some(&operator))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        read(app, "/v1/open-data/adhesions", None).await.0,
        StatusCode::UNAUTHORIZED,
        "anonymous callers get only figures"
    );
    assert_eq!(
        read(app, "/v1/open-data/adhesions", Some(&operator))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    // A body's name that a spreadsheet would run as a formula is exported as text.
    let formula = "=HYPERLINK(\"http://example.invalid\",\"Unione\")";
    for (path, body) in [
        (
            "/v1/enti",
            json!({"code": "UC-FORMULA", "kind": "unione", "name": formula, "members": ["051010"]}),
        ),
        (
            "/v1/adhesions",
            json!({"ente_code": "UC-FORMULA", "service_number": 6, "requested_on": "2009-03-01", "act_ref": null}),
        ),
    ] {
        let (status, created) = call(app, Method::POST, path, Some(&admin), None, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{path}: {created}");
    }
    let csv = app
        .get("/v1/open-data/adhesions.csv")
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    assert!(csv.starts_with("ente_code,ente_name"));
    assert!(
        csv.lines()
            .any(|l| l.starts_with("051013,") && l.contains(",comune,AR,6,")),
        "{csv}"
    );
    assert!(
        csv.lines().any(|l| l.starts_with(
            "UC-FORMULA,\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"Unione\"\")\",unione,"
        )),
        "the formula is defused: {csv}"
    );
}
