//! The verifications' row and queries.

use apq_platform::ApiError;
use apq_platform::versioned::{self, Versioned};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::json::NewVerification;
use super::rules::VerificationKind;
use crate::schema::verifications;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = verifications)]
pub struct Verification {
    pub id: Uuid,
    pub intervento_code: String,
    pub kind: String,
    pub verified_on: NaiveDate,
    /// The act that records it.
    pub act_ref: String,
    /// Who made it (the office or person the act names).
    pub verified_by: String,
    /// The outcome (an admissibility verification may find the requirements no longer hold).
    pub holds: bool,
    pub note: Option<String>,
    pub recorded_by: String,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

impl Versioned for Verification {
    const ENTITY: &'static str = "verification";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        verifications::table
            .find(id)
            .select(Verification::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("verification {id}")))
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(verifications, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(self)
    }
}

/// Records a verification of the intervento `code`; its id.
pub fn insert(
    conn: &mut PgConnection,
    code: &str,
    body: &NewVerification,
    actor: &str,
) -> QueryResult<Uuid> {
    let id = Uuid::new_v4();
    diesel::insert_into(verifications::table)
        .values((
            verifications::id.eq(id),
            verifications::intervento_code.eq(code),
            verifications::kind.eq(body.kind.as_str()),
            verifications::verified_on.eq(body.verified_on),
            verifications::act_ref.eq(&body.act_ref),
            verifications::verified_by.eq(&body.verified_by),
            verifications::holds.eq(body.holds),
            verifications::note.eq(&body.note),
            verifications::recorded_by.eq(actor),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The verifications of `code` (of one kind, if asked) made by `as_of`, oldest first.
pub fn of(
    conn: &mut PgConnection,
    code: &str,
    kind: Option<VerificationKind>,
    as_of: NaiveDate,
) -> QueryResult<Vec<Verification>> {
    let mut query = verifications::table
        .filter(verifications::intervento_code.eq(code))
        .filter(verifications::verified_on.le(as_of))
        .order((
            verifications::verified_on.asc(),
            verifications::created_at.asc(),
        ))
        .select(Verification::as_select())
        .into_boxed();
    if let Some(kind) = kind {
        query = query.filter(verifications::kind.eq(kind.as_str()));
    }
    query.load(conn)
}
