//! The iter's endpoints. What the rules refuse becomes a problem here (`From<PhaseError>`).

use actix_web::{HttpResponse, get, patch, post, web};
use apq_platform::concurrency::{etag, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::idempotency::{IdempotencyKey, Stored, respond_once};
use apq_platform::versioned::{self, Edit, IfMatch};
use apq_platform::{ApiError, Caller};
use chrono::{NaiveDate, Utc};
use diesel::PgConnection;

use super::json::{AsOf, CodePath, NewPhase, Phase, PhaseList, PhasePatch, PhasePath, Tc46Code};
use super::queries::{self, PhaseRow};
use super::rules::{self, PhaseError};
use crate::access::require_recorder;

/// What the responsabile of an intervento (or admin) does here, in a refusal.
const KEEPS: &str = "keep its procedural iter";

impl From<PhaseError> for ApiError {
    fn from(error: PhaseError) -> Self {
        ApiError::field(error.field(), error)
    }
}

fn intervento_code(code: &str) -> Result<(), ApiError> {
    crate::peers::intervento_code(code).map(|_| ())
}

/// Opens a phase of the intervento's procedural iter: its responsabile or admin. Safe to retry
/// with `Idempotency-Key`.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$"), IdempotencyKey),
    request_body = NewPhase,
    responses(
        (status = 201, description = "Opened", body = Phase, headers(("Location" = String, description = "The phase"))),
        (status = 409, description = "The intervento already has the phase", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/interventi/{code}/phases")]
pub async fn create(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    path: Path<CodePath>,
    body: Json<NewPhase>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner().code;
    intervento_code(&code)?;
    require_recorder(&caller, &code, KEEPS)?;
    let b = body.into_inner();
    let today = Utc::now().date_naive();
    ApiError::refuse_any(
        rules::check_dates(
            &b.code,
            (b.planned_start, b.planned_end),
            (b.actual_start, b.actual_end),
            today,
        ),
        PhaseError::field,
    )?;
    respond_once(
        &pool,
        caller.subject(),
        key,
        (code, b),
        move |conn, actor, (code, b)| {
            let created: PhaseRow = versioned::create(conn, Edit::new(actor, "open"), |conn| {
                queries::insert(conn, &code, &b, actor)
            })?;
            let phase = shown(conn, created, today)?;
            Stored::created(
                &phase,
                format!("/v1/interventi/{code}/phases/{}", phase.row.code),
                Some(etag(phase.row.version)),
            )
        },
    )
    .await
}

fn shown(conn: &mut PgConnection, row: PhaseRow, today: NaiveDate) -> Result<Phase, ApiError> {
    let earlier_plans = queries::earlier_plans(conn, row.id)?;
    Ok(Phase {
        delay: rules::delay(row.planned_end, row.actual_end, today),
        name: rules::name_of(&row.code),
        earlier_plans,
        row,
    })
}

/// Changes a phase's dates: its responsabile or admin. Requires `If-Match`.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$"),
        ("phase" = Tc46Code, Path, description = "The phase's TC46 code, e.g. 0202"),
        IfMatch,
    ),
    request_body(content = PhasePatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = Phase))
)]
#[patch("/interventi/{code}/phases/{phase}")]
pub async fn update(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<PhasePath>,
    body: Json<PhasePatch>,
) -> Result<HttpResponse, ApiError> {
    let PhasePath { code, phase } = path.into_inner();
    intervento_code(&code)?;
    require_recorder(&caller, &code, KEEPS)?;
    let p = body.into_inner();
    let actor = caller.subject().to_owned();
    let today = Utc::now().date_naive();
    let shown_phase = run_db(&pool, move |conn| {
        let id = queries::find(conn, &code, &phase)?;
        let edit = Edit::new(&actor, "update").because(p.reason.as_deref());
        let updated = versioned::update(conn, id, if_match, edit, |conn, current: &PhaseRow| {
            change(conn, current, &p, &actor, today)
        })?;
        shown(conn, updated, today)
    })
    .await?;
    Ok(ok_with_etag(shown_phase.row.version, &shown_phase))
}

fn change(
    conn: &mut PgConnection,
    current: &PhaseRow,
    p: &PhasePatch,
    actor: &str,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let planned = (
        p.planned_start.unwrap_or(current.planned_start),
        p.planned_end.unwrap_or(current.planned_end),
    );
    let actual = (
        p.actual_start.unwrap_or(current.actual_start),
        p.actual_end.unwrap_or(current.actual_end),
    );
    ApiError::refuse_any(
        rules::check_dates(&current.code, planned, actual, today),
        PhaseError::field,
    )?;
    let changed = planned != (current.planned_start, current.planned_end);
    if let Some(reason) = rules::plan_change_reason(changed, p.reason.as_deref())? {
        queries::keep_plan(conn, current, reason, actor)?;
    }
    queries::set_dates(conn, current.id, planned, actual)?;
    Ok(())
}

/// The intervento's procedural iter, in the national table's order, each phase with its delay
/// class and earlier plans. Public.
#[utoipa::path(
    tag = "puc",
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$"), AsOf),
    responses((status = 200, description = "The phases", body = PhaseList))
)]
#[get("/interventi/{code}/phases")]
pub async fn list(
    pool: web::Data<PgPool>,
    path: Path<CodePath>,
    query: Query<AsOf>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner().code;
    intervento_code(&code)?;
    let today = query.0.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let items = run_db(&pool, move |conn| {
        queries::of(conn, &code)?
            .into_iter()
            .map(|row| shown(conn, row, today))
            .collect::<Result<Vec<_>, ApiError>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(PhaseList { items }))
}
