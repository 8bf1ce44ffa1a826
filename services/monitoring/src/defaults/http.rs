//! The defaults' endpoints: parse, authorise, call the rules and queries, answer. What the
//! rules refuse becomes a problem here, in one place (`From<DefaultError> for ApiError`).

use actix_web::{HttpResponse, get, post, web};
use apq_domain::Role;
use apq_platform::concurrency::ok_with_etag;
use apq_platform::db::{PgPool, run_db, run_tx};
use apq_platform::extract::{Json, Path};
use apq_platform::versioned::{self, Edit, IfMatch};
use apq_platform::{ApiError, Caller};

use super::json::{Default_, DefaultAction, DefaultList, Detection, IdPath};
use super::rules::DefaultError;
use super::{queries, rules};
use crate::calendar::load_done;
use crate::deadlines::schedule;

impl From<DefaultError> for ApiError {
    fn from(error: DefaultError) -> Self {
        ApiError::Conflict(error.to_string())
    }
}

const MANAGERS: &[Role] = &[Role::Admin, Role::ResponsabileAccordo];

/// The defaults, oldest first. Public.
#[utoipa::path(tag = "defaults", responses((status = 200, description = "The defaults", body = DefaultList)))]
#[get("/defaults")]
pub async fn list(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let items = run_db(&pool, |conn| Ok::<_, ApiError>(queries::all(conn)?)).await?;
    Ok(HttpResponse::Ok().json(DefaultList { items }))
}

/// Opens a case for every obligation late at `as_of` that has none yet (managers). Returns the
/// cases opened.
#[utoipa::path(
    tag = "defaults",
    security(("bearer" = [])),
    request_body = Detection,
    responses((status = 200, description = "The cases opened now", body = DefaultList))
)]
#[post("/defaults/detections")]
pub async fn detect(
    caller: Caller,
    pool: web::Data<PgPool>,
    body: Json<Detection>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(MANAGERS)?;
    let Detection { signed_on, as_of } = body.into_inner();
    crate::deadlines::check_span(signed_on, as_of, "as_of")?;
    let actor = caller.subject().to_owned();
    let items = run_tx(&pool, move |conn| {
        let done = load_done(conn)?;
        let mut opened = Vec::new();
        for due in rules::missed(schedule(signed_on, as_of), &done, as_of) {
            opened.extend(queries::open(conn, &due, as_of, &actor)?);
        }
        Ok::<_, ApiError>(opened)
    })
    .await?;
    Ok(HttpResponse::Ok().json(DefaultList { items }))
}

/// Moves a case on: a deadline, its resolution, or the referral to the Tavolo (only once the
/// deadline has passed). Requires `If-Match`.
#[utoipa::path(
    tag = "defaults",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The case's id"), IfMatch),
    request_body = DefaultAction,
    responses(
        (status = 200, description = "The case", body = Default_),
        (status = 409, description = "Not possible in the case's state", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/defaults/{id}/actions")]
pub async fn act(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
    body: Json<DefaultAction>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(MANAGERS)?;
    let id = path.id;
    let step = body.into_inner().step();
    let actor = caller.subject().to_owned();
    let case: Default_ = run_db(&pool, move |conn| {
        let edit = Edit::new(&actor, "act");
        versioned::update(conn, id, if_match, edit, |conn, current: &Default_| {
            rules::check(current.state, current.deadline, step)?;
            queries::apply(conn, id, step)?;
            Ok(())
        })
    })
    .await?;
    Ok(ok_with_etag(case.version, &case))
}
