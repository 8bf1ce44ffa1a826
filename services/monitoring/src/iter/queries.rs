//! The iter's queries (the others are still in `iter.rs`): the opening of a phase.

use apq_platform::ApiError;
use diesel::prelude::*;
use uuid::Uuid;

use super::NewPhase;
use crate::schema::phases;

/// Opens the phase `body` of the intervento `code`; its id, or a conflict (409) when the
/// intervento has the phase already.
pub fn insert(
    conn: &mut PgConnection,
    code: &str,
    body: &NewPhase,
    actor: &str,
) -> Result<Uuid, ApiError> {
    let id = Uuid::new_v4();
    let inserted = diesel::insert_into(phases::table)
        .values((
            phases::id.eq(id),
            phases::intervento_code.eq(code),
            phases::code.eq(&body.code),
            phases::planned_start.eq(body.planned_start),
            phases::planned_end.eq(body.planned_end),
            phases::actual_start.eq(body.actual_start),
            phases::actual_end.eq(body.actual_end),
            phases::recorded_by.eq(actor),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    if inserted == 0 {
        return Err(ApiError::Conflict(format!(
            "{code} already has the phase {}",
            body.code
        )));
    }
    Ok(id)
}
