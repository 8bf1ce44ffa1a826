//! The financing's rows and queries (diesel, synchronous, `&mut PgConnection`), and the plan and
//! cost table the write path locks: children of the intervento, changed under its lock and
//! version.

use apq_domain::Euro;
use apq_platform::ApiError;
use apq_platform::text_column::EuroColumn;
use apq_platform::versioned::{self, Versioned};
use diesel::prelude::*;
use uuid::Uuid;

use super::json::{CostCell, CostTable, FinancingSource};
use crate::interventi::{InterventoRow, load};
use crate::model::{Contributor, CostCategory, Funding, check_plan};
use crate::schema::{cost_lines, financing_sources, interventi};
use crate::tranches::{for_intervento, write_plan};

type SourceRow = (
    Contributor,
    String,
    String,
    EuroColumn,
    bool,
    Option<String>,
);

/// The financing sources of `intervento`, in the order of the plan.
pub fn load_sources(
    conn: &mut PgConnection,
    intervento: Uuid,
) -> Result<Vec<FinancingSource>, ApiError> {
    let rows: Vec<SourceRow> = financing_sources::table
        .filter(financing_sources::intervento_id.eq(intervento))
        .order(financing_sources::position.asc())
        .select((
            financing_sources::contributor,
            financing_sources::heading,
            financing_sources::legal_basis,
            financing_sources::amount,
            financing_sources::cnipa,
            financing_sources::source_ref,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(contributor, heading, legal_basis, amount, cnipa, source_ref)| {
                Ok(FinancingSource {
                    contributor: Contributor::into(contributor),
                    heading,
                    legal_basis,
                    amount: amount.into(),
                    cnipa,
                    source_ref,
                })
            },
        )
        .collect()
}

/// An intervento's financing plan: a child of the intervento, changed under its lock and version.
pub struct PlanOf {
    pub intervento: InterventoRow,
    pub sources: Vec<FinancingSource>,
}

impl Versioned for PlanOf {
    const ENTITY: &'static str = "intervento";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        let intervento = load(conn, *id, true)?;
        let sources = load_sources(conn, *id)?;
        Ok(Self {
            intervento,
            sources,
        })
    }

    fn version(&self) -> i64 {
        self.intervento.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        crate::interventi::bump(conn, *id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(&self.sources)
    }
}

/// An intervento's cost table: a child of the intervento, changed under its lock and version.
pub struct CostTableOf {
    pub intervento: InterventoRow,
    pub table: CostTable,
}

impl Versioned for CostTableOf {
    const ENTITY: &'static str = "intervento";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        let intervento = load(conn, *id, true)?;
        let table = cost_table(conn, *id)?;
        Ok(Self { intervento, table })
    }

    fn version(&self) -> i64 {
        self.intervento.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        crate::interventi::bump(conn, *id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(&self.table.cells)
    }
}

/// Replaces the sources of `intervento` and its co-financing, after checking the plan.
pub fn store_plan(
    conn: &mut PgConnection,
    intervento: Uuid,
    sources: &[FinancingSource],
) -> Result<(), ApiError> {
    let row = load(conn, intervento, true)?;
    let pairs: Vec<(Euro, bool)> = sources.iter().map(|s| (s.amount, s.cnipa)).collect();
    let cofinancing = check_plan(row.kind, row.total_cost, &pairs)?;
    diesel::delete(
        financing_sources::table.filter(financing_sources::intervento_id.eq(intervento)),
    )
    .execute(conn)?;
    for (position, source) in sources.iter().enumerate() {
        diesel::insert_into(financing_sources::table)
            .values((
                financing_sources::id.eq(Uuid::new_v4()),
                financing_sources::intervento_id.eq(intervento),
                financing_sources::position.eq(i32::try_from(position + 1).unwrap_or(i32::MAX)),
                financing_sources::contributor.eq(source.contributor.as_str()),
                financing_sources::heading.eq(&source.heading),
                financing_sources::legal_basis.eq(&source.legal_basis),
                financing_sources::amount.eq(source.amount.decimal()),
                financing_sources::cnipa.eq(source.cnipa),
                financing_sources::source_ref.eq(&source.source_ref),
            ))
            .execute(conn)?;
    }
    if cofinancing != row.cnipa_cofinancing || for_intervento(conn, intervento)?.is_empty() {
        diesel::update(interventi::table.find(intervento))
            .set(interventi::cnipa_cofinancing.eq(cofinancing.decimal()))
            .execute(conn)?;
        let updated = load(conn, intervento, false)?;
        write_plan(conn, &updated)?;
    }
    Ok(())
}

/// The cost table of `intervento`, with its totals.
pub fn cost_table(conn: &mut PgConnection, intervento: Uuid) -> Result<CostTable, ApiError> {
    let row = load(conn, intervento, false)?;
    let rows: Vec<(CostCategory, Funding, String, EuroColumn)> = cost_lines::table
        .filter(cost_lines::intervento_id.eq(intervento))
        .order((
            cost_lines::category.asc(),
            cost_lines::funding.asc(),
            cost_lines::period.asc(),
        ))
        .select((
            cost_lines::category,
            cost_lines::funding,
            cost_lines::period,
            cost_lines::amount,
        ))
        .load(conn)?;
    let cells = rows
        .into_iter()
        .map(|(category, funding, period, amount)| CostCell {
            category,
            funding,
            period,
            amount: amount.into(),
        })
        .collect();
    Ok(CostTable::of(cells, row.total_cost))
}

/// Replaces the cells of `intervento`'s cost table.
pub fn store_cost_table(
    conn: &mut PgConnection,
    intervento: Uuid,
    cells: &[CostCell],
) -> Result<(), ApiError> {
    diesel::delete(cost_lines::table.filter(cost_lines::intervento_id.eq(intervento)))
        .execute(conn)?;
    for cell in cells {
        diesel::insert_into(cost_lines::table)
            .values((
                cost_lines::id.eq(Uuid::new_v4()),
                cost_lines::intervento_id.eq(intervento),
                cost_lines::category.eq(cell.category.as_str()),
                cost_lines::funding.eq(cell.funding.as_str()),
                cost_lines::period.eq(&cell.period),
                cost_lines::amount.eq(cell.amount.decimal()),
            ))
            .execute(conn)?;
    }
    Ok(())
}
