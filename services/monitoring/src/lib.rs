//! The monitoring service: Semestral monitoring, progress (SAL), deadlines and defaults, tranche eligibility, the monitoring report and the Applicativo Intese feed.

use apq_platform::openapi::ApiInfo;
use apq_platform::{AppState, Service, Settings};
use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use utoipa_actix_web::service_config::ServiceConfig;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The monitoring service as the platform builds, tests and documents it.
pub static SERVICE: Service = Service {
    info: ApiInfo {
        name: "monitoring",
        title: "APQ Società dell'Informazione - Monitoring",
        summary: "Semestral monitoring, progress (SAL), deadlines and defaults, tranche eligibility, the monitoring report and the Applicativo Intese feed.",
        description: "Part of the APQ suite of Regione Toscana (Accordo di Programma Quadro in materia di società dell'informazione, IV Atto Integrativo). Errors are RFC 9457 problem details; collections are cursor-paginated; updates use ETag / If-Match.",
    },
    routes,
    migrations: || MIGRATIONS,
    migrations_dir: concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"),
    dataset: None,
    state,
};

/// The handlers under `/v1`.
fn routes(_cfg: &mut ServiceConfig<'_>) {}

/// The application data the handlers need beyond the platform's.
fn state(_settings: &Settings) -> anyhow::Result<AppState> {
    Ok(AppState::new())
}

/// Builds the monitoring service from its settings.
pub async fn build(settings: Settings) -> anyhow::Result<apq_platform::Application> {
    SERVICE.build(settings).await
}
