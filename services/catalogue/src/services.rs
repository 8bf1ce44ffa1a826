//! The catalogue: public reads (filters, Italian full-text search, one service in full, any past
//! version), and versioned changes by `admin` only.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use apq_domain::{Euro, Role};
use apq_platform::concurrency::{etag, etag_header, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::pagination::{Page, PageParams, collection_path};
use apq_platform::versioned::{self, Edit, IfMatch, Versioned};
use apq_platform::{ApiError, Caller};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::record::{Availability, PricingModel, ServiceRecord};
use crate::schema::{service_versions, services};

apq_domain::text_enum!(
    /// Whether a service can still be adhered to.
    ServiceStatus { Active = "active", Withdrawn = "withdrawn" }
);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = services)]
struct ServiceRow {
    number: i32,
    name: String,
    ambito: Option<String>,
    tipologia: Option<String>,
    availability: String,
    pricing_models: Vec<String>,
    status: String,
    current_version: i32,
    updated_at: DateTime<Utc>,
}

/// A service in a list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ServiceSummary {
    #[schema(format = Int32)]
    pub number: i32,
    pub name: String,
    pub ambito: Option<String>,
    pub tipologia: Option<String>,
    pub availability: Availability,
    pub pricing_models: Vec<PricingModel>,
    pub status: ServiceStatus,
    /// The current version of its record.
    #[schema(format = Int32)]
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<ServiceRow> for ServiceSummary {
    type Error = ApiError;
    fn try_from(row: ServiceRow) -> Result<Self, ApiError> {
        Ok(Self {
            number: row.number,
            name: row.name,
            ambito: row.ambito,
            tipologia: row.tipologia,
            availability: row.availability.parse().map_err(ApiError::internal)?,
            pricing_models: row
                .pricing_models
                .iter()
                .map(|m| m.parse().map_err(ApiError::internal))
                .collect::<Result<_, _>>()?,
            status: row.status.parse().map_err(ApiError::internal)?,
            version: row.current_version,
            updated_at: row.updated_at,
        })
    }
}

/// One version of a service's record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ServiceEntry {
    #[schema(format = Int32)]
    pub number: i32,
    #[schema(format = Int32)]
    pub version: i32,
    /// The status this version gave the service.
    pub status: ServiceStatus,
    /// Whether this is the service's current version.
    pub current: bool,
    pub record: ServiceRecord,
    /// The record's cost lines added up.
    #[schema(value_type = apq_domain::EuroTotal)]
    pub total_cost: Euro,
    pub changed_by: String,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

type VersionRow = (
    i32,
    i32,
    String,
    serde_json::Value,
    String,
    Option<String>,
    DateTime<Utc>,
);

fn load_version(
    conn: &mut PgConnection,
    number: i32,
    version: Option<i32>,
) -> Result<ServiceEntry, ApiError> {
    read_version(conn, number, version, false)
}

fn read_version(
    conn: &mut PgConnection,
    number: i32,
    version: Option<i32>,
    lock: bool,
) -> Result<ServiceEntry, ApiError> {
    let query = services::table
        .find(number)
        .select(services::current_version);
    let current: i32 = if lock {
        query.for_update().first(conn)
    } else {
        query.first(conn)
    }
    .optional()?
    .ok_or_else(|| ApiError::NotFound(format!("service {number}")))?;
    let wanted = version.unwrap_or(current);
    let (number, version, status, record, changed_by, reason, created_at): VersionRow =
        service_versions::table
            .find((number, wanted))
            .select((
                service_versions::service_number,
                service_versions::version,
                service_versions::status,
                service_versions::record,
                service_versions::changed_by,
                service_versions::reason,
                service_versions::created_at,
            ))
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("version {wanted} of service {number}")))?;
    let record: ServiceRecord = serde_json::from_value(record).map_err(ApiError::internal)?;
    Ok(ServiceEntry {
        number,
        version,
        status: status.parse().map_err(ApiError::internal)?,
        current: version == current,
        total_cost: record.total_cost(),
        record,
        changed_by,
        reason,
        created_at,
    })
}

