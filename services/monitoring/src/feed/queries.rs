//! The feed's queries: the schede submitted or validated after a position, and the
//! acknowledgements.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::json::NewAcknowledgement;
use crate::schede::{SchedaRow, SchedaState};
use crate::schema::{acknowledgements, schede};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = acknowledgements)]
pub struct Acknowledgement {
    pub scheda_id: Uuid,
    #[schema(format = Int64)]
    pub change_seq: i64,
    pub transmitted_at: DateTime<Utc>,
    pub outcome: String,
    /// CNIPA's message for a validation or a rejection.
    pub message: Option<String>,
    pub actor: String,
}

/// Why an acknowledgement is refused.
#[derive(Debug, thiserror::Error)]
pub enum AckError {
    #[error("scheda {scheda_id} has no change {change_seq}")]
    UnknownChange { scheda_id: Uuid, change_seq: i64 },
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// Up to `limit` schede submitted or validated after `cursor`, oldest change first, and whether
/// more follow.
pub fn changed_since(
    conn: &mut PgConnection,
    cursor: i64,
    limit: u32,
) -> QueryResult<(Vec<SchedaRow>, bool)> {
    let mut rows: Vec<SchedaRow> = schede::table
        .filter(schede::change_seq.gt(cursor))
        .filter(schede::state.eq_any([
            SchedaState::Submitted.as_str(),
            SchedaState::Validated.as_str(),
        ]))
        .order(schede::change_seq.asc())
        .limit(i64::from(limit) + 1)
        .select(SchedaRow::as_select())
        .load(conn)?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// Records one acknowledgement (query): a new one is inserted; a new outcome (validated or
/// rejected) for a transmitted change replaces the old; the same again changes nothing.
/// Answers whether it was new, and the acknowledgement as it stands.
pub fn record(
    conn: &mut PgConnection,
    body: &NewAcknowledgement,
    actor: &str,
) -> Result<(bool, Acknowledgement), AckError> {
    let known: i64 = schede::table
        .filter(schede::id.eq(body.scheda_id))
        .filter(schede::change_seq.ge(body.change_seq))
        .count()
        .get_result(conn)?;
    if known == 0 || body.change_seq < 1 {
        return Err(AckError::UnknownChange {
            scheda_id: body.scheda_id,
            change_seq: body.change_seq,
        });
    }
    // One statement, through the primary key as its conflict arbiter: no plan of a lookup
    // (which a table that was empty when the plan was made can leave a sequential scan) stands
    // between a page's acknowledgements and the index. A new outcome (validated or rejected)
    // replaces the one recorded; the same again, or a transmission again, changes nothing.
    let (ack, created) = diesel::insert_into(acknowledgements::table)
        .values((
            acknowledgements::scheda_id.eq(body.scheda_id),
            acknowledgements::change_seq.eq(body.change_seq),
            acknowledgements::transmitted_at.eq(body.transmitted_at),
            acknowledgements::outcome.eq(body.outcome.as_str()),
            acknowledgements::message.eq(&body.message),
            acknowledgements::actor.eq(actor),
        ))
        .on_conflict((acknowledgements::scheda_id, acknowledgements::change_seq))
        .do_update()
        .set((
            acknowledgements::message.eq(sql::<Nullable<Text>>(
                "CASE WHEN excluded.outcome NOT IN ('transmitted', acknowledgements.outcome) \
                 THEN excluded.message ELSE acknowledgements.message END",
            )),
            acknowledgements::outcome.eq(sql::<Text>(
                "CASE WHEN excluded.outcome = 'transmitted' THEN acknowledgements.outcome \
                 ELSE excluded.outcome END",
            )),
        ))
        .returning((Acknowledgement::as_returning(), sql::<Bool>("xmax = 0")))
        .get_result(conn)?;
    Ok((created, ack))
}

/// Every acknowledgement, by change.
pub fn acknowledgements(conn: &mut PgConnection) -> QueryResult<Vec<Acknowledgement>> {
    acknowledgements::table
        .order((
            acknowledgements::change_seq.asc(),
            acknowledgements::scheda_id.asc(),
        ))
        .select(Acknowledgement::as_select())
        .load(conn)
}
