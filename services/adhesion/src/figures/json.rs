//! The figures' query and answer.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresQuery {
    /// The date the figures are computed at (default: today).
    pub as_of: Option<NaiveDate>,
    /// Only this service.
    #[param(format = Int32)]
    pub service_number: Option<i32>,
    /// Only the comuni of this region (two digits; Toscana is 09): an APQ is regional.
    #[param(pattern = "^[0-9]{2}$")]
    pub region_code: Option<String>,
}

// The figures as adhesion answers them and the monitoring service reads them: the contract's
// types.
pub use apq_domain::contracts::adhesion::{Counts, Figures, ProvinceCounts, ServiceCounts};
