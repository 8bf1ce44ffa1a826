//! The eligibility's answer: the tranches judged condition by condition, the recovery, and the
//! paths and queries of its endpoints.

use apq_domain::{Euro, Percent};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::obligations::InterventoObligation;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ConditionCheck {
    /// plan_approved, progetto_esecutivo, sal, services_usable, adhesion_share,
    /// admissibility, completion, months_of_operation or co_financing.
    pub condition: String,
    pub holds: bool,
    /// What the data say now.
    pub figure: String,
    /// What the condition needs.
    pub required: String,
    /// What the data say now, in Italian, as the Rapporto di monitoraggio prints it.
    #[serde(default)]
    pub figure_it: String,
    /// What the condition needs, in Italian.
    #[serde(default)]
    pub required_it: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TrancheEligibility {
    #[schema(format = Int32)]
    pub seq: i32,
    pub share: Percent,
    pub amount: Euro,
    /// The tranche's state in the agreements register.
    pub state: String,
    pub condition: String,
    pub checks: Vec<ConditionCheck>,
    /// Every condition holds.
    pub eligible: bool,
}

/// Art. 4.3 / 5.5: CNIPA's co-financing may not exceed the cap (50% ALI, 40% RIUSO) of the
/// cost; paid tranches above the cap applied to the actual cost are to be recovered.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Recovery {
    /// The tranches paid.
    pub paid: Euro,
    /// The actual cost: the payments of the latest validated scheda (absent without one).
    pub actual_cost: Option<Euro>,
    pub cap: Percent,
    /// The cap applied to the actual cost.
    pub ceiling: Option<Euro>,
    /// Paid above the ceiling, to the cent (zero when within it; absent when the actual cost
    /// is not known).
    pub to_recover: Option<Euro>,
    pub figure: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Eligibility {
    pub intervento_code: String,
    pub as_of: NaiveDate,
    pub tranches: Vec<TrancheEligibility>,
    pub recovery: Recovery,
    /// Where the figures disagree with what the Atto declares (e.g. registered adherents
    /// against the declared count), both figures stated.
    pub inconsistencies: Vec<String>,
    /// The monitoring's obligations on the intervento and whether they are pending (the CUP,
    /// art. 7.2.h).
    #[serde(default)]
    pub obligations: Vec<InterventoObligation>,
}

#[derive(Debug, Deserialize)]
pub struct CodePath {
    pub code: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// The date the conditions are judged at (default: today).
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
pub struct TranchePath {
    pub code: String,
    pub seq: i32,
}
