//! The adherents as the API reads and writes them: the request and response types.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::Queryable;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize)]
pub struct CodePath {
    pub code: String,
}

/// What the Atto declares of an intervento's adherents.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable)]
pub struct Declared {
    pub intervento_code: String,
    /// `comuni` or `amministrazioni`.
    pub unit: String,
    #[schema(format = Int32)]
    pub count: i32,
    /// How many have priority in the initial phase, where the Atto says.
    #[schema(format = Int32)]
    pub priority: Option<i32>,
    /// Where the Atto says it (seed lines).
    pub source_ref: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable)]
pub struct Adherent {
    pub id: Uuid,
    pub intervento_code: String,
    pub ente_code: String,
    pub ente_name: String,
    pub adhered_on: NaiveDate,
    /// The adhesion letter or delibera.
    pub act_ref: String,
    /// Among the bodies served first (CSTT-ALI: the 114 priority comuni).
    pub priority: bool,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

/// A body adheres to an intervento.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAdherent {
    /// The body's code (a comune's ISTAT code).
    pub ente_code: String,
    pub adhered_on: NaiveDate,
    /// The adhesion letter or delibera.
    #[schema(pattern = "\\S")]
    pub act_ref: String,
    /// Among the bodies served first in the initial phase.
    #[serde(default)]
    pub priority: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AdherentList {
    pub declared: Declared,
    #[schema(format = Int64)]
    pub registered: i64,
    #[schema(format = Int64)]
    pub registered_priority: i64,
    /// Registered and declared adherents differ: both figures.
    pub inconsistency: Option<String>,
    pub items: Vec<Adherent>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommitmentsQuery {
    /// The date the figures are computed at (default: today).
    pub as_of: Option<NaiveDate>,
    /// The intervento's own catalogue services, comma-separated numbers (e.g. `1,2,3`): only
    /// commitments to these count.
    #[param(pattern = "^0*[1-9][0-9]{0,8}(,0*[1-9][0-9]{0,8})*$")]
    pub services: Option<String>,
}

// The 30% rule's figure as adhesion answers it and the monitoring service reads it: the
// contract's type.
pub use apq_domain::contracts::adhesion::Commitments;
