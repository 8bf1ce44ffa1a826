//! The calendar's queries: the obligations fulfilled, and the record of one, with its audit.

use apq_platform::ApiError;
use apq_platform::audit::{self, Change};
use chrono::NaiveDate;
use diesel::prelude::*;

use super::json::Fulfilment;
use super::rules::semester_key;
use crate::schema::obligations_done;

/// The obligations fulfilled: (kind, semester or "", done on).
pub fn load_done(conn: &mut PgConnection) -> QueryResult<Vec<(String, String, NaiveDate)>> {
    obligations_done::table
        .select((
            obligations_done::kind,
            obligations_done::semester,
            obligations_done::done_on,
        ))
        .load(conn)
}

/// Records that an obligation was fulfilled, and audits it.
pub fn insert(conn: &mut PgConnection, body: &Fulfilment, actor: &str) -> Result<(), ApiError> {
    diesel::insert_into(obligations_done::table)
        .values((
            obligations_done::kind.eq(body.obligation.as_str()),
            obligations_done::semester.eq(semester_key(body.semester)),
            obligations_done::done_on.eq(body.done_on),
            obligations_done::act_ref.eq(&body.act_ref),
            obligations_done::actor.eq(actor),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        Change {
            actor,
            entity: "obligation",
            entity_id: format!("{}:{}", body.obligation, semester_key(body.semester)),
            action: "fulfil",
            reason: body.act_ref.as_deref(),
            before: None,
            after: Some(apq_platform::versioned::view_of(body)?),
        },
    )
}
