//! The agreements service: the register of the APQ: accordo, atti integrativi, sections,
//! interventi with their costs and financing, activities, responsible persons, tranche plans,
//! and the decisions of the Tavolo dei sottoscrittori.

mod access;
mod activities;
mod acts;
mod atti;
pub mod dataset;
mod financing;
mod interventi;
pub mod model;
mod persons;
mod revocations;
/// The tables as `diesel print-schema` writes them from the migrations (`diesel.toml`; the
/// migrations test fails when they drift).
mod schema;
mod tavole;
mod tavolo;
pub mod tranche_plan;
mod tranches;

use apq_domain::Role;
use apq_platform::Service;
use apq_platform::openapi::ApiInfo;
use utoipa_actix_web::service_config::ServiceConfig;

/// The agreements service as the platform builds, tests and documents it.
pub static SERVICE: Service = Service {
    info: ApiInfo {
        name: "agreements",
        port: 8081,
        title: "APQ Società dell'Informazione - Agreements",
        summary: "The register of the APQ: atti integrativi, sections, interventions, costs, financing, tranches, Tavolo decisions.",
        description: "Part of the APQ suite of Regione Toscana (Accordo di Programma Quadro in materia di società dell'informazione, IV Atto Integrativo). Errors are RFC 9457 problem details; collections are cursor-paginated; updates use ETag / If-Match; creations accept Idempotency-Key. The register is public: anyone reads it; only admin and responsabile_accordo change it, and a responsabile_intervento changes the activities of their interventi.",
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
    cfg.service(atti::http::list_accordi)
        .service(atti::http::list_atti)
        .service(atti::http::get_atto)
        .service(atti::http::create_atto)
        .service(atti::http::update_atto)
        .service(tavole::http::get_tavole)
        .service(interventi::http::list)
        .service(interventi::http::get_one)
        .service(interventi::http::create)
        .service(interventi::http::update)
        .service(financing::http::put_plan)
        .service(financing::http::get_cost_table)
        .service(financing::http::put_cost_table)
        .service(financing::http::summary)
        .service(tranches::http::list)
        .service(tranches::http::plan)
        .service(tranches::http::transition)
        .service(tranches::http::history)
        .service(revocations::http::create)
        .service(acts::http::not_activate)
        .service(acts::http::approve_progetto_esecutivo)
        .service(activities::http::list)
        .service(activities::http::create)
        .service(activities::http::update)
        .service(tavolo::http::create)
        .service(tavolo::http::list)
        .service(tavolo::http::invite)
        .service(tavolo::http::agree)
        .service(tavolo::http::list_conciliations)
        .service(persons::http::list)
        .service(persons::http::create)
        .service(apq_platform::inconsistencies::list)
        .service(apq_platform::audit::list);
}
