//! The acts as the API receives them, and as the register records them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::interventi::{NonActivation, ProgettoEsecutivoApproval};

/// The Regione's motivated act not to activate an intervento (art. 5.7).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNonActivation {
    pub decided_on: NaiveDate,
    /// The Regione's act (delibera, decreto), e.g. "DGR n. 123 del 15.3.2010".
    #[schema(pattern = "\\S")]
    pub act_ref: String,
    /// The technical or administrative difficulties that prevent the activation.
    #[schema(pattern = "\\S")]
    pub motivation: String,
}

impl NewNonActivation {
    /// The act as the register records it, by `actor`.
    pub fn recorded_by(&self, actor: &str) -> NonActivation {
        NonActivation {
            decided_on: self.decided_on,
            act_ref: self.act_ref.trim().to_owned(),
            motivation: self.motivation.trim().to_owned(),
            recorded_by: actor.to_owned(),
        }
    }
}

/// CNIPA's approval of the progetto esecutivo (art. 5.4, 5.5.a).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProgettoEsecutivoApproval {
    pub approved_on: NaiveDate,
    /// CNIPA's act, e.g. "nota CNIPA prot. n. 1234 del 1.10.2009".
    #[schema(pattern = "\\S")]
    pub act_ref: String,
    /// Who made the approval (the office the act names).
    #[schema(pattern = "\\S")]
    pub approved_by: String,
}

impl NewProgettoEsecutivoApproval {
    /// The approval as the register records it, by `actor`.
    pub fn recorded_by(&self, actor: &str) -> ProgettoEsecutivoApproval {
        ProgettoEsecutivoApproval {
            approved_on: self.approved_on,
            act_ref: Some(self.act_ref.trim().to_owned()),
            approved_by: Some(self.approved_by.trim().to_owned()),
            recorded_by: Some(actor.to_owned()),
        }
    }
}
