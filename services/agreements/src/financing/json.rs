//! The financing plan, the cost table and the summary as the API reads and writes them.

use std::collections::BTreeMap;

use apq_domain::{Euro, Percent};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::rules::paid_and_due;
use crate::interventi::InterventoRow;
use crate::model::{CostCategory, Funding};
use crate::tranches::Tranche;

// A source and the summary as agreements answers them and its peers read them: the contract's
// types.
pub use apq_domain::contracts::agreements::{FinancialSummary, FinancingSource};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FinancingPlan {
    #[schema(max_items = 50)]
    pub sources: Vec<FinancingSource>,
    /// Why the plan changes (kept in the audit trail).
    #[serde(default)]
    pub reason: Option<String>,
}

/// One cell of the cost table.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CostCell {
    pub category: CostCategory,
    pub funding: Funding,
    /// The period the amount covers when the seed gives one (e.g. "2008-2009"); empty otherwise.
    pub period: String,
    #[schema(value_type = apq_domain::NonNegativeEuro)]
    pub amount: Euro,
}

/// The cost table: the cells as stored, and the totals derived from them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CostTable {
    pub cells: Vec<CostCell>,
    pub by_category: BTreeMap<String, Euro>,
    pub by_funding: BTreeMap<String, Euro>,
    pub total: Euro,
    /// The intervento's cost, and whether the table adds up to it.
    pub intervento_cost: Euro,
    pub matches_cost: bool,
}

impl CostTable {
    /// The table of `cells` with its totals, against the intervento's `cost`.
    pub fn of(cells: Vec<CostCell>, cost: Euro) -> Self {
        let mut by_category: BTreeMap<String, Euro> = BTreeMap::new();
        let mut by_funding: BTreeMap<String, Euro> = BTreeMap::new();
        for cell in &cells {
            for (totals, key) in [
                (&mut by_category, cell.category.as_str()),
                (&mut by_funding, cell.funding.as_str()),
            ] {
                let total = totals.entry(key.to_owned()).or_default();
                *total = *total + cell.amount;
            }
        }
        let total: Euro = cells.iter().map(|c| c.amount).sum();
        CostTable {
            matches_cost: total == cost,
            intervento_cost: cost,
            cells,
            by_category,
            by_funding,
            total,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCostTable {
    #[schema(max_items = 200)]
    pub cells: Vec<CostCell>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// The financial summary of the intervento `row`, its sources and its tranches.
pub fn summary_of(
    row: &InterventoRow,
    sources: Vec<FinancingSource>,
    tranches: Vec<Tranche>,
) -> FinancialSummary {
    let (tranches_paid, tranches_due) = paid_and_due(&tranches);
    FinancialSummary {
        intervento_id: row.id,
        code: row.code.clone(),
        total_cost: row.total_cost,
        cnipa_cofinancing: row.cnipa_cofinancing,
        cofinancing_share: Percent::ratio(
            row.cnipa_cofinancing.decimal(),
            row.total_cost.decimal(),
        ),
        cofinancing_cap: row.kind.cap(),
        tranches_paid,
        tranches_due,
        sources,
        tranches,
    }
}