/// A service is one aggregate: its row (which says the current version) and its versions.
impl Versioned for ServiceEntry {
    const ENTITY: &'static str = "service";
    type Key = i32;

    fn lock(conn: &mut PgConnection, number: &i32) -> Result<Self, ApiError> {
        read_version(conn, *number, None, true)
    }

    fn version(&self) -> i64 {
        i64::from(self.version)
    }

    fn bump(conn: &mut PgConnection, number: &i32, version: i64) -> QueryResult<usize> {
        let version = i32::try_from(version).map_err(|_| diesel::result::Error::NotFound)?;
        diesel::update(services::table.find(number))
            .set((
                services::current_version.eq(version),
                services::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(&(&self.status, &self.record))
    }
}

/// Writes `record` as version `version` of its service (the first creates the service; a later
/// one becomes current when the write path bumps the service to it).
pub fn write_version(
    conn: &mut PgConnection,
    record: &ServiceRecord,
    status: ServiceStatus,
    version: i32,
    actor: &str,
    reason: Option<&str>,
) -> Result<i32, ApiError> {
    let mut models: Vec<&str> = record.pricing.iter().map(|p| p.model.as_str()).collect();
    models.sort_unstable();
    models.dedup();
    let values = (
        services::name.eq(&record.name),
        services::ambito.eq(&record.ambito_amministrativo),
        services::tipologia.eq(&record.tipologia),
        services::availability.eq(record.availability.as_str()),
        services::pricing_models.eq(&models),
        services::status.eq(status.as_str()),
        services::search_text.eq(record.search_text()),
    );
    if version > 1 {
        diesel::update(services::table.find(record.number))
            .set(values)
            .execute(conn)?;
    } else {
        diesel::insert_into(services::table)
            .values((
                services::number.eq(record.number),
                services::current_version.eq(version),
                values,
            ))
            .execute(conn)?;
    }
    diesel::insert_into(service_versions::table)
        .values((
            service_versions::service_number.eq(record.number),
            service_versions::version.eq(version),
            service_versions::status.eq(status.as_str()),
            service_versions::record.eq(serde_json::to_value(record).map_err(ApiError::internal)?),
            service_versions::changed_by.eq(actor),
            service_versions::reason.eq(reason),
        ))
        .execute(conn)?;
    Ok(record.number)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceFilter {
    /// Ambito amministrativo, exactly as in the record.
    pub ambito: Option<String>,
    /// Services offered with this pricing model.
    pub pricing: Option<PricingModel>,
    pub availability: Option<Availability>,
    pub status: Option<ServiceStatus>,
    /// Full-text search in Italian over names, aliases and descriptions.
    pub q: Option<String>,
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
    if filter.q.as_ref().is_some_and(|q| q.len() > 200) {
        return Err(ApiError::field("q", "a search is at most 200 characters"));
    }
    let rows = run_db(&pool, move |conn| {
        let mut query = services::table
            .select(ServiceRow::as_select())
            .order(services::number.asc())
            .limit(i64::from(limit) + 1)
            .into_boxed();
        if let Some(ambito) = &filter.ambito {
            query = query.filter(services::ambito.eq(ambito));
        }
        if let Some(pricing) = filter.pricing {
            query =
                query.filter(services::pricing_models.contains(vec![pricing.as_str().to_owned()]));
        }
        if let Some(availability) = filter.availability {
            query = query.filter(services::availability.eq(availability.as_str()));
        }
        if let Some(status) = filter.status {
            query = query.filter(services::status.eq(status.as_str()));
        }
        if let Some(q) = filter.q.as_ref().filter(|q| !q.trim().is_empty()) {
            query = query.filter(
                diesel::dsl::sql::<Bool>("search @@ plainto_tsquery('italian', ")
                    .bind::<Text, _>(q.clone())
                    .sql(")"),
            );
        }
        if let Some(after) = after {
            query = query.filter(services::number.gt(after));
        }
        Ok::<_, ApiError>(query.load(conn)?)
    })
    .await?;
    let items = rows
        .into_iter()
        .map(ServiceSummary::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        items,
        limit,
        |s| s.number,
        &collection_path(&req),
    )))
}

#[derive(Debug, Deserialize)]
pub struct NumberPath {
    pub number: i32,
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
    let entry = run_db(&pool, move |conn| load_version(conn, number, None)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag_header(i64::from(entry.version)))
        .json(entry))
}

