//! The budget check as the API shows it.

use apq_domain::Euro;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ServiceCost {
    #[schema(format = Int32)]
    pub number: i32,
    pub name: String,
    #[schema(value_type = apq_domain::EuroTotal)]
    pub total_cost: Euro,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Budget {
    /// The current version of each active service, with its cost lines added up.
    pub services: Vec<ServiceCost>,
    #[schema(value_type = apq_domain::EuroTotal)]
    pub services_total: Euro,
    pub two_year_budget: Euro,
    pub management_model: Euro,
    /// `two_year_budget - management_model == services_total`.
    pub balanced: bool,
    /// `two_year_budget - management_model - services_total`: what the services leave of the
    /// budget (negative when they exceed it).
    #[schema(value_type = apq_domain::EuroTotal)]
    pub difference: Euro,
    pub source_ref: Option<String>,
}
