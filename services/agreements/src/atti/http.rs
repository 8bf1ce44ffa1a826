//! The accordi's and atti's endpoints: parse, authorise, call the rules and queries, answer.
//! What the rules refuse becomes a problem here, in one place (`From<AttoError> for ApiError`).

use actix_web::{HttpResponse, get, patch, post, web};
use apq_platform::concurrency::{etag, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::versioned::{self, Edit, IfMatch};
use apq_platform::{ApiError, Caller, FieldError};
use diesel::PgConnection;

use super::json::{AccordoList, Atto, AttoList, AttoPatch, NewAtto};
use super::queries::{self, AttoRow, load};
use super::rules::{self, AttoError};
use crate::access::require_editor;
use crate::interventi::IdPath;

impl From<AttoError> for ApiError {
    fn from(error: AttoError) -> Self {
        let field = match error {
            AttoError::Number => "number",
            AttoError::Title => "title",
            AttoError::SignedUndated => "signed_on",
            AttoError::NoAccordo(_) => {
                return ApiError::Unprocessable {
                    detail: error.to_string(),
                    errors: vec![FieldError::new("accordo_id", "no such accordo")],
                };
            }
        };
        ApiError::field(field, error)
    }
}

/// The accordi (APQ) in the register.
#[utoipa::path(tag = "atti", responses((status = 200, description = "The accordi", body = AccordoList)))]
#[get("/accordi")]
pub async fn list_accordi(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let items = run_db(&pool, |conn| Ok::<_, ApiError>(queries::accordi(conn)?)).await?;
    Ok(HttpResponse::Ok().json(AccordoList { items }))
}

/// The atti integrativi, by accordo and number.
#[utoipa::path(tag = "atti", responses((status = 200, description = "The atti integrativi", body = AttoList)))]
#[get("/atti-integrativi")]
pub async fn list_atti(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let rows = run_db(&pool, |conn| Ok::<_, ApiError>(queries::all(conn)?)).await?;
    let items = rows
        .into_iter()
        .map(Atto::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(AttoList { items }))
}

/// One atto integrativo.
#[utoipa::path(
    tag = "atti",
    params(("id" = Uuid, Path, description = "The atto's id")),
    responses(
        (status = 200, description = "The atto", body = Atto, headers(("ETag" = String, description = "Its version"))),
    )
)]
#[get("/atti-integrativi/{id}")]
pub async fn get_atto(
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let atto = Atto::try_from(run_db(&pool, move |conn| load(conn, id, false)).await?)?;
    Ok(ok_with_etag(atto.version, &atto))
}

/// Writes the new atto, if its accordo exists.
fn add(conn: &mut PgConnection, actor: &str, body: &NewAtto) -> Result<Stored, ApiError> {
    if !queries::accordo_exists(conn, body.accordo_id)? {
        return Err(AttoError::NoAccordo(body.accordo_id).into());
    }
    let created: AttoRow = versioned::create(conn, Edit::new(actor, "create"), |conn| {
        Ok(queries::insert(conn, body)?)
    })?;
    let atto = Atto::try_from(created)?;
    Stored::created(
        &atto,
        format!("/v1/atti-integrativi/{}", atto.id),
        Some(etag(atto.version)),
    )
}

/// Adds an atto integrativo to an accordo. Safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "atti",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = NewAtto,
    responses(
        (status = 201, description = "Created", body = Atto, headers(("Location" = String, description = "The new atto"))),
        (status = 409, description = "The accordo already has an atto with that number", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such accordo", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/atti-integrativi")]
pub async fn create_atto(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    body: Json<NewAtto>,
) -> Result<HttpResponse, ApiError> {
    require_editor(&caller)?;
    let body = body.into_inner();
    rules::check_new(&body)?;
    idempotency::respond_once(&pool, caller.subject(), key, body, |conn, actor, body| {
        add(conn, actor, &body)
    })
    .await
}

/// Changes an atto (e.g. records its signature). Requires `If-Match`.
#[utoipa::path(
    tag = "atti",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The atto's id"),
        IfMatch,
    ),
    request_body(content = AttoPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Changed", body = Atto),
    )
)]
#[patch("/atti-integrativi/{id}")]
pub async fn update_atto(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
    body: Json<AttoPatch>,
) -> Result<HttpResponse, ApiError> {
    require_editor(&caller)?;
    let id = path.id;
    let patch = body.into_inner();
    let actor = caller.subject().to_owned();
    let updated: AttoRow = run_db(&pool, move |conn| {
        let edit = Edit::new(&actor, "update").because(patch.reason.as_deref());
        versioned::update(conn, id, if_match, edit, |conn, current: &AttoRow| {
            let next = patch.applied_to(current);
            rules::check_signature(next.status, next.signed_on)?;
            queries::update(conn, &next)?;
            Ok(())
        })
    })
    .await?;
    let atto = Atto::try_from(updated)?;
    Ok(ok_with_etag(atto.version, &atto))
}
