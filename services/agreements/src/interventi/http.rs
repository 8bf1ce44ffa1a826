//! The intervento's endpoints: parse, authorise, call the rules and queries, answer. What the
//! rules refuse becomes a problem here, in one place (`From<InterventoError> for ApiError`).

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use apq_platform::concurrency::{etag, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::pagination::{Page, PageParams, collection_path};
use apq_platform::versioned::{self, Edit, IfMatch};
use apq_platform::{ApiError, Caller, FieldError};
use diesel::PgConnection;

use super::json::{IdPath, Intervento, InterventoFilter, InterventoPatch, NewIntervento};
use super::queries::{self, InterventoRow, load};
use super::rules::{self, InterventoError};
use crate::access::require_editor;

impl From<InterventoError> for ApiError {
    fn from(error: InterventoError) -> Self {
        match error {
            InterventoError::NoAtto(_) => ApiError::Unprocessable {
                detail: error.to_string(),
                errors: vec![FieldError::new(error.field(), "no such atto integrativo")],
            },
            _ => ApiError::field(error.field(), error),
        }
    }
}

/// The interventi, by code, with filters.
#[utoipa::path(
    tag = "interventi",
    params(InterventoFilter, PageParams),
    responses((status = 200, description = "A page of interventi", body = Page<Intervento>))
)]
#[get("/interventi")]
pub async fn list(
    pool: web::Data<PgPool>,
    filter: Query<InterventoFilter>,
    page: Query<PageParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let filter = filter.0;
    let limit = page.limit()?;
    let after: Option<String> = page.after()?;
    let rows = run_db(&pool, move |conn| {
        Ok::<_, ApiError>(queries::page(conn, &filter, after.as_deref(), limit)?)
    })
    .await?;
    let items = rows
        .into_iter()
        .map(Intervento::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    let path = collection_path(&req);
    Ok(HttpResponse::Ok().json(Page::from_rows(items, limit, |i| i.code.clone(), &path)))
}

/// One intervento.
#[utoipa::path(
    tag = "interventi",
    params(("id" = Uuid, Path, description = "The intervento's id")),
    responses(
        (status = 200, description = "The intervento", body = Intervento,
         headers(("ETag" = String, description = "The version, for If-Match"))),
    )
)]
#[get("/interventi/{id}")]
pub async fn get_one(
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let row = run_db(&pool, move |conn| load(conn, id, false)).await?;
    let view = Intervento::try_from(row)?;
    Ok(ok_with_etag(view.version, &view))
}

/// Adds an intervento to an atto. Safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "interventi",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = NewIntervento,
    responses(
        (status = 201, description = "Created", body = Intervento,
         headers(("Location" = String, description = "The new intervento"), ("ETag" = String, description = "Its version"))),
        (status = 409, description = "The code or the CUP is taken", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The atto does not exist", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/interventi")]
pub async fn create(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    body: Json<NewIntervento>,
) -> Result<HttpResponse, ApiError> {
    require_editor(&caller)?;
    let body = body.into_inner();
    let errors = rules::check_new(&body.code, &body.title, body.total_cost);
    ApiError::refuse_any(errors, InterventoError::field)?;
    idempotency::respond_once(&pool, caller.subject(), key, body, |conn, actor, body| {
        add(conn, actor, &body)
    })
    .await
}

/// Writes the new intervento, if its atto exists.
fn add(conn: &mut PgConnection, actor: &str, body: &NewIntervento) -> Result<Stored, ApiError> {
    if !queries::atto_exists(conn, body.atto_id)? {
        return Err(InterventoError::NoAtto(body.atto_id).into());
    }
    let row: InterventoRow = versioned::create(conn, Edit::new(actor, "create"), |conn| {
        Ok(queries::insert(conn, body)?)
    })?;
    let view = Intervento::try_from(row)?;
    Stored::created(
        &view,
        format!("/v1/interventi/{}", view.id),
        Some(etag(view.version)),
    )
}

/// Changes an intervento. Requires `If-Match` with the ETag read; a stale one gets 412.
#[utoipa::path(
    tag = "interventi",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The intervento's id"),
        IfMatch,
    ),
    request_body(content = InterventoPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Changed", body = Intervento, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "The CUP is another intervento's", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/interventi/{id}")]
pub async fn update(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
    body: Json<InterventoPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let patch = body.into_inner();
    // CNIPA's approval of the progetto esecutivo is its act, recorded at
    // PUT /v1/interventi/{id}/progetto-esecutivo (see `acts`), not a field the Regione edits.
    require_editor(&caller)?;
    if let Some(title) = &patch.title {
        rules::check_title(title)?;
    }
    let actor = caller.subject().to_owned();
    let updated = run_db(&pool, move |conn| {
        let edit = Edit::new(&actor, "update").because(patch.reason.as_deref());
        versioned::update(conn, id, if_match, edit, |conn, current: &InterventoRow| {
            queries::apply_patch(conn, current, &patch)?;
            Ok(())
        })
    })
    .await?;
    let view = Intervento::try_from(updated)?;
    Ok(ok_with_etag(view.version, &view))
}
