//! The iter's request and response types.

use apq_platform::extract::patch as patch_field;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::queries::{PhaseRow, PlanChange};
use super::rules::{Delay, TC46};

/// A phase as the API shows it: its dates, its class and its earlier plans.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Phase {
    #[serde(flatten)]
    pub row: PhaseRow,
    /// Its name in the national table.
    pub name: String,
    pub delay: Delay,
    /// The plans it had before, oldest first.
    pub earlier_plans: Vec<PlanChange>,
}

/// The schema of a phase's code: the codes of TC46 as shipped.
pub struct Tc46Code;

impl utoipa::PartialSchema for Tc46Code {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("A phase of the national context table TC46"))
            .enum_values(Some(TC46.iter().map(|p| p.code.clone())))
            .into()
    }
}

impl utoipa::ToSchema for Tc46Code {}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPhase {
    /// The phase's TC46 code, e.g. 0202.
    #[schema(value_type = Tc46Code)]
    pub code: String,
    #[serde(default)]
    pub planned_start: Option<NaiveDate>,
    #[serde(default)]
    pub planned_end: Option<NaiveDate>,
    #[serde(default)]
    pub actual_start: Option<NaiveDate>,
    #[serde(default)]
    pub actual_end: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
pub struct CodePath {
    pub code: String,
}

/// A merge patch of a phase. A change of a planned date needs its `reason`, and the earlier
/// plan is kept.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PhasePatch {
    #[serde(default, deserialize_with = "patch_field")]
    pub planned_start: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub planned_end: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub actual_start: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub actual_end: Option<Option<NaiveDate>>,
    /// Why the plan changed (required when a planned date does).
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PhasePath {
    pub code: String,
    pub phase: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// The day the delays are measured on (default: today).
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PhaseList {
    pub items: Vec<Phase>,
}
