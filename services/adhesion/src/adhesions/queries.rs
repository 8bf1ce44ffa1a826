//! The adhesion's rows and queries (diesel, synchronous, `&mut PgConnection`), and the
//! aggregate the write path locks: an adhesion and its events.

use apq_platform::ApiError;
use apq_platform::versioned::{self, Versioned};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::json::{Adhesion, StateFilter, Step};
use super::rules::{AdhesionError, AdhesionState, Taken};
use crate::schema::{adhesion_events, adhesions, aggregation_members, enti};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = adhesions)]
pub struct AdhesionRow {
    pub id: Uuid,
    pub ente_id: Uuid,
    pub service_number: i32,
    pub sub_service: String,
    pub service_version: i32,
    pub service_name: String,
    pub via_aggregation_id: Option<Uuid>,
    pub state: AdhesionState,
    pub requested_on: NaiveDate,
    pub request_act: Option<String>,
    pub commitment_signed_on: Option<NaiveDate>,
    pub commitment_act: Option<String>,
    pub activated_on: Option<NaiveDate>,
    pub activation_act: Option<String>,
    pub ceased_on: Option<NaiveDate>,
    pub cessation_act: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl AdhesionRow {
    /// The dates of the steps taken so far.
    pub fn taken(&self) -> Taken {
        Taken {
            requested_on: self.requested_on,
            commitment_signed_on: self.commitment_signed_on,
            activated_on: self.activated_on,
        }
    }
}

fn step(on: Option<NaiveDate>, act_ref: Option<String>) -> Option<Step> {
    on.map(|on| Step { on, act_ref })
}

/// The API view of a row, with its body's code and name and the aggregation's code.
fn view(row: AdhesionRow, ente_code: String, ente_name: String, via: Option<String>) -> Adhesion {
    Adhesion {
        id: row.id,
        ente_code,
        ente_name,
        service_number: row.service_number,
        service_name: row.service_name,
        sub_service: Some(row.sub_service).filter(|s| !s.is_empty()),
        service_version: row.service_version,
        via_aggregation: via,
        state: row.state,
        requested: Step {
            on: row.requested_on,
            act_ref: row.request_act,
        },
        commitment_signed: step(row.commitment_signed_on, row.commitment_act),
        activated: step(row.activated_on, row.activation_act),
        ceased: step(row.ceased_on, row.cessation_act),
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// The API views of `rows`, with their bodies' and aggregations' codes and names.
pub fn views(conn: &mut PgConnection, rows: Vec<AdhesionRow>) -> Result<Vec<Adhesion>, ApiError> {
    let mut ids: Vec<Uuid> = rows.iter().map(|r| r.ente_id).collect();
    ids.extend(rows.iter().filter_map(|r| r.via_aggregation_id));
    ids.sort_unstable();
    ids.dedup();
    let names: Vec<(Uuid, String, String)> = enti::table
        .filter(enti::id.eq_any(&ids))
        .select((enti::id, enti::code, enti::name))
        .load(conn)?;
    let find = |id: Uuid| {
        names
            .iter()
            .find(|(i, _, _)| *i == id)
            .map(|(_, c, n)| (c.clone(), n.clone()))
    };
    rows.into_iter()
        .map(|row| {
            // The foreign key keeps the body; a missing one is a broken database.
            let (code, name) = find(row.ente_id).ok_or_else(|| {
                ApiError::internal(anyhow::anyhow!("adhesion {} has no body", row.id))
            })?;
            let via = row.via_aggregation_id.and_then(find).map(|(code, _)| code);
            Ok(view(row, code, name, via))
        })
        .collect()
}

pub fn one_view(conn: &mut PgConnection, row: AdhesionRow) -> Result<Adhesion, ApiError> {
    views(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("empty view")))
}

pub fn load(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<AdhesionRow, ApiError> {
    let query = adhesions::table.find(id).select(AdhesionRow::as_select());
    let row = if lock {
        query.for_update().first(conn)
    } else {
        query.first(conn)
    };
    row.optional()?
        .ok_or_else(|| ApiError::NotFound(format!("adhesion {id}")))
}

/// Whether the body `member` belongs to the aggregation.
pub fn is_member(conn: &mut PgConnection, aggregation: Uuid, member: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        aggregation_members::table
            .filter(aggregation_members::aggregation_id.eq(aggregation))
            .filter(aggregation_members::member_id.eq(member)),
    ))
    .get_result(conn)
}

/// Whether the body with `code` belongs to the aggregation.
pub fn is_member_by_code(
    conn: &mut PgConnection,
    aggregation: Uuid,
    code: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        aggregation_members::table
            .inner_join(enti::table.on(enti::id.eq(aggregation_members::member_id)))
            .filter(aggregation_members::aggregation_id.eq(aggregation))
            .filter(enti::code.eq(code)),
    ))
    .get_result(conn)
}

