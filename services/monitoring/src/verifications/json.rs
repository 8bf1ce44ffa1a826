//! The verifications' request and response types.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::queries::Verification;
use super::rules::VerificationKind;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVerification {
    pub kind: VerificationKind,
    pub verified_on: NaiveDate,
    #[schema(pattern = "\\S")]
    pub act_ref: String,
    #[schema(pattern = "\\S")]
    pub verified_by: String,
    /// The outcome (default: it holds).
    #[serde(default = "yes")]
    pub holds: bool,
    #[serde(default)]
    pub note: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
pub struct CodePath {
    pub code: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct VerificationList {
    pub items: Vec<Verification>,
}
