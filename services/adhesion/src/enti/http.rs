//! The registry's endpoints: parse, authorise, call the rules and queries, answer. What the
//! rules refuse becomes a problem here, in one place (`From<EnteError> for ApiError`).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use apq_domain::{IstatCode, Role};
use apq_platform::audit::{self, Change};
use apq_platform::concurrency::etag;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::idempotency::{IdempotencyKey, Stored, respond_once};
use apq_platform::pagination::{Page, PageParams, collection_path};
use apq_platform::{ApiError, Caller, FieldError};
use diesel::PgConnection;
use uuid::Uuid;

use super::DATA_SOURCE;
use super::json::{CodePath, Ente, EnteDetail, EnteFilter, EntePage, NewAggregation};
use super::queries;
use super::rules::{self, EnteError};

impl From<EnteError> for ApiError {
    fn from(error: EnteError) -> Self {
        let (field, detail) = (error.field(), error.to_string());
        match error {
            EnteError::UnknownMember(code) => ApiError::Unprocessable {
                errors: vec![FieldError::new(field, format!("unknown comune {code}"))],
                detail,
            },
            _ => ApiError::field(field, detail),
        }
    }
}

/// The bodies registry, by code, with filters. Public.
#[utoipa::path(
    tag = "enti",
    params(EnteFilter, PageParams),
    responses((status = 200, description = "A page of bodies", body = EntePage))
)]
#[get("/enti")]
pub async fn list(
    pool: web::Data<PgPool>,
    filter: Query<EnteFilter>,
    page: Query<PageParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let filter = filter.0;
    let limit = page.limit()?;
    let after: Option<String> = page.after()?;
    rules::check_region_code(filter.region_code.as_deref())?;
    let rows = run_db(&pool, move |conn| {
        Ok::<_, ApiError>(queries::page(conn, &filter, after.as_deref(), limit)?)
    })
    .await?;
    let items: Vec<Ente> = rows.into_iter().map(Ente::from).collect();
    Ok(HttpResponse::Ok().json(EntePage {
        page: Page::from_rows(items, limit, |e| e.code.clone(), &collection_path(&req)),
        source: DATA_SOURCE.to_owned(),
    }))
}

/// One body. Public.
#[utoipa::path(
    tag = "enti",
    params(("code" = String, Path, description = "The body's code (a comune's ISTAT code)")),
    responses(
        (status = 200, description = "The body", body = EnteDetail),
    )
)]
#[get("/enti/{code}")]
pub async fn get_one(
    pool: web::Data<PgPool>,
    path: Path<CodePath>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner().code;
    let (row, members, member_of) = run_db(&pool, move |conn| {
        let row = queries::by_code(conn, &code)?;
        let members = queries::members(conn, row.id)?;
        let member_of = queries::member_of(conn, row.id)?;
        Ok::<_, ApiError>((row, members, member_of))
    })
    .await?;
    Ok(HttpResponse::Ok().json(EnteDetail {
        ente: Ente::from(row),
        members,
        member_of,
        source: DATA_SOURCE.to_owned(),
    }))
}

/// Registers an aggregation with its member comuni (admin). Safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "enti",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = NewAggregation,
    responses(
        (status = 201, description = "Created", body = EnteDetail, headers(("Location" = String, description = "The aggregation"))),
        (status = 409, description = "The code is taken", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A member is not a comune of the registry", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/enti")]
pub async fn create_aggregation(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    body: Json<NewAggregation>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[Role::Admin])?;
    let body = body.into_inner();
    let errors = rules::check_new_aggregation(body.kind, &body.code, body.members.len());
    ApiError::refuse_any(errors, EnteError::field)?;
    respond_once(&pool, caller.subject(), key, body, |conn, actor, body| {
        register(conn, actor, &body)
    })
    .await
}

/// Writes the aggregation and its members, and audits it.
fn register(
    conn: &mut PgConnection,
    actor: &str,
    body: &NewAggregation,
) -> Result<Stored, ApiError> {
    let id = queries::insert_aggregation(conn, &body.code, body.kind, &body.name)?;
    let codes: Vec<&str> = body.members.iter().map(IstatCode::as_str).collect();
    let (ids, mut members): (Vec<Uuid>, Vec<String>) =
        queries::comuni(conn, &codes)?.into_iter().unzip();
    rules::check_members(&codes, &members)?;
    queries::add_members(conn, id, &ids)?;
    members.sort();
    let detail = EnteDetail {
        ente: Ente::from(queries::by_code(conn, &body.code)?),
        members,
        member_of: Vec::new(),
        source: DATA_SOURCE.to_owned(),
    };
    audit::record(
        conn,
        Change {
            actor,
            entity: "ente",
            entity_id: body.code.clone(),
            action: "create_aggregation",
            reason: None,
            before: None,
            after: Some(apq_platform::versioned::view_of(&detail)?),
        },
    )?;
    Stored::created(&detail, format!("/v1/enti/{}", body.code), Some(etag(1)))
}
