//! The feed's queries: the schede submitted or validated after a position.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::iter::{self, PhaseRow};
use crate::lists::by_intervento;
use crate::movements::Movement;
use crate::schede::{SchedaRow, SchedaState};
use crate::schema::{movements, phases, schede};

/// The impegni and pagamenti (oldest first) and the phases (in the national table's order) of
/// the interventi `codes`, by intervento: two queries for a page, whatever its size.
pub type Events = (
    HashMap<String, Vec<Movement>>,
    HashMap<String, Vec<PhaseRow>>,
);

pub fn events_of(conn: &mut PgConnection, codes: &[&str]) -> QueryResult<Events> {
    let movements = by_intervento(
        movements::table
            .filter(movements::intervento_code.eq_any(codes))
            .order((movements::on_date.asc(), movements::created_at.asc()))
            .select(Movement::as_select())
            .load(conn)?,
        |m| &m.intervento_code,
    );
    let mut phases = by_intervento(
        phases::table
            .filter(phases::intervento_code.eq_any(codes))
            .select(PhaseRow::as_select())
            .load(conn)?,
        |p| &p.intervento_code,
    );
    for rows in phases.values_mut() {
        iter::in_national_order(rows);
    }
    Ok((movements, phases))
}

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
