//! Indicators (baseline, target, measured per semester; the seed's Cap. 6) and the periods of
//! verified service operation that the last tranche needs.

use actix_web::{HttpResponse, get, post, put, web};
use apq_domain::{Role, Semester};
use apq_platform::audit::{self, Change};
use apq_platform::db::{PgPool, run_db, run_tx};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::text_column::SemesterColumn;
use apq_platform::{ApiError, Caller};
use chrono::NaiveDate;
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::schema::{indicators, measurements, operation_periods};

mod queries;
mod rules;

impl From<rules::IndicatorError> for ApiError {
    fn from(error: rules::IndicatorError) -> Self {
        ApiError::field(error.field(), error)
    }
}

const EDITORS: &[Role] = &[
    Role::Admin,
    Role::ResponsabileAccordo,
    Role::ResponsabileIntervento,
];

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Measurement {
    pub semester: Semester,
    /// A decimal string.
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub intervento_code: Option<String>,
    /// Absent where the seed gives none (unknown, not zero).
    pub baseline: Option<String>,
    /// Absent where the seed gives none: such a target is never reached.
    pub target: Option<String>,
    pub source_ref: Option<String>,
    /// Measured values, by semester.
    pub measurements: Vec<Measurement>,
    /// The latest measured value, if any.
    pub latest: Option<String>,
    /// Whether the latest value reaches the target (never when the target is unknown).
    pub target_reached: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IndicatorList {
    pub items: Vec<Indicator>,
}

type IndicatorRow = (
    Uuid,
    String,
    String,
    String,
    Option<String>,
    Option<Decimal>,
    Option<Decimal>,
    Option<String>,
);

/// Every indicator with its measurements, by code.
pub fn load_all(conn: &mut PgConnection) -> Result<Vec<Indicator>, ApiError> {
    load(conn, None)
}

/// The indicator `code` with its measurements (not found: a 404 naming it).
pub fn load_one(conn: &mut PgConnection, code: &str) -> Result<Indicator, ApiError> {
    load(conn, Some(code))?
        .pop()
        .ok_or_else(|| ApiError::NotFound(format!("indicator {code}")))
}

/// The indicators (only `code` when given) with their measurements, by code.
fn load(conn: &mut PgConnection, only: Option<&str>) -> Result<Vec<Indicator>, ApiError> {
    let mut query = indicators::table.into_boxed();
    if let Some(code) = only {
        query = query.filter(indicators::code.eq(code));
    }
    let rows: Vec<IndicatorRow> = query
        .order(indicators::code.asc())
        .select((
            indicators::id,
            indicators::code,
            indicators::name,
            indicators::unit,
            indicators::intervento_code,
            indicators::baseline,
            indicators::target,
            indicators::source_ref,
        ))
        .load(conn)?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.0).collect();
    let values: Vec<(Uuid, SemesterColumn, Decimal)> = measurements::table
        .filter(measurements::indicator_id.eq_any(&ids))
        .order((measurements::indicator_id, measurements::semester))
        .select((
            measurements::indicator_id,
            measurements::semester,
            measurements::value,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(id, code, name, unit, intervento_code, baseline, target, source_ref)| {
                let measured: Vec<(Semester, Decimal)> = values
                    .iter()
                    .filter(|(i, _, _)| *i == id)
                    .map(|(_, s, v)| (s.0, *v))
                    .collect();
                let latest = measured.last().map(|(_, v)| *v);
                Ok(Indicator {
                    code,
                    name,
                    unit,
                    intervento_code,
                    baseline: baseline.map(|b| b.to_string()),
                    target: target.map(|t| t.to_string()),
                    source_ref,
                    target_reached: latest.zip(target).is_some_and(|(v, t)| v >= t),
                    latest: latest.map(|v| v.to_string()),
                    measurements: measured
                        .into_iter()
                        .map(|(semester, v)| Measurement {
                            semester,
                            value: v.to_string(),
                        })
                        .collect(),
                })
            },
        )
        .collect()
}

/// The indicators with their measurements. Public.
#[utoipa::path(tag = "indicators", responses((status = 200, description = "The indicators", body = IndicatorList)))]
#[get("/indicators")]
pub async fn list(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let items = run_db(&pool, load_all).await?;
    Ok(HttpResponse::Ok().json(IndicatorList { items }))
}

#[derive(Debug, Deserialize)]
pub struct MeasurementPath {
    pub code: String,
    pub semester: Semester,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeasurement {
    /// A decimal string, e.g. "42" or "30.5".
    #[schema(pattern = "^[0-9]{1,13}(\\.[0-9]{1,2})?$")]
    pub value: String,
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
        load_one(conn, &code)
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

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable)]
pub struct OperationPeriod {
    pub id: Uuid,
    pub intervento_code: String,
    #[schema(format = Int32)]
    pub service_number: Option<i32>,
    pub verified_from: NaiveDate,
    pub verified_to: NaiveDate,
    pub act_ref: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOperationPeriod {
    pub intervento_code: String,
    #[schema(format = Int32)]
    pub service_number: Option<i32>,
    pub verified_from: NaiveDate,
    pub verified_to: NaiveDate,
    /// The verification's act.
    pub act_ref: Option<String>,
}

/// Whole months in [from, to]: the largest m with from + m months <= the day after `to` (a
/// period from 1 January to 31 December is 12 months).
pub fn whole_months(from: NaiveDate, to: NaiveDate) -> i32 {
    let end = to.succ_opt().unwrap_or(to);
    let mut months = 0;
    while months < 1200
        && from
            .checked_add_months(chrono::Months::new(months + 1))
            .is_some_and(|d| d <= end)
    {
        months += 1;
    }
    i32::try_from(months).unwrap_or(0)
}

/// Months of verified operation of an intervento's services (the longest continuous period).
pub fn verified_months(conn: &mut PgConnection, intervento_code: &str) -> QueryResult<i32> {
    let periods: Vec<(NaiveDate, NaiveDate)> = operation_periods::table
        .filter(operation_periods::intervento_code.eq(intervento_code))
        .select((
            operation_periods::verified_from,
            operation_periods::verified_to,
        ))
        .load(conn)?;
    Ok(periods
        .into_iter()
        .map(|(from, to)| whole_months(from, to))
        .max()
        .unwrap_or(0))
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodFilter {
    pub intervento_code: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OperationPeriodList {
    pub items: Vec<OperationPeriod>,
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
        let mut query = operation_periods::table
            .select((
                operation_periods::id,
                operation_periods::intervento_code,
                operation_periods::service_number,
                operation_periods::verified_from,
                operation_periods::verified_to,
                operation_periods::act_ref,
            ))
            .order(operation_periods::verified_from.asc())
            .into_boxed();
        if let Some(code) = &code {
            query = query.filter(operation_periods::intervento_code.eq(code));
        }
        Ok::<_, ApiError>(query.load(conn)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(OperationPeriodList { items }))
}

/// An output indicator of an intervento, as the Region defines it (the national monitoring asks
/// one with a target for each project: IN01, check 008).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIndicator {
    /// Unique among the indicators, e.g. IND-17.
    #[schema(pattern = "^[A-Za-z0-9-]{1,20}$")]
    pub code: String,
    /// One line.
    #[schema(
        max_length = 255,
        pattern = "^[^\\r\\n\\u0000]*[^\\s\\u0000][^\\r\\n\\u0000]*$"
    )]
    pub name: String,
    /// The unit of measure, e.g. "numero".
    #[schema(
        max_length = 40,
        pattern = "^[^\\r\\n\\u0000]*[^\\s\\u0000][^\\r\\n\\u0000]*$"
    )]
    pub unit: String,
    #[schema(pattern = "^[A-Za-z0-9-]+$")]
    pub intervento_code: String,
    /// A non-negative decimal string; absent when unknown.
    #[serde(default)]
    #[schema(pattern = "^[0-9]{1,13}(\\.[0-9]{1,2})?$")]
    pub baseline: Option<String>,
    /// A non-negative decimal string; absent when unknown (such a target is never reached).
    #[serde(default)]
    #[schema(pattern = "^[0-9]{1,13}(\\.[0-9]{1,2})?$")]
    pub target: Option<String>,
}

