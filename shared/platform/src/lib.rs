//! The plumbing the four APQ services share, so that each service is only domain code.
//!
//! - [`settings`]: layered settings (defaults, file, `APQ_*` environment), passed explicitly.
//! - [`db`]: the r2d2 pool, [`db::run_db`], migrations under an advisory lock.
//! - [`problem`]: RFC 9457 `application/problem+json` for every error ([`ApiError`]).
//! - [`extract`]: JSON, query and path extractors whose errors name the offending field.
//! - [`auth`]: JWT authentication as an extractor ([`Caller`]) and the role checks.
//! - [`http`]: request ids, access log, rate limits, CORS.
//! - [`health`]: `/status`, `/health/live`, `/health/ready`.
//! - [`client`]: the outbound HTTP client for service-to-service calls.
//! - [`tls`]: outbound TLS on rustls, with the extra trusted CA of the settings.
//! - [`telemetry`]: tracing, OpenTelemetry export and W3C trace context.
//! - [`openapi`]: the spec every service serves and commits, and the drift check.
//! - [`pagination`], [`concurrency`]: cursor pages, ETags.
//! - [`csv_export`]: CSV exports (the `csv` crate), cells guarded against formula injection.
//! - [`versioned`]: the one write path (If-Match, lock, compare, apply, bump, audit).
//! - [`server`]: [`Service`] and [`Application`], the one way a service is built and run.
//! - [`text_column`]: [`db_text_enum!`], a text enum that is a diesel `Text` column.
//! - [`devkeys`]: dev key pairs and tokens (the `apq` CLI).

pub mod audit;
pub mod auth;
pub mod client;
pub mod concurrency;
pub mod csv_export;
pub mod db;
pub mod devkeys;
pub mod extract;
pub mod health;
pub mod http;
pub mod idempotency;
pub mod inconsistencies;
pub mod jwks;
pub mod openapi;
pub mod pagination;
pub mod problem;
pub mod request_id;
/// The platform's own tables (in every service's database), as `diesel print-schema` writes
/// them (`diesel.toml`; the migrations test fails when they drift).
pub mod schema;
pub mod server;
pub mod settings;
pub mod telemetry;
pub mod text_column;
pub mod tls;
pub mod versioned;

#[cfg(feature = "testing")]
pub mod testing;

pub use auth::Caller;
pub use problem::{ApiError, FieldError};
pub use server::{AppState, Application, Service};
pub use settings::Settings;
