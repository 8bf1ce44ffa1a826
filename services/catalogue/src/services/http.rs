//! The catalogue's endpoints: parse, authorise, call the rules and queries, answer. What the
//! rules refuse becomes a problem here, in one place (`From<ServiceError> for ApiError`).

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use apq_domain::Role;
use apq_platform::concurrency::{etag, etag_header, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::idempotency::{IdempotencyKey, Stored, respond_once};
use apq_platform::pagination::{Page, PageParams, collection_path};
use apq_platform::versioned::{self, Edit, IfMatch};
use apq_platform::{ApiError, Caller, FieldError};
use diesel::PgConnection;

use super::json::{
    NewService, NumberPath, ServiceEntry, ServiceFilter, ServiceSummary, VersionPath, Withdrawal,
};
use super::queries::{self, ServiceAggregate, read_version, write_version};
use super::rules::{self, ServiceError, ServiceStatus};
use crate::record::{RecordChecks, ServiceRecord};

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        let field = match error {
            ServiceError::Taken(_) | ServiceError::AlreadyWithdrawn(_) => {
                return ApiError::Conflict(error.to_string());
            }
            ServiceError::SearchTooLong => "q",
            ServiceError::NumberChanged => "record.number",
            ServiceError::NoReason => "reason",
        };
        ApiError::field(field, error)
    }
}

/// The catalogue, by service number, with filters and Italian full-text search. Public.
#[utoipa::path(
    tag = "services",
    params(ServiceFilter, PageParams),
    responses((status = 200, description = "A page of services", body = Page<ServiceSummary>))
)]
#[get("/services")]
pub async fn list(
    pool: web::Data<PgPool>,
    filter: Query<ServiceFilter>,
    page: Query<PageParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let filter = filter.0;
    let limit = page.limit()?;
    let after: Option<i32> = page.after()?;
    rules::check_search(filter.q.as_deref())?;
    let rows = run_db(&pool, move |conn| {
        Ok::<_, ApiError>(queries::page(conn, &filter, after, limit)?)
    })
    .await?;
    let items: Vec<ServiceSummary> = rows.into_iter().map(ServiceSummary::from).collect();
    let path = collection_path(&req);
    Ok(HttpResponse::Ok().json(Page::from_rows(items, limit, |s| s.number, &path)))
}

/// One service in full (its current version). Public.
#[utoipa::path(
    tag = "services",
    params(("number" = i32, Path, description = "The service's number (1-8 in the seed)")),
    responses(
        (status = 200, description = "The service", body = ServiceEntry, headers(("ETag" = String, description = "Its current version"))),
    )
)]
#[get("/services/{number}")]
pub async fn get_one(
    pool: web::Data<PgPool>,
    path: Path<NumberPath>,
) -> Result<HttpResponse, ApiError> {
    let number = path.number;
    let entry = run_db(&pool, move |conn| read_version(conn, number, None, false)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag_header(i64::from(entry.version)))
        .json(entry))
}

/// One version of a service's record (adhesions refer to the version they were made against).
#[utoipa::path(
    tag = "services",
    params(
        ("number" = i32, Path, description = "The service's number"),
        ("version" = i32, Path, description = "The record's version"),
    ),
    responses(
        (status = 200, description = "That version", body = ServiceEntry),
    )
)]
#[get("/services/{number}/versions/{version}")]
pub async fn get_version(
    pool: web::Data<PgPool>,
    path: Path<VersionPath>,
) -> Result<HttpResponse, ApiError> {
    let (number, version) = (path.number, path.version);
    let entry = run_db(&pool, move |conn| {
        read_version(conn, number, Some(version), false)
    })
    .await?;
    Ok(HttpResponse::Ok().json(entry))
}

fn require_admin(caller: &Caller) -> Result<(), ApiError> {
    caller.require_any(&[Role::Admin])
}

/// Every field error of the record, named by its path in the body.
fn validate(record: &ServiceRecord) -> Result<(), ApiError> {
    let errors = record.validate();
    if errors.is_empty() {
        return Ok(());
    }
    let fields = errors
        .into_iter()
        .map(|e| FieldError::new(format!("record.{}", e.field), e.message));
    Err(ApiError::validation(fields.collect()))
}

