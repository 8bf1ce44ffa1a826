//! The Tavolo's rows and queries (diesel, synchronous, `&mut PgConnection`): the intervento's
//! state and tranches as the effects change them, the conciliations, the decisions; and what the
//! write path locks (a conciliation, a decision written once).

use apq_domain::Euro;
use apq_platform::ApiError;
use apq_platform::versioned::{self, Versioned};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::json::{Decision, DecisionFilter, Effect, NewConciliation, NewDecision};
use super::rules::{self, ConciliationState, StateChange};
use crate::financing::{FinancingSource, store_plan};
use crate::interventi::InterventoRow;
use crate::model::Sezione;
use crate::schema::{
    atti_integrativi, conciliations, interventi, tavolo_decisions, tranche_transitions, tranches,
};
use crate::tranche_plan::TrancheState;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = conciliations)]
pub struct Conciliation {
    pub id: Uuid,
    pub atto_id: Uuid,
    pub intervento_id: Option<Uuid>,
    pub subject: String,
    pub parties: Vec<String>,
    /// invited, agreed (a signed verbale) or referred (to the Comitato paritetico).
    #[schema(value_type = String)]
    pub state: ConciliationState,
    pub invited_on: NaiveDate,
    pub agreed_on: Option<NaiveDate>,
    pub verbale_ref: Option<String>,
    pub referred_on: Option<NaiveDate>,
    pub decision_id: Option<Uuid>,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of `tavolo_decisions`, read into the contract's [`Decision`].
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tavolo_decisions)]
pub struct DecisionRow {
    pub id: Uuid,
    pub atto_id: Uuid,
    pub intervento_id: Option<Uuid>,
    pub kind: String,
    pub decided_on: NaiveDate,
    pub verbale_ref: Option<String>,
    pub summary: String,
    /// The effect as decided ([`super::json::Effect`] as JSON).
    pub payload: serde_json::Value,
    pub actor: String,
    pub created_at: DateTime<Utc>,
}

impl From<DecisionRow> for Decision {
    fn from(row: DecisionRow) -> Self {
        Self {
            id: row.id,
            atto_id: row.atto_id,
            intervento_id: row.intervento_id,
            kind: row.kind,
            decided_on: row.decided_on,
            verbale_ref: row.verbale_ref,
            summary: row.summary,
            payload: row.payload,
            actor: row.actor,
            created_at: row.created_at,
        }
    }
}

/// Moves the intervento to the state `change` gives it from its own.
pub fn set_state(
    conn: &mut PgConnection,
    row: &InterventoRow,
    change: StateChange,
) -> Result<(), ApiError> {
    let to = change.apply(&row.code, row.state)?;
    diesel::update(interventi::table.find(row.id))
        .set(interventi::state.eq(to))
        .execute(conn)?;
    Ok(())
}

