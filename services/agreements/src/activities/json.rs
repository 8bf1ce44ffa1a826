//! The activities as the API reads and writes them.

use apq_platform::extract::patch as patch_field;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

// An activity as agreements answers it and its peers read it: the contract's types.
pub use apq_domain::contracts::agreements::{Activity, ActivityCost, ActivityList};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActivity {
    #[schema(pattern = "\\S")]
    pub code: String,
    pub phase: Option<String>,
    #[schema(pattern = "\\S")]
    pub title: String,
    pub description: Option<String>,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    /// The dates as the source writes them, where they are not a date range.
    #[serde(default)]
    pub dates_as_written: Option<String>,
    pub responsible: Option<String>,
    pub profiles: Option<String>,
    pub products: Option<String>,
    pub validation_criteria: Option<String>,
    #[schema(format = Int32, minimum = 1)]
    pub service_number: Option<i32>,
    #[serde(default)]
    pub costs: Vec<ActivityCost>,
}

/// A merge patch of an activity.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ActivityPatch {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "patch_field")]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub start_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub end_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub responsible: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub products: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub validation_criteria: Option<Option<String>>,
    pub costs: Option<Vec<ActivityCost>>,
    pub reason: Option<String>,
}

impl ActivityPatch {
    /// The activity's start and end with this patch applied (a date left out stays as it is).
    pub fn dates(&self, current: &Activity) -> (Option<NaiveDate>, Option<NaiveDate>) {
        (
            self.start_on.unwrap_or(current.start_on),
            self.end_on.unwrap_or(current.end_on),
        )
    }
}

#[derive(Debug, Deserialize)]
pub struct ActivityPath {
    pub activity_id: Uuid,
}
