//! The platform's contract, through real HTTP against real PostgreSQL: authentication and roles,
//! problem+json for bad input naming the field, limits, rate limiting, trace propagation.

mod fixture;

use apq_domain::Role;
use apq_platform::auth::{Audience, Claims};
use apq_platform::devkeys::{KeyPair, TokenRequest};
use apq_platform::testing::{TestApp, token, token_with};
use fixture::{FIXTURE, Traces};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn spawn() -> TestApp {
    spawn_with(&[]).await
}

async fn spawn_with(overrides: &[(&str, String)]) -> TestApp {
    match TestApp::spawn(&FIXTURE, overrides).await {
        Ok(app) => app,
        Err(error) => panic!("cannot spawn the fixture: {error:#}"),
    }
}

const VALID: &str = r#"{"cup": "D53G07000070002", "istat": "048017"}"#;

async fn post_localisation(
    app: &TestApp,
    token: Option<&str>,
    body: &str,
) -> (StatusCode, Option<String>, Value) {
    let mut request = app
        .post("/v1/localisations")
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, content_type, body)
}

fn assert_problem(outcome: &(StatusCode, Option<String>, Value), status: u16) {
    let (got, content_type, body) = outcome;
    assert_eq!(got.as_u16(), status, "{body}");
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    assert_eq!(body["status"], json!(status));
    assert!(
        body["type"].is_string() && body["title"].is_string(),
        "{body}"
    );
}

#[tokio::test]
async fn the_right_role_gets_through() {
    let app = spawn().await;
    let outcome = post_localisation(&app, Some(&token_with(&[Role::Admin])), VALID).await;
    assert_eq!(outcome.0, StatusCode::OK, "{}", outcome.2);
    assert_eq!(outcome.2["cup"], "D53G07000070002");
}

#[tokio::test]
async fn no_token_is_401() {
    let app = spawn().await;
    let outcome = post_localisation(&app, None, VALID).await;
    assert_problem(&outcome, 401);
}

#[tokio::test]
async fn a_garbage_token_is_401() {
    let app = spawn().await;
    assert_problem(
        &post_localisation(&app, Some("not.a.jwt"), VALID).await,
        401,
    );
}

#[tokio::test]
async fn an_expired_token_is_401() {
    let app = spawn().await;
    let mut request = TokenRequest::new(vec![Role::Admin]);
    request.ttl_secs = -3600;
    let outcome = post_localisation(&app, Some(&token(&request)), VALID).await;
    assert_problem(&outcome, 401);
    assert!(
        outcome.2["detail"]
            .as_str()
            .unwrap_or("")
            .contains("expired"),
        "{}",
        outcome.2
    );
}

#[tokio::test]
async fn another_services_audience_is_401() {
    let app = spawn().await;
    let mut request = TokenRequest::new(vec![Role::Admin]);
    request.services = vec!["monitoring".to_owned()];
    let outcome = post_localisation(&app, Some(&token(&request)), VALID).await;
    assert_problem(&outcome, 401);
    assert!(
        outcome.2["detail"]
            .as_str()
            .unwrap_or("")
            .contains("not meant for this service")
    );
}

#[tokio::test]
async fn a_token_signed_by_another_key_is_401() {
    let app = spawn().await;
    let stranger = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let forged = stranger
        .sign(&TokenRequest::new(vec![Role::Admin]).claims())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_problem(&post_localisation(&app, Some(&forged), VALID).await, 401);
}

#[tokio::test]
async fn an_unsigned_token_is_401() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let app = spawn().await;
    let claims: Claims = TokenRequest::new(vec![Role::Admin]).claims();
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap_or_default());
    let unsigned = format!("{header}.{payload}.");
    assert_problem(&post_localisation(&app, Some(&unsigned), VALID).await, 401);
    assert!(matches!(claims.aud, Audience::Many(_)));
}

