//! The accordi's and atti's rows and queries (diesel, synchronous, `&mut PgConnection`), and the
//! atto the write path locks.

use apq_platform::ApiError;
use apq_platform::versioned::{self, Versioned};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::json::{Atto, NewAtto};
use crate::model::AttoStatus;
use crate::schema::{accordi, atti_integrativi};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = accordi)]
pub struct Accordo {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub signed_on: Option<NaiveDate>,
    pub signatories: Vec<String>,
    pub source_ref: Option<String>,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = atti_integrativi)]
pub struct AttoRow {
    pub id: Uuid,
    pub accordo_id: Uuid,
    pub number: i32,
    pub title: String,
    pub signed_on: Option<NaiveDate>,
    pub signatories: Vec<String>,
    pub status: AttoStatus,
    pub source_ref: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for AttoRow {
    const ENTITY: &'static str = "atto_integrativo";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        load(conn, *id, true)
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(atti_integrativi, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(&Atto::try_from(self.clone())?)
    }
}

/// The accordi, by code.
pub fn accordi(conn: &mut PgConnection) -> QueryResult<Vec<Accordo>> {
    accordi::table
        .order(accordi::code.asc())
        .select(Accordo::as_select())
        .load(conn)
}

/// Whether the accordo exists.
pub fn accordo_exists(conn: &mut PgConnection, accordo: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(accordi::table.find(accordo))).get_result(conn)
}

/// Loads an atto, locking it for update when `lock` is set.
pub fn load(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<AttoRow, ApiError> {
    let query = atti_integrativi::table
        .find(id)
        .select(AttoRow::as_select());
    let row = if lock {
        query.for_update().first(conn)
    } else {
        query.first(conn)
    };
    row.optional()?
        .ok_or_else(|| ApiError::NotFound(format!("atto integrativo {id}")))
}

/// The atti integrativi, by accordo and number.
pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<AttoRow>> {
    atti_integrativi::table
        .order((
            atti_integrativi::accordo_id.asc(),
            atti_integrativi::number.asc(),
        ))
        .select(AttoRow::as_select())
        .load(conn)
}

/// Writes a new atto; says its id.
pub fn insert(conn: &mut PgConnection, body: &NewAtto) -> QueryResult<Uuid> {
    let id = Uuid::new_v4();
    diesel::insert_into(atti_integrativi::table)
        .values((
            atti_integrativi::id.eq(id),
            atti_integrativi::accordo_id.eq(body.accordo_id),
            atti_integrativi::number.eq(body.number),
            atti_integrativi::title.eq(&body.title),
            atti_integrativi::signed_on.eq(body.signed_on),
            atti_integrativi::signatories.eq(&body.signatories),
            atti_integrativi::status.eq(body.status),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Writes the atto's changed fields (title, signature, signatories, status).
pub fn update(conn: &mut PgConnection, next: &AttoRow) -> QueryResult<usize> {
    diesel::update(atti_integrativi::table.find(next.id))
        .set((
            atti_integrativi::title.eq(&next.title),
            atti_integrativi::signed_on.eq(next.signed_on),
            atti_integrativi::signatories.eq(&next.signatories),
            atti_integrativi::status.eq(next.status),
        ))
        .execute(conn)
}
