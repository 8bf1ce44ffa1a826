//! The indicators' queries: the indicators with their measurements, a measurement, a definition
//! and a period of verified operation (each write with its audit), and the months verified.

use apq_domain::Semester;
use apq_platform::ApiError;
use apq_platform::audit::{self, Change};
use apq_platform::text_column::SemesterColumn;
use chrono::NaiveDate;
use diesel::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::json::{Indicator, Measurement, NewIndicator, NewOperationPeriod, OperationPeriod};
use super::rules;
use crate::schema::{indicators, measurements, operation_periods};

/// The id of indicator `code` and the intervento it belongs to (none for the programme's); 404
/// when there is none.
pub fn indicator(conn: &mut PgConnection, code: &str) -> Result<(Uuid, Option<String>), ApiError> {
    indicators::table
        .filter(indicators::code.eq(code))
        .select((indicators::id, indicators::intervento_code))
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("indicator {code}")))
}

/// Records (or corrects) the value of indicator `id` (`code`) for `semester`, and audits it.
pub fn measure(
    conn: &mut PgConnection,
    (id, code): (Uuid, &str),
    semester: Semester,
    value: Decimal,
    actor: &str,
) -> Result<(), ApiError> {
    diesel::insert_into(measurements::table)
        .values((
            measurements::indicator_id.eq(id),
            measurements::semester.eq(semester.to_string()),
            measurements::value.eq(value),
            measurements::actor.eq(actor),
        ))
        .on_conflict((measurements::indicator_id, measurements::semester))
        .do_update()
        .set((
            measurements::value.eq(value),
            measurements::actor.eq(actor),
            measurements::at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        Change {
            actor,
            entity: "indicator",
            entity_id: code.to_owned(),
            action: "measure",
            reason: None,
            before: None,
            after: Some(
                serde_json::json!({"semester": semester.to_string(), "value": value.to_string()}),
            ),
        },
    )
}

/// Records a period of verified operation, and audits it; its id.
pub fn insert_period(
    conn: &mut PgConnection,
    body: &NewOperationPeriod,
    actor: &str,
) -> Result<Uuid, ApiError> {
    let id = Uuid::new_v4();
    diesel::insert_into(operation_periods::table)
        .values((
            operation_periods::id.eq(id),
            operation_periods::intervento_code.eq(&body.intervento_code),
            operation_periods::service_number.eq(body.service_number),
            operation_periods::verified_from.eq(body.verified_from),
            operation_periods::verified_to.eq(body.verified_to),
            operation_periods::act_ref.eq(&body.act_ref),
            operation_periods::actor.eq(actor),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        Change {
            actor,
            entity: "operation_period",
            entity_id: id.to_string(),
            action: "verify",
            reason: body.act_ref.as_deref(),
            before: None,
            after: Some(apq_platform::versioned::view_of(body)?),
        },
    )?;
    Ok(id)
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
                    target_reached: rules::target_reached(latest, target),
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
        .map(|(from, to)| rules::whole_months(from, to))
        .max()
        .unwrap_or(0))
}

/// Inserts `new` (its intervento checked by the caller); a code taken is a conflict.
pub fn insert_indicator(conn: &mut PgConnection, new: &NewIndicator) -> Result<(), ApiError> {
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
pub fn record_definition(
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

/// The periods of verified operation (of one intervento, if asked), by start.
pub fn periods(conn: &mut PgConnection, code: Option<&str>) -> QueryResult<Vec<OperationPeriod>> {
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
    if let Some(code) = code {
        query = query.filter(operation_periods::intervento_code.eq(code));
    }
    query.load(conn)
}
