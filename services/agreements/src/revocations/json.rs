//! The revocation as the API receives it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::rules::Extent;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRevocation {
    pub extent: Extent,
    /// For a partial revocation: the tranches revoked.
    #[serde(default)]
    pub tranche_ids: Vec<Uuid>,
    pub decided_on: NaiveDate,
    /// CNIPA's act.
    pub act_ref: String,
    /// Why: the times or activities of the approved Piano (progetto esecutivo) not respected.
    pub reason: String,
}
