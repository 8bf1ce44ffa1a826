//! The tranches' rows and queries (diesel, synchronous, `&mut PgConnection`), and the tranche
//! the write path locks: a child of its intervento.

use apq_domain::{Euro, Percent};
use apq_platform::ApiError;
use apq_platform::text_column::{EuroColumn, OptionalPercentColumn, PercentColumn};
use apq_platform::versioned::{self, Versioned};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::json::{NewTransition, Tranche};
use crate::interventi::InterventoRow;
use crate::schema::{tranche_transitions, tranches};
use crate::tranche_plan::{TrancheState, check_replannable, schedule};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tranches)]
pub struct TrancheRow {
    pub id: Uuid,
    pub intervento_id: Uuid,
    pub seq: i32,
    #[diesel(deserialize_as = PercentColumn)]
    pub share: Percent,
    #[diesel(deserialize_as = EuroColumn)]
    pub amount: Euro,
    pub condition: String,
    pub requires_plan_approved: bool,
    pub requires_progetto_esecutivo: bool,
    pub sal_verification: Option<i32>,
    #[diesel(deserialize_as = OptionalPercentColumn)]
    pub sal_threshold: Option<Percent>,
    #[diesel(deserialize_as = OptionalPercentColumn)]
    pub adhesion_share_threshold: Option<Percent>,
    pub months_of_operation: Option<i32>,
    pub state: TrancheState,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    pub requires_services_usable: bool,
    pub requires_admissibility: bool,
    pub requires_completion: bool,
}

/// A tranche is a child of its intervento: a change locks the intervento first (as the financing
/// plan, which rewrites the tranches, does), then the tranche, whose own version is its ETag.
impl Versioned for TrancheRow {
    const ENTITY: &'static str = "tranche";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        let intervento: Uuid = tranches::table
            .find(id)
            .select(tranches::intervento_id)
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("tranche {id}")))?;
        crate::interventi::load(conn, intervento, true)?;
        Ok(tranches::table
            .find(id)
            .select(TrancheRow::as_select())
            .for_update()
            .first(conn)?)
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        diesel::update(tranches::table.find(id))
            .set((
                tranches::version.eq(version),
                tranches::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(&Tranche::try_from(self.clone())?)
    }
}

/// The tranches of `intervento`, in order.
pub fn for_intervento(
    conn: &mut PgConnection,
    intervento: Uuid,
) -> Result<Vec<TrancheRow>, ApiError> {
    Ok(tranches::table
        .filter(tranches::intervento_id.eq(intervento))
        .order(tranches::seq.asc())
        .select(TrancheRow::as_select())
        .load(conn)?)
}

/// (Re)writes the tranche plan of `intervento` from its kind and co-financing. Refused once a
/// tranche has left `planned` (money already in motion is changed by the Tavolo only).
pub fn write_plan(conn: &mut PgConnection, intervento: &InterventoRow) -> Result<(), ApiError> {
    let existing = for_intervento(conn, intervento.id)?;
    let states: Vec<TrancheState> = existing.iter().map(|t| t.state).collect();
    check_replannable(&states)?;
    diesel::delete(tranches::table.filter(tranches::intervento_id.eq(intervento.id)))
        .execute(conn)?;
    for planned in schedule(intervento.kind, intervento.cnipa_cofinancing) {
        diesel::insert_into(tranches::table)
            .values((
                tranches::id.eq(Uuid::new_v4()),
                tranches::intervento_id.eq(intervento.id),
                tranches::seq.eq(planned.seq),
                tranches::share.eq(planned.share.decimal()),
                tranches::amount.eq(planned.amount.decimal()),
                tranches::condition.eq(planned.condition),
                tranches::requires_plan_approved.eq(planned.requires_plan_approved),
                tranches::requires_progetto_esecutivo.eq(planned.requires_progetto_esecutivo),
                tranches::sal_verification.eq(planned.sal_verification),
                tranches::sal_threshold.eq(planned.sal_threshold.map(Percent::decimal)),
                tranches::adhesion_share_threshold
                    .eq(planned.adhesion_share_threshold.map(Percent::decimal)),
                tranches::months_of_operation.eq(planned.months_of_operation),
                tranches::requires_services_usable.eq(planned.requires_services_usable),
                tranches::requires_admissibility.eq(planned.requires_admissibility),
                tranches::requires_completion.eq(planned.requires_completion),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A row of `tranche_transitions`, read into the contract's [`super::json::Transition`].
#[derive(Debug, Clone, Queryable)]
pub struct TransitionRow {
    pub id: i64,
    pub tranche_id: Uuid,
    pub from_state: String,
    pub to_state: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub reason: String,
    pub act_ref: Option<String>,
    pub evaluation: Option<serde_json::Value>,
    pub effective_on: chrono::NaiveDate,
}

/// Writes a checked transition: the tranche's state and the event.
pub fn record_transition(
    conn: &mut PgConnection,
    current: &TrancheRow,
    step: &NewTransition,
    effective_on: NaiveDate,
    actor: &str,
) -> QueryResult<usize> {
    diesel::update(tranches::table.find(current.id))
        .set(tranches::state.eq(step.to))
        .execute(conn)?;
    diesel::insert_into(tranche_transitions::table)
        .values((
            tranche_transitions::tranche_id.eq(current.id),
            tranche_transitions::from_state.eq(current.state),
            tranche_transitions::to_state.eq(step.to),
            tranche_transitions::actor.eq(actor),
            tranche_transitions::reason.eq(&step.reason),
            tranche_transitions::act_ref.eq(&step.act_ref),
            tranche_transitions::evaluation.eq(&step.evaluation),
            tranche_transitions::effective_on.eq(effective_on),
        ))
        .execute(conn)
}

/// The transitions of a tranche, oldest first.
pub fn transitions(conn: &mut PgConnection, tranche: Uuid) -> QueryResult<Vec<TransitionRow>> {
    tranche_transitions::table
        .filter(tranche_transitions::tranche_id.eq(tranche))
        .order(tranche_transitions::id.asc())
        .load::<TransitionRow>(conn)
}
