//! The events' queries: the registers of an intervento, an event recorded under the
//! intervento's lock, the open schede given the new totals; and the aggregate the write path
//! locks.

use apq_domain::Semester;
use apq_platform::ApiError;
use apq_platform::text_column::SemesterColumn;
use apq_platform::versioned::{self, Edit, Versioned};
use diesel::prelude::*;
use uuid::Uuid;

use super::json::Movement;
use super::rules::{self, Draft, MovementError, MovementKind};
use crate::schema::{movements, schede};

impl Versioned for Movement {
    const ENTITY: &'static str = "movement";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        movements::table
            .find(id)
            .select(Movement::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("movement {id}")))
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(movements, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(self)
    }
}

/// The events of `code`, oldest first (one kind, if asked).
pub fn of(
    conn: &mut PgConnection,
    code: &str,
    kind: Option<MovementKind>,
) -> QueryResult<Vec<Movement>> {
    let mut query = movements::table
        .filter(movements::intervento_code.eq(code))
        .order((movements::on_date.asc(), movements::created_at.asc()))
        .select(Movement::as_select())
        .into_boxed();
    if let Some(kind) = kind {
        query = query.filter(movements::kind.eq(kind.as_str()));
    }
    query.load(conn)
}

/// The latest semester of `intervento` whose scheda is submitted or validated (a semester the
/// column holds and the domain refuses is a database error).
fn latest_closed(conn: &mut PgConnection, intervento: &str) -> QueryResult<Option<Semester>> {
    let closed: Option<SemesterColumn> = schede::table
        .filter(schede::intervento_code.eq(intervento))
        .filter(schede::state.eq_any(["submitted", "validated"]))
        .select(schede::semester)
        .order(schede::semester.desc())
        .first(conn)
        .optional()?;
    Ok(closed.map(Semester::from))
}

/// Whether the register of `kind` of `intervento` has the code `code`.
fn taken(
    conn: &mut PgConnection,
    intervento: &str,
    kind: MovementKind,
    code: &str,
) -> QueryResult<bool> {
    let count: i64 = movements::table
        .filter(movements::intervento_code.eq(intervento))
        .filter(movements::kind.eq(kind.as_str()))
        .filter(movements::code.eq(code))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

fn insert(
    conn: &mut PgConnection,
    intervento: &str,
    actor: &str,
    draft: &Draft,
) -> QueryResult<Uuid> {
    let id = Uuid::new_v4();
    diesel::insert_into(movements::table)
        .values((
            movements::id.eq(id),
            movements::intervento_code.eq(intervento),
            movements::kind.eq(draft.kind.as_str()),
            movements::code.eq(&draft.code),
            movements::tipologia.eq(draft.tipologia),
            movements::on_date.eq(draft.date),
            movements::amount.eq(draft.amount.decimal()),
            movements::causale.eq(&draft.causale),
            movements::note.eq(&draft.note),
            movements::recorded_by.eq(actor),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Records one event: refused when its code is taken (409), when the semester it falls in (or a
/// later one) already has a submitted or validated scheda (409: that scheda's totals were
/// declared on the events then recorded), or when a reversal would bring the total below zero
/// (checks 050 and 052). The open schede of the intervento take the new totals.
pub fn record(
    conn: &mut PgConnection,
    intervento: &str,
    actor: &str,
    draft: &Draft,
) -> Result<Movement, ApiError> {
    // One writer per intervento at a time: the net totals checked below stay true at commit.
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('movements:' || $1))")
        .bind::<diesel::sql_types::Text, _>(intervento)
        .execute(conn)?;
    rules::check_open(intervento, latest_closed(conn, intervento)?, draft.date)?;
    if taken(conn, intervento, draft.kind, &draft.code)? {
        return Err(MovementError::Taken {
            intervento: intervento.to_owned(),
            kind: draft.kind,
            code: draft.code.clone(),
        }
        .into());
    }
    let edit = Edit::new(actor, draft.kind.as_str()).because(draft.note.as_deref());
    let created: Movement = versioned::create(conn, edit, |conn| {
        Ok(insert(conn, intervento, actor, draft)?)
    })?;
    let events = of(conn, intervento, None)?;
    rules::check_totals(draft.kind, &events)?;
    refresh_open_schede(conn, intervento, &events)?;
    Ok(created)
}

/// Gives the intervento's draft and returned schede the totals of the events up to the end of
/// their semester (their version moves: an ETag read before no longer matches).
pub fn refresh_open_schede(
    conn: &mut PgConnection,
    intervento: &str,
    events: &[Movement],
) -> Result<(), ApiError> {
    let open: Vec<(Uuid, SemesterColumn)> = schede::table
        .filter(schede::intervento_code.eq(intervento))
        .filter(schede::state.eq_any(["draft", "returned"]))
        .select((schede::id, schede::semester))
        .load(conn)?;
    for (id, semester) in open {
        let semester = Semester::from(semester);
        let (commitments, payments) = rules::totals(events, semester.last_day());
        diesel::update(schede::table.find(id))
            .set((
                schede::commitments.eq(commitments.decimal()),
                schede::payments.eq(payments.decimal()),
                schede::version.eq(schede::version + 1),
                schede::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)?;
    }
    Ok(())
}
