//! The catalogue as the API reads and writes it: the request and response types.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::queries::ServiceRow;
use super::rules::ServiceStatus;
use crate::record::{Availability, PricingModel, ServiceRecord};

// A service in a list as the catalogue answers it and its peers read it: the contract's type.
pub use apq_domain::contracts::catalogue::ServiceSummary;

impl From<ServiceRow> for ServiceSummary {
    fn from(row: ServiceRow) -> Self {
        Self {
            number: row.number,
            name: row.name,
            ambito: row.ambito,
            tipologia: row.tipologia,
            availability: row.availability.into(),
            pricing_models: row.pricing_models.into_iter().map(Into::into).collect(),
            status: row.status.into(),
            version: row.current_version,
            updated_at: row.updated_at,
        }
    }
}

// One version of a service as the catalogue answers it and its peers read it: the contract's
// type.
pub use apq_domain::contracts::catalogue::ServiceEntry;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceFilter {
    /// Ambito amministrativo, exactly as in the record.
    pub ambito: Option<String>,
    /// Services offered with this pricing model.
    pub pricing: Option<PricingModel>,
    pub availability: Option<Availability>,
    pub status: Option<ServiceStatus>,
    /// Full-text search in Italian over names, aliases and descriptions.
    pub q: Option<String>,
    /// The services the intervento finances (their current record's `intervento_code`), e.g.
    /// CSTT-ALI.
    pub intervento_code: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NumberPath {
    pub number: i32,
}

#[derive(Debug, Deserialize)]
pub struct VersionPath {
    pub number: i32,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewService {
    pub record: ServiceRecord,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Withdrawal {
    #[schema(pattern = "\\S")]
    pub reason: String,
}
