//! The scheda's request and response types.

use apq_domain::{Euro, Percent, Semester};
use apq_platform::ApiError;
use apq_platform::extract::patch as patch_field;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::Queryable;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::queries::SchedaRow;
use super::rules::{ActivityState, SchedaState};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ActivityProgress {
    /// The activity's code in the agreements register (e.g. "A3-1").
    pub code: String,
    pub state: ActivityState,
    pub actual_start: Option<NaiveDate>,
    pub actual_end: Option<NaiveDate>,
}

/// A scheda as the API shows it (and the Applicativo Intese feed carries it).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Scheda {
    pub id: Uuid,
    pub intervento_id: Uuid,
    pub intervento_code: String,
    pub semester: Semester,
    pub state: SchedaState,
    /// Physical progress: the share of the activities' value done (SAL).
    pub sal: Percent,
    /// The SAL the cronoprogramma planned for the end of the semester.
    pub planned_sal: Option<Percent>,
    /// Financial progress.
    pub commitments: Euro,
    pub payments: Euro,
    /// Procedural progress: each activity's state and dates.
    pub activities: Vec<ActivityProgress>,
    pub obstacles: Option<String>,
    pub corrective_actions: Option<String>,
    /// The intervento as the register described it: CUP, cost, financing, cronoprogramma.
    pub intervento: serde_json::Value,
    pub return_reason: Option<String>,
    /// The position of its last change in the feed, given when that change commits: null in the
    /// answer of the write that made it (read it back with `GET /v1/schede/{id}`).
    #[schema(format = Int64)]
    pub change_seq: Option<i64>,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<SchedaRow> for Scheda {
    type Error = ApiError;
    fn try_from(row: SchedaRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: row.id,
            intervento_id: row.intervento_id,
            intervento_code: row.intervento_code,
            semester: row.semester,
            state: row.state,
            sal: row.sal,
            planned_sal: row.planned_sal,
            commitments: row.commitments,
            payments: row.payments,
            activities: serde_json::from_value(row.activities).map_err(ApiError::internal)?,
            obstacles: row.obstacles,
            corrective_actions: row.corrective_actions,
            intervento: row.intervento,
            return_reason: row.return_reason,
            change_seq: row.change_seq,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewScheda {
    #[schema(pattern = "^[A-Za-z0-9-]+$")]
    pub intervento_code: String,
    pub semester: Semester,
    pub sal: Percent,
    pub planned_sal: Option<Percent>,
    /// Derived from the intervento's impegni when it has any (then optional, and if given it must
    /// agree); required otherwise.
    #[serde(default)]
    #[schema(value_type = Option<apq_domain::NonNegativeEuro>)]
    pub commitments: Option<Euro>,
    /// Derived from the intervento's pagamenti when it has any (then optional, and if given it
    /// must agree); required otherwise.
    #[serde(default)]
    #[schema(value_type = Option<apq_domain::NonNegativeEuro>)]
    pub payments: Option<Euro>,
    #[serde(default)]
    pub activities: Vec<ActivityProgress>,
    pub obstacles: Option<String>,
    pub corrective_actions: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct IdPath {
    pub id: Uuid,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SchedaFilter {
    pub semester: Option<Semester>,
    pub intervento_code: Option<String>,
    pub state: Option<SchedaState>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SchedaList {
    pub items: Vec<Scheda>,
}

/// A merge patch of a draft or returned scheda.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SchedaPatch {
    pub sal: Option<Percent>,
    #[serde(default, deserialize_with = "patch_field")]
    pub planned_sal: Option<Option<Percent>>,
    #[schema(value_type = Option<apq_domain::NonNegativeEuro>)]
    pub commitments: Option<Euro>,
    #[schema(value_type = Option<apq_domain::NonNegativeEuro>)]
    pub payments: Option<Euro>,
    pub activities: Option<Vec<ActivityProgress>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub obstacles: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub corrective_actions: Option<Option<String>>,
}

impl SchedaPatch {
    /// The scheda `before` as the patch changes it, with its `totals` as checked.
    pub fn apply(self, before: Scheda, (commitments, payments): (Euro, Euro)) -> Scheda {
        Scheda {
            sal: self.sal.unwrap_or(before.sal),
            planned_sal: self.planned_sal.unwrap_or(before.planned_sal),
            commitments,
            payments,
            activities: self.activities.unwrap_or(before.activities),
            obstacles: self.obstacles.unwrap_or(before.obstacles),
            corrective_actions: self.corrective_actions.unwrap_or(before.corrective_actions),
            ..before
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// For a return: what must be corrected. For a submission: the explanatory report.
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct StepPath {
    pub id: Uuid,
    /// submission, validation or return.
    pub step: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable)]
pub struct SchedaEvent {
    #[schema(format = Int64)]
    pub id: i64,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor: String,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SchedaHistory {
    pub items: Vec<SchedaEvent>,
}
