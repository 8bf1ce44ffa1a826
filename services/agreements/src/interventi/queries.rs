//! The intervento's rows and queries (diesel, synchronous, `&mut PgConnection`), and the
//! aggregate the write path locks: the intervento with its children (financing plan, cost
//! table, tranches, activities), which are written under its lock.

use apq_domain::{Cup, Euro};
use apq_platform::ApiError;
use apq_platform::versioned::{self, Versioned};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::json::{
    Intervento, InterventoFilter, InterventoPatch, NewIntervento, NonActivation,
    ProgettoEsecutivoApproval,
};
use apq_platform::text_column::{EuroColumn, OptionalCupColumn};

use crate::model::{InterventoState, Kind, Sezione};
use crate::schema::{atti_integrativi, interventi};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = interventi)]
pub struct InterventoRow {
    pub id: Uuid,
    pub atto_id: Uuid,
    pub code: String,
    pub title: String,
    pub kind: Kind,
    pub sezione: Sezione,
    pub state: InterventoState,
    #[diesel(deserialize_as = OptionalCupColumn)]
    pub cup: Option<Cup>,
    pub localisation: Option<String>,
    pub objective: Option<String>,
    pub soggetti_coinvolti: Option<String>,
    pub economic_social_impact: Option<String>,
    pub activities_and_services: Option<String>,
    pub financing_description: Option<String>,
    pub phases_financed: Option<String>,
    pub activation_mode: Option<String>,
    pub administrative_steps: Option<String>,
    pub design_level: Option<String>,
    #[diesel(deserialize_as = EuroColumn)]
    pub total_cost: Euro,
    #[diesel(deserialize_as = EuroColumn)]
    pub cnipa_cofinancing: Euro,
    pub reuse_agreements_formalised_on: Option<NaiveDate>,
    pub progetto_esecutivo_validated_on: Option<NaiveDate>,
    pub source_ref: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub started_on: Option<NaiveDate>,
    /// The Regione's act of non-activation ([`NonActivation`] as JSON).
    pub non_activation: Option<serde_json::Value>,
    /// CNIPA's approval of the progetto esecutivo ([`ProgettoEsecutivoApproval`] as JSON).
    pub progetto_esecutivo_approval: Option<serde_json::Value>,
}

impl InterventoRow {
    /// CNIPA's approval of the progetto esecutivo as recorded.
    pub fn progetto_esecutivo(&self) -> Result<Option<ProgettoEsecutivoApproval>, ApiError> {
        self.progetto_esecutivo_approval
            .clone()
            .map(serde_json::from_value)
            .transpose()
            .map_err(ApiError::internal)
    }

    /// The Regione's motivated act of non-activation (art. 5.7), if recorded.
    pub fn non_activation(&self) -> Result<Option<NonActivation>, ApiError> {
        self.non_activation
            .clone()
            .map(serde_json::from_value)
            .transpose()
            .map_err(ApiError::internal)
    }
}

/// Loads an intervento, locking it for update when `lock` is set.
pub fn load(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<InterventoRow, ApiError> {
    let query = interventi::table
        .find(id)
        .select(InterventoRow::as_select());
    let row = if lock {
        query.for_update().first(conn)
    } else {
        query.first(conn)
    };
    row.optional()?
        .ok_or_else(|| ApiError::NotFound(format!("intervento {id}")))
}

/// The intervento with this code, or 404.
pub fn load_by_code(conn: &mut PgConnection, code: &str) -> Result<InterventoRow, ApiError> {
    interventi::table
        .filter(interventi::code.eq(code))
        .select(InterventoRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("intervento {code}")))
}

pub fn snapshot(row: &InterventoRow) -> Result<serde_json::Value, ApiError> {
    versioned::view_of(&Intervento::try_from(row.clone())?)
}

/// Sets an intervento's version: the one bump of every change to it or its children (financing
/// plan, cost table, tranches, activities), which are written under its lock.
pub fn bump(conn: &mut PgConnection, id: Uuid, version: i64) -> QueryResult<usize> {
    apq_platform::bump_version!(interventi, conn, id, version)
}

impl Versioned for InterventoRow {
    const ENTITY: &'static str = "intervento";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        load(conn, *id, true)
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        bump(conn, *id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        snapshot(self)
    }
}

/// A page of the interventi by code after `after`: `limit + 1` rows, so the page knows whether
/// another follows.
pub fn page(
    conn: &mut PgConnection,
    filter: &InterventoFilter,
    after: Option<&str>,
    limit: u32,
) -> QueryResult<Vec<InterventoRow>> {
    let mut query = interventi::table
        .select(InterventoRow::as_select())
        .order(interventi::code.asc())
        .limit(i64::from(limit) + 1)
        .into_boxed();
    if let Some(atto) = filter.atto_id {
        query = query.filter(interventi::atto_id.eq(atto));
    }
    if let Some(sezione) = filter.sezione {
        query = query.filter(interventi::sezione.eq(sezione));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(interventi::kind.eq(kind));
    }
    if let Some(state) = filter.state {
        query = query.filter(interventi::state.eq(state));
    }
    if let Some(code) = &filter.code {
        query = query.filter(interventi::code.eq(code));
    }
    if let Some(cup) = &filter.cup {
        query = query.filter(interventi::cup.eq(cup.as_str()));
    }
    if let Some(after) = after {
        query = query.filter(interventi::code.gt(after));
    }
    query.load(conn)
}

/// Whether the atto integrativo exists.
pub fn atto_exists(conn: &mut PgConnection, atto: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(atti_integrativi::table.find(atto))).get_result(conn)
}

/// Writes a new intervento, not yet co-financed; says its id.
pub fn insert(conn: &mut PgConnection, body: &NewIntervento) -> QueryResult<Uuid> {
    let id = Uuid::new_v4();
    diesel::insert_into(interventi::table)
        .values((
            interventi::id.eq(id),
            interventi::atto_id.eq(body.atto_id),
            interventi::code.eq(&body.code),
            interventi::title.eq(&body.title),
            interventi::kind.eq(body.kind),
            interventi::sezione.eq(body.sezione),
            interventi::cup.eq(body.cup.as_ref().map(Cup::as_str)),
            interventi::localisation.eq(&body.localisation),
            interventi::objective.eq(&body.objective),
            interventi::soggetti_coinvolti.eq(&body.soggetti_coinvolti),
            interventi::design_level.eq(&body.design_level),
            interventi::administrative_steps.eq(&body.administrative_steps),
            interventi::total_cost.eq(body.total_cost.decimal()),
            interventi::cnipa_cofinancing.eq(Decimal::ZERO),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Writes the patch's fields onto the intervento.
pub fn apply_patch(
    conn: &mut PgConnection,
    current: &InterventoRow,
    patch: &InterventoPatch,
) -> QueryResult<usize> {
    let next = patch.applied_to(current);
    diesel::update(interventi::table.find(current.id))
        .set((
            interventi::title.eq(&next.title),
            interventi::cup.eq(next.cup.as_ref().map(Cup::as_str)),
            interventi::localisation.eq(&next.localisation),
            interventi::objective.eq(&next.objective),
            interventi::soggetti_coinvolti.eq(&next.soggetti_coinvolti),
            interventi::design_level.eq(&next.design_level),
            interventi::administrative_steps.eq(&next.administrative_steps),
            interventi::reuse_agreements_formalised_on.eq(next.reuse_agreements_formalised_on),
            interventi::started_on.eq(next.started_on),
        ))
        .execute(conn)
}
