//! The iter's rows and queries: the phases, their earlier plans, the opening and the change of a
//! phase.

use apq_platform::ApiError;
use apq_platform::versioned::{self, Versioned};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::json::NewPhase;
use super::rules::in_national_order;
use crate::schema::{phase_plan_changes, phases};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = phases)]
pub struct PhaseRow {
    pub id: Uuid,
    pub intervento_code: String,
    /// The TC46 code.
    pub code: String,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub actual_start: Option<NaiveDate>,
    pub actual_end: Option<NaiveDate>,
    pub recorded_by: String,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for PhaseRow {
    const ENTITY: &'static str = "phase";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        phases::table
            .find(id)
            .select(PhaseRow::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("phase {id}")))
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(phases, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(self)
    }
}

/// An earlier plan of a phase, kept when its planned dates changed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable)]
pub struct PlanChange {
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub reason: String,
    pub changed_by: String,
    pub at: DateTime<Utc>,
}

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

/// The earlier plans of the phase `id`, oldest first.
pub fn earlier_plans(conn: &mut PgConnection, id: Uuid) -> QueryResult<Vec<PlanChange>> {
    phase_plan_changes::table
        .filter(phase_plan_changes::phase_id.eq(id))
        .order(phase_plan_changes::id.asc())
        .select((
            phase_plan_changes::planned_start,
            phase_plan_changes::planned_end,
            phase_plan_changes::reason,
            phase_plan_changes::changed_by,
            phase_plan_changes::at,
        ))
        .load(conn)
}

/// Keeps the plan `current` had before a change, with its reason.
pub fn keep_plan(
    conn: &mut PgConnection,
    current: &PhaseRow,
    reason: &str,
    actor: &str,
) -> QueryResult<usize> {
    diesel::insert_into(phase_plan_changes::table)
        .values((
            phase_plan_changes::phase_id.eq(current.id),
            phase_plan_changes::planned_start.eq(current.planned_start),
            phase_plan_changes::planned_end.eq(current.planned_end),
            phase_plan_changes::reason.eq(reason),
            phase_plan_changes::changed_by.eq(actor),
        ))
        .execute(conn)
}

/// Writes the phase `id`'s planned and actual dates.
pub fn set_dates(
    conn: &mut PgConnection,
    id: Uuid,
    planned: (Option<NaiveDate>, Option<NaiveDate>),
    actual: (Option<NaiveDate>, Option<NaiveDate>),
) -> QueryResult<usize> {
    diesel::update(phases::table.find(id))
        .set((
            phases::planned_start.eq(planned.0),
            phases::planned_end.eq(planned.1),
            phases::actual_start.eq(actual.0),
            phases::actual_end.eq(actual.1),
        ))
        .execute(conn)
}

/// The id of the phase `phase` of `code`.
pub fn find(conn: &mut PgConnection, code: &str, phase: &str) -> Result<Uuid, ApiError> {
    phases::table
        .filter(phases::intervento_code.eq(code))
        .filter(phases::code.eq(phase))
        .select(phases::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("the phase {phase} of {code}")))
}

/// The phases of `code` in the national table's order.
pub fn of(conn: &mut PgConnection, code: &str) -> QueryResult<Vec<PhaseRow>> {
    let mut rows: Vec<PhaseRow> = phases::table
        .filter(phases::intervento_code.eq(code))
        .select(PhaseRow::as_select())
        .load(conn)?;
    in_national_order(&mut rows);
    Ok(rows)
}
