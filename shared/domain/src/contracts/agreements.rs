//! What the agreements service answers and its peers read: the atti integrativi, the
//! intervento, its activities, its money (the financial summary and its financing sources),
//! its tranches and their plan.
//!
//! Money is [`Euro`] (`{"amount": "1892850.00", "currency": "EUR"}` in JSON), a share is
//! [`Percent`] (a decimal string, `"50.00"`). The schemas (names, descriptions, formats) are
//! those of the committed `openapi/agreements.json`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{Cup, Euro, Percent};

crate::text_enum!(
    /// Whether an atto integrativo is signed.
    AttoStatus { Draft = "draft", Signed = "signed", Closed = "closed" }
);

/// An atto integrativo of the accordo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Atto {
    pub id: Uuid,
    pub accordo_id: Uuid,
    #[schema(format = Int32)]
    pub number: i32,
    pub title: String,
    pub signed_on: Option<NaiveDate>,
    pub signatories: Vec<String>,
    pub status: AttoStatus,
    pub source_ref: Option<String>,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AttoList {
    pub items: Vec<Atto>,
}

crate::text_enum!(
    /// The call an intervento was financed under, which sets its co-financing cap and tranche plan.
    Kind { Ali = "ali", Riuso = "riuso" }
);

crate::text_enum!(
    /// The two sections of an atto integrativo.
    Sezione { Attuativa = "attuativa", Programmatica = "programmatica" }
);

crate::text_enum!(
    /// Where an intervento stands in the register.
    InterventoState {
        Active = "active",
        Cancelled = "cancelled",
        Revoked = "revoked",
        Completed = "completed",
        /// Not activated: an intervento of the sezione programmatica the Regione, by a motivated
        /// act, does not implement (art. 5.7).
        NotActivated = "not_activated",
    }
);

crate::text_enum!(
    /// Who contributes a financing source (Tavola 2 groups by it).
    Contributor { Stato = "stato", RegioneToscana = "regione_toscana", Eell = "eell", Altro = "altro" }
);

crate::text_enum!(
    /// The life of a tranche.
    TrancheState {
        Planned = "planned",
        Eligible = "eligible",
        Requested = "requested",
        Paid = "paid",
        Revoked = "revoked",
    }
);

/// CNIPA's approval of the progetto esecutivo (art. 5.4, 5.5.a), recorded as its act: the date,
/// the act and who made it, and who recorded it. A date recorded before the act was (an older
/// version of the register kept only the date) has no act, and releases no tranche.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProgettoEsecutivoApproval {
    pub approved_on: NaiveDate,
    /// CNIPA's act (absent only for a date recorded before acts were).
    pub act_ref: Option<String>,
    /// Who made the approval (the office the act names).
    pub approved_by: Option<String>,
    /// Who recorded it in the register.
    pub recorded_by: Option<String>,
}

/// The Regione's motivated act not to activate an intervento of the sezione programmatica
/// (art. 5.7: technical or administrative difficulties that prevent its activation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NonActivation {
    pub decided_on: NaiveDate,
    /// The Regione's act (delibera, decreto).
    pub act_ref: String,
    /// The technical or administrative difficulties that prevent the activation.
    pub motivation: String,
    pub recorded_by: String,
}

/// The technical-administrative maturity that allows the passage to the sezione attuativa
/// (art. 5.4): reuse agreements formalised and progetto esecutivo validated by CNIPA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Maturity {
    pub reuse_agreements_formalised_on: Option<NaiveDate>,
    pub progetto_esecutivo_validated_on: Option<NaiveDate>,
    /// CNIPA's approval of the progetto esecutivo with its act, when recorded.
    pub progetto_esecutivo: Option<ProgettoEsecutivoApproval>,
    /// Both steps are recorded.
    pub mature: bool,
}

