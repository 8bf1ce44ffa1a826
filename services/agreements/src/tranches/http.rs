//! The tranches' endpoints: parse, authorise, call the rules ([`crate::tranche_plan`]) and
//! queries, answer. What the rules refuse becomes a problem here, in one place
//! (`From<TrancheError> for ApiError`).

use actix_web::{HttpResponse, get, post, web};
use apq_platform::concurrency::ok_with_etag;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path};
use apq_platform::versioned::{self, Edit, IfMatch};
use apq_platform::{ApiError, Caller};
use chrono::Utc;

use super::json::{
    CodePath, NewTransition, Tranche, TrancheList, TranchePath, TranchePlan, Transition,
    TransitionList,
};
use super::queries::{self, TrancheRow, for_intervento};
use crate::interventi::IdPath;
use crate::tranche_plan::{TrancheError, check_transition, movers};

impl From<TrancheError> for ApiError {
    fn from(error: TrancheError) -> Self {
        match error {
            TrancheError::NoReason => ApiError::field("reason", error),
            TrancheError::NotAllowed { .. } => ApiError::Conflict(error.to_string()),
            TrancheError::FutureEffect => ApiError::field("effective_on", error),
            TrancheError::UnderWay => ApiError::Conflict(error.to_string()),
        }
    }
}

/// The tranche plan of an intervento, with each tranche's condition and state.
#[utoipa::path(
    tag = "tranches",
    params(("id" = Uuid, Path, description = "The intervento's id")),
    responses((status = 200, description = "The tranches, in order", body = TrancheList))
)]
#[get("/interventi/{id}/tranches")]
pub async fn list(pool: web::Data<PgPool>, path: Path<IdPath>) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let rows = run_db(&pool, move |conn| {
        crate::interventi::load(conn, id, false)?;
        for_intervento(conn, id)
    })
    .await?;
    let items = rows
        .into_iter()
        .map(Tranche::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(TrancheList { items }))
}

/// The tranche plan of an intervento, by its code, with the intervento's maturity.
#[utoipa::path(
    tag = "tranches",
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI")),
    responses((status = 200, description = "The tranche plan", body = TranchePlan))
)]
#[get("/tranche-plans/{code}")]
pub async fn plan(pool: web::Data<PgPool>, path: Path<CodePath>) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner().code;
    let (intervento, rows) = run_db(&pool, move |conn| {
        let intervento = crate::interventi::load_by_code(conn, &code)?;
        let rows = for_intervento(conn, intervento.id)?;
        Ok::<_, ApiError>((intervento, rows))
    })
    .await?;
    Ok(HttpResponse::Ok().json(TranchePlan {
        kind: intervento.kind.into(),
        intervento_id: intervento.id,
        intervento_code: intervento.code.clone(),
        progetto_esecutivo_validated_on: intervento.progetto_esecutivo_validated_on,
        progetto_esecutivo: intervento.progetto_esecutivo()?,
        cup: intervento.cup.clone(),
        started_on: intervento.started_on,
        state: intervento.state.into(),
        cnipa_cofinancing: intervento.cnipa_cofinancing,
        cofinancing_cap: intervento.kind.cap(),
        tranches: rows
            .into_iter()
            .map(Tranche::try_from)
            .collect::<Result<Vec<_>, _>>()?,
    }))
}

/// Moves a tranche to another state along the allowed transitions (planned -> eligible ->
/// requested -> paid; revoked from any state). `eligible` is set by the monitoring service
/// (role `sync`) or an editor; `requested` by an editor; `paid` is CNIPA's payment (`cnipa`,
/// or admin recording it); `revoked` is CNIPA's act only (`cnipa`). `If-Match` carries the
/// tranche's ETag.
#[utoipa::path(
    tag = "tranches",
    security(("bearer" = [])),
    params(
        ("tranche_id" = Uuid, Path, description = "The tranche's id"),
        IfMatch,
    ),
    request_body = NewTransition,
    responses(
        (status = 200, description = "The tranche in its new state", body = Tranche),
        (status = 409, description = "The transition is not allowed from the current state", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/tranches/{tranche_id}/transitions")]
pub async fn transition(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<TranchePath>,
    body: Json<NewTransition>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    caller.require_any(movers(body.to))?;
    // The request's own faults first, before the register is read.
    crate::tranche_plan::check_reason(&body.reason)?;
    let effective_on =
        crate::tranche_plan::effective_on(body.effective_on, Utc::now().date_naive())?;
    let id = path.tranche_id;
    let actor = caller.subject().to_owned();
    let updated: TrancheRow = run_db(&pool, move |conn| {
        let edit = Edit::new(&actor, "transition").because(Some(&body.reason));
        versioned::update(conn, id, if_match, edit, |conn, current: &TrancheRow| {
            check_transition(current.state, body.to)?;
            queries::record_transition(conn, current, &body, effective_on, &actor)?;
            Ok(())
        })
    })
    .await?;
    let view = Tranche::try_from(updated)?;
    Ok(ok_with_etag(view.version, &view))
}

/// The history of a tranche's states.
#[utoipa::path(
    tag = "tranches",
    params(("tranche_id" = Uuid, Path, description = "The tranche's id")),
    responses((status = 200, description = "Its transitions, oldest first", body = TransitionList))
)]
#[get("/tranches/{tranche_id}/transitions")]
pub async fn history(
    pool: web::Data<PgPool>,
    path: Path<TranchePath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.tranche_id;
    let items = run_db(&pool, move |conn| {
        Ok::<_, ApiError>(queries::transitions(conn, id)?)
    })
    .await?;
    let items = items.into_iter().map(Transition::from).collect();
    Ok(HttpResponse::Ok().json(TransitionList { items }))
}
