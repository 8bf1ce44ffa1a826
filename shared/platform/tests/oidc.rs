//! Identity from the Region's OpenID Connect provider, against a real one: panva's certified
//! `oidc-provider` (npm; `deploy/test` installs it into `.data/oidc`), started by the test from
//! `tests/oidc/provider.mjs` and issuing JWT access tokens with the client_credentials grant.
//! Its tokens are accepted with the provider's claims mapped to our roles and `ente` scope;
//! after it rotates its keys, a token signed with the new key is accepted by the running
//! service and one signed with the removed key is refused; a wrong issuer, audience or expiry
//! is refused.

mod fixture;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use apq_domain::Role;
use apq_platform::auth::JwtVerifier;
use apq_platform::testing::TestApp;
use apq_platform::{ApiError, Settings};
use fixture::FIXTURE;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The npm install of oidc-provider (`APQ_OIDC_MODULES`, default `.data/oidc/node_modules`).
fn modules() -> PathBuf {
    let modules = std::env::var_os("APQ_OIDC_MODULES")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".data/oidc/node_modules"));
    assert!(
        modules.join("oidc-provider/package.json").exists(),
        "oidc-provider is not installed in {}: run ./deploy/test, or \
         npm install --prefix .data/oidc oidc-provider@8",
        modules.display()
    );
    modules
}

fn free_port() -> u16 {
    let listener = ok(std::net::TcpListener::bind("127.0.0.1:0"));
    ok(listener.local_addr()).port()
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apq-oidc-{}", uuid::Uuid::new_v4()));
    ok(std::fs::create_dir_all(&dir));
    dir
}

/// A running oidc-provider process.
struct Provider {
    child: Child,
    issuer: String,
}

impl Provider {
    /// Starts the provider on `port` with the private JWKS in `keys` (made if missing).
    async fn start(port: u16, keys: &Path) -> Self {
        let mut child = ok(Command::new("node")
            .arg(repo().join("tests/oidc/provider.mjs"))
            .env("OIDC_MODULES", modules())
            .env("OIDC_PORT", port.to_string())
            .env("OIDC_KEYS", keys)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn());
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(Duration::from_secs(30), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(issuer) = line.strip_prefix("ready ") {
                    return Some(issuer.to_owned());
                }
            }
            None
        })
        .await;
        let issuer = match ready {
            Ok(Some(issuer)) => issuer,
            _ => panic!("oidc-provider did not start on port {port}"),
        };
        Self { child, issuer }
    }

    async fn stop(mut self) {
        let _ = self.child.kill().await;
    }

    /// An access token for `client` (client_credentials), meant for `service`.
    async fn token(&self, client: &str, service: &str) -> String {
        let response = ok(reqwest::Client::new()
            .post(format!("{}/token", self.issuer))
            .basic_auth(client, Some("secret"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "grant_type=client_credentials&scope=apq&resource=urn%3Aapq%3A{service}"
            ))
            .send()
            .await);
        let status = response.status();
        let body: serde_json::Value = ok(response.json().await);
        assert!(status.is_success(), "the provider refused: {body}");
        body["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no access token in {body}"))
            .to_owned()
    }
}

/// The OIDC settings of a Region whose provider puts groups in `groups`.
fn groups_settings(issuer: &str) -> Vec<(&'static str, String)> {
    vec![
        ("auth.oidc.issuer", issuer.to_owned()),
        ("auth.oidc.roles_claim", "groups".to_owned()),
        (
            "auth.oidc.role_map",
            "APQ-Amministratori=admin, APQ-Auditor=auditor".to_owned(),
        ),
        ("auth.oidc.jwks_min_refresh_secs", "0".to_owned()),
        ("auth.leeway_secs", "0".to_owned()),
    ]
}

fn verifier(service: &str, overrides: &[(&str, String)]) -> JwtVerifier {
    let settings = ok(Settings::with_overrides(service, overrides));
    ok(JwtVerifier::from_settings(&settings))
}

fn refused(result: Result<apq_platform::auth::Claims, ApiError>) -> String {
    match result {
        Err(ApiError::Unauthorized(why)) => why,
        other => panic!("expected a 401, got {other:?}"),
    }
}

