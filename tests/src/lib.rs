//! The whole suite for end-to-end tests: the four services, each on a random port with its own
//! fresh database, wired to each other through their `peers` settings, talking real HTTP.

pub mod puc;

use apq_platform::Service;
use apq_platform::testing::TestApp;

/// The four services, in the order they are started (a service's peers start before it).
pub const SERVICES: [&Service; 4] = [
    &apq_catalogue::SERVICE,
    &apq_agreements::SERVICE,
    &apq_adhesion::SERVICE,
    &apq_monitoring::SERVICE,
];

/// Spawns `service` on a fresh database holding its shipped dataset.
pub async fn spawn_loaded(
    service: &'static Service,
    overrides: &[(&str, String)],
) -> anyhow::Result<TestApp> {
    let app = TestApp::spawn(service, overrides).await?;
    if let Some(load) = service.dataset {
        let mut conn = app.db.connect()?;
        load(&mut conn)?;
    }
    Ok(app)
}

/// One request to `app`: method, path, bearer token, `If-Match` version, JSON body; the status
/// and the JSON answer (`Null` when there is none).
pub async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    bearer: Option<&str>,
    if_match: Option<&serde_json::Value>,
    body: Option<serde_json::Value>,
) -> (reqwest::StatusCode, serde_json::Value) {
    let mut request = app.http.request(method, app.url(path));
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    if let Some(version) = if_match {
        request = request.header(
            "if-match",
            format!("\"{}\"", version.as_i64().unwrap_or(-1)),
        );
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => panic!("{path}: {error}"),
    };
    let status = response.status();
    (
        status,
        response.json().await.unwrap_or(serde_json::Value::Null),
    )
}

/// A GET to `app` with an optional bearer token: the status and the JSON answer.
pub async fn read(
    app: &TestApp,
    path: &str,
    bearer: Option<&str>,
) -> (reqwest::StatusCode, serde_json::Value) {
    call(app, reqwest::Method::GET, path, bearer, None, None).await
}

pub struct Suite {
    pub catalogue: TestApp,
    pub agreements: TestApp,
    pub adhesion: TestApp,
    pub monitoring: TestApp,
}

impl Suite {
    /// The four services on empty databases.
    pub async fn spawn() -> anyhow::Result<Self> {
        Self::spawn_with(false).await
    }

    /// The four services with their shipped datasets.
    pub async fn spawn_loaded() -> anyhow::Result<Self> {
        Self::spawn_with(true).await
    }

    async fn spawn_with(loaded: bool) -> anyhow::Result<Self> {
        let start = |service: &'static Service, mut overrides: Vec<(&'static str, String)>| async move {
            // The four services and the test client all call from 127.0.0.1, so every anonymous
            // call (the services' calls to each other among them) shares one address budget:
            // raised here; the limits have their own tests (shared/platform/tests/rate_limit.rs).
            overrides.push(("rate_limit.requests_per_window", "1000000".to_owned()));
            if loaded {
                spawn_loaded(service, &overrides).await
            } else {
                TestApp::spawn(service, &overrides).await
            }
        };
        let catalogue = start(&apq_catalogue::SERVICE, vec![]).await?;
        let agreements = start(
            &apq_agreements::SERVICE,
            vec![("peers.catalogue.base_url", catalogue.address.clone())],
        )
        .await?;
        let adhesion = start(
            &apq_adhesion::SERVICE,
            vec![
                ("peers.catalogue.base_url", catalogue.address.clone()),
                ("peers.agreements.base_url", agreements.address.clone()),
            ],
        )
        .await?;
        let monitoring = start(
            &apq_monitoring::SERVICE,
            vec![
                ("peers.catalogue.base_url", catalogue.address.clone()),
                ("peers.agreements.base_url", agreements.address.clone()),
                ("peers.adhesion.base_url", adhesion.address.clone()),
                ("peers.adhesion.timeout_ms", "4000".to_owned()),
                // The Rapporto reads the whole register and the catalogue: on a loaded test
                // machine (two cores, every test at once) that can take longer than
                // production's default.
                ("peers.agreements.timeout_ms", "15000".to_owned()),
                ("peers.catalogue.timeout_ms", "15000".to_owned()),
            ],
        )
        .await?;
        Ok(Self {
            catalogue,
            agreements,
            adhesion,
            monitoring,
        })
    }

    pub fn apps(&self) -> [(&'static str, &TestApp); 4] {
        [
            ("catalogue", &self.catalogue),
            ("agreements", &self.agreements),
            ("adhesion", &self.adhesion),
            ("monitoring", &self.monitoring),
        ]
    }
}
