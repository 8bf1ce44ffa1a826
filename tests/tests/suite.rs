//! The four services up together, each on its own database: health, status, the served contract
//! and the docs, and the shared error shape.

use apq_e2e::Suite;
use reqwest::StatusCode;
use serde_json::Value;

async fn suite() -> Suite {
    Suite::spawn()
        .await
        .unwrap_or_else(|e| panic!("cannot start the suite: {e:#}"))
}

#[tokio::test]
async fn every_service_is_up_and_ready() {
    let suite = suite().await;
    for (name, app) in suite.apps() {
        for path in ["/status", "/health/live", "/health/ready"] {
            let response = app
                .get(path)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{name}{path}: {e}"));
            assert_eq!(response.status(), StatusCode::OK, "{name}{path}");
            assert_eq!(
                response
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok()),
                Some("application/problem+json"),
                "{name}{path}"
            );
        }
        let status = app
            .get("/status")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        for header in [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "x-request-id",
        ] {
            assert!(
                status.headers().contains_key(header),
                "{name}: {header} missing"
            );
        }
    }
}

#[tokio::test]
async fn every_service_serves_its_committed_contract_and_docs() {
    let suite = suite().await;
    for (name, app) in suite.apps() {
        let served: Value = app
            .get("/openapi.json")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let committed: Value = serde_json::from_str(
            &std::fs::read_to_string(apq_platform::openapi::committed_path(name))
                .unwrap_or_default(),
        )
        .unwrap_or(Value::Null);
        assert_eq!(
            served, committed,
            "{name}: the served spec is not the committed one"
        );
        assert_eq!(served["openapi"], "3.1.0");
        let docs = app
            .get("/docs/")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(docs.status(), StatusCode::OK, "{name}: /docs/");
        let html = docs.text().await.unwrap_or_default();
        assert!(
            html.contains("swagger-ui"),
            "{name}: /docs/ is not Swagger UI"
        );
    }
}

#[tokio::test]
async fn unknown_resources_are_problems_everywhere() {
    let suite = suite().await;
    for (name, app) in suite.apps() {
        let response = app
            .get("/v1/does-not-exist")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{name}");
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(body["status"], 404, "{name}: {body}");
    }
}
