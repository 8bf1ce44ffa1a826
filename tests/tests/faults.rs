//! Faults, as tests: PostgreSQL restarted under load, and a peer that hangs during a
//! cross-service call.

use std::time::{Duration, Instant};

use apq_domain::Role;
use apq_e2e::{call, read, spawn_loaded};
use apq_platform::testing::{PrivateCluster, TestApp, TestDb, token_with};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn postgresql_restarted_under_load_loses_no_acknowledged_write() {
    let cluster = PrivateCluster::start().unwrap_or_else(|e| panic!("{e:#}"));
    let db = TestDb::create_on(&cluster.admin_url(), &apq_agreements::SERVICE)
        .unwrap_or_else(|e| panic!("{e:#}"));
    let app = TestApp::spawn_on(
        &apq_agreements::SERVICE,
        db,
        &[("database.acquire_timeout_ms", "500".to_owned())],
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    let admin = token_with(&[Role::Admin]);
    let mut acknowledged = Vec::new();
    let mut refused = 0;
    let mut restarted = false;
    let started = Instant::now();
    for i in 0..120 {
        if i == 40 {
            cluster.stop().unwrap_or_else(|e| panic!("{e:#}"));
        }
        if i == 60 {
            cluster.start_again().unwrap_or_else(|e| panic!("{e:#}"));
            restarted = true;
        }
        let name = format!("Referente {i}");
        let (status, body) = call(&app, Method::POST, "/v1/persons", Some(&admin), None,
            Some(json!({"name": name, "organisation": "Regione Toscana", "email": null, "responsibilities": []}))).await;
        match status {
            StatusCode::CREATED => acknowledged.push(name),
            StatusCode::SERVICE_UNAVAILABLE => refused += 1,
            other => panic!("write {i}: unexpected {other}: {body}"),
        }
        if restarted && i >= 100 {
            assert_eq!(
                status,
                StatusCode::CREATED,
                "the service recovered by itself after the restart"
            );
        }
    }
    assert!(refused > 0, "the outage was seen as 503s");
    assert!(
        acknowledged.len() >= 60,
        "{} writes acknowledged",
        acknowledged.len()
    );
    assert!(started.elapsed() < Duration::from_secs(90));
    let (status, persons) = read(&app, "/v1/persons", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    let stored: Vec<&str> = persons["items"]
        .as_array()
        .map(|p| p.iter().filter_map(|p| p["name"].as_str()).collect())
        .unwrap_or_default();
    for name in &acknowledged {
        assert!(
            stored.contains(&name.as_str()),
            "acknowledged write {name} is there after the restart"
        );
    }
    assert_eq!(
        stored.len(),
        acknowledged.len(),
        "and nothing that was refused"
    );
    drop(app);
}

#[tokio::test]
async fn a_peer_that_hangs_gives_503_within_the_timeout_and_nothing_half_written() {
    // A "catalogue" that accepts connections and does not answer for a minute.
    let hung = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(200).set_delay(Duration::from_secs(60)))
        .mount(&hung)
        .await;
    let address = hung.uri();
    let adhesion = spawn_loaded(
        &apq_adhesion::SERVICE,
        &[
            ("peers.catalogue.base_url", address),
            ("peers.catalogue.timeout_ms", "800".to_owned()),
        ],
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    let admin = token_with(&[Role::Admin]);
    let started = Instant::now();
    let (status, problem) = call(&adhesion, Method::POST, "/v1/adhesions", Some(&admin), None,
        Some(json!({"ente_code": "048017", "service_number": 1, "requested_on": "2009-03-01", "act_ref": null}))).await;
    let elapsed = started.elapsed();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("catalogue")
    );
    assert!(
        elapsed >= Duration::from_millis(700) && elapsed < Duration::from_secs(3),
        "answered in {elapsed:?}, within the configured 800 ms timeout"
    );
    let (_, export) = read(&adhesion, "/v1/open-data/adhesions", Some(&admin)).await;
    assert_eq!(
        export["items"].as_array().map(Vec::len),
        Some(0),
        "nothing half-written"
    );
    drop(hung);
}
