//! An intervento's money: the financing plan (checked against the cost and the co-financing
//! cap), the cost table (cells by category and funding, totals derived), and the financial
//! summary front-ends show.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, put, web};
use apq_domain::{Euro, Percent};
use apq_platform::concurrency::ok_with_etag;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path};
use apq_platform::text_column::EuroColumn;
use apq_platform::versioned::{self, Edit, IfMatch, Versioned};
use apq_platform::{ApiError, Caller, FieldError};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::require_editor;
use crate::interventi::{IdPath, Intervento, InterventoRow, load};
use crate::model::{Contributor, CostCategory, Funding, PlanError, check_plan};
use crate::schema::{cost_lines, financing_sources, interventi};
use crate::tranches::{Tranche, for_intervento, write_plan};
use apq_domain::contracts::agreements::TrancheState;

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

type SourceRow = (
    Contributor,
    String,
    String,
    EuroColumn,
    bool,
    Option<String>,
);

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
    let cofinancing = check_plan(row.kind, row.total_cost, &pairs).map_err(|e| plan_problem(&e))?;
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

fn plan_problem(error: &PlanError) -> ApiError {
    let field = match error {
        PlanError::Total { .. } => "sources",
        PlanError::Cap { .. } => "sources[].cnipa",
    };
    ApiError::Unprocessable {
        detail: error.to_string(),
        errors: vec![FieldError::new(field, error)],
    }
}

pub(crate) fn validate_sources(sources: &[FinancingSource]) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        if source.amount.is_negative() {
            errors.push(FieldError::new(
                format!("sources[{i}].amount"),
                "an amount cannot be negative",
            ));
        }
        if source.heading.trim().is_empty() {
            errors.push(FieldError::new(
                format!("sources[{i}].heading"),
                "a source needs a heading",
            ));
        }
    }
    ApiError::unless_any(errors)
}

/// Replaces the financing plan of an intervento. Refused with 422, saying by how much, when the
/// sources do not add up to the cost or CNIPA's co-financing exceeds the cap (50% ALI, 40%
/// RIUSO). `If-Match` carries the intervento's ETag; the tranche plan follows the co-financing.
#[utoipa::path(
    tag = "financing",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The intervento's id"),
        IfMatch,
    ),
    request_body = FinancingPlan,
    responses(
        (status = 200, description = "The intervento with its new co-financing", body = Intervento),
        (status = 409, description = "A tranche is already under way", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The plan does not add up or breaks the cap", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[put("/interventi/{id}/financing-plan")]
pub async fn put_plan(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
    body: Json<FinancingPlan>,
) -> Result<HttpResponse, ApiError> {
    require_editor(&caller)?;
    let plan = body.into_inner();
    validate_sources(&plan.sources)?;
    let id = path.id;
    let actor = caller.subject().to_owned();
    let updated: PlanOf = run_db(&pool, move |conn| {
        let edit = Edit::new(&actor, "financing_plan").because(plan.reason.as_deref());
        versioned::update(conn, id, if_match, edit, |conn, _: &PlanOf| {
            store_plan(conn, id, &plan.sources)
        })
    })
    .await?;
    let view = Intervento::try_from(updated.intervento)?;
    Ok(ok_with_etag(view.version, &view))
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
    let mut cells = Vec::with_capacity(rows.len());
    let mut by_category: BTreeMap<String, Euro> = BTreeMap::new();
    let mut by_funding: BTreeMap<String, Euro> = BTreeMap::new();
    for (category, funding, period, amount) in rows {
        let amount = Euro::from(amount);
        for (totals, key) in [
            (&mut by_category, category.as_str()),
            (&mut by_funding, funding.as_str()),
        ] {
            let total = totals.entry(key.to_owned()).or_default();
            *total = *total + amount;
        }
        cells.push(CostCell {
            category,
            funding,
            period,
            amount,
        });
    }
    let total: Euro = cells.iter().map(|c| c.amount).sum();
    Ok(CostTable {
        matches_cost: total == row.total_cost,
        intervento_cost: row.total_cost,
        cells,
        by_category,
        by_funding,
        total,
    })
}

/// The cost table of an intervento (categories x funding), with derived totals.
#[utoipa::path(
    tag = "financing",
    params(("id" = Uuid, Path, description = "The intervento's id")),
    responses((status = 200, description = "The cost table", body = CostTable))
)]
#[get("/interventi/{id}/cost-table")]
pub async fn get_cost_table(
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let table = run_db(&pool, move |conn| cost_table(conn, id)).await?;
    Ok(HttpResponse::Ok().json(table))
}