#[tokio::test]
async fn the_wrong_role_is_403() {
    let app = spawn().await;
    let outcome = post_localisation(&app, Some(&token_with(&[Role::Auditor])), VALID).await;
    assert_problem(&outcome, 403);
    assert!(outcome.2["detail"].as_str().unwrap_or("").contains("admin"));
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = spawn().await;
    let outcome =
        post_localisation(&app, Some(&token_with(&[Role::Admin])), r#"{"cup": "D53G"#).await;
    assert_problem(&outcome, 400);
    assert!(
        outcome.2["detail"]
            .as_str()
            .unwrap_or("")
            .contains("not valid JSON")
    );
}

#[tokio::test]
async fn a_bad_cup_is_400_naming_the_field() {
    let app = spawn().await;
    let body = r#"{"cup": "d53g07000070002", "istat": "048017"}"#;
    let outcome = post_localisation(&app, Some(&token_with(&[Role::Admin])), body).await;
    assert_problem(&outcome, 400);
    assert_eq!(outcome.2["errors"][0]["field"], "cup", "{}", outcome.2);
    assert!(
        outcome.2["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("upper-case letter")
    );
}

#[tokio::test]
async fn a_bad_istat_code_is_400_naming_the_field() {
    let app = spawn().await;
    let body = r#"{"cup": "D53G07000070002", "istat": "48017"}"#;
    let outcome = post_localisation(&app, Some(&token_with(&[Role::Admin])), body).await;
    assert_problem(&outcome, 400);
    assert_eq!(outcome.2["errors"][0]["field"], "istat", "{}", outcome.2);
}

#[tokio::test]
async fn a_missing_field_is_named() {
    let app = spawn().await;
    let outcome = post_localisation(
        &app,
        Some(&token_with(&[Role::Admin])),
        r#"{"cup": "D53G07000070002"}"#,
    )
    .await;
    assert_problem(&outcome, 400);
    assert_eq!(outcome.2["errors"][0]["field"], "istat", "{}", outcome.2);
}

#[tokio::test]
async fn a_wrong_content_type_is_415_and_a_huge_body_413() {
    let app = spawn_with(&[("server.body_limit_bytes", "1024".to_owned())]).await;
    let response = app
        .post("/v1/localisations")
        .bearer_auth(token_with(&[Role::Admin]))
        .header("content-type", "text/plain")
        .body(VALID)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = format!(
        r#"{{"cup": "D53G07000070002", "istat": "048017", "pad": "{}"}}"#,
        "x".repeat(4096)
    );
    let outcome = post_localisation(&app, Some(&token_with(&[Role::Admin])), &huge).await;
    assert_problem(&outcome, 413);
}

#[tokio::test]
async fn an_unknown_path_is_a_404_problem() {
    let app = spawn().await;
    let response = app
        .get("/v1/nothing-here")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    assert!(response.headers().contains_key("x-request-id"));
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(body["request_id"].is_string(), "{body}");
}

#[tokio::test]
async fn rate_limits_are_announced_and_enforced() {
    let app = spawn_with(&[("rate_limit.requests_per_window", "3".to_owned())]).await;
    let token = token_with(&[Role::Admin]);
    for expected_remaining in ["2", "1", "0"] {
        let response = app
            .get("/status")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["x-ratelimit-limit"], "3");
        assert_eq!(
            response.headers()["x-ratelimit-remaining"],
            expected_remaining
        );
        assert!(response.headers().contains_key("x-ratelimit-reset"));
    }
    let refused = app
        .get("/status")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    let probe = app
        .get("/health/live")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        probe.status(),
        StatusCode::OK,
        "probes are not rate limited"
    );
}

#[tokio::test]
async fn a_traceparent_reaches_the_next_service() {
    let peer = spawn().await;
    let front = spawn_with(&[("peers.adhesion.base_url", peer.address.clone())]).await;
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let response = front
        .get("/v1/trace-via-peer")
        .header("traceparent", format!("00-{trace_id}-00f067aa0ba902b7-01"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK);
    let traces: Traces = response.json().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        traces,
        Traces {
            here: Some(trace_id.to_owned()),
            peer: Some(trace_id.to_owned())
        }
    );
}

#[tokio::test]
async fn a_peer_that_is_down_gives_503_naming_it() {
    let peer = spawn().await;
    let address = peer.address.clone();
    peer.stop().await;
    drop(peer);
    let front = spawn_with(&[("peers.adhesion.base_url", address)]).await;
    let response = front
        .get("/v1/trace-via-peer")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(
        body["detail"].as_str().unwrap_or("").contains("adhesion"),
        "{body}"
    );
}
