//! The cost plan's and the economies' request and response types (the rows the API shows as
//! they are).

use apq_domain::Euro;
use apq_platform::text_column::EuroColumn;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::rules::Fund;
use crate::schema::{cost_plan_years, economies};

/// One year of the cost plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = cost_plan_years)]
pub struct CostYear {
    pub id: Uuid,
    pub intervento_code: String,
    /// ANNO_PIANO.
    #[schema(format = Int32)]
    pub year: i32,
    /// IMP_REALIZZATO: the cost realised in the year.
    #[diesel(deserialize_as = EuroColumn)]
    pub realised: Euro,
    /// IMP_DA_REALIZZARE: the cost still to realise in the year.
    #[diesel(deserialize_as = EuroColumn)]
    pub to_realise: Euro,
    pub recorded_by: String,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An economy on one source of financing.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = economies)]
pub struct Economy {
    pub id: Uuid,
    pub intervento_code: String,
    /// The source it is an economy of (FN10's COD_FONDO is its TC33 code).
    #[schema(value_type = Fund)]
    pub fund: String,
    #[diesel(deserialize_as = EuroColumn)]
    pub amount: Euro,
    /// When the responsabile ascertained it (at the semestral monitoring).
    pub ascertained_on: NaiveDate,
    pub note: Option<String>,
    pub recorded_by: String,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
pub struct CodePath {
    pub code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCostYear {
    /// ANNO_PIANO.
    #[schema(format = Int32, minimum = 1990, maximum = 2100)]
    pub year: i32,
    #[schema(value_type = apq_domain::NonNegativeEuro)]
    pub realised: Euro,
    #[schema(value_type = apq_domain::NonNegativeEuro)]
    pub to_realise: Euro,
}

/// A merge patch of one year of the plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CostYearPatch {
    #[serde(default)]
    #[schema(value_type = Option<apq_domain::NonNegativeEuro>)]
    pub realised: Option<Euro>,
    #[serde(default)]
    #[schema(value_type = Option<apq_domain::NonNegativeEuro>)]
    pub to_realise: Option<Euro>,
    /// Why the plan changes (kept in the audit trail).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct YearPath {
    pub code: String,
    pub year: i32,
}

/// The cost plan of an intervento with its total.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CostPlan {
    pub items: Vec<CostYear>,
    /// Realised plus to realise, every year.
    pub total: Euro,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEconomy {
    pub fund: Fund,
    #[schema(value_type = apq_domain::PositiveEuro)]
    pub amount: Euro,
    pub ascertained_on: NaiveDate,
    #[serde(default)]
    #[schema(max_length = 500, pattern = "^[^#|\\r\\n\\u0000]*$")]
    pub note: Option<String>,
}

/// A merge patch of an economy.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct EconomyPatch {
    #[serde(default)]
    #[schema(value_type = Option<apq_domain::PositiveEuro>)]
    pub amount: Option<Euro>,
    #[serde(default)]
    pub ascertained_on: Option<NaiveDate>,
    /// Why it changes (kept in the audit trail).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct FundPath {
    pub code: String,
    pub fund: Fund,
}

/// The economies of an intervento with their total.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EconomyList {
    pub items: Vec<Economy>,
    pub total: Euro,
}