/// Adds a service to the catalogue (admin). Safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "services",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = NewService,
    responses(
        (status = 201, description = "Created (version 1)", body = ServiceEntry, headers(("Location" = String, description = "The service"))),
        (status = 409, description = "The number is taken", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/services")]
pub async fn create(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    body: Json<NewService>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
    let body = body.into_inner();
    validate(&body.record)?;
    respond_once(&pool, caller.subject(), key, body, |conn, actor, body| {
        add(conn, actor, &body)
    })
    .await
}

/// Writes version 1 of a new service.
fn add(conn: &mut PgConnection, actor: &str, body: &NewService) -> Result<Stored, ApiError> {
    let number = body.record.number;
    if queries::exists(conn, number)? {
        return Err(ServiceError::Taken(number).into());
    }
    let edit = Edit::new(actor, "create").because(body.reason.as_deref());
    let ServiceAggregate(entry) = versioned::create(conn, edit, |conn| {
        write_version(
            conn,
            &body.record,
            ServiceStatus::Active,
            1,
            actor,
            edit.reason,
        )
    })?;
    Stored::created(
        &entry,
        format!("/v1/services/{}", entry.number),
        Some(etag(i64::from(entry.version))),
    )
}

/// Writes the next version of service `number` through the write path: `next` gives its
/// record and status from the current version.
fn next_version(
    conn: &mut PgConnection,
    number: i32,
    if_match: IfMatch,
    edit: Edit<'_>,
    next: impl FnOnce(&ServiceEntry) -> Result<(ServiceRecord, ServiceStatus), ApiError>,
) -> Result<ServiceEntry, ApiError> {
    versioned::update(
        conn,
        number,
        if_match,
        edit,
        |conn, ServiceAggregate(before): &ServiceAggregate| {
            let (record, status) = next(before)?;
            let version = before.version + 1;
            write_version(conn, &record, status, version, edit.actor, edit.reason).map(drop)
        },
    )
    .map(|ServiceAggregate(entry)| entry)
}

/// Replaces a service's record with a new version (admin). Requires `If-Match` with the
/// current version's ETag. Earlier versions stay readable.
#[utoipa::path(
    tag = "services",
    security(("bearer" = [])),
    params(
        ("number" = i32, Path, description = "The service's number"),
        IfMatch,
    ),
    request_body = NewService,
    responses(
        (status = 200, description = "The new version", body = ServiceEntry),
    )
)]
#[put("/services/{number}")]
pub async fn replace(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<NumberPath>,
    body: Json<NewService>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
    let number = path.number;
    let NewService { record, reason } = body.into_inner();
    validate(&record)?;
    rules::check_replacement(number, &record)?;
    let actor = caller.subject().to_owned();
    let entry = run_db(&pool, move |conn| {
        let edit = Edit::new(&actor, "new_version").because(reason.as_deref());
        next_version(conn, number, if_match, edit, |before| {
            Ok((record, before.status.into()))
        })
    })
    .await?;
    Ok(ok_with_etag(i64::from(entry.version), &entry))
}

/// Withdraws a service: no new adhesion may refer to it. Requires `If-Match`.
#[utoipa::path(
    tag = "services",
    security(("bearer" = [])),
    params(
        ("number" = i32, Path, description = "The service's number"),
        IfMatch,
    ),
    request_body = Withdrawal,
    responses(
        (status = 200, description = "Withdrawn (a new version)", body = ServiceEntry),
        (status = 409, description = "Already withdrawn", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/services/{number}/withdrawal")]
pub async fn withdraw(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<NumberPath>,
    body: Json<Withdrawal>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
    let number = path.number;
    let reason = body.into_inner().reason;
    rules::check_withdrawal(&reason)?;
    let actor = caller.subject().to_owned();
    let entry = run_db(&pool, move |conn| {
        let edit = Edit::new(&actor, "withdraw").because(Some(&reason));
        next_version(conn, number, if_match, edit, |before| {
            let status = rules::withdraw(number, before.status.into())?;
            Ok((before.record.clone(), status))
        })
    })
    .await?;
    Ok(ok_with_etag(i64::from(entry.version), &entry))
}