/// Whether the body already has an adhesion to the (sub-)service that has not ceased.
pub fn adheres(
    conn: &mut PgConnection,
    ente: Uuid,
    service_number: i32,
    sub_service: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        adhesions::table
            .filter(adhesions::ente_id.eq(ente))
            .filter(adhesions::service_number.eq(service_number))
            .filter(adhesions::sub_service.eq(sub_service))
            .filter(adhesions::state.ne(AdhesionState::Ceased)),
    ))
    .get_result(conn)
}

/// A requested adhesion, as it is first written.
pub struct Requested<'a> {
    pub ente: Uuid,
    pub via_aggregation: Option<Uuid>,
    pub service_number: i32,
    pub sub_service: &'a str,
    pub service_version: i32,
    pub service_name: &'a str,
    pub on: NaiveDate,
    pub act_ref: Option<&'a str>,
    pub actor: &'a str,
}

/// Writes a requested adhesion and its first event; says its id.
pub fn insert_requested(conn: &mut PgConnection, new: &Requested<'_>) -> QueryResult<Uuid> {
    let id = Uuid::new_v4();
    diesel::insert_into(adhesions::table)
        .values((
            adhesions::id.eq(id),
            adhesions::ente_id.eq(new.ente),
            adhesions::service_number.eq(new.service_number),
            adhesions::sub_service.eq(new.sub_service),
            adhesions::service_version.eq(new.service_version),
            adhesions::service_name.eq(new.service_name),
            adhesions::via_aggregation_id.eq(new.via_aggregation),
            adhesions::state.eq(AdhesionState::Requested),
            adhesions::requested_on.eq(new.on),
            adhesions::request_act.eq(new.act_ref),
        ))
        .execute(conn)?;
    insert_event(
        conn,
        id,
        None,
        AdhesionState::Requested,
        new.on,
        new.act_ref,
        new.actor,
    )?;
    Ok(id)
}

fn insert_event(
    conn: &mut PgConnection,
    adhesion: Uuid,
    from: Option<AdhesionState>,
    to: AdhesionState,
    on: NaiveDate,
    act_ref: Option<&str>,
    actor: &str,
) -> QueryResult<usize> {
    diesel::insert_into(adhesion_events::table)
        .values((
            adhesion_events::adhesion_id.eq(adhesion),
            adhesion_events::from_state.eq(from),
            adhesion_events::to_state.eq(to),
            adhesion_events::on_date.eq(on),
            adhesion_events::act_ref.eq(act_ref),
            adhesion_events::actor.eq(actor),
        ))
        .execute(conn)
}

