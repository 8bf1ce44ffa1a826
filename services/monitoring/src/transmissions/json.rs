//! The transmissions' request and response types (a transmission's row is shown as it is).

use apq_domain::Semester;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::schema::puc_transmissions;

/// A transmission as listed (its file is at `/v1/puc/transmissions/{id}/file`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = puc_transmissions)]
pub struct Transmission {
    pub id: Uuid,
    /// Its place in the order transmissions were made (from 1).
    #[schema(format = Int64)]
    pub seq: i64,
    #[schema(value_type = Semester)]
    pub semester: String,
    /// The data are those of this day (the semester's last).
    pub as_of: NaiveDate,
    /// The sender code in the file's `HH`.
    pub sender: String,
    /// How many records the file holds (tombstones included).
    #[schema(format = Int64)]
    #[diesel(column_name = records)]
    pub record_count: i64,
    /// Who made it.
    pub sent_by: String,
    /// Who uploaded IGRUE's answer, and when (absent until then).
    pub answered_by: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    #[schema(format = Int64)]
    pub version: i64,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// A field IGRUE refused, with its code and description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordError {
    pub field: String,
    #[schema(format = Int64)]
    pub code: u32,
    pub description: String,
}

/// A record of a transmission: what it was and, once IGRUE answered, whether it was refused.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SentRecord {
    #[schema(format = Int64)]
    pub progressivo: i64,
    pub structure: String,
    pub intervento_code: String,
    /// What the record carries: a movement's code, a phase's, a soggetto's name...
    pub entity: String,
    /// A tombstone (`FLG_CANCELLAZIONE=S`).
    pub deleted: bool,
    /// The values as sent, in the structure's field order.
    pub fields: Vec<String>,
    /// IGRUE refused it: 1 a rule of the structure, 2 a cross-structure check.
    #[schema(format = Int32)]
    pub refusal_class: Option<i16>,
    pub errors: Vec<RecordError>,
}

/// A transmission with its records.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransmissionDetail {
    #[serde(flatten)]
    pub transmission: Transmission,
    /// `sent`, or `answered` once IGRUE's answer is read.
    #[schema(pattern = "^(sent|answered)$")]
    pub state: String,
    /// How many records IGRUE refused.
    #[schema(format = Int64)]
    pub refused: usize,
    pub records: Vec<SentRecord>,
}

/// What to transmit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTransmission {
    pub semester: Semester,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TransmissionList {
    /// Newest first.
    pub items: Vec<Transmission>,
}

#[derive(Debug, Deserialize)]
pub struct IdPath {
    pub id: Uuid,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ErrorFilter {
    /// Only the errors on this intervento's records.
    #[param(pattern = "^[A-Za-z0-9-]+$")]
    pub intervento_code: Option<String>,
}

/// An error IGRUE found on a record of the last transmission.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StandingError {
    #[schema(format = Int64)]
    pub progressivo: i64,
    pub structure: String,
    pub intervento_code: String,
    /// The record's entity: the impegno's code for an FN04, a phase's for a PR00...
    pub entity: String,
    #[schema(format = Int32)]
    pub class: i16,
    #[serde(flatten)]
    pub error: RecordError,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorList {
    /// The last transmission, whose answer the errors are (absent before the first).
    pub transmission_id: Option<Uuid>,
    pub items: Vec<StandingError>,
}
