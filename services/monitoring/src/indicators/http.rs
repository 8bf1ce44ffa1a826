//! The indicators' endpoints. What the rules refuse becomes a problem here.

use actix_web::{HttpResponse, get, post, put, web};
use apq_domain::Role;
use apq_platform::db::{PgPool, run_db, run_tx};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::idempotency::{IdempotencyKey, Stored, respond_once};
use apq_platform::{ApiError, Caller};
use diesel::Connection;

use super::json::{
    Indicator, IndicatorList, MeasurementPath, NewIndicator, NewMeasurement, NewOperationPeriod,
    OperationPeriod, OperationPeriodList, PeriodFilter,
};
use super::queries;
use super::rules::{self, IndicatorError};

impl From<IndicatorError> for ApiError {
    fn from(error: IndicatorError) -> Self {
        ApiError::field(error.field(), error)
    }
}

const EDITORS: &[Role] = &[
    Role::Admin,
    Role::ResponsabileAccordo,
    Role::ResponsabileIntervento,
];

/// The indicators with their measurements. Public.
#[utoipa::path(tag = "indicators", responses((status = 200, description = "The indicators", body = IndicatorList)))]
#[get("/indicators")]
pub async fn list(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let items = run_db(&pool, queries::load_all).await?;
    Ok(HttpResponse::Ok().json(IndicatorList { items }))
}

/// Records (or corrects) an indicator's value for a semester.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The indicator's code"), ("semester" = apq_domain::Semester, Path, description = "The semester, e.g. 2009-S2")),
    request_body = NewMeasurement,
    responses(
        (status = 200, description = "The indicator with the value", body = Indicator),
    )
)]
#[put("/indicators/{code}/measurements/{semester}")]
pub async fn measure(
    caller: Caller,
    pool: web::Data<PgPool>,
    path: Path<MeasurementPath>,
    body: Json<NewMeasurement>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(EDITORS)?;
    let MeasurementPath { code, semester } = path.into_inner();
    let value = rules::parse_value(&body.value)?;
    let actor = caller.subject().to_owned();
    let indicator = run_tx(&pool, move |conn| {
        let (id, intervento) = queries::indicator(conn, &code)?;
        may_measure(&caller, &code, intervento.as_deref())?;
        queries::measure(conn, (id, &code), semester, value, &actor)?;
        queries::load_one(conn, &code)
    })
    .await?;
    Ok(HttpResponse::Ok().json(indicator))
}

/// A responsabile di intervento measures the indicators of their own interventi only.
fn may_measure(caller: &Caller, code: &str, intervento: Option<&str>) -> Result<(), ApiError> {
    if caller.has_any(&[Role::Admin, Role::ResponsabileAccordo])
        || intervento.is_some_and(|i| caller.answers_for(i))
    {
        return Ok(());
    }
    Err(ApiError::Forbidden(format!(
        "only the responsabile of the indicator's intervento, the responsabile dell'Accordo or admin measure {code}"
    )))
}

/// Records a period of verified service operation.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    request_body = NewOperationPeriod,
    responses((status = 201, description = "Recorded", body = OperationPeriod))
)]
#[post("/operation-periods")]
pub async fn record_operation(
    caller: Caller,
    pool: web::Data<PgPool>,
    body: Json<NewOperationPeriod>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[Role::Admin, Role::ResponsabileAccordo, Role::Cnipa])?;
    let body = body.into_inner();
    rules::check_period(body.verified_from, body.verified_to)?;
    let actor = caller.subject().to_owned();
    let period = run_tx(&pool, move |conn| {
        let id = queries::insert_period(conn, &body, &actor)?;
        Ok::<_, ApiError>(OperationPeriod {
            id,
            intervento_code: body.intervento_code,
            service_number: body.service_number,
            verified_from: body.verified_from,
            verified_to: body.verified_to,
            act_ref: body.act_ref,
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(period))
}

/// The periods of verified operation. Public.
#[utoipa::path(tag = "indicators", params(PeriodFilter), responses((status = 200, description = "The periods", body = OperationPeriodList)))]
#[get("/operation-periods")]
pub async fn list_operation(
    pool: web::Data<PgPool>,
    filter: Query<PeriodFilter>,
) -> Result<HttpResponse, ApiError> {
    let code = filter.0.intervento_code;
    let items = run_db(&pool, move |conn| {
        Ok::<_, ApiError>(queries::periods(conn, code.as_deref())?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(OperationPeriodList { items }))
}

/// Defines an output indicator of an intervento of the agreements register:
/// `responsabile_accordo` or admin. Safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = NewIndicator,
    responses(
        (status = 201, description = "Defined", body = Indicator, headers(("Location" = String, description = "The indicators"))),
        (status = 404, description = "No such intervento in the agreements register", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code is taken", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The agreements service does not answer", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/indicators")]
pub async fn define(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    agreements: web::Data<crate::peers::Agreements>,
    body: Json<NewIndicator>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[Role::Admin, Role::ResponsabileAccordo])?;
    let new = body.into_inner();
    ApiError::unless_any(rules::new_indicator_errors(&new))?;
    agreements.intervento(&new.intervento_code).await?;
    respond_once(
        &pool,
        caller.subject(),
        key,
        new,
        move |conn, actor, new| {
            let defined = conn.transaction(|conn| queries::record_definition(conn, actor, &new))?;
            Stored::created(&defined, "/v1/indicators".to_owned(), None)
        },
    )
    .await
}
