//! Security, as tests: the authorization matrix over every operation of the four committed
//! contracts (each role, and anonymous, against each operation: never a 5xx, never an
//! undocumented status, and anonymous callers refused wherever a token is required), forged
//! tokens, and SQL-looking input.

use apq_domain::Role;
use apq_e2e::Suite;
use apq_platform::testing::{TestApp, keys, token_with};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Method;
use serde_json::Value;

fn committed(service: &str) -> Value {
    let text =
        std::fs::read_to_string(apq_platform::openapi::committed_path(service)).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A concrete path for a templated one: a zero UUID, 1, or a plausible code.
fn concrete(path: &str, parameters: &[Value]) -> String {
    let mut out = path.to_owned();
    for p in parameters.iter().filter(|p| p["in"] == "path") {
        let name = p["name"].as_str().unwrap_or("");
        let schema = &p["schema"];
        let value = if schema["format"] == "uuid" {
            "00000000-0000-0000-0000-000000000000".to_owned()
        } else if schema["type"] == "integer" {
            "1".to_owned()
        } else if name == "semester" {
            "2009-S2".to_owned()
        } else if name == "step" {
            "submission".to_owned()
        } else {
            "048017".to_owned()
        };
        out = out.replace(&format!("{{{name}}}"), &value);
    }
    out
}

struct Operation {
    service: &'static str,
    method: Method,
    path: String,
    secured: bool,
    documented: Vec<u16>,
}

fn operations() -> Vec<Operation> {
    let mut all = Vec::new();
    for service in ["agreements", "catalogue", "adhesion", "monitoring"] {
        let spec = committed(service);
        for (path, item) in spec["paths"].as_object().cloned().unwrap_or_default() {
            for (method, operation) in item.as_object().cloned().unwrap_or_default() {
                let method = match method.as_str() {
                    "get" => Method::GET,
                    "post" => Method::POST,
                    "put" => Method::PUT,
                    "patch" => Method::PATCH,
                    "delete" => Method::DELETE,
                    _ => continue,
                };
                let parameters = operation["parameters"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                all.push(Operation {
                    service,
                    method,
                    path: concrete(&path, &parameters),
                    secured: operation["security"]
                        .as_array()
                        .is_some_and(|s| !s.is_empty()),
                    documented: operation["responses"]
                        .as_object()
                        .map(|r| r.keys().filter_map(|k| k.parse().ok()).collect())
                        .unwrap_or_default(),
                });
            }
        }
    }
    all
}

async fn send(app: &TestApp, op: &Operation, bearer: Option<&str>) -> u16 {
    let mut request = app.http.request(op.method.clone(), app.url(&op.path));
    if matches!(op.method, Method::POST | Method::PUT | Method::PATCH) {
        let content_type = if op.method == Method::PATCH {
            "application/merge-patch+json"
        } else {
            "application/json"
        };
        request = request
            .header("content-type", content_type)
            .header("if-match", "\"1\"")
            .body("{}");
    }
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    match request.send().await {
        Ok(response) => response.status().as_u16(),
        Err(error) => panic!("{} {} {}: {error}", op.service, op.method, op.path),
    }
}

#[tokio::test]
async fn every_role_against_every_operation_gets_a_documented_answer_and_never_a_5xx() {
    let suite = Suite::spawn().await.unwrap_or_else(|e| panic!("{e:#}"));
    let apps = suite.apps();
    let operations = operations();
    assert!(
        operations.len() > 60,
        "the four contracts have {} operations",
        operations.len()
    );
    let mut callers: Vec<(String, Option<String>)> = vec![("anonymous".to_owned(), None)];
    for role in Role::ALL {
        callers.push((role.to_string(), Some(token_with(&[role]))));
    }
    let mut failures = Vec::new();
    for op in &operations {
        let app = apps
            .iter()
            .find(|(name, _)| *name == op.service)
            .map(|(_, app)| *app)
            .unwrap_or_else(|| panic!("{}", op.service));
        for (who, token) in &callers {
            let status = send(app, op, token.as_deref()).await;
            if status >= 500 && status != 503 {
                failures.push(format!(
                    "{who}: {} {} {} -> {status}",
                    op.service, op.method, op.path
                ));
            }
            if !op.documented.contains(&status) {
                failures.push(format!(
                    "{who}: {} {} {} -> {status}, not in the contract {:?}",
                    op.service, op.method, op.path, op.documented
                ));
            }
            if token.is_none() && op.secured && status != 401 {
                failures.push(format!(
                    "anonymous: {} {} {} -> {status}, expected 401",
                    op.service, op.method, op.path
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn with_payload(token: &str, edit: impl FnOnce(&mut Value)) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut payload: Value = URL_SAFE_NO_PAD
        .decode(parts.get(1).copied().unwrap_or(""))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    edit(&mut payload);
    let encoded = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap_or_default());
    format!(
        "{}.{encoded}.{}",
        parts.first().copied().unwrap_or(""),
        parts.get(2).copied().unwrap_or("")
    )
}

#[tokio::test]
async fn forged_tokens_are_refused() {
    let suite = Suite::spawn().await.unwrap_or_else(|e| panic!("{e:#}"));
    let app = &suite.agreements;
    let audit = |token: String| async move {
        app.get("/v1/audit")
            .bearer_auth(token)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    };
    assert_eq!(
        audit(token_with(&[Role::Auditor])).await,
        200,
        "the genuine token works"
    );

    // An auditor's token whose roles were edited to admin, signature unchanged.
    let tampered = with_payload(&token_with(&[Role::Auditor]), |claims| {
        claims["roles"] = serde_json::json!(["admin"])
    });
    assert_eq!(audit(tampered).await, 401);
    // A token that lives forever (exp edited).
    let immortal = with_payload(&token_with(&[Role::Admin]), |claims| {
        claims["exp"] = serde_json::json!(32_503_680_000_i64)
    });
    assert_eq!(audit(immortal).await, 401);
    // HS256 "signed" with the public key as the shared secret (the classic key-confusion attack).
    let claims = apq_platform::devkeys::TokenRequest::new(vec![Role::Admin]).claims();
    let confused = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(keys().public_pem.as_bytes()),
    )
    .unwrap_or_default();
    assert_eq!(audit(confused).await, 401);
    // A token in the query string is not a credential.
    let query = app
        .get(&format!(
            "/v1/audit?access_token={}",
            token_with(&[Role::Admin])
        ))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    assert_eq!(query, 401);
}

#[tokio::test]
async fn sql_looking_input_is_just_text() {
    let suite = Suite::spawn_loaded()
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    for (app, path) in [
        (&suite.catalogue, "/v1/services?q=%27%20OR%201%3D1--"),
        (
            &suite.catalogue,
            "/v1/services?ambito=%27%3B%20DROP%20TABLE%20services%3B--",
        ),
        (&suite.adhesion, "/v1/enti?q=%25%27%20OR%20%271%27%3D%271"),
        (&suite.agreements, "/v1/interventi?code=%27%20OR%201%3D1--"),
    ] {
        let response = app.get(path).send().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 200, "{path}");
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(
            body["items"].as_array().map(Vec::len),
            Some(0),
            "{path} matched nothing: {body}"
        );
    }
    let (status, services) = apq_e2e::read(&suite.catalogue, "/v1/services", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        services["items"].as_array().map(Vec::len),
        Some(8),
        "the table is still there"
    );
    let (status, problem) =
        apq_e2e::read(&suite.agreements, "/v1/interventi/1%20OR%201=1", None).await;
    assert_eq!(status, 400, "{problem}");
}

#[tokio::test]
async fn neither_tokens_nor_personal_data_reach_the_logs() {
    use std::io::Read;
    let db = apq_platform::testing::TestDb::create(&apq_agreements::SERVICE)
        .unwrap_or_else(|e| panic!("{e:#}"));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.parent()
                .and_then(|deps| deps.parent())
                .map(|dir| dir.join("apq-agreements"))
        })
        .unwrap_or_default();
    let mut child = std::process::Command::new(&binary)
        .arg("serve")
        .env("APQ_DATABASE__URL", &db.url)
        .env("APQ_SERVER__PORT", port.to_string())
        .env("APQ_AUTH__PUBLIC_KEY_PEM", &keys().public_pem)
        .env("APQ_LOG__FORMAT", "json")
        .env("APQ_LOG__FILTER", "debug")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while http
        .get(format!("{base}/health/ready"))
        .send()
        .await
        .map(|r| r.status() != 200)
        .unwrap_or(true)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the service did not start"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let token = token_with(&[Role::Admin]);
    let email = "maria.rossi@comune.example.it";
    let created = http
        .post(format!("{base}/v1/persons"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(serde_json::json!({"name": "Maria Rossi", "organisation": null, "email": email, "responsibilities": []}).to_string())
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    assert_eq!(created, 201);
    let bad = http
        .get(format!("{base}/v1/audit"))
        .bearer_auth(format!("{token}x"))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    assert_eq!(bad, 401);
    let listed = http
        .get(format!("{base}/v1/persons"))
        .bearer_auth(&token)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    assert_eq!(listed, 200);
    drop(child.kill());
    drop(child.wait());
    let mut logs = String::new();
    if let Some(mut out) = child.stdout.take() {
        drop(out.read_to_string(&mut logs));
    }
    if let Some(mut err) = child.stderr.take() {
        drop(err.read_to_string(&mut logs));
    }
    assert!(
        logs.contains("request served"),
        "the access log was captured"
    );
    let signature = token.rsplit('.').next().unwrap_or("");
    assert!(!logs.contains(signature), "a token reached the logs");
    assert!(!logs.contains(email), "an e-mail address reached the logs");
    assert!(
        !logs.contains("Maria Rossi"),
        "a person's name reached the logs"
    );
}
