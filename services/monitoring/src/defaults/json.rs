//! The defaults' request and response types (a case is shown as its row).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::rules::Step;
use crate::schema::defaults;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = defaults)]
pub struct Default_ {
    pub id: Uuid,
    /// The obligation missed (e.g. data_entry, rapporto, piano_submitted).
    pub obligation: String,
    pub semester: String,
    pub party: String,
    pub description: String,
    pub opened_on: NaiveDate,
    /// The deadline given by the soggetto responsabile.
    pub deadline: Option<NaiveDate>,
    /// open, resolved or referred (to the Tavolo).
    pub state: super::rules::DefaultState,
    pub resolved_on: Option<NaiveDate>,
    pub referred_on: Option<NaiveDate>,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DefaultList {
    pub items: Vec<Default_>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Detection {
    pub signed_on: NaiveDate,
    /// The date at which obligations are judged late.
    pub as_of: NaiveDate,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum DefaultAction {
    /// The soggetto responsabile gives the party a deadline.
    GiveDeadline { deadline: NaiveDate },
    /// The obligation was fulfilled.
    Resolve { on: NaiveDate },
    /// The deadline passed unmet: the case goes to the Tavolo.
    Refer { on: NaiveDate },
}

impl DefaultAction {
    /// The step the action asks for.
    pub fn step(self) -> Step {
        match self {
            DefaultAction::GiveDeadline { deadline } => Step::GiveDeadline(deadline),
            DefaultAction::Resolve { on } => Step::Resolve(on),
            DefaultAction::Refer { on } => Step::Refer(on),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct IdPath {
    pub id: Uuid,
}
