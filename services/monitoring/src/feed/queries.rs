//! The feed's queries: the schede submitted or validated after a position.

use diesel::prelude::*;

use crate::schede::{SchedaRow, SchedaState};
use crate::schema::schede;

/// Up to `limit` schede submitted or validated after `cursor`, oldest change first, and whether
/// more follow.
pub fn changed_since(
    conn: &mut PgConnection,
    cursor: i64,
    limit: u32,
) -> QueryResult<(Vec<SchedaRow>, bool)> {
    let mut rows: Vec<SchedaRow> = schede::table
        .filter(schede::change_seq.gt(cursor))
        .filter(schede::state.eq_any([
            SchedaState::Submitted.as_str(),
            SchedaState::Validated.as_str(),
        ]))
        .order(schede::change_seq.asc())
        .limit(i64::from(limit) + 1)
        .select(SchedaRow::as_select())
        .load(conn)?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    Ok((rows, more))
}
