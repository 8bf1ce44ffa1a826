//! The indicators' request and response types.

use apq_domain::Semester;
use chrono::NaiveDate;
use diesel::Queryable;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Measurement {
    pub semester: Semester,
    /// A decimal string.
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub intervento_code: Option<String>,
    /// Absent where the seed gives none (unknown, not zero).
    pub baseline: Option<String>,
    /// Absent where the seed gives none: such a target is never reached.
    pub target: Option<String>,
    pub source_ref: Option<String>,
    /// Measured values, by semester.
    pub measurements: Vec<Measurement>,
    /// The latest measured value, if any.
    pub latest: Option<String>,
    /// Whether the latest value reaches the target (never when the target is unknown).
    pub target_reached: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IndicatorList {
    pub items: Vec<Indicator>,
}

#[derive(Debug, Deserialize)]
pub struct MeasurementPath {
    pub code: String,
    pub semester: Semester,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeasurement {
    /// A decimal string, e.g. "42" or "30.5".
    #[schema(pattern = "^[0-9]{1,13}(\\.[0-9]{1,2})?$")]
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable)]
pub struct OperationPeriod {
    pub id: Uuid,
    pub intervento_code: String,
    #[schema(format = Int32)]
    pub service_number: Option<i32>,
    pub verified_from: NaiveDate,
    pub verified_to: NaiveDate,
    pub act_ref: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOperationPeriod {
    pub intervento_code: String,
    #[schema(format = Int32)]
    pub service_number: Option<i32>,
    pub verified_from: NaiveDate,
    pub verified_to: NaiveDate,
    /// The verification's act.
    pub act_ref: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodFilter {
    pub intervento_code: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OperationPeriodList {
    pub items: Vec<OperationPeriod>,
}

/// An output indicator of an intervento, as the Region defines it (the national monitoring asks
/// one with a target for each project: IN01, check 008).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIndicator {
    /// Unique among the indicators, e.g. IND-17.
    #[schema(pattern = "^[A-Za-z0-9-]{1,20}$")]
    pub code: String,
    /// One line.
    #[schema(
        max_length = 255,
        pattern = "^[^\\r\\n\\u0000]*[^\\s\\u0000][^\\r\\n\\u0000]*$"
    )]
    pub name: String,
    /// The unit of measure, e.g. "numero".
    #[schema(
        max_length = 40,
        pattern = "^[^\\r\\n\\u0000]*[^\\s\\u0000][^\\r\\n\\u0000]*$"
    )]
    pub unit: String,
    #[schema(pattern = "^[A-Za-z0-9-]+$")]
    pub intervento_code: String,
    /// A non-negative decimal string; absent when unknown.
    #[serde(default)]
    #[schema(pattern = "^[0-9]{1,13}(\\.[0-9]{1,2})?$")]
    pub baseline: Option<String>,
    /// A non-negative decimal string; absent when unknown (such a target is never reached).
    #[serde(default)]
    #[schema(pattern = "^[0-9]{1,13}(\\.[0-9]{1,2})?$")]
    pub target: Option<String>,
}