#[tokio::test]
async fn a_token_from_the_regions_provider_is_accepted_with_its_claims_mapped() {
    let dir = temp_dir();
    let provider = Provider::start(free_port(), &dir.join("keys.json")).await;

    // A provider with groups (RS256 and EdDSA keys), no dev key configured.
    let groups = verifier("agreements", &groups_settings(&provider.issuer));
    let admin = ok(groups
        .authenticate(&provider.token("apq-admin", "agreements").await)
        .await);
    assert_eq!(admin.sub, "apq-admin");
    assert_eq!(admin.roles, vec![Role::Admin]);
    let auditor = ok(groups
        .authenticate(&provider.token("apq-eddsa", "agreements").await)
        .await);
    assert_eq!(auditor.roles, vec![Role::Auditor]);

    // A Keycloak-like provider: realm roles, and the body's IPA/ISTAT code in its own claim
    // (an ES256 key).
    let keycloak = verifier(
        "agreements",
        &[
            ("auth.oidc.issuer", provider.issuer.clone()),
            ("auth.oidc.roles_claim", "realm_access.roles".to_owned()),
            ("auth.oidc.role_map", "apq-ente=ente".to_owned()),
            ("auth.oidc.ente_claim", "ipa_code".to_owned()),
        ],
    );
    let ente = ok(keycloak
        .authenticate(&provider.token("apq-ente", "agreements").await)
        .await);
    assert_eq!(ente.roles, vec![Role::Ente]);
    assert_eq!(ente.ente.as_deref(), Some("048017"));

    // Provider values not in the map give no role.
    let unmapped = ok(keycloak
        .authenticate(&provider.token("apq-admin", "agreements").await)
        .await);
    assert!(unmapped.roles.is_empty());

    provider.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn after_a_key_rotation_the_running_service_accepts_the_new_key_and_refuses_the_removed_one()
{
    let dir = temp_dir();
    let port = free_port();
    let provider = Provider::start(port, &dir.join("keys-1.json")).await;
    let mut overrides = groups_settings(&provider.issuer);
    overrides.push(("auth.oidc.audience", "apq-catalogue".to_owned()));
    let app = ok(TestApp::spawn(&FIXTURE, &overrides).await);
    let body = serde_json::json!({"cup": "D53G07000070002", "istat": "048017"});
    let call = |token: String| {
        let request = app.post("/v1/localisations").bearer_auth(token).json(&body);
        async move { ok(request.send().await).status().as_u16() }
    };

    let old = provider.token("apq-admin", "catalogue").await;
    assert_eq!(call(old.clone()).await, 200, "a token of the provider");

    // The provider rotates: it restarts with a new key set, the old keys removed.
    provider.stop().await;
    let provider = Provider::start(port, &dir.join("keys-2.json")).await;
    let new = provider.token("apq-admin", "catalogue").await;
    assert_eq!(
        call(new.clone()).await,
        200,
        "a token signed with the new key, same running service"
    );
    assert_eq!(
        call(old).await,
        401,
        "a token signed with the removed key, remembered before the rotation"
    );
    assert_eq!(call(new).await, 200);

    // The dev key pair still works beside the provider.
    let dev = apq_platform::testing::token_with(&[Role::Admin]);
    assert_eq!(call(dev).await, 200);

    provider.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_unknown_kid_refetches_the_keys_at_most_once_per_interval() {
    let dir = temp_dir();
    let port = free_port();
    let provider = Provider::start(port, &dir.join("keys-1.json")).await;
    let mut overrides = groups_settings(&provider.issuer);
    overrides.push(("auth.oidc.jwks_min_refresh_secs", "3600".to_owned()));
    let verifier = verifier("agreements", &overrides);
    ok(verifier
        .authenticate(&provider.token("apq-admin", "agreements").await)
        .await);

    provider.stop().await;
    let provider = Provider::start(port, &dir.join("keys-2.json")).await;
    let new = provider.token("apq-admin", "agreements").await;
    // The keys were fetched moments ago: the unknown kid does not refetch yet.
    let why = refused(verifier.authenticate(&new).await);
    assert!(why.contains("signing key"), "{why}");

    provider.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_wrong_issuer_audience_or_expiry_is_refused() {
    let dir = temp_dir();
    let provider = Provider::start(free_port(), &dir.join("keys.json")).await;
    // Another provider with the very same keys, under another issuer.
    let impostor = Provider::start(free_port(), &dir.join("keys.json")).await;
    let verifier = verifier("agreements", &groups_settings(&provider.issuer));

    let why = refused(
        verifier
            .authenticate(&impostor.token("apq-admin", "agreements").await)
            .await,
    );
    assert!(why.contains("issuer"), "{why}");

    let why = refused(
        verifier
            .authenticate(&provider.token("apq-admin", "monitoring").await)
            .await,
    );
    assert!(why.contains("not meant for this service"), "{why}");

    let brief = provider.token("apq-brief", "agreements").await;
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let why = refused(verifier.authenticate(&brief).await);
    assert!(why.contains("expired"), "{why}");

    // A token re-signed by someone else with the provider's kid.
    let good = provider.token("apq-admin", "agreements").await;
    let mut parts: Vec<&str> = good.split('.').collect();
    let other = provider.token("apq-brief", "agreements").await;
    let forged_signature = other.rsplit('.').next().unwrap_or_default().to_owned();
    parts[2] = &forged_signature;
    let why = refused(verifier.authenticate(&parts.join(".")).await);
    assert!(why.contains("signature"), "{why}");

    impostor.stop().await;
    provider.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
