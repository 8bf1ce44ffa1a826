//! The eligibility's endpoints and the reading of its inputs: the tranche plan from agreements,
//! the intervento's services from the catalogue and its commitments from adhesion (asked for only
//! when a condition needs them), monitoring's own records; then the rules judge. A peer that is
//! down, or whose figure cannot be read, is a 503 naming it.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use apq_domain::Role;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Path, Query};
use apq_platform::{ApiError, Caller};
use chrono::NaiveDate;

use super::json::{AsOf, CodePath, Eligibility, TranchePath};
use super::queries;
use super::rules::{self, MarkError, Needs, Remote};
use crate::peers::{
    Adhesion, Agreements, Catalogue, CatalogueService, Commitments, Tranche, TranchePlan,
};

impl From<MarkError> for ApiError {
    fn from(error: MarkError) -> Self {
        ApiError::Conflict(error.to_string())
    }
}

/// The peers the evaluation reads.
#[derive(Clone, Copy)]
pub struct Peers<'a> {
    pub agreements: &'a Agreements,
    pub adhesion: &'a Adhesion,
    pub catalogue: &'a Catalogue,
}

/// Evaluates every tranche of `code` at `as_of`.
pub async fn evaluate(
    pool: &PgPool,
    peers: Peers<'_>,
    code: &str,
    as_of: NaiveDate,
) -> Result<(Eligibility, Vec<Tranche>), ApiError> {
    // The tranche plan and monitoring's own records are independent: fetch them at once. The
    // catalogue and the adhesion figures are asked for only when a condition needs them.
    let owned = code.to_owned();
    let (plan, local) = tokio::join!(
        peers.agreements.tranche_plan(code),
        run_db(pool, move |conn| Ok::<_, ApiError>(queries::local(
            conn, &owned, as_of
        )?)),
    );
    let (plan, local) = (plan?, local?);
    let needs = Needs::of(&plan);
    let services = if needs.services {
        Some(peers.catalogue.services_of(&plan.intervento_code).await?)
    } else {
        None
    };
    let commitments = if needs.share {
        commitments(peers.adhesion, &plan, as_of, services.as_deref()).await?
    } else {
        None
    };
    let remote = Remote {
        services,
        commitments,
    };
    Ok((rules::judge(&plan, &local, &remote, as_of), plan.tranches))
}

/// The intervento's commitments to its own services; a share its own counts disagree with is
/// not believed.
async fn commitments(
    adhesion: &Adhesion,
    plan: &TranchePlan,
    as_of: NaiveDate,
    services: Option<&[CatalogueService]>,
) -> Result<Option<Commitments>, ApiError> {
    let numbers: Vec<i32> = (services.unwrap_or_default().iter())
        .map(|s| s.number)
        .collect();
    let commitments = adhesion
        .commitments(&plan.intervento_code, as_of, &numbers)
        .await?;
    if let Some(disagreement) = commitments.as_ref().and_then(rules::share_disagrees) {
        return Err(ApiError::unavailable(format!(
            "the adhesion service (its answer could not be read: {disagreement})"
        )));
    }
    Ok(commitments)
}

/// Which tranches of an intervento are eligible now, condition by condition, with the figures.
/// Public.
#[utoipa::path(
    tag = "eligibility",
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$"), AsOf),
    responses(
        (status = 200, description = "The evaluation", body = Eligibility),
    )
)]
#[get("/interventi/{code}/eligibility")]
pub async fn get(
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    adhesion: web::Data<Adhesion>,
    catalogue: web::Data<Catalogue>,
    path: Path<CodePath>,
    query: Query<AsOf>,
) -> Result<HttpResponse, ApiError> {
    let as_of = query
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let (eligibility, _) = evaluate(
        &pool,
        peers(&agreements, &adhesion, &catalogue),
        &path.code,
        as_of,
    )
    .await?;
    Ok(HttpResponse::Ok().json(eligibility))
}

/// Marks a planned tranche eligible in the agreements register, through its API, if and only if
/// its conditions hold now (admin, responsabile_accordo, sync; the caller's authority is passed
/// on). The evaluation is kept as the transition's evidence.
#[utoipa::path(
    tag = "eligibility",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The intervento's code", pattern = "^[A-Za-z0-9-]+$"), ("seq" = i32, Path, description = "The tranche's number")),
    responses(
        (status = 200, description = "The tranche as the agreements register now has it"),
        (status = 409, description = "A condition does not hold, or the tranche is not planned", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/interventi/{code}/tranches/{seq}/eligibility")]
pub async fn mark(
    caller: Caller,
    req: HttpRequest,
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    adhesion: web::Data<Adhesion>,
    catalogue: web::Data<Catalogue>,
    path: Path<TranchePath>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[Role::Admin, Role::ResponsabileAccordo, Role::Sync])?;
    let authorization = req.headers().get(actix_web::http::header::AUTHORIZATION);
    let bearer = rules::bearer(authorization.and_then(|v| v.to_str().ok()));
    let today = chrono::Utc::now().date_naive();
    let peers = peers(&agreements, &adhesion, &catalogue);
    let (eligibility, tranches) = evaluate(&pool, peers, &path.code, today).await?;
    let no_tranche = || ApiError::NotFound(format!("tranche {} of {}", path.seq, path.code));
    let evaluated = (eligibility.tranches.iter())
        .find(|t| t.seq == path.seq)
        .ok_or_else(no_tranche)?;
    let tranche = (tranches.iter())
        .find(|t| t.seq == path.seq)
        .ok_or_else(no_tranche)?;
    rules::check_eligible(&path.code, evaluated)?;
    let evidence = serde_json::to_value(evaluated).map_err(ApiError::internal)?;
    let marked = agreements
        .mark_eligible(tranche, &evidence, &bearer)
        .await?;
    Ok(HttpResponse::Ok().json(marked))
}

pub(crate) fn peers<'a>(
    agreements: &'a web::Data<Agreements>,
    adhesion: &'a web::Data<Adhesion>,
    catalogue: &'a web::Data<Catalogue>,
) -> Peers<'a> {
    Peers {
        agreements: agreements.get_ref(),
        adhesion: adhesion.get_ref(),
        catalogue: catalogue.get_ref(),
    }
}
