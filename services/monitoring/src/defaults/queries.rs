//! The defaults' queries: the cases, the opening of one with its audit, and a step.

use apq_platform::ApiError;
use apq_platform::audit::{self, Change};
use apq_platform::versioned::{self, Versioned};
use chrono::NaiveDate;
use diesel::prelude::*;
use uuid::Uuid;

use super::json::Default_;
use super::rules::{DefaultState, Step, description};
use crate::calendar::semester_key;
use crate::deadlines::Due;
use crate::schema::defaults;

/// A default case is versioned: each action is conditional on the version read.
impl Versioned for Default_ {
    const ENTITY: &'static str = "default";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        defaults::table
            .find(id)
            .select(Default_::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("default {id}")))
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(defaults, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(self)
    }
}

/// The cases, oldest first.
pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<Default_>> {
    defaults::table
        .order(defaults::opened_on.asc())
        .select(Default_::as_select())
        .load(conn)
}

/// Opens the case of a missed obligation on `as_of`, and audits it; none when it has one
/// already.
pub fn open(
    conn: &mut PgConnection,
    due: &Due,
    as_of: NaiveDate,
    actor: &str,
) -> Result<Option<Default_>, ApiError> {
    let id = Uuid::new_v4();
    let inserted = diesel::insert_into(defaults::table)
        .values((
            defaults::id.eq(id),
            defaults::obligation.eq(due.obligation.as_str()),
            defaults::semester.eq(semester_key(due.semester)),
            defaults::party.eq(due.obligation.party()),
            defaults::description.eq(description(due)),
            defaults::opened_on.eq(as_of),
            defaults::state.eq(DefaultState::Open),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    if inserted == 0 {
        return Ok(None);
    }
    audit::record(
        conn,
        Change {
            actor,
            entity: "default",
            entity_id: id.to_string(),
            action: "open",
            reason: None,
            before: None,
            after: None,
        },
    )?;
    Ok(Some(
        defaults::table
            .find(id)
            .select(Default_::as_select())
            .first(conn)?,
    ))
}

/// Writes a step of case `id`.
pub fn apply(conn: &mut PgConnection, id: Uuid, step: Step) -> QueryResult<usize> {
    let update = diesel::update(defaults::table.find(id));
    match step {
        Step::GiveDeadline(deadline) => update
            .set(defaults::deadline.eq(Some(deadline)))
            .execute(conn),
        Step::Resolve(on) => update
            .set((
                defaults::state.eq(DefaultState::Resolved),
                defaults::resolved_on.eq(Some(on)),
            ))
            .execute(conn),
        Step::Refer(on) => update
            .set((
                defaults::state.eq(DefaultState::Referred),
                defaults::referred_on.eq(Some(on)),
            ))
            .execute(conn),
    }
}