/// Writes a step already checked: the state, the step's date and act in its columns, and the
/// event. `to` is never `Requested` (an adhesion is requested once, by `insert_requested`).
pub fn set_step(
    conn: &mut PgConnection,
    current: &AdhesionRow,
    to: AdhesionState,
    on: NaiveDate,
    act_ref: Option<&str>,
    actor: &str,
) -> Result<(), ApiError> {
    use adhesions::dsl as a;
    let date = Some(on);
    let update = diesel::update(adhesions::table.find(current.id));
    let state = a::state.eq(to);
    match to {
        AdhesionState::CommitmentSigned => update
            .set((
                state,
                a::commitment_signed_on.eq(date),
                a::commitment_act.eq(act_ref),
            ))
            .execute(conn)?,
        AdhesionState::Active => update
            .set((
                state,
                a::activated_on.eq(date),
                a::activation_act.eq(act_ref),
            ))
            .execute(conn)?,
        AdhesionState::Ceased => update
            .set((state, a::ceased_on.eq(date), a::cessation_act.eq(act_ref)))
            .execute(conn)?,
        AdhesionState::Requested => return Err(AdhesionError::RequestedAgain.into()),
    };
    insert_event(
        conn,
        current.id,
        Some(current.state),
        to,
        on,
        act_ref,
        actor,
    )?;
    Ok(())
}

/// "Which services has this body activated": one query on the (ente, state) index, joined with
/// the body (by its code) and the aggregation an adhesion was made through.
pub fn of_body(
    conn: &mut PgConnection,
    code: &str,
    filter: &StateFilter,
    through: Option<Uuid>,
) -> QueryResult<Vec<Adhesion>> {
    let via = diesel::alias!(enti as via);
    let mut query = adhesions::table
        .inner_join(enti::table.on(enti::id.eq(adhesions::ente_id)))
        .left_join(via.on(adhesions::via_aggregation_id.eq(via.field(enti::id).nullable())))
        .filter(enti::code.eq(code))
        .select((
            AdhesionRow::as_select(),
            enti::code,
            enti::name,
            via.field(enti::code).nullable(),
        ))
        .order((
            adhesions::service_number.asc(),
            adhesions::sub_service.asc(),
            adhesions::requested_on.asc(),
        ))
        .into_boxed();
    if let Some(state) = filter.state {
        query = query.filter(adhesions::state.eq(state));
    }
    if let Some(number) = filter.service_number {
        query = query.filter(adhesions::service_number.eq(number));
    }
    if let Some(aggregation) = through {
        query = query.filter(adhesions::via_aggregation_id.eq(aggregation));
    }
    let rows: Vec<(AdhesionRow, String, String, Option<String>)> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(row, code, name, via)| view(row, code, name, via))
        .collect())
}

/// A page of a service's adhesions, by id after `after`: `limit + 1` rows, so the page knows
/// whether another follows.
pub fn of_service(
    conn: &mut PgConnection,
    number: i32,
    filter: &StateFilter,
    after: Option<Uuid>,
    limit: u32,
) -> Result<Vec<Adhesion>, ApiError> {
    let mut query = adhesions::table
        .select(AdhesionRow::as_select())
        .filter(adhesions::service_number.eq(number))
        .into_boxed();
    if let Some(state) = filter.state {
        query = query.filter(adhesions::state.eq(state));
    }
    if let Some(number) = filter.service_number {
        query = query.filter(adhesions::service_number.eq(number));
    }
    if let Some(after) = after {
        query = query.filter(adhesions::id.gt(after));
    }
    let rows = query
        .order(adhesions::id.asc())
        .limit(i64::from(limit) + 1)
        .load(conn)?;
    views(conn, rows)
}

/// An adhesion and its events: one aggregate, changed under the adhesion's lock and version.
pub struct AdhesionRecord {
    pub row: AdhesionRow,
    pub view: Adhesion,
}

impl Versioned for AdhesionRecord {
    const ENTITY: &'static str = "adhesion";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        let row = load(conn, *id, true)?;
        let view = one_view(conn, row.clone())?;
        Ok(Self { row, view })
    }

    fn version(&self) -> i64 {
        self.row.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(adhesions, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(&self.view)
    }
}
