//! The financing's endpoints: parse, authorise, call the rules and queries, answer. What the
//! rules refuse becomes a problem here, in one place (`From<FinancingError>` and
//! `From<PlanError>` for `ApiError`).

use actix_web::{HttpResponse, get, put, web};
use apq_platform::concurrency::ok_with_etag;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path};
use apq_platform::versioned::{self, Edit, IfMatch};
use apq_platform::{ApiError, Caller, FieldError};

use super::json::{CostTable, FinancialSummary, FinancingPlan, NewCostTable, summary_of};
use super::queries::{self, CostTableOf, PlanOf, cost_table, load_sources, store_plan};
use super::rules::{self, FinancingError, check_cells_total};
use crate::access::require_editor;
use crate::interventi::{IdPath, Intervento, load};
use crate::model::PlanError;
use crate::tranches::{Tranche, for_intervento};

impl From<FinancingError> for ApiError {
    fn from(error: FinancingError) -> Self {
        match error {
            FinancingError::CellsTotal { .. } => ApiError::Unprocessable {
                detail: error.to_string(),
                errors: vec![FieldError::new(
                    "cells",
                    "the cells must add up to the intervento's cost",
                )],
            },
            _ => ApiError::field(error.field(), error),
        }
    }
}

impl From<PlanError> for ApiError {
    fn from(error: PlanError) -> Self {
        let field = match error {
            PlanError::Total { .. } => "sources",
            PlanError::Cap { .. } => "sources[].cnipa",
        };
        ApiError::Unprocessable {
            detail: error.to_string(),
            errors: vec![FieldError::new(field, &error)],
        }
    }
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
    ApiError::refuse_any(rules::check_sources(&plan.sources), FinancingError::field)?;
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
    let summary = summary_of(&row, sources, tranches);
    Ok(HttpResponse::Ok().json(summary))
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
    ApiError::refuse_any(rules::check_cells(&body.cells), FinancingError::field)?;
    let id = path.id;
    let actor = caller.subject().to_owned();
    let updated: CostTableOf = run_db(&pool, move |conn| {
        let edit = Edit::new(&actor, "cost_table").because(body.reason.as_deref());
        versioned::update(conn, id, if_match, edit, |conn, current: &CostTableOf| {
            check_cells_total(&body.cells, current.intervento.total_cost)?;
            queries::store_cost_table(conn, id, &body.cells)
        })
    })
    .await?;
    Ok(ok_with_etag(updated.intervento.version, &updated.table))
}
