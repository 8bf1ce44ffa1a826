//! The adhesion as the API reads and writes it: the request and response types.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::rules::AdhesionState;

/// A step of the lifecycle: when, and the act that supports it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Step {
    pub on: NaiveDate,
    pub act_ref: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Adhesion {
    pub id: Uuid,
    pub ente_code: String,
    pub ente_name: String,
    #[schema(format = Int32)]
    pub service_number: i32,
    pub service_name: String,
    /// The sub-service (e.g. ITER.NET "consultazione"), if the adhesion is to one.
    pub sub_service: Option<String>,
    /// The catalogue version the adhesion was made against.
    #[schema(format = Int32)]
    pub service_version: i32,
    /// The aggregation it was made through (START is licensed per aggregation).
    pub via_aggregation: Option<String>,
    pub state: AdhesionState,
    pub requested: Step,
    pub commitment_signed: Option<Step>,
    pub activated: Option<Step>,
    pub ceased: Option<Step>,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A request to adhere.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAdhesion {
    /// The adhering body's code (a comune's ISTAT code).
    pub ente_code: String,
    #[schema(format = Int32, minimum = 1)]
    pub service_number: i32,
    /// A sub-service of the catalogue entry, if the adhesion is to one.
    #[serde(default)]
    pub sub_service: Option<String>,
    /// The aggregation the body adheres through, if any (it must be a member).
    #[serde(default)]
    pub via_aggregation: Option<String>,
    pub requested_on: NaiveDate,
    /// The act of the request (delibera, determina, protocol number).
    pub act_ref: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct IdPath {
    pub id: Uuid,
}

#[derive(Debug, Deserialize)]
pub struct ServicePath {
    pub number: i32,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StateFilter {
    pub state: Option<AdhesionState>,
    #[param(format = Int32)]
    pub service_number: Option<i32>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AdhesionList {
    pub items: Vec<Adhesion>,
}

/// A step in the lifecycle.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTransition {
    pub to: AdhesionState,
    pub on: NaiveDate,
    /// The act supporting the step (the signed commitment, the activation verbale...).
    pub act_ref: Option<String>,
}