#[derive(Debug, Deserialize)]
pub struct VersionPath {
    pub number: i32,
    pub version: i32,
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
    let entry = run_db(&pool, move |conn| load_version(conn, number, Some(version))).await?;
    Ok(HttpResponse::Ok().json(entry))
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewService {
    pub record: ServiceRecord,
    #[serde(default)]
    pub reason: Option<String>,
}

fn require_admin(caller: &Caller) -> Result<(), ApiError> {
    caller.require_any(&[Role::Admin])
}

fn validate(record: &ServiceRecord) -> Result<(), ApiError> {
    let errors = record.validate();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(
            errors
                .into_iter()
                .map(|e| apq_platform::FieldError::new(format!("record.{}", e.field), e.message))
                .collect(),
        ))
    }
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
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&body);
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            let taken: i64 = services::table
                .filter(services::number.eq(body.record.number))
                .count()
                .get_result(conn)?;
            if taken > 0 {
                return Err(ApiError::Conflict(format!(
                    "service {} already exists; change it with PUT",
                    body.record.number
                )));
            }
            let edit = Edit::new(&actor, "create").because(body.reason.as_deref());
            let entry: ServiceEntry = versioned::create(conn, edit, |conn| {
                write_version(
                    conn,
                    &body.record,
                    ServiceStatus::Active,
                    1,
                    &actor,
                    edit.reason,
                )
            })?;
            Stored::created(
                &entry,
                format!("/v1/services/{}", entry.number),
                Some(etag(i64::from(entry.version))),
            )
        })
    })
    .await?;
    Ok(stored.into_response())
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
    let body = body.into_inner();
    validate(&body.record)?;
    if body.record.number != number {
        return Err(ApiError::field(
            "record.number",
            "the record's number must be the service's",
        ));
    }
    let actor = caller.subject().to_owned();
    let entry: ServiceEntry = run_db(&pool, move |conn| {
        let edit = Edit::new(&actor, "new_version").because(body.reason.as_deref());
        versioned::update(
            conn,
            number,
            if_match,
            edit,
            |conn, before: &ServiceEntry| {
                write_version(
                    conn,
                    &body.record,
                    before.status,
                    before.version + 1,
                    &actor,
                    edit.reason,
                )
                .map(drop)
            },
        )
    })
    .await?;
    Ok(ok_with_etag(i64::from(entry.version), &entry))
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Withdrawal {
    #[schema(pattern = "\\S")]
    pub reason: String,
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
    if reason.trim().is_empty() {
        return Err(ApiError::field(
            "reason",
            "say why the service is withdrawn",
        ));
    }
    let actor = caller.subject().to_owned();
    let entry: ServiceEntry = run_db(&pool, move |conn| {
        let edit = Edit::new(&actor, "withdraw").because(Some(&reason));
        versioned::update(
            conn,
            number,
            if_match,
            edit,
            |conn, before: &ServiceEntry| {
                if before.status == ServiceStatus::Withdrawn {
                    return Err(ApiError::Conflict(format!(
                        "service {number} is already withdrawn"
                    )));
                }
                write_version(
                    conn,
                    &before.record,
                    ServiceStatus::Withdrawn,
                    before.version + 1,
                    &actor,
                    edit.reason,
                )
                .map(drop)
            },
        )
    })
    .await?;
    Ok(ok_with_etag(i64::from(entry.version), &entry))
}
