//! The accordo and the atti as the API reads and writes them: the request and response types,
//! and the view of a row.

use apq_platform::ApiError;
use apq_platform::extract::patch as patch_field;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::queries::{Accordo, AttoRow};
use crate::model::AttoStatus;

// An atto integrativo as agreements answers it and the monitoring service reads it: the
// contract's types.
pub use apq_domain::contracts::agreements::{Atto, AttoList};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccordoList {
    pub items: Vec<Accordo>,
}

impl TryFrom<AttoRow> for Atto {
    type Error = ApiError;
    fn try_from(row: AttoRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: row.id,
            accordo_id: row.accordo_id,
            number: row.number,
            title: row.title,
            signed_on: row.signed_on,
            signatories: row.signatories,
            status: row.status.into(),
            source_ref: row.source_ref,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAtto {
    pub accordo_id: Uuid,
    #[schema(format = Int32, minimum = 1)]
    pub number: i32,
    #[schema(pattern = "\\S")]
    pub title: String,
    pub signed_on: Option<NaiveDate>,
    #[serde(default)]
    pub signatories: Vec<String>,
    pub status: AttoStatus,
}

/// A merge patch of an atto: its title, signature and status.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttoPatch {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "patch_field")]
    pub signed_on: Option<Option<NaiveDate>>,
    pub signatories: Option<Vec<String>>,
    pub status: Option<AttoStatus>,
    pub reason: Option<String>,
}

impl AttoPatch {
    /// The atto with this patch's fields applied (a field left out stays as it is).
    pub fn applied_to(&self, current: &AttoRow) -> AttoRow {
        let mut next = current.clone();
        if let Some(title) = &self.title {
            next.title.clone_from(title);
        }
        if let Some(signed_on) = self.signed_on {
            next.signed_on = signed_on;
        }
        if let Some(signatories) = &self.signatories {
            next.signatories.clone_from(signatories);
        }
        if let Some(status) = self.status {
            next.status = status;
        }
        next
    }
}
