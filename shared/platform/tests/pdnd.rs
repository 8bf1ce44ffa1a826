//! PDND vouchers: a comune's system calls through the national interoperability platform with a
//! voucher (RS256 JWT, `kid` of PDND's published JWKS) for a purpose. It is accepted only from
//! the configured issuer, for our e-service's audience, unexpired and in force, and when its
//! `purposeId` and `client_id` are bound together to a body: the caller then acts as that body.
//! The JWKS is served by a local HTTP server; the keys are made by the test.

mod fixture;

use std::sync::{Arc, Mutex};

use apq_domain::Role;
use apq_platform::auth::{Claims, JwtVerifier};
use apq_platform::{ApiError, Settings};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

const ISSUER: &str = "uat.interop.pagopa.it";
const AUDIENCE: &str = "https://apq.regione.toscana.it/adhesion/v1";
const PURPOSE: &str = "1b361d49-33f4-4f1e-a88b-4e12661f2309";
const CLIENT: &str = "e4d7a3e0-6cfd-4b1c-8c8a-2f0f8f3d9a11";
const OTHER_PURPOSE: &str = "5d4f5e7b-0f0e-4d3a-9f43-8e1b2c3d4e5f";
const OTHER_CLIENT: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

/// A signing key with its kid and its public JWK.
struct SigningKey {
    kid: String,
    alg: Algorithm,
    encoding: EncodingKey,
    public: Value,
}

fn rsa_key(kid: &str) -> SigningKey {
    let pair = ok(rcgen::KeyPair::generate_rsa_for(
        &rcgen::PKCS_RSA_SHA256,
        rcgen::RsaKeySize::_2048,
    ));
    let encoding = ok(EncodingKey::from_rsa_pem(pair.serialize_pem().as_bytes()));
    signing_key(kid, Algorithm::RS256, encoding)
}

fn ec_key(kid: &str) -> SigningKey {
    let pair = ok(rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256));
    let encoding = ok(EncodingKey::from_ec_pem(pair.serialize_pem().as_bytes()));
    signing_key(kid, Algorithm::ES256, encoding)
}

fn signing_key(kid: &str, alg: Algorithm, encoding: EncodingKey) -> SigningKey {
    let mut jwk = ok(Jwk::from_encoding_key(&encoding, alg));
    jwk.common.key_id = Some(kid.to_owned());
    SigningKey {
        kid: kid.to_owned(),
        alg,
        encoding,
        public: ok(serde_json::to_value(jwk)),
    }
}

/// PDND's keys as the tests set them: `{"keys": [...]}`, or 503 (PDND down) while a `null` is
/// among them.
struct Jwks(Arc<Mutex<Vec<Value>>>);

impl wiremock::Respond for Jwks {
    fn respond(&self, _: &wiremock::Request) -> wiremock::ResponseTemplate {
        let keys = self.0.lock().map(|k| k.clone()).unwrap_or_default();
        if keys.iter().any(Value::is_null) {
            return wiremock::ResponseTemplate::new(503);
        }
        wiremock::ResponseTemplate::new(200).set_body_json(json!({ "keys": keys }))
    }
}

/// Serves `keys` at `/.well-known/jwks.json` (the keys can be changed while it runs); the URL
/// is `jwks_url(&server)`.
async fn jwks_server(keys: Arc<Mutex<Vec<Value>>>) -> wiremock::MockServer {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path("/.well-known/jwks.json"))
        .respond_with(Jwks(keys))
        .mount(&server)
        .await;
    server
}

fn jwks_url(server: &wiremock::MockServer) -> String {
    format!("{}/.well-known/jwks.json", server.uri())
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A voucher as PDND issues it.
fn voucher_claims() -> Value {
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": CLIENT,
        "client_id": CLIENT,
        "purposeId": PURPOSE,
        "jti": uuid::Uuid::new_v4().to_string(),
        "iat": now(),
        "nbf": now(),
        "exp": now() + 600,
    })
}

fn sign(key: &SigningKey, claims: &Value) -> String {
    let mut header = Header::new(key.alg);
    header.kid = Some(key.kid.clone());
    header.typ = Some("at+jwt".to_owned());
    ok(jsonwebtoken::encode(&header, claims, &key.encoding))
}

fn verifier(jwks_url: &str) -> JwtVerifier {
    verifier_with(jwks_url, &[])
}

