//! The money rules of the financing plan and the cost table, pure: sources and cells are not
//! negative, sources have a heading, one cell per category, funding and period, a cost table adds
//! up to the cost; and what CNIPA has paid of the tranches and still owes.

use apq_domain::Euro;
use apq_domain::contracts::agreements::{Tranche, TrancheState};

use super::json::{CostCell, FinancingSource};
use crate::model::PlanError;

/// What the financing's rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FinancingError {
    /// The source at this index has a negative amount.
    #[error("an amount cannot be negative")]
    NegativeSource(usize),
    /// The source at this index has a blank heading.
    #[error("a source needs a heading")]
    NoHeading(usize),
    /// The cell at this index has a negative amount.
    #[error("an amount cannot be negative")]
    NegativeCell(usize),
    /// The cell at this index repeats an earlier one's category, funding and period.
    #[error("the category, funding and period of an earlier cell: one cell each")]
    RepeatedCell(usize),
    #[error("{}", cells_total(*cells, *cost))]
    CellsTotal { cells: Euro, cost: Euro },
}

/// What a cost table that does not add up to the cost is told: the plan's words, for cells.
fn cells_total(cells: Euro, cost: Euro) -> String {
    PlanError::Total {
        sources: cells,
        cost,
    }
    .to_string()
    .replace("financing sources", "cost table cells")
}

impl FinancingError {
    /// The input field the refusal is about.
    pub fn field(&self) -> String {
        match self {
            FinancingError::NegativeSource(i) => format!("sources[{i}].amount"),
            FinancingError::NoHeading(i) => format!("sources[{i}].heading"),
            FinancingError::NegativeCell(i) => format!("cells[{i}].amount"),
            FinancingError::RepeatedCell(i) => format!("cells[{i}]"),
            FinancingError::CellsTotal { .. } => "cells".to_owned(),
        }
    }
}

/// Everything wrong with a plan's sources, in order: no negative amount, no blank heading.
pub fn check_sources(sources: &[FinancingSource]) -> Vec<FinancingError> {
    let mut errors = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        if source.amount.is_negative() {
            errors.push(FinancingError::NegativeSource(i));
        }
        if source.heading.trim().is_empty() {
            errors.push(FinancingError::NoHeading(i));
        }
    }
    errors
}

/// Everything wrong with a cost table's cells: none below zero, and one cell per category,
/// funding and period.
pub fn check_cells(cells: &[CostCell]) -> Vec<FinancingError> {
    let mut errors = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        if cell.amount.is_negative() {
            errors.push(FinancingError::NegativeCell(i));
        }
        if cells[..i].iter().any(|earlier| {
            (earlier.category, earlier.funding, &earlier.period)
                == (cell.category, cell.funding, &cell.period)
        }) {
            errors.push(FinancingError::RepeatedCell(i));
        }
    }
    errors
}

/// A cost table adds up to the intervento's cost.
pub fn check_cells_total(cells: &[CostCell], cost: Euro) -> Result<(), FinancingError> {
    let total: Euro = cells.iter().map(|c| c.amount).sum();
    if total != cost {
        return Err(FinancingError::CellsTotal { cells: total, cost });
    }
    Ok(())
}

/// What CNIPA has paid of the tranches, and what it still owes (planned, eligible or requested).
pub fn paid_and_due(tranches: &[Tranche]) -> (Euro, Euro) {
    let sum_in = |states: &[TrancheState]| -> Euro {
        tranches
            .iter()
            .filter(|t| states.contains(&t.state))
            .map(|t| t.amount)
            .sum()
    };
    let due = [
        TrancheState::Planned,
        TrancheState::Eligible,
        TrancheState::Requested,
    ];
    (sum_in(&[TrancheState::Paid]), sum_in(&due))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Contributor, CostCategory, Funding};

    fn euro(raw: &str) -> Euro {
        Euro::parse(raw).unwrap_or_else(|e| panic!("{e}"))
    }

    fn source(heading: &str, amount: &str) -> FinancingSource {
        FinancingSource {
            contributor: Contributor::Stato.into(),
            heading: heading.to_owned(),
            legal_basis: "L. 289/2002".to_owned(),
            amount: euro(amount),
            cnipa: true,
            source_ref: None,
        }
    }

    fn cell(category: CostCategory, period: &str, amount: &str) -> CostCell {
        CostCell {
            category,
            funding: Funding::ALL[0],
            period: period.to_owned(),
            amount: euro(amount),
        }
    }

    #[test]
    fn sources_are_not_negative_and_have_a_heading() {
        use FinancingError::{NegativeSource, NoHeading};
        let cases = [
            (vec![], vec![]),
            (
                vec![source("Linea 3", "10.00"), source("Linea 4", "0.00")],
                vec![],
            ),
            (vec![source("Linea 3", "-0.01")], vec![NegativeSource(0)]),
            (
                vec![source("Linea 3", "1.00"), source(" ", "1.00")],
                vec![NoHeading(1)],
            ),
            (
                vec![source("", "-1.00")],
                vec![NegativeSource(0), NoHeading(0)],
            ),
        ];
        for (sources, expected) in cases {
            assert_eq!(check_sources(&sources), expected, "{sources:?}");
        }
        assert_eq!(NoHeading(2).field(), "sources[2].heading");
    }

    #[test]
    fn cells_are_not_negative_and_one_per_category_funding_and_period() {
        use CostCategory::{Formazione, Hardware};
        use FinancingError::{NegativeCell, RepeatedCell};
        let cases = [
            (vec![], vec![]),
            (
                vec![
                    cell(Hardware, "2008", "1.00"),
                    cell(Hardware, "2009", "1.00"),
                ],
                vec![],
            ),
            (
                vec![cell(Hardware, "", "1.00"), cell(Formazione, "", "1.00")],
                vec![],
            ),
            (vec![cell(Hardware, "", "-1.00")], vec![NegativeCell(0)]),
            (
                vec![cell(Hardware, "", "1.00"), cell(Hardware, "", "-2.00")],
                vec![NegativeCell(1), RepeatedCell(1)],
            ),
        ];
        for (cells, expected) in cases {
            assert_eq!(check_cells(&cells), expected, "{cells:?}");
        }
        assert_eq!(RepeatedCell(1).field(), "cells[1]");
    }

    #[test]
    fn a_cost_table_adds_up_to_the_cost() {
        let cells = [
            cell(CostCategory::Hardware, "", "600.00"),
            cell(CostCategory::Formazione, "", "400.00"),
        ];
        let cases = [
            ("1000.00", Ok(())),
            (
                "1000.01",
                Err(
                    "the cost table cells add up to 1.000,00 €, the intervento costs 1.000,01 €: 0,01 € short",
                ),
            ),
            (
                "900.00",
                Err(
                    "the cost table cells add up to 1.000,00 €, the intervento costs 900,00 €: 100,00 € over",
                ),
            ),
        ];
        for (cost, expected) in cases {
            let got = check_cells_total(&cells, euro(cost)).map_err(|e| e.to_string());
            assert_eq!(got, expected.map_err(str::to_owned), "{cost}");
        }
    }
}
