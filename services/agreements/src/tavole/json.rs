//! The Tavole as the API answers them.

use apq_domain::Euro;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::financing::FinancingSource;
use crate::model::Contributor;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Tavola1Row {
    pub intervento_id: Uuid,
    pub code: String,
    pub title: String,
    pub cup: Option<String>,
    /// The financing headings, in the order of the plan.
    pub sources: Vec<FinancingSource>,
    #[schema(value_type = apq_domain::EuroTotal)]
    pub total: Euro,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Tavola1 {
    pub rows: Vec<Tavola1Row>,
    #[schema(value_type = apq_domain::EuroTotal)]
    pub total: Euro,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Tavola2Row {
    pub contributor: Contributor,
    pub legal_basis: String,
    #[schema(value_type = apq_domain::EuroTotal)]
    pub amount: Euro,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Tavola2 {
    pub rows: Vec<Tavola2Row>,
    #[schema(value_type = apq_domain::EuroTotal)]
    pub total: Euro,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Tavola3Row {
    pub intervento_id: Uuid,
    pub code: String,
    pub title: String,
    pub total_cost: Euro,
    pub cnipa_cofinancing: Euro,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Tavola3 {
    pub rows: Vec<Tavola3Row>,
    #[schema(value_type = apq_domain::EuroTotal)]
    pub total_cost: Euro,
    #[schema(value_type = apq_domain::EuroTotal)]
    pub cnipa_cofinancing: Euro,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Tavole {
    pub atto_id: Uuid,
    /// Sezione attuativa: each intervento by financing heading.
    pub tavola_1: Tavola1,
    /// Sezione attuativa: the money by contributor and legal basis.
    pub tavola_2: Tavola2,
    /// Sezione programmatica: the interventi and their cost.
    pub tavola_3: Tavola3,
}
