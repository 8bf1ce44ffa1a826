//! The indicators' write queries (the reads are still in `indicators.rs`): a measurement and a
//! period of verified operation, each with its audit.

use apq_domain::Semester;
use apq_platform::ApiError;
use apq_platform::audit::{self, Change};
use diesel::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::NewOperationPeriod;
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
