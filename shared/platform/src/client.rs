//! The typed clients of the four services are built on [`PeerClient`]: one reqwest client per
//! peer, with connect and request timeouts from the settings, the W3C trace context on every
//! call, and errors that become a 503 problem naming the peer rather than a hang or a 500.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::problem::{ApiError, Problem};
use crate::settings::{PeerSettings, Settings, TlsSettings};
use crate::telemetry::inject_trace_context;

#[derive(Clone, Debug)]
pub struct PeerClient {
    name: String,
    base_url: String,
    http: reqwest::Client,
}

#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// The peer could not be reached in time (down, slow, refused).
    #[error("the {peer} service is unavailable: {reason}")]
    Unavailable { peer: String, reason: String },
    /// The peer answered with an error status.
    #[error("the {peer} service answered {status}")]
    Status {
        peer: String,
        status: StatusCode,
        problem: Option<Problem>,
    },
    /// The peer's answer did not match its contract.
    #[error("the {peer} service sent an unexpected answer: {reason}")]
    Contract { peer: String, reason: String },
}

/// Whether an answer with `status` says the failure is passing (408, 429, 502-504): the one
/// rule every caller of another service (a peer client, the sync job) tries again by.
pub fn is_passing_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 502..=504)
}

impl PeerError {
    /// A failure that trying again soon may not meet: not a timeout, not an answer.
    fn is_passing(&self) -> bool {
        match self {
            PeerError::Unavailable { reason, .. } => reason != "timed out",
            PeerError::Status { status, .. } => is_passing_status(*status),
            PeerError::Contract { .. } => false,
        }
    }
}

impl From<PeerError> for ApiError {
    fn from(error: PeerError) -> Self {
        match error {
            PeerError::Unavailable { peer, .. } => {
                ApiError::unavailable(format!("the {peer} service"))
            }
            // A peer that is failing or shedding load (429) is unavailable for now: 503 naming it.
            PeerError::Status { peer, status, .. }
                if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS =>
            {
                ApiError::unavailable(format!("the {peer} service"))
            }
            PeerError::Status {
                peer,
                status,
                problem,
            } => ApiError::internal(anyhow::anyhow!(
                "the {peer} service refused our call with {status}: {problem:?}"
            )),
            // A peer whose answer cannot be read is as good as down: 503 naming it and the
            // field, never a default standing in for the figure.
            PeerError::Contract { peer, reason } => ApiError::unavailable(format!(
                "the {peer} service (its answer could not be read: {reason})"
            )),
        }
    }
}

impl PeerClient {
    /// A client for the peer `name`, over `http` or `https` (rustls; the system's CA store plus
    /// `tls.ca_file`).
    pub fn new(name: &str, settings: &PeerSettings, tls: &TlsSettings) -> anyhow::Result<Self> {
        let http = crate::tls::client_builder(tls)?
            .connect_timeout(Duration::from_millis(settings.connect_timeout_ms))
            .timeout(Duration::from_millis(settings.timeout_ms))
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("apq/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            name: name.to_owned(),
            base_url: settings.base_url.trim_end_matches('/').to_owned(),
            http,
        })
    }

    /// The client for the peer `name` as configured in `settings.peers`.
    pub fn from_settings(settings: &Settings, name: &str) -> anyhow::Result<Self> {
        Self::new(name, settings.peer(name)?, &settings.tls)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `GET path` and parse the JSON answer. A read is safe to repeat: one that failed for a
    /// passing reason (refused or reset connection, 408, 429, 502-504) is tried once more after a
    /// short pause; one that timed out is not (its time is already spent).
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        bearer: Option<&str>,
    ) -> Result<T, PeerError> {
        match self
            .call::<(), T>(Method::GET, path, None, bearer, &[])
            .await
        {
            Err(error) if error.is_passing() => {
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                self.call::<(), T>(Method::GET, path, None, bearer, &[])
                    .await
            }
            answer => answer,
        }
    }

    /// Sends `body` as JSON with `method` and parses the JSON answer.
    pub async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &B,
        bearer: Option<&str>,
    ) -> Result<T, PeerError> {
        self.call(method, path, Some(body), bearer, &[]).await
    }

    /// Like [`Self::send`], with extra headers (e.g. `If-Match`).
    pub async fn send_with<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &B,
        bearer: Option<&str>,
        headers: &[(&str, String)],
    ) -> Result<T, PeerError> {
        self.call(method, path, Some(body), bearer, headers).await
    }

    #[tracing::instrument(name = "peer call", skip(self, body, bearer, extra), fields(peer = %self.name, otel.kind = "client"))]
    async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        bearer: Option<&str>,
        extra: &[(&str, String)],
    ) -> Result<T, PeerError> {
        let mut headers = reqwest::header::HeaderMap::new();
        inject_trace_context(&mut headers);
        for (name, value) in extra {
            if let (Ok(name), Ok(value)) = (
                reqwest::header::HeaderName::from_bytes(name.as_bytes()),
                reqwest::header::HeaderValue::from_str(value),
            ) {
                headers.insert(name, value);
            }
        }
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            .headers(headers);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let unavailable = |e: reqwest::Error| PeerError::Unavailable {
            peer: self.name.clone(),
            reason: if e.is_timeout() {
                "timed out".to_owned()
            } else {
                e.to_string()
            },
        };
        let response = request.send().await.map_err(unavailable)?;
        let status = response.status();
        if !status.is_success() {
            let problem = response.json::<Problem>().await.ok();
            return Err(PeerError::Status {
                peer: self.name.clone(),
                status,
                problem,
            });
        }
        let bytes = response.bytes().await.map_err(unavailable)?;
        // The field that could not be read is named: a figure a rule depends on never goes
        // missing silently.
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(&mut deserializer).map_err(|e| PeerError::Contract {
            peer: self.name.clone(),
            reason: format!("field `{}`: {}", e.path(), e.inner()),
        })
    }
}
