//! The rate limit, through real HTTP: whose budget a request spends (a verified token's subject,
//! else the client address, forwarded only by trusted proxies) and what every answer announces.

mod fixture;

use apq_domain::Role;
use apq_platform::devkeys::TokenRequest;
use apq_platform::testing::{TestApp, token};
use fixture::FIXTURE;
use reqwest::{RequestBuilder, Response, StatusCode};

/// A budget of `limit` requests per hour: nothing comes back while a test runs.
async fn spawn_with_budget(limit: u32, extra: &[(&str, String)]) -> TestApp {
    let mut overrides = vec![
        ("rate_limit.requests_per_window", limit.to_string()),
        ("rate_limit.window_secs", "3600".to_owned()),
    ];
    overrides.extend(extra.iter().cloned());
    match TestApp::spawn(&FIXTURE, &overrides).await {
        Ok(app) => app,
        Err(error) => panic!("cannot spawn the fixture: {error:#}"),
    }
}

async fn send(request: RequestBuilder) -> Response {
    request.send().await.unwrap_or_else(|e| panic!("{e}"))
}

fn header(response: &Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} header ({})", response.status()))
        .to_owned()
}

fn remaining(response: &Response) -> u32 {
    header(response, "x-ratelimit-remaining")
        .parse()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn token_for(subject: &str, ttl_secs: i64) -> String {
    let mut request = TokenRequest::new(vec![Role::Admin]);
    request.subject = subject.to_owned();
    request.ttl_secs = ttl_secs;
    token(&request)
}

#[tokio::test]
async fn a_new_garbage_token_per_request_spends_the_address_budget() {
    let app = spawn_with_budget(50, &[]).await;
    for i in 0..200_u32 {
        let response = send(
            app.get("/v1/trace")
                .bearer_auth(format!("garbage-{i}.not.a-jwt")),
        )
        .await;
        assert_eq!(header(&response, "x-ratelimit-limit"), "50");
        let reset: u64 = header(&response, "x-ratelimit-reset")
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!((1..=3600).contains(&reset), "reset {reset}");
        if i < 50 {
            assert_eq!(response.status(), StatusCode::OK, "request {}", i + 1);
            assert_eq!(remaining(&response), 49 - i);
        } else {
            assert_eq!(
                response.status(),
                StatusCode::TOO_MANY_REQUESTS,
                "request {}",
                i + 1
            );
            assert_eq!(remaining(&response), 0);
            let retry_after: u64 = header(&response, "retry-after")
                .parse()
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(retry_after >= 1, "retry-after {retry_after}");
            assert_eq!(
                header(&response, "content-type"),
                "application/problem+json"
            );
        }
    }
}

#[tokio::test]
async fn a_forged_forwarding_header_from_an_untrusted_peer_changes_nothing() {
    let app = spawn_with_budget(5, &[]).await;
    for i in 0..5_u32 {
        let response = send(
            app.get("/v1/trace")
                .header("x-forwarded-for", format!("203.0.113.{i}"))
                .header("forwarded", format!("for=198.51.100.{i}")),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(remaining(&response), 4 - i, "one budget: the peer's");
    }
    let forged = send(
        app.get("/v1/trace")
            .header("x-forwarded-for", "192.0.2.200")
            .bearer_auth("garbage"),
    )
    .await;
    assert_eq!(forged.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(forged.headers().contains_key("retry-after"));
    let plain = send(app.get("/v1/trace")).await;
    assert_eq!(plain.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget() {
    let app = spawn_with_budget(3, &[("rate_limit.trusted_proxies", "127.0.0.1".to_owned())]).await;
    let from = |client: &str| app.get("/v1/trace").header("x-forwarded-for", client);
    for expected in [2, 1, 0] {
        let response = send(from("203.0.113.1")).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(remaining(&response), expected);
    }
    assert_eq!(
        send(from("203.0.113.1")).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        send(from("198.51.100.77, 203.0.113.1")).await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "what the client put left of the proxy's entry is not believed"
    );
    let other = send(from("203.0.113.2")).await;
    assert_eq!(other.status(), StatusCode::OK);
    assert_eq!(remaining(&other), 2, "another client, another budget");
    let through_two_proxies = send(from("203.0.113.2, 127.0.0.1")).await;
    assert_eq!(
        remaining(&through_two_proxies),
        1,
        "a trusted hop in the chain is skipped"
    );
    let proxy_itself = send(app.get("/v1/trace")).await;
    assert_eq!(proxy_itself.status(), StatusCode::OK);
    assert_eq!(remaining(&proxy_itself), 2);
}

#[tokio::test]
async fn each_verified_subject_has_its_own_budget() {
    let app = spawn_with_budget(3, &[]).await;
    let alice = token_for("alice", 3600);
    let bob = token_for("bob", 3600);
    let as_caller = |token: &str| app.get("/v1/trace").bearer_auth(token);
    for expected in [2, 1, 0] {
        let response = send(as_caller(&alice)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(remaining(&response), expected);
    }
    assert_eq!(
        send(as_caller(&alice)).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let alice_again = token_for("alice", 7200);
    assert_ne!(alice, alice_again);
    assert_eq!(
        send(as_caller(&alice_again)).await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the budget is the subject's, not the token text's"
    );
    let first_of_bob = send(as_caller(&bob)).await;
    assert_eq!(first_of_bob.status(), StatusCode::OK);
    assert_eq!(
        remaining(&first_of_bob),
        2,
        "alice's requests did not spend bob's budget"
    );
    for _ in 0..2 {
        let anonymous = send(app.get("/v1/trace").bearer_auth("garbage")).await;
        assert_eq!(
            anonymous.status(),
            StatusCode::OK,
            "the address has its own"
        );
    }
    let second_of_bob = send(as_caller(&bob)).await;
    assert_eq!(second_of_bob.status(), StatusCode::OK);
    assert_eq!(
        remaining(&second_of_bob),
        1,
        "nor did the address's requests"
    );
    let probe = send(app.get("/health/live").bearer_auth(&alice)).await;
    assert_eq!(probe.status(), StatusCode::OK, "probes are not counted");
}
