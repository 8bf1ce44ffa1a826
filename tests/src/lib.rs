//! The whole suite for end-to-end tests: the four services, each on a random port with its own
//! fresh database, wired to each other through their `peers` settings, talking real HTTP.

pub mod adhesions;
pub mod puc;
pub mod schede;

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

/// The suite with its shipped datasets, or the test stops saying why it could not start.
pub async fn loaded_suite() -> Suite {
    Suite::spawn_loaded()
        .await
        .unwrap_or_else(|e| panic!("cannot start the suite: {e:#}"))
}

/// A token of the responsabile di intervento who answers for `code`.
pub fn responsabile(code: &str) -> String {
    let mut request =
        apq_platform::devkeys::TokenRequest::new(vec![apq_domain::Role::ResponsabileIntervento]);
    request.interventi = vec![code.to_owned()];
    apq_platform::testing::token(&request)
}

/// An amount in euro as the API writes it (`"1892850.00"`).
pub fn euro(amount: &str) -> serde_json::Value {
    serde_json::json!({"amount": amount, "currency": "EUR"})
}

/// Records an event of `code` (`register`: impegni, pagamenti, phases...) as its responsabile;
/// the record made (201 asserted).
pub async fn record(
    monitoring: &TestApp,
    code: &str,
    register: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let path = format!("/v1/interventi/{code}/{register}");
    let bearer = responsabile(code);
    let (status, created) = call(
        monitoring,
        reqwest::Method::POST,
        &path,
        Some(&bearer),
        None,
        Some(body),
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{path}: {created}");
    created
}

/// The sync job's binary (`apq-intese-sync`), built beside the test binaries.
pub fn sync_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    exe.parent()
        .and_then(|deps| deps.parent())
        .map(|dir| dir.join("apq-intese-sync"))
        .unwrap_or_default()
}

/// The names of the files in `dir` ending with `extension` (e.g. `.json`), sorted.
pub fn files(dir: &std::path::Path, extension: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(extension))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}
