//! The adhesion service: the public bodies (every Italian comune, the provinces, the Regione,
//! aggregations with their members) and their adhesion to the catalogue's services.

mod access;
mod adherents;
mod adhesions;
pub mod catalogue;
pub mod dataset;
mod enti;
mod export;
pub mod figures;
mod inconsistencies;
/// The tables as `diesel print-schema` writes them from the migrations (`diesel.toml`; the
/// migrations test fails when they drift).
mod schema;

use actix_web::web;
use apq_domain::Role;
use apq_platform::client::PeerClient;
use apq_platform::openapi::ApiInfo;
use apq_platform::settings::Peer;
use apq_platform::{AppState, Service, Settings};
use utoipa_actix_web::service_config::ServiceConfig;

/// The adhesion service as the platform builds, tests and documents it.
pub static SERVICE: Service = Service {
    info: ApiInfo {
        name: "adhesion",
        port: 8083,
        title: "APQ Società dell'Informazione - Bodies and adhesions",
        summary: "Italian public bodies and their adhesion to the programme's services: requested, signed, active, ceased.",
        description: "Part of the APQ suite of Regione Toscana (Accordo di Programma Quadro in materia di società dell'informazione, IV Atto Integrativo). The bodies registry is public (ISTAT / Openpolis data, CC BY 4.0). A body sees and changes only its own adhesions (an aggregation's operator also its members' adhesions through it); admin sees all; anonymous callers get aggregate figures and the open-data export. Adhesions are checked against the catalogue service. Errors are RFC 9457 problem details.",
    },
    routes,
    migrations: apq_platform::migrations!(),
    peers: &PEERS,
    audit_readers: &AUDIT_READERS,
    dataset: Some(dataset::load),
    state,
};

/// The services this one calls, where a developer's machine runs them (`./deploy/run`).
const PEERS: [Peer; 1] = [Peer {
    name: "catalogue",
    default_url: "http://127.0.0.1:8082",
}];

/// Who reads the audit trail: the programme's administration, its auditors and the
/// responsabile dell'accordo.
const AUDIT_READERS: [Role; 3] = [Role::Admin, Role::Auditor, Role::ResponsabileAccordo];

/// The handlers under `/v1`.
fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(enti::http::list)
        .service(enti::http::get_one)
        .service(enti::http::create_aggregation)
        .service(adhesions::http::of_body)
        .service(adhesions::http::create)
        .service(adhesions::http::get_one)
        .service(adhesions::http::transition)
        .service(adhesions::http::of_service)
        .service(adherents::http::create)
        .service(adherents::http::list)
        .service(adherents::http::commitments)
        .service(figures::http::get_figures)
        .service(export::json)
        .service(export::csv)
        .service(inconsistencies::list)
        .service(apq_platform::audit::list);
}

fn state(settings: &Settings) -> anyhow::Result<AppState> {
    let catalogue = catalogue::CatalogueClient(PeerClient::from_settings(settings, "catalogue")?);
    Ok(AppState::new().with(web::Data::new(catalogue)))
}
