//! The scheda's rows and queries: the aggregate the write path locks, the filters, the opening
//! and changes of a scheda, its review's events, and the totals the registers record.

use apq_domain::{Euro, Percent, Semester};
use apq_platform::ApiError;
use apq_platform::versioned::{self, Versioned};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use super::json::{ActivityProgress, NewScheda, Scheda, SchedaEvent, SchedaFilter};
use super::rules::SchedaState;
use apq_platform::text_column::{EuroColumn, OptionalPercentColumn, PercentColumn, SemesterColumn};

use crate::peers::Intervento;
use crate::schema::{scheda_events, schede};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = schede)]
pub struct SchedaRow {
    pub id: Uuid,
    pub intervento_id: Uuid,
    pub intervento_code: String,
    #[diesel(deserialize_as = SemesterColumn)]
    pub semester: Semester,
    pub state: SchedaState,
    #[diesel(deserialize_as = PercentColumn)]
    pub sal: Percent,
    #[diesel(deserialize_as = OptionalPercentColumn)]
    pub planned_sal: Option<Percent>,
    #[diesel(deserialize_as = EuroColumn)]
    pub commitments: Euro,
    #[diesel(deserialize_as = EuroColumn)]
    pub payments: Euro,
    pub activities: serde_json::Value,
    pub obstacles: Option<String>,
    pub corrective_actions: Option<String>,
    pub intervento: serde_json::Value,
    pub return_reason: Option<String>,
    pub change_seq: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for SchedaRow {
    const ENTITY: &'static str = "scheda";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        load(conn, *id, true)
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(schede, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(&Scheda::try_from(self.clone())?)
    }
}

pub fn load(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<SchedaRow, ApiError> {
    let query = schede::table.find(id).select(SchedaRow::as_select());
    let row = if lock {
        query.for_update().first(conn)
    } else {
        query.first(conn)
    };
    row.optional()?
        .ok_or_else(|| ApiError::NotFound(format!("scheda {id}")))
}

pub fn find(conn: &mut PgConnection, filter: &SchedaFilter) -> Result<Vec<Scheda>, ApiError> {
    let mut query = schede::table
        .select(SchedaRow::as_select())
        .order((schede::semester.asc(), schede::intervento_code.asc()))
        .into_boxed();
    if let Some(semester) = filter.semester {
        query = query.filter(schede::semester.eq(semester.to_string()));
    }
    if let Some(code) = &filter.intervento_code {
        query = query.filter(schede::intervento_code.eq(code));
    }
    if let Some(state) = filter.state {
        query = query.filter(schede::state.eq(state.as_str()));
    }
    query
        .load(conn)?
        .into_iter()
        .map(Scheda::try_from)
        .collect()
}

/// Whether the intervento already has a scheda for the semester.
pub fn opened(conn: &mut PgConnection, intervento: Uuid, semester: Semester) -> QueryResult<bool> {
    let taken: i64 = schede::table
        .filter(schede::intervento_id.eq(intervento))
        .filter(schede::semester.eq(semester.to_string()))
        .count()
        .get_result(conn)?;
    Ok(taken > 0)
}

/// The commitments and payments the intervento's impegni and pagamenti add up to by the end of
/// `semester`; none when it has no movements recorded.
pub fn recorded_totals(
    conn: &mut PgConnection,
    code: &str,
    semester: Semester,
) -> QueryResult<Option<(Euro, Euro)>> {
    let events = crate::movements::of(conn, code, None)?;
    Ok((!events.is_empty()).then(|| crate::movements::totals(&events, semester.last_day())))
}

fn activities_value(activities: &[ActivityProgress]) -> Result<Value, ApiError> {
    serde_json::to_value(activities).map_err(ApiError::internal)
}

/// Opens a draft scheda of `intervento` (described by `snapshot`) with its totals, and its
/// first event; its id.
pub fn insert(
    conn: &mut PgConnection,
    intervento: &Intervento,
    snapshot: &Value,
    body: &NewScheda,
    (commitments, payments): (Euro, Euro),
    actor: &str,
) -> Result<Uuid, ApiError> {
    let id = Uuid::new_v4();
    diesel::insert_into(schede::table)
        .values((
            schede::id.eq(id),
            schede::intervento_id.eq(intervento.id),
            schede::intervento_code.eq(&intervento.code),
            schede::semester.eq(body.semester.to_string()),
            schede::state.eq(SchedaState::Draft),
            schede::sal.eq(body.sal.decimal()),
            schede::planned_sal.eq(body.planned_sal.map(Percent::decimal)),
            schede::commitments.eq(commitments.decimal()),
            schede::payments.eq(payments.decimal()),
            schede::activities.eq(activities_value(&body.activities)?),
            schede::obstacles.eq(&body.obstacles),
            schede::corrective_actions.eq(&body.corrective_actions),
            schede::intervento.eq(snapshot),
        ))
        .execute(conn)?;
    event(conn, id, None, SchedaState::Draft, actor, None)?;
    Ok(id)
}

/// Writes a scheda's progress (`changed` is the scheda as it is to be).
pub fn update(conn: &mut PgConnection, changed: &Scheda) -> Result<(), ApiError> {
    diesel::update(schede::table.find(changed.id))
        .set((
            schede::sal.eq(changed.sal.decimal()),
            schede::planned_sal.eq(changed.planned_sal.map(Percent::decimal)),
            schede::commitments.eq(changed.commitments.decimal()),
            schede::payments.eq(changed.payments.decimal()),
            schede::activities.eq(activities_value(&changed.activities)?),
            schede::obstacles.eq(&changed.obstacles),
            schede::corrective_actions.eq(&changed.corrective_actions),
        ))
        .execute(conn)?;
    Ok(())
}

/// Moves a scheda from `from` to `to` with its event; back in the feed (the position is given
/// at commit, see feed.rs).
pub fn set_state(
    conn: &mut PgConnection,
    id: Uuid,
    (from, to): (SchedaState, SchedaState),
    return_reason: Option<String>,
    actor: &str,
    note: Option<&str>,
) -> Result<(), ApiError> {
    diesel::update(schede::table.find(id))
        .set((
            schede::state.eq(to),
            schede::return_reason.eq(return_reason),
            schede::change_seq.eq(None::<i64>),
        ))
        .execute(conn)?;
    event(conn, id, Some(from), to, actor, note)
}

/// The events of a scheda's review, oldest first.
pub fn events(conn: &mut PgConnection, id: Uuid) -> QueryResult<Vec<SchedaEvent>> {
    scheda_events::table
        .filter(scheda_events::scheda_id.eq(id))
        .order(scheda_events::id.asc())
        .select((
            scheda_events::id,
            scheda_events::from_state,
            scheda_events::to_state,
            scheda_events::actor,
            scheda_events::note,
            scheda_events::at,
        ))
        .load(conn)
}

fn event(
    conn: &mut PgConnection,
    id: Uuid,
    from: Option<SchedaState>,
    to: SchedaState,
    actor: &str,
    note: Option<&str>,
) -> Result<(), ApiError> {
    diesel::insert_into(scheda_events::table)
        .values((
            scheda_events::scheda_id.eq(id),
            scheda_events::from_state.eq(from.map(SchedaState::as_str)),
            scheda_events::to_state.eq(to.as_str()),
            scheda_events::actor.eq(actor),
            scheda_events::note.eq(note),
        ))
        .execute(conn)?;
    Ok(())
}