/// An intervento as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Intervento {
    pub id: Uuid,
    pub atto_id: Uuid,
    pub code: String,
    pub title: String,
    pub kind: Kind,
    pub sezione: Sezione,
    pub state: InterventoState,
    pub cup: Option<Cup>,
    pub localisation: Option<String>,
    pub objective: Option<String>,
    pub soggetti_coinvolti: Option<String>,
    pub economic_social_impact: Option<String>,
    pub activities_and_services: Option<String>,
    pub financing_description: Option<String>,
    pub phases_financed: Option<String>,
    pub activation_mode: Option<String>,
    pub administrative_steps: Option<String>,
    pub design_level: Option<String>,
    pub total_cost: Euro,
    pub cnipa_cofinancing: Euro,
    /// CNIPA's co-financing as a share of the cost.
    pub cofinancing_share: Option<Percent>,
    /// The most CNIPA may co-finance, as a share of the cost (50% ALI, 40% RIUSO).
    pub cofinancing_cap: Percent,
    pub maturity: Maturity,
    /// When the intervento started (the ALI's start, from which the catalogue's relative
    /// go-lives count), once recorded.
    pub started_on: Option<NaiveDate>,
    /// The Regione's motivated act of non-activation (art. 5.7), when the state is
    /// `not_activated`.
    pub non_activation: Option<NonActivation>,
    /// Where the seed says it (line references).
    pub source_ref: Option<String>,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::text_enum!(
    /// The cost categories of cost tables and activity sheets.
    CostCategory {
        Hardware = "hardware",
        AcquisizioneSoftware = "acquisizione_software",
        SviluppoSoftware = "sviluppo_software",
        ServiziProfessionali = "servizi_professionali",
        CostiGenerali = "costi_generali",
        CostiInterni = "costi_interni",
        Formazione = "formazione",
    }
);

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ActivityCost {
    pub category: CostCategory,
    #[schema(value_type = crate::NonNegativeEuro)]
    pub amount: Euro,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Activity {
    pub id: Uuid,
    pub intervento_id: Uuid,
    /// e.g. "A3-1": phase 3, service 1.
    pub code: String,
    pub phase: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    /// The dates as the seed writes them (e.g. "Svolta nell'anno 2003"), kept where they are
    /// not a date range.
    pub dates_as_written: Option<String>,
    pub responsible: Option<String>,
    pub profiles: Option<String>,
    pub products: Option<String>,
    pub validation_criteria: Option<String>,
    /// The catalogue service it concerns (1-8), if any.
    #[schema(format = Int32)]
    pub service_number: Option<i32>,
    pub costs: Vec<ActivityCost>,
    pub total_cost: Euro,
    pub source_ref: Option<String>,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActivityList {
    pub items: Vec<Activity>,
    /// The activities' costs added up, and the intervento's cost: the seed's sheets add up to
    /// more than the intervento (the management model, A8), so both are shown.
    pub total_cost: Euro,
    pub intervento_cost: Euro,
}

/// One source of the financing plan (a Tavola 1 line).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FinancingSource {
    pub contributor: Contributor,
    /// The Tavola 1 heading, e.g. "II Fase e-Gov Linea 3".
    #[schema(pattern = "\\S")]
    pub heading: String,
    /// The Tavola 2 legal basis, e.g. "L. 289/2002 / D.M. 14 ottobre 2003 - II Fase e-Gov Linea 3".
    pub legal_basis: String,
    #[schema(value_type = crate::NonNegativeEuro)]
    pub amount: Euro,
    /// This source is CNIPA's co-financing (counted against the cap).
    pub cnipa: bool,
    #[serde(default)]
    pub source_ref: Option<String>,
}

/// What releases a tranche, in a form the monitoring service evaluates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TrancheCondition {
    /// The condition as the agreement words it.
    pub text: String,
    /// CNIPA has approved the Piano di monitoraggio.
    pub requires_plan_approved: bool,
    /// CNIPA has approved the progetto esecutivo.
    pub requires_progetto_esecutivo: bool,
    /// The SAL verification (1st, 2nd) that releases it.
    #[schema(format = Int32)]
    pub sal_verification: Option<i32>,
    /// The SAL, as a share of the activities' value, it needs.
    pub sal_threshold: Option<Percent>,
    /// The share of adhering comuni with signed commitments it needs.
    pub adhesion_share_threshold: Option<Percent>,
    /// Months of verified service operation it needs.
    #[schema(format = Int32)]
    pub months_of_operation: Option<i32>,
    /// The intervento's catalogue services usable: each active and past its go-live.
    pub requires_services_usable: bool,
    /// The admissibility requirements still hold (a recorded verification with date, act and who).
    pub requires_admissibility: bool,
    /// The project's completion recorded.
    pub requires_completion: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Tranche {
    pub id: Uuid,
    pub intervento_id: Uuid,
    #[schema(format = Int32)]
    pub seq: i32,
    pub share: Percent,
    pub amount: Euro,
    pub condition: TrancheCondition,
    pub state: TrancheState,
    /// The states it may move to next.
    pub next_states: Vec<TrancheState>,
    #[schema(format = Int64)]
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TrancheList {
    pub items: Vec<Tranche>,
}

/// An intervento's tranche plan with what the register says of the intervento's maturity: what
/// the monitoring service judges the release conditions against, in one read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TranchePlan {
    pub intervento_id: Uuid,
    pub intervento_code: String,
    pub kind: Kind,
    /// When CNIPA validated the progetto esecutivo (a tranche may require it).
    pub progetto_esecutivo_validated_on: Option<NaiveDate>,
    /// CNIPA's approval of the progetto esecutivo with its act (the first RIUSO tranche needs
    /// it recorded with its act).
    #[serde(deserialize_with = "required")]
    pub progetto_esecutivo: Option<ProgettoEsecutivoApproval>,
    /// The intervento's CUP: absent until recorded (art. 7.2.h: at the first monitoring).
    #[serde(deserialize_with = "required")]
    pub cup: Option<Cup>,
    /// When the intervento started: the catalogue's relative go-lives count from it.
    pub started_on: Option<NaiveDate>,
    /// The intervento's state in the register (active, cancelled, revoked, completed).
    pub state: InterventoState,
    /// The co-financing as it stands.
    pub cnipa_cofinancing: Euro,
    /// The most CNIPA may co-finance, as a share of the actual cost (art. 4.3: 50% ALI; art.
    /// 5.5: 40% RIUSO).
    pub cofinancing_cap: Percent,
    /// The tranches, in order.
    pub tranches: Vec<Tranche>,
}

// A change of state of a tranche, as `GET /v1/tranches/{id}/transitions` lists it (no doc
// comment: it would become the schema's description).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Transition {
    #[schema(format = Int64)]
    pub id: i64,
    pub tranche_id: Uuid,
    pub from_state: String,
    pub to_state: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub reason: String,
    pub act_ref: Option<String>,
    pub evaluation: Option<serde_json::Value>,
    /// The day the change took effect (for `paid`, the day the State paid).
    pub effective_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TransitionList {
    pub items: Vec<Transition>,
}

// A decision of the Tavolo dei sottoscrittori (art. 6.1), as `GET /v1/tavolo-decisions` lists it
// and `POST /v1/tavolo-decisions` answers it (no doc comment: it would become the schema's
// description).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Decision {
    pub id: Uuid,
    pub atto_id: Uuid,
    pub intervento_id: Option<Uuid>,
    pub kind: String,
    pub decided_on: NaiveDate,
    pub verbale_ref: Option<String>,
    pub summary: String,
    /// The effect as decided.
    pub payload: serde_json::Value,
    pub actor: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DecisionList {
    pub items: Vec<Decision>,
}

/// The money of an intervento at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FinancialSummary {
    pub intervento_id: Uuid,
    pub code: String,
    pub total_cost: Euro,
    pub sources: Vec<FinancingSource>,
    pub cnipa_cofinancing: Euro,
    pub cofinancing_share: Option<Percent>,
    pub cofinancing_cap: Percent,
    pub tranches: Vec<Tranche>,
    pub tranches_paid: Euro,
    /// Planned, eligible or requested: what CNIPA still owes.
    pub tranches_due: Euro,
}

/// An `Option` field the answer must carry (null allowed, absence refused): serde's default
/// reads a missing `Option` as `None`, which would read a peer that omits it as "not recorded".
fn required<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer)
}