fn verifier_with(jwks_url: &str, extra: &[(&str, String)]) -> JwtVerifier {
    let mut overrides = vec![
        ("auth.pdnd.issuer", ISSUER.to_owned()),
        ("auth.pdnd.jwks_url", jwks_url.to_owned()),
        ("auth.pdnd.audience", AUDIENCE.to_owned()),
        (
            "auth.pdnd.bindings",
            format!("{PURPOSE}/{CLIENT}=048017, {OTHER_PURPOSE}/{OTHER_CLIENT}=046012"),
        ),
        ("auth.pdnd.jwks_min_refresh_secs", "0".to_owned()),
        ("auth.leeway_secs", "0".to_owned()),
    ];
    overrides.extend(extra.iter().cloned());
    let settings = ok(Settings::with_overrides("adhesion", &overrides));
    ok(JwtVerifier::from_settings(&settings))
}

async fn setup() -> (
    SigningKey,
    Arc<Mutex<Vec<Value>>>,
    JwtVerifier,
    wiremock::MockServer,
) {
    let key = rsa_key("pdnd-key-1");
    let keys = Arc::new(Mutex::new(vec![key.public.clone()]));
    let server = jwks_server(keys.clone()).await;
    let verifier = verifier(&jwks_url(&server));
    (key, keys, verifier, server)
}

fn denied(result: Result<Claims, ApiError>) -> (u16, String) {
    match result {
        Err(ApiError::Unauthorized(why)) => (401, why),
        Err(ApiError::Forbidden(why)) => (403, why),
        other => panic!("expected a denial, got {other:?}"),
    }
}

#[tokio::test]
async fn a_voucher_whose_purpose_and_client_are_bound_acts_for_the_body() {
    let (key, _keys, verifier, _pdnd) = setup().await;
    let claims = ok(verifier.authenticate(&sign(&key, &voucher_claims())).await);
    assert_eq!(claims.sub, CLIENT);
    assert_eq!(claims.roles, vec![Role::Ente]);
    assert_eq!(claims.ente.as_deref(), Some("048017"));

    let mut other = voucher_claims();
    other["purposeId"] = json!(OTHER_PURPOSE);
    other["client_id"] = json!(OTHER_CLIENT);
    other["sub"] = json!(OTHER_CLIENT);
    let claims = ok(verifier.authenticate(&sign(&key, &other)).await);
    assert_eq!(claims.ente.as_deref(), Some("046012"));
}

#[tokio::test]
async fn vouchers_are_denied_unless_every_check_passes() {
    let (key, _keys, verifier, _pdnd) = setup().await;
    let with = |field: &str, value: Value| {
        let mut claims = voucher_claims();
        claims[field] = value;
        sign(&key, &claims)
    };
    let without = |field: &str| {
        let mut claims = voucher_claims();
        if let Some(map) = claims.as_object_mut() {
            map.remove(field);
        }
        sign(&key, &claims)
    };
    let cases = [
        (
            "another issuer",
            with("iss", json!("interop.pagopa.it")),
            401,
            "issuer",
        ),
        (
            "another e-service's audience",
            with("aud", json!("https://other.example/api")),
            401,
            "not meant for this service",
        ),
        ("expired", with("exp", json!(now() - 5)), 401, "expired"),
        (
            "not in force yet",
            with("nbf", json!(now() + 300)),
            401,
            "not valid yet",
        ),
        (
            "a purpose not bound",
            with("purposeId", json!(uuid::Uuid::new_v4().to_string())),
            403,
            "not bound",
        ),
        (
            "a bound purpose from another client",
            with("client_id", json!(OTHER_CLIENT)),
            403,
            "not bound",
        ),
        (
            "another client's bound purpose",
            with("purposeId", json!(OTHER_PURPOSE)),
            403,
            "not bound",
        ),
        ("no purposeId", without("purposeId"), 401, "purposeId"),
        ("no client_id", without("client_id"), 401, "client_id"),
    ];
    for (case, token, status, why) in cases {
        let (got, message) = denied(verifier.authenticate(&token).await);
        assert_eq!(got, status, "{case}: {message}");
        assert!(message.contains(why), "{case}: {message}");
    }

    // Signed with a key PDND did not publish, under a published kid.
    let impostor = rsa_key("pdnd-key-1");
    let (status, why) = denied(
        verifier
            .authenticate(&sign(&impostor, &voucher_claims()))
            .await,
    );
    assert_eq!((status, why.contains("signature")), (401, true), "{why}");

    // An algorithm PDND does not use.
    let ec = ec_key("pdnd-key-1");
    let (status, why) = denied(verifier.authenticate(&sign(&ec, &voucher_claims())).await);
    assert_eq!((status, why.contains("algorithm")), (401, true), "{why}");
}

