//! The monitoring service: semesters and their deadlines, the schede (SAL, commitments,
//! payments, activities), indicators and verified operation, defaults, tranche eligibility
//! across the services, the Rapporto di monitoraggio, and the Applicativo Intese feed.

mod access;
mod calendar;
mod costs;
pub mod dataset;
pub mod deadlines;
mod defaults;
mod delivery;
mod eligibility;
mod feed;
mod indicators;
pub mod iter;
mod lists;
mod movements;
mod national;
mod obligations;
pub mod peers;
pub mod projects;
pub mod puc;
mod report;
mod schede;
/// The tables as `diesel print-schema` writes them from the migrations (`diesel.toml`; the
/// migrations test fails when they drift).
mod schema;
mod transmissions;
mod verifications;

use actix_web::web;
use apq_domain::Role;
use apq_platform::client::PeerClient;
use apq_platform::openapi::ApiInfo;
use apq_platform::settings::Peer;
use apq_platform::{AppState, Service, Settings};
use utoipa_actix_web::service_config::ServiceConfig;

pub use feed::{
    AcknowledgementBatch, FeedItem, FeedPage, MAX_BATCH, NewAcknowledgement,
    NewAcknowledgementBatch, Outcome,
};

/// The monitoring service as the platform builds, tests and documents it.
pub static SERVICE: Service = Service {
    info: ApiInfo {
        name: "monitoring",
        port: 8084,
        title: "APQ Società dell'Informazione - Monitoring",
        summary: "Semestral monitoring, progress (SAL), deadlines and defaults, tranche eligibility, the monitoring report and the Applicativo Intese feed.",
        description: "Part of the APQ suite of Regione Toscana (Accordo di Programma Quadro in materia di società dell'informazione, IV Atto Integrativo). Turns the APQ's monitoring obligations (art. 4-8) into a calendar and a verifiable record, evaluates tranche eligibility with live data from the agreements, catalogue and adhesion services (every condition of art. 4.2 and 5.5, none failing open), and feeds the Applicativo Intese. Errors are RFC 9457 problem details; a peer service that does not answer gives 503 naming it.",
    },
    routes,
    migrations: apq_platform::migrations!(),
    peers: &PEERS,
    audit_readers: &AUDIT_READERS,
    dataset: Some(dataset::load),
    state,
};

/// The services this one calls, where a developer's machine runs them (`./deploy/run`).
const PEERS: [Peer; 3] = [
    Peer {
        name: "agreements",
        default_url: "http://127.0.0.1:8081",
    },
    Peer {
        name: "adhesion",
        default_url: "http://127.0.0.1:8083",
    },
    Peer {
        name: "catalogue",
        default_url: "http://127.0.0.1:8082",
    },
];

/// Who reads the audit trail: the programme's administration, its auditors and the
/// responsabile dell'accordo.
const AUDIT_READERS: [Role; 3] = [Role::Admin, Role::Auditor, Role::ResponsabileAccordo];

/// The handlers under `/v1`.
fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(calendar::semester)
        .service(calendar::calendar)
        .service(calendar::fulfil)
        .service(schede::list)
        .service(schede::create)
        .service(schede::get_one)
        .service(schede::update)
        .service(schede::history)
        .service(schede::review)
        .service(indicators::http::list)
        .service(indicators::http::measure)
        .service(indicators::http::define)
        .service(delivery::computation)
        .service(indicators::http::record_operation)
        .service(indicators::http::list_operation)
        .service(defaults::list)
        .service(defaults::detect)
        .service(defaults::act)
        .service(eligibility::http::get)
        .service(eligibility::http::mark)
        .service(verifications::http::create)
        .service(verifications::http::list)
        .service(report::json)
        .service(report::document)
        .service(report::issue)
        .service(report::list_issues)
        .service(report::get_issue)
        .service(report::issue_document)
        .service(report::verify_issue)
        .service(movements::create_impegno)
        .service(movements::list_impegni)
        .service(movements::create_pagamento)
        .service(movements::list_pagamenti)
        .service(iter::http::create)
        .service(iter::http::list)
        .service(iter::http::update)
        .service(projects::create)
        .service(projects::list)
        .service(projects::update)
        .service(projects::add_soggetto)
        .service(projects::list_soggetti)
        .service(projects::update_soggetto)
        .service(costs::create_year)
        .service(costs::list_plan)
        .service(costs::update_year)
        .service(costs::create_economy)
        .service(costs::list_economies)
        .service(costs::update_economy)
        // Before the preview: `/puc/{semester}` would take `/puc/transmissions` and `/puc/errors`.
        .service(transmissions::create_transmission)
        .service(transmissions::list_transmissions)
        .service(transmissions::get_transmission)
        .service(transmissions::transmission_file)
        .service(transmissions::respond)
        .service(transmissions::list_errors)
        .service(national::preview)
        .service(feed::http::feed)
        .service(feed::http::acknowledge)
        .service(feed::http::acknowledge_batch)
        .service(feed::http::list_acknowledgements)
        .service(apq_platform::inconsistencies::list)
        .service(apq_platform::audit::list);
}

fn state(settings: &Settings) -> anyhow::Result<AppState> {
    let agreements = peers::Agreements(PeerClient::from_settings(settings, "agreements")?);
    let adhesion = peers::Adhesion(PeerClient::from_settings(settings, "adhesion")?);
    let catalogue = peers::Catalogue(PeerClient::from_settings(settings, "catalogue")?);
    Ok(AppState::new()
        .with(web::Data::new(agreements))
        .with(web::Data::new(adhesion))
        .with(web::Data::new(catalogue)))
}
