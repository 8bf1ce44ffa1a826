//! The tranches as the API reads and writes them: the contract's types, the request types, and
//! the view of a row.

use apq_platform::ApiError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::queries::{TrancheRow, TransitionRow};
use crate::tranche_plan::TrancheState;

// The tranches as agreements answers them and the monitoring service reads them: the
// contract's types.
pub use apq_domain::contracts::agreements::{
    Tranche, TrancheCondition, TrancheList, TranchePlan, Transition, TransitionList,
};

impl TryFrom<TrancheRow> for Tranche {
    type Error = ApiError;
    fn try_from(row: TrancheRow) -> Result<Self, ApiError> {
        let state = row.state;
        Ok(Self {
            id: row.id,
            intervento_id: row.intervento_id,
            seq: row.seq,
            share: row.share,
            amount: row.amount,
            condition: TrancheCondition {
                text: row.condition,
                requires_plan_approved: row.requires_plan_approved,
                requires_progetto_esecutivo: row.requires_progetto_esecutivo,
                sal_verification: row.sal_verification,
                sal_threshold: row.sal_threshold,
                adhesion_share_threshold: row.adhesion_share_threshold,
                months_of_operation: row.months_of_operation,
                requires_services_usable: row.requires_services_usable,
                requires_admissibility: row.requires_admissibility,
                requires_completion: row.requires_completion,
            },
            state: state.into(),
            next_states: state.next().iter().map(|&s| s.into()).collect(),
            version: row.version,
            updated_at: row.updated_at,
        })
    }
}

impl From<TransitionRow> for Transition {
    fn from(row: TransitionRow) -> Self {
        Self {
            id: row.id,
            tranche_id: row.tranche_id,
            from_state: row.from_state,
            to_state: row.to_state,
            at: row.at,
            actor: row.actor,
            reason: row.reason,
            act_ref: row.act_ref,
            evaluation: row.evaluation,
            effective_on: row.effective_on,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CodePath {
    pub code: String,
}

/// A change of state of a tranche.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTransition {
    pub to: TrancheState,
    /// Why (e.g. "SAL 1 verified at 52%", "CNIPA payment order n. ...").
    #[schema(pattern = "\\S")]
    pub reason: String,
    /// The act that supports it (decree, payment order, verbale).
    pub act_ref: Option<String>,
    /// For `eligible`: the monitoring service's evaluation of the condition, kept as evidence.
    pub evaluation: Option<serde_json::Value>,
    /// The day the change took effect, as its act says (for `paid`, the day the State paid):
    /// today when absent, never in the future.
    #[serde(default)]
    pub effective_on: Option<chrono::NaiveDate>,
}

#[derive(Debug, Deserialize)]
pub struct TranchePath {
    pub tranche_id: Uuid,
}
