//! The feed's request and response types: the items and pages the sync job reads, the
//! acknowledgements it writes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::queries::Acknowledgement;
use super::rules::Outcome;
use crate::iter::PhaseRow;
use crate::movements::Movement;
use crate::schede::Scheda;

/// An indicator's value for the scheda's semester.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FeedIndicator {
    pub code: String,
    pub name: String,
    pub unit: String,
    /// Absent where the seed gives none.
    pub baseline: Option<String>,
    /// Absent where the seed gives none.
    pub target: Option<String>,
    pub value: Option<String>,
}

/// One scheda as the Applicativo Intese receives it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FeedItem {
    /// Its position in the feed: pass the last one as `cursor` to get what changed after it.
    #[schema(format = Int64)]
    pub change_seq: i64,
    pub scheda: Scheda,
    /// The intervento's indicators with their value for the semester.
    pub indicators: Vec<FeedIndicator>,
    /// The intervento's impegni and pagamenti (and their reversals) dated up to the semester's
    /// last day, oldest first: the events the scheda's commitments and payments come from.
    pub movements: Vec<Movement>,
    /// The intervento's procedural iter as it stands: each phase's planned and actual dates.
    pub phases: Vec<PhaseRow>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FeedPage {
    pub items: Vec<FeedItem>,
    #[schema(format = Int32)]
    pub limit: u32,
    /// The checkpoint after this page: the last item's change_seq (or the cursor given, if empty).
    #[schema(format = Int64)]
    pub checkpoint: i64,
    /// Whether more items follow.
    pub more: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The last change_seq already received (0 for everything).
    #[param(format = Int64, minimum = 0)]
    pub cursor: Option<i64>,
    /// How many items (1-200, default 50).
    #[param(format = Int32, minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAcknowledgement {
    pub scheda_id: Uuid,
    #[schema(format = Int64)]
    pub change_seq: i64,
    pub transmitted_at: DateTime<Utc>,
    pub outcome: Outcome,
    pub message: Option<String>,
}

/// A feed page's acknowledgements, recorded in one transaction.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAcknowledgementBatch {
    /// 1 to 200 acknowledgements (a feed page at most).
    #[schema(min_items = 1, max_items = 200)]
    pub items: Vec<NewAcknowledgement>,
}

/// The batch as recorded.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AcknowledgementBatch {
    /// Each acknowledgement as it stands now, in the order given.
    pub items: Vec<Acknowledgement>,
    /// How many of them were new (the others were already recorded).
    #[schema(format = Int32)]
    pub created: u32,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AcknowledgementList {
    pub items: Vec<Acknowledgement>,
}