/// What CNIPA has paid of the tranches, and what it still owes (planned, eligible or requested).
fn paid_and_due(tranches: &[Tranche]) -> (Euro, Euro) {
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

fn summary_of(
    row: &InterventoRow,
    sources: Vec<FinancingSource>,
    tranches: Vec<Tranche>,
) -> Result<FinancialSummary, ApiError> {
    let (tranches_paid, tranches_due) = paid_and_due(&tranches);
    Ok(FinancialSummary {
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
    })
}

/// Cost, sources, co-financing share against the cap, and tranches paid and due.
#[utoipa::path(
    tag = "financing",
    params(("id" = Uuid, Path, description = "The intervento's id")),
    responses(
        (status = 200, description = "The financial summary", body = FinancialSummary),
    )
)]
#[get("/interventi/{id}/financial-summary")]
pub async fn summary(
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let (row, sources, tranches) = run_db(&pool, move |conn| {
        let row = load(conn, id, false)?;
        let sources = load_sources(conn, id)?;
        let tranches = for_intervento(conn, id)?;
        Ok::<_, ApiError>((row, sources, tranches))
    })
    .await?;
    let tranches = tranches
        .into_iter()
        .map(Tranche::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    let summary = summary_of(&row, sources, tranches)?;
    Ok(HttpResponse::Ok().json(summary))
}

/// A cost table's cells: none below zero, and one cell per category, funding and period.
fn check_cells(cells: &[CostCell]) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        if cell.amount.is_negative() {
            errors.push(FieldError::new(
                format!("cells[{i}].amount"),
                "an amount cannot be negative",
            ));
        }
        if cells[..i].iter().any(|earlier| {
            (earlier.category, earlier.funding, &earlier.period)
                == (cell.category, cell.funding, &cell.period)
        }) {
            errors.push(FieldError::new(
                format!("cells[{i}]"),
                "the category, funding and period of an earlier cell: one cell each",
            ));
        }
    }
    ApiError::unless_any(errors)
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCostTable {
    #[schema(max_items = 200)]
    pub cells: Vec<CostCell>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Replaces the cost table of an intervento (its cells; totals are derived). The table must add
/// up to the intervento's cost. `If-Match` carries the intervento's ETag.
#[utoipa::path(
    tag = "financing",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The intervento's id"),
        IfMatch,
    ),
    request_body = NewCostTable,
    responses(
        (status = 200, description = "The new cost table", body = CostTable),
        (status = 422, description = "The cells do not add up to the cost", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[put("/interventi/{id}/cost-table")]
pub async fn put_cost_table(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
    body: Json<NewCostTable>,
) -> Result<HttpResponse, ApiError> {
    require_editor(&caller)?;
    let body = body.into_inner();
    check_cells(&body.cells)?;
    let id = path.id;
    let actor = caller.subject().to_owned();
    let updated: CostTableOf = run_db(&pool, move |conn| {
        let edit = Edit::new(&actor, "cost_table").because(body.reason.as_deref());
        versioned::update(conn, id, if_match, edit, |conn, current: &CostTableOf| {
            let cost = current.intervento.total_cost;
            let total: Euro = body.cells.iter().map(|c| c.amount).sum();
            if total != cost {
                let error = PlanError::Total {
                    sources: total,
                    cost,
                };
                return Err(ApiError::Unprocessable {
                    detail: error
                        .to_string()
                        .replace("financing sources", "cost table cells"),
                    errors: vec![FieldError::new(
                        "cells",
                        "the cells must add up to the intervento's cost",
                    )],
                });
            }
            store_cost_table(conn, id, &body.cells)
        })
    })
    .await?;
    Ok(ok_with_etag(updated.intervento.version, &updated.table))
}

/// Replaces the cells of `intervento`'s cost table.
fn store_cost_table(
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
