//! The Tavolo's decisions and conciliations as the API reads and writes them.

use apq_domain::Euro;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::financing::FinancingSource;

// A decision as agreements answers it and the monitoring service reads it: the contract's
// types.
pub use apq_domain::contracts::agreements::{Decision, DecisionList};

pub use super::queries::Conciliation;

/// What a decision does to the register.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Effect {
    /// A cancelled intervento becomes active again.
    Reactivate { intervento_id: Uuid },
    /// An active intervento is cancelled.
    Cancel { intervento_id: Uuid },
    /// Savings (economie) found in monitoring are reprogrammed (delibera CIPE 14/2006): the
    /// intervento's cost and financing plan change.
    ReprogramSavings {
        intervento_id: Uuid,
        #[schema(value_type = apq_domain::NonNegativeEuro)]
        savings: Euro,
        /// What the savings are reprogrammed to.
        destination: String,
        #[schema(value_type = apq_domain::NonNegativeEuro)]
        total_cost: Euro,
        sources: Vec<FinancingSource>,
    },
    /// The financial coverage changes: a new cost and financing plan (checked like any plan).
    ChangeCoverage {
        intervento_id: Uuid,
        #[schema(value_type = apq_domain::NonNegativeEuro)]
        total_cost: Euro,
        sources: Vec<FinancingSource>,
    },
    /// Passage from the sezione programmatica to the attuativa (art. 5.4), once maturity is recorded.
    PromoteToAttuativa { intervento_id: Uuid },
    /// An unresolved conciliation is referred to the Comitato paritetico di Intesa (art. 9).
    ReferToComitato { conciliation_id: Uuid },
}

impl Effect {
    /// The kind of decision, as the register records it.
    pub fn kind(&self) -> &'static str {
        match self {
            Effect::Reactivate { .. } => "reactivate",
            Effect::Cancel { .. } => "cancel",
            Effect::ReprogramSavings { .. } => "reprogram_savings",
            Effect::ChangeCoverage { .. } => "change_coverage",
            Effect::PromoteToAttuativa { .. } => "promote_to_attuativa",
            Effect::ReferToComitato { .. } => "refer_to_comitato",
        }
    }

    /// The intervento the effect changes (none for a referral).
    pub fn intervento(&self) -> Option<Uuid> {
        match self {
            Effect::Reactivate { intervento_id }
            | Effect::Cancel { intervento_id }
            | Effect::ReprogramSavings { intervento_id, .. }
            | Effect::ChangeCoverage { intervento_id, .. }
            | Effect::PromoteToAttuativa { intervento_id } => Some(*intervento_id),
            Effect::ReferToComitato { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDecision {
    pub atto_id: Uuid,
    pub decided_on: NaiveDate,
    /// The verbale of the meeting.
    pub verbale_ref: Option<String>,
    #[schema(pattern = "\\S")]
    pub summary: String,
    pub effect: Effect,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DecisionFilter {
    pub atto_id: Option<Uuid>,
    pub intervento_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConciliation {
    pub atto_id: Uuid,
    pub intervento_id: Option<Uuid>,
    pub subject: String,
    #[schema(min_items = 2)]
    pub parties: Vec<String>,
    pub invited_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    pub agreed_on: NaiveDate,
    /// The signed verbale recording the agreement.
    pub verbale_ref: String,
}

#[derive(Debug, Deserialize)]
pub struct ConciliationPath {
    pub id: Uuid,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConciliationList {
    pub items: Vec<Conciliation>,
}