#[tokio::test]
async fn pdnds_key_rotation_needs_no_restart() {
    let (old, keys, verifier, _pdnd) = setup().await;
    let before = sign(&old, &voucher_claims());
    ok(verifier.authenticate(&before).await);

    let new = rsa_key("pdnd-key-2");
    if let Ok(mut keys) = keys.lock() {
        *keys = vec![new.public.clone()];
    }
    ok(verifier.authenticate(&sign(&new, &voucher_claims())).await);
    let (status, _) = denied(verifier.authenticate(&before).await);
    assert_eq!(status, 401, "the removed key's voucher");
}

#[tokio::test]
async fn an_unreachable_pdnd_is_a_503_until_its_keys_are_known_then_they_keep_serving() {
    // Nothing listens there: no key can be known.
    let port = ok(std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr())).port();
    let nowhere = verifier(&format!("http://127.0.0.1:{port}/.well-known/jwks.json"));
    let key = rsa_key("pdnd-key-1");
    match nowhere.authenticate(&sign(&key, &voucher_claims())).await {
        Err(ApiError::Unavailable { .. }) => {}
        other => panic!("expected a 503, got {other:?}"),
    }

    // Keys always stale: every voucher asks PDND again; while it is down, the last keys serve.
    let keys = Arc::new(Mutex::new(vec![key.public.clone()]));
    let pdnd = jwks_server(keys.clone()).await;
    let verifier = verifier_with(
        &jwks_url(&pdnd),
        &[("auth.pdnd.jwks_max_age_secs", "0".to_owned())],
    );
    ok(verifier.authenticate(&sign(&key, &voucher_claims())).await);
    if let Ok(mut keys) = keys.lock() {
        keys.push(Value::Null);
    }
    ok(verifier.authenticate(&sign(&key, &voucher_claims())).await);
}

#[tokio::test]
async fn over_http_a_denied_voucher_is_a_problem_and_a_bound_one_acts_for_its_body() {
    let key = rsa_key("pdnd-key-1");
    let pdnd = jwks_server(Arc::new(Mutex::new(vec![key.public.clone()]))).await;
    let overrides = [
        ("auth.pdnd.issuer", ISSUER.to_owned()),
        ("auth.pdnd.jwks_url", jwks_url(&pdnd)),
        ("auth.pdnd.audience", AUDIENCE.to_owned()),
        ("auth.pdnd.bindings", format!("{PURPOSE}/{CLIENT}=048017")),
    ];
    let app = ok(apq_platform::testing::TestApp::spawn(&fixture::FIXTURE, &overrides).await);
    let body = json!({"cup": "D53G07000070002", "istat": "048017"});
    let call = |token: String| {
        let request = app.post("/v1/localisations").bearer_auth(token).json(&body);
        async move {
            let response = ok(request.send().await);
            let status = response.status().as_u16();
            let kind = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let problem: Value = response.json().await.unwrap_or_default();
            (status, kind, problem)
        }
    };

    let mut unbound = voucher_claims();
    unbound["purposeId"] = json!(OTHER_PURPOSE);
    let (status, kind, problem) = call(sign(&key, &unbound)).await;
    assert_eq!(status, 403, "{problem}");
    assert_eq!(kind, "application/problem+json");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("not bound"),
        "{problem}"
    );

    let mut expired = voucher_claims();
    expired["exp"] = json!(now() - 60);
    let (status, kind, problem) = call(sign(&key, &expired)).await;
    assert_eq!(
        (status, kind.as_str()),
        (401, "application/problem+json"),
        "{problem}"
    );

    // Bound: authenticated as the body (role ente), so this admin-only operation is a 403 for
    // want of the role, not of the voucher.
    let (status, _, problem) = call(sign(&key, &voucher_claims())).await;
    assert_eq!(status, 403, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("roles"),
        "{problem}"
    );
}
