//! The catalogue service: the e-government services the programme offers (the seed's
//! "Anagrafica del servizio" records), versioned, publicly readable and searchable.

mod budget;
pub mod dataset;
pub mod record;
/// The tables as `diesel print-schema` writes them from the migrations (`diesel.toml`; the
/// migrations test fails when they drift).
mod schema;
pub mod services;

use apq_domain::Role;
use apq_platform::Service;
use apq_platform::openapi::ApiInfo;
use utoipa_actix_web::service_config::ServiceConfig;

/// The catalogue service as the platform builds, tests and documents it.
pub static SERVICE: Service = Service {
    info: ApiInfo {
        name: "catalogue",
        port: 8082,
        title: "APQ Società dell'Informazione - Service catalogue",
        summary: "The e-government services the programme offers to Tuscan public bodies (Anagrafica del servizio).",
        description: "Part of the APQ suite of Regione Toscana (Accordo di Programma Quadro in materia di società dell'informazione, IV Atto Integrativo). The catalogue is public: anyone lists, searches and reads it; only admin changes it, and every change is a new version of the service's record, so an adhesion refers to the version it was made against. Errors are RFC 9457 problem details.",
    },
    routes,
    migrations: apq_platform::migrations!(),
    peers: &[],
    audit_readers: &AUDIT_READERS,
    dataset: Some(dataset::load),
    state: apq_platform::server::stateless,
};

/// Who reads the audit trail: the programme's administration, its auditors and the
/// responsabile dell'accordo.
const AUDIT_READERS: [Role; 3] = [Role::Admin, Role::Auditor, Role::ResponsabileAccordo];

/// The handlers under `/v1`.
fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(services::http::list)
        .service(services::http::get_one)
        .service(services::http::get_version)
        .service(services::http::create)
        .service(services::http::replace)
        .service(services::http::withdraw)
        .service(budget::http::get_budget)
        .service(apq_platform::inconsistencies::list)
        .service(apq_platform::audit::list);
}