/// Inserts `new` (its intervento checked by the caller); a code taken is a conflict.
fn insert_indicator(conn: &mut PgConnection, new: &NewIndicator) -> Result<(), ApiError> {
    let parse = |v: &Option<String>| v.as_deref().and_then(|v| rules::parse_value(v).ok());
    let inserted = diesel::insert_into(indicators::table)
        .values((
            indicators::id.eq(Uuid::new_v4()),
            indicators::code.eq(&new.code),
            indicators::name.eq(new.name.trim()),
            indicators::unit.eq(new.unit.trim()),
            indicators::intervento_code.eq(&new.intervento_code),
            indicators::baseline.eq(parse(&new.baseline)),
            indicators::target.eq(parse(&new.target)),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    if inserted == 0 {
        return Err(ApiError::Conflict(format!(
            "an indicator {} exists",
            new.code
        )));
    }
    Ok(())
}

/// Inserts `new` and audits it, in the caller's transaction: the indicator as defined.
fn record_definition(
    conn: &mut PgConnection,
    actor: &str,
    new: &NewIndicator,
) -> Result<Indicator, ApiError> {
    insert_indicator(conn, new)?;
    let defined = load_one(conn, &new.code)?;
    audit::record(
        conn,
        Change {
            actor,
            entity: "indicator",
            entity_id: new.code.clone(),
            action: "define",
            reason: None,
            before: None,
            after: Some(serde_json::to_value(&defined).map_err(ApiError::internal)?),
        },
    )?;
    Ok(defined)
}

/// Defines an output indicator of an intervento of the agreements register:
/// `responsabile_accordo` or admin. Safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(apq_platform::idempotency::IdempotencyKey),
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
    key: apq_platform::idempotency::IdempotencyKey,
    pool: web::Data<PgPool>,
    agreements: web::Data<crate::peers::Agreements>,
    body: Json<NewIndicator>,
) -> Result<HttpResponse, ApiError> {
    use apq_platform::idempotency::{Stored, respond_once};
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
            let defined = conn.transaction(|conn| record_definition(conn, actor, &new))?;
            Stored::created(&defined, "/v1/indicators".to_owned(), None)
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn twelve_months_of_operation() {
        assert_eq!(whole_months(d(2010, 1, 1), d(2010, 12, 31)), 12);
        assert_eq!(whole_months(d(2010, 1, 1), d(2010, 12, 30)), 11);
        assert_eq!(whole_months(d(2010, 3, 15), d(2011, 3, 14)), 12);
        assert_eq!(whole_months(d(2010, 3, 15), d(2011, 3, 13)), 11);
        assert_eq!(whole_months(d(2010, 1, 1), d(2010, 1, 31)), 1);
    }
}
