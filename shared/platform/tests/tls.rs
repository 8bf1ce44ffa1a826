//! Outbound TLS on rustls: a local HTTPS server whose certificate is signed by a CA made in the
//! test. The peer client (and the blocking client of the OTLP exporter) trusts that CA through
//! `tls.ca_file` and gets the server's answer; without it, or trusting another CA, it refuses.

use std::path::PathBuf;

use apq_platform::client::{PeerClient, PeerError};
use apq_platform::settings::{Settings, TlsSettings};
use apq_platform::testing::tls::TestCa;

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

async fn https_server(ca: &TestCa) -> String {
    ok(ca.https_server(r#"{"tls":"ok"}"#).await)
}

fn peer_settings(base_url: &str, ca_file: Option<&PathBuf>) -> Settings {
    let mut overrides = vec![("peers.tlspeer.base_url", base_url.to_owned())];
    overrides.push(("peers.tlspeer.timeout_ms", "5000".to_owned()));
    overrides.push(("peers.tlspeer.connect_timeout_ms", "5000".to_owned()));
    if let Some(path) = ca_file {
        overrides.push(("tls.ca_file", path.display().to_string()));
    }
    ok(Settings::with_overrides("agreements", &overrides))
}

#[tokio::test]
async fn the_peer_client_trusts_the_ca_of_the_settings() {
    let ca = ok(TestCa::new("APQ test CA"));
    let url = https_server(&ca).await;
    let settings = peer_settings(&url, Some(&ca.pem_path));
    let client = ok(PeerClient::from_settings(&settings, "tlspeer"));
    let answer: serde_json::Value = ok(client.get("/v1/ping", None).await);
    assert_eq!(answer, serde_json::json!({"tls": "ok"}));
}

#[tokio::test]
async fn the_peer_client_refuses_a_server_it_does_not_trust() {
    let ca = ok(TestCa::new("APQ test CA"));
    let url = https_server(&ca).await;

    // Only the system's roots: the test CA is unknown.
    let client = ok(PeerClient::from_settings(
        &peer_settings(&url, None),
        "tlspeer",
    ));
    let refused = client.get::<serde_json::Value>("/v1/ping", None).await;
    assert!(
        matches!(refused, Err(PeerError::Unavailable { .. })),
        "{refused:?}"
    );

    // Another CA trusted: still refused.
    let other = ok(TestCa::new("another CA"));
    let settings = peer_settings(&url, Some(&other.pem_path));
    let client = ok(PeerClient::from_settings(&settings, "tlspeer"));
    let refused = client.get::<serde_json::Value>("/v1/ping", None).await;
    assert!(
        matches!(refused, Err(PeerError::Unavailable { .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn the_blocking_client_of_the_otlp_exporter_trusts_the_same_ca() {
    let ca = ok(TestCa::new("APQ test CA"));
    let url = https_server(&ca).await;
    let trusting = TlsSettings {
        ca_file: Some(ca.pem_path.clone()),
        https_only: true,
    };
    let untrusting = TlsSettings {
        ca_file: None,
        https_only: true,
    };
    let timeout = std::time::Duration::from_secs(5);
    let (trusted, refused) = ok(tokio::task::spawn_blocking(move || {
        let get = |tls: &TlsSettings| {
            apq_platform::tls::blocking_client(tls, timeout)
                .and_then(|client| Ok(client.get(format!("{url}/v1/traces")).send()?.text()?))
        };
        let trusted = get(&trusting);
        let refused = get(&untrusting);
        (trusted, refused)
    })
    .await);
    assert_eq!(ok(trusted), r#"{"tls":"ok"}"#);
    assert!(refused.is_err());
}

#[test]
fn a_ca_file_that_is_not_pem_is_refused_at_start() {
    let dir = std::env::temp_dir().join(format!("apq-tls-{}", uuid::Uuid::new_v4()));
    ok(std::fs::create_dir_all(&dir));
    let path = dir.join("ca.pem");
    ok(std::fs::write(&path, "not a certificate"));
    let settings = peer_settings("https://127.0.0.1:1", Some(&path));
    let error = PeerClient::from_settings(&settings, "tlspeer").err();
    let _ = std::fs::remove_dir_all(&dir);
    let error = error.map(|e| e.to_string()).unwrap_or_default();
    assert!(error.contains("ca.pem"), "{error}");
}
