//! The test harness (feature `testing`): a fresh database per test cloned from a migrated
//! template, apps spawned on random ports, dev tokens, and private PostgreSQL clusters for tests
//! that stop the database.

mod cluster;
mod database;
pub mod tls;

use std::sync::OnceLock;

use actix_web::dev::ServerHandle;
use apq_domain::Role;

pub use cluster::PrivateCluster;
pub use database::{TestDb, admin_url};

use crate::devkeys::{KeyPair, TokenRequest};
use crate::server::Service;
use crate::settings::{LogSettings, Settings, TlsSettings};

/// One key pair per test process: its public key is given to every spawned app.
pub fn keys() -> &'static KeyPair {
    static KEYS: OnceLock<KeyPair> = OnceLock::new();
    KEYS.get_or_init(|| match KeyPair::generate() {
        Ok(pair) => pair,
        Err(error) => panic!("cannot generate the test key pair: {error}"),
    })
}

/// Installs tracing once per test process (quiet unless `RUST_LOG` says otherwise).
pub fn init_telemetry() {
    static GUARD: OnceLock<Option<crate::telemetry::TelemetryGuard>> = OnceLock::new();
    GUARD.get_or_init(|| {
        let log = LogSettings {
            format: "pretty".to_owned(),
            filter: "warn".to_owned(),
        };
        let tls = TlsSettings {
            ca_file: None,
            https_only: false,
        };
        crate::telemetry::init("test", &log, &tls).ok()
    });
}

/// A token signed with the test key pair.
pub fn token(request: &TokenRequest) -> String {
    match keys().sign(&request.claims()) {
        Ok(token) => token,
        Err(error) => panic!("cannot sign a test token: {error}"),
    }
}

/// A token with these roles, for every service.
pub fn token_with(roles: &[Role]) -> String {
    token(&TokenRequest::new(roles.to_vec()))
}

/// A running service on a random port with its own fresh database.
pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub db: TestDb,
    pub settings: Settings,
    pub http: reqwest::Client,
    handle: ServerHandle,
}

impl TestApp {
    /// Spawns `service` on a fresh database, with extra settings `overrides`.
    pub async fn spawn(
        service: &'static Service,
        overrides: &[(&str, String)],
    ) -> anyhow::Result<Self> {
        let db = TestDb::create(service)?;
        Self::spawn_on(service, db, overrides).await
    }

    /// Spawns `service` on a database the test prepared (e.g. in a [`PrivateCluster`]).
    pub async fn spawn_on(
        service: &'static Service,
        db: TestDb,
        overrides: &[(&str, String)],
    ) -> anyhow::Result<Self> {
        init_telemetry();
        let mut all: Vec<(&str, String)> = vec![
            ("database.url", db.url.clone()),
            ("database.pool_size", "4".to_owned()),
            ("database.min_idle", "0".to_owned()),
            ("database.acquire_timeout_ms", "1500".to_owned()),
            ("server.port", "0".to_owned()),
            ("server.workers", "2".to_owned()),
            ("server.shutdown_timeout_secs", "1".to_owned()),
            ("auth.public_key_pem", keys().public_pem.clone()),
        ];
        all.extend(overrides.iter().cloned());
        let settings = Settings::with_overrides(service.defaults(), &all)?;
        let app = service.build(settings.clone()).await?;
        let port = app.port();
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        Ok(Self {
            address: format!("http://127.0.0.1:{port}"),
            port,
            db,
            settings,
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                .build()?,
            handle,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(self.url(path))
    }

    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.post(self.url(path))
    }

    /// Stops the server (gracefully), as a crash of the peer would look to its callers.
    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}