/// Revokes the tranches of `intervento` (only those named, when `only` is given), each with
/// its transition.
pub fn revoke_tranches(
    conn: &mut PgConnection,
    intervento: Uuid,
    only: Option<&[Uuid]>,
    actor: &str,
    reason: &str,
) -> Result<(), ApiError> {
    let rows: Vec<(Uuid, TrancheState, i64)> = tranches::table
        .filter(tranches::intervento_id.eq(intervento))
        .select((tranches::id, tranches::state, tranches::version))
        .for_update()
        .load(conn)?;
    if let Some(ids) = only {
        let known: Vec<Uuid> = rows.iter().map(|(id, _, _)| *id).collect();
        rules::check_known_tranches(ids, &known)?;
    }
    for (id, state, version) in rows {
        if only.is_some_and(|ids| !ids.contains(&id)) || state == TrancheState::Revoked {
            continue;
        }
        diesel::update(tranches::table.find(id))
            .set((
                tranches::state.eq(TrancheState::Revoked),
                tranches::version.eq(version + 1),
            ))
            .execute(conn)?;
        diesel::insert_into(tranche_transitions::table)
            .values((
                tranche_transitions::tranche_id.eq(id),
                tranche_transitions::from_state.eq(state),
                tranche_transitions::to_state.eq(TrancheState::Revoked),
                tranche_transitions::actor.eq(actor),
                tranche_transitions::reason.eq(reason),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The intervento's new cost and financing plan (checked like any plan).
pub fn change_plan(
    conn: &mut PgConnection,
    id: Uuid,
    total_cost: Euro,
    sources: &[FinancingSource],
) -> Result<(), ApiError> {
    diesel::update(interventi::table.find(id))
        .set(interventi::total_cost.eq(total_cost.decimal()))
        .execute(conn)?;
    store_plan(conn, id, sources)
}

/// The intervento passes to the sezione attuativa.
pub fn promote(conn: &mut PgConnection, intervento: Uuid) -> QueryResult<usize> {
    diesel::update(interventi::table.find(intervento))
        .set(interventi::sezione.eq(Sezione::Attuativa))
        .execute(conn)
}

/// Whether the atto integrativo exists.
pub fn atto_exists(conn: &mut PgConnection, atto: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(atti_integrativi::table.find(atto))).get_result(conn)
}

/// Whether the conciliation exists.
pub fn conciliation_exists(conn: &mut PgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(conciliations::table.find(id))).get_result(conn)
}

/// The conciliation is referred to the Comitato paritetico, today.
pub fn refer(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::update(conciliations::table.find(id))
        .set((
            conciliations::state.eq(ConciliationState::Referred),
            conciliations::referred_on.eq(chrono::Utc::now().date_naive()),
        ))
        .execute(conn)
}

/// The parties agreed on `agreed_on`, as the signed verbale records.
pub fn agree(
    conn: &mut PgConnection,
    id: Uuid,
    agreed_on: NaiveDate,
    verbale_ref: &str,
) -> QueryResult<usize> {
    diesel::update(conciliations::table.find(id))
        .set((
            conciliations::state.eq(ConciliationState::Agreed),
            conciliations::agreed_on.eq(agreed_on),
            conciliations::verbale_ref.eq(verbale_ref),
        ))
        .execute(conn)
}

/// Writes the invitation to a conciliation; says its id.
pub fn insert_conciliation(conn: &mut PgConnection, body: &NewConciliation) -> QueryResult<Uuid> {
    let id = Uuid::new_v4();
    diesel::insert_into(conciliations::table)
        .values((
            conciliations::id.eq(id),
            conciliations::atto_id.eq(body.atto_id),
            conciliations::intervento_id.eq(body.intervento_id),
            conciliations::subject.eq(&body.subject),
            conciliations::parties.eq(&body.parties),
            conciliations::state.eq(ConciliationState::Invited),
            conciliations::invited_on.eq(body.invited_on),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The conciliations, newest first.
pub fn conciliations(conn: &mut PgConnection) -> QueryResult<Vec<Conciliation>> {
    conciliations::table
        .order(conciliations::created_at.desc())
        .select(Conciliation::as_select())
        .load(conn)
}

/// The decisions, oldest first, of an atto or an intervento when the filter says.
pub fn decisions(
    conn: &mut PgConnection,
    filter: &DecisionFilter,
) -> QueryResult<Vec<DecisionRow>> {
    let mut query = tavolo_decisions::table
        .order((
            tavolo_decisions::decided_on.asc(),
            tavolo_decisions::created_at.asc(),
        ))
        .select(DecisionRow::as_select())
        .into_boxed();
    if let Some(atto) = filter.atto_id {
        query = query.filter(tavolo_decisions::atto_id.eq(atto));
    }
    if let Some(intervento) = filter.intervento_id {
        query = query.filter(tavolo_decisions::intervento_id.eq(intervento));
    }
    query.load(conn)
}

/// A conciliation is versioned: the parties' agreement is conditional on the version read.
impl Versioned for Conciliation {
    const ENTITY: &'static str = "conciliation";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        conciliations::table
            .find(id)
            .select(Conciliation::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("conciliation {id}")))
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(conciliations, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(self)
    }
}

/// A decision is a record written once.
impl Versioned for DecisionRow {
    const ENTITY: &'static str = "tavolo_decision";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        tavolo_decisions::table
            .find(id)
            .select(DecisionRow::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("tavolo decision {id}")))
    }

    fn version(&self) -> i64 {
        1
    }

    fn bump(_: &mut PgConnection, _: &Uuid, _: i64) -> QueryResult<usize> {
        Ok(0)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(&Decision::from(self.clone()))
    }
}

/// Writes the decision `id` (and, for a referral, links the conciliation to it).
pub fn insert_decision(
    conn: &mut PgConnection,
    id: Uuid,
    actor: &str,
    body: &NewDecision,
) -> Result<Uuid, ApiError> {
    let payload = serde_json::to_value(&body.effect).map_err(ApiError::internal)?;
    diesel::insert_into(tavolo_decisions::table)
        .values((
            tavolo_decisions::id.eq(id),
            tavolo_decisions::atto_id.eq(body.atto_id),
            tavolo_decisions::intervento_id.eq(body.effect.intervento()),
            tavolo_decisions::kind.eq(body.effect.kind()),
            tavolo_decisions::decided_on.eq(body.decided_on),
            tavolo_decisions::verbale_ref.eq(&body.verbale_ref),
            tavolo_decisions::summary.eq(&body.summary),
            tavolo_decisions::payload.eq(&payload),
            tavolo_decisions::actor.eq(actor),
        ))
        .execute(conn)?;
    if let Effect::ReferToComitato { conciliation_id } = &body.effect {
        diesel::update(conciliations::table.find(conciliation_id))
            .set(conciliations::decision_id.eq(id))
            .execute(conn)?;
    }
    Ok(id)
}
