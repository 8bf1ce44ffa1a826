//! The transmissions' queries: a transmission made (the file of the live data after the last
//! one, with every record), IGRUE's answer read onto its records, the transmissions, their
//! records and files; and the aggregate the write path locks.

use apq_domain::Semester;
use apq_platform::ApiError;
use apq_platform::versioned::{self, Edit, IfMatch, Versioned};
use chrono::Utc;
use diesel::prelude::*;
use uuid::Uuid;

use super::json::{ErrorList, RecordError, SentRecord, Transmission, TransmissionDetail};
use super::rules::{self, Placed, TransmissionError};
use crate::national::{self, Described, Live};
use crate::puc::file::{Record, Structure};
use crate::puc::response::Answer;
use crate::schema::{puc_transmission_records, puc_transmissions};

impl Versioned for Transmission {
    const ENTITY: &'static str = "puc_transmission";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        puc_transmissions::table
            .find(id)
            .select(Transmission::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("transmission {id}")))
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(puc_transmissions, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(self)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = puc_transmission_records)]
struct RecordRow {
    progressivo: i64,
    structure: String,
    intervento_code: String,
    entity: String,
    deleted: bool,
    fields: Vec<Option<String>>,
    refusal_class: Option<i16>,
    errors: serde_json::Value,
}

impl TryFrom<RecordRow> for SentRecord {
    type Error = ApiError;

    fn try_from(row: RecordRow) -> Result<Self, ApiError> {
        let fields = row
            .fields
            .into_iter()
            .collect::<Option<Vec<String>>>()
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a NULL value in a record sent")))?;
        Ok(SentRecord {
            progressivo: row.progressivo,
            structure: row.structure,
            intervento_code: row.intervento_code,
            entity: row.entity,
            deleted: row.deleted,
            fields,
            refusal_class: row.refusal_class,
            errors: serde_json::from_value(row.errors).map_err(ApiError::internal)?,
        })
    }
}

impl SentRecord {
    /// The record as the next file compares it with the live ones.
    fn described(&self) -> Result<Described, ApiError> {
        let structure = Structure::from_code(&self.structure).ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!("unknown structure {}", self.structure))
        })?;
        Ok(Described {
            record: Record {
                structure,
                values: self.fields.clone(),
                deleted: self.deleted,
            },
            intervento_code: self.intervento_code.clone(),
            entity: self.entity.clone(),
        })
    }
}

/// The records of the last transmission made, in the order sent.
pub fn last_records(conn: &mut PgConnection) -> Result<Vec<Described>, ApiError> {
    let Some(id) = latest(conn)? else {
        return Ok(Vec::new());
    };
    records_of(conn, id)?
        .iter()
        .map(SentRecord::described)
        .collect()
}

fn latest(conn: &mut PgConnection) -> QueryResult<Option<Uuid>> {
    puc_transmissions::table
        .order(puc_transmissions::seq.desc())
        .select(puc_transmissions::id)
        .first(conn)
        .optional()
}

fn records_of(conn: &mut PgConnection, id: Uuid) -> Result<Vec<SentRecord>, ApiError> {
    puc_transmission_records::table
        .filter(puc_transmission_records::transmission_id.eq(id))
        .order(puc_transmission_records::progressivo.asc())
        .select(RecordRow::as_select())
        .load(conn)?
        .into_iter()
        .map(SentRecord::try_from)
        .collect()
}

fn load(conn: &mut PgConnection, id: Uuid) -> Result<Transmission, ApiError> {
    puc_transmissions::table
        .find(id)
        .select(Transmission::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("transmission {id}")))
}

/// The transmissions made, newest first.
pub fn transmissions(conn: &mut PgConnection) -> QueryResult<Vec<Transmission>> {
    puc_transmissions::table
        .order(puc_transmissions::seq.desc())
        .select(Transmission::as_select())
        .load(conn)
}

/// The file of the transmission `id`, exactly as sent; 404 when there is no such transmission.
pub fn file_of(conn: &mut PgConnection, id: Uuid) -> Result<String, ApiError> {
    puc_transmissions::table
        .find(id)
        .select(puc_transmissions::file)
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("transmission {id}")))
}

/// The transmission `id` with its records, where it stands and how many IGRUE refused.
pub fn detail(conn: &mut PgConnection, id: Uuid) -> Result<TransmissionDetail, ApiError> {
    let transmission = load(conn, id)?;
    let records = records_of(conn, id)?;
    Ok(TransmissionDetail {
        state: rules::state(transmission.answered_at).to_owned(),
        refused: rules::refused(&records),
        transmission,
        records,
    })
}

/// The errors IGRUE found on the records of the last transmission (only those of `code`'s
/// records, if given).
pub fn standing(conn: &mut PgConnection, code: Option<&str>) -> Result<ErrorList, ApiError> {
    let Some(id) = latest(conn)? else {
        return Ok(ErrorList {
            transmission_id: None,
            items: Vec::new(),
        });
    };
    let records = records_of(conn, id)?;
    Ok(ErrorList {
        transmission_id: Some(id),
        items: rules::standing(&records, code),
    })
}

/// Makes the transmission of `semester`: the file of the live data, following the last
/// transmission (its records whose entity is gone become tombstones); refused while blocking.
pub fn transmit(
    conn: &mut PgConnection,
    actor: &str,
    semester: Semester,
    lives: &[Live],
) -> Result<Transmission, ApiError> {
    // One transmission at a time: each follows the one before.
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('puc_transmissions'))")
        .execute(conn)?;
    let previous = last_records(conn)?;
    let preview = national::assemble_with(semester, lives, &previous)?;
    rules::admit(&preview)?;
    versioned::create(conn, Edit::new(actor, "transmit"), |conn| {
        let id = Uuid::new_v4();
        diesel::insert_into(puc_transmissions::table)
            .values((
                puc_transmissions::id.eq(id),
                puc_transmissions::semester.eq(semester.to_string()),
                puc_transmissions::as_of.eq(preview.as_of),
                puc_transmissions::sender.eq(national::SENDER),
                puc_transmissions::records
                    .eq(i64::try_from(preview.records.len()).map_err(ApiError::internal)?),
                puc_transmissions::file.eq(&preview.file),
                puc_transmissions::sent_by.eq(actor),
            ))
            .execute(conn)?;
        for chunk in preview.records.chunks(1000) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|r| {
                    Ok((
                        puc_transmission_records::transmission_id.eq(id),
                        puc_transmission_records::progressivo
                            .eq(i64::try_from(r.progressivo).map_err(ApiError::internal)?),
                        puc_transmission_records::structure.eq(&r.structure),
                        puc_transmission_records::intervento_code.eq(&r.intervento_code),
                        puc_transmission_records::entity.eq(&r.entity),
                        puc_transmission_records::deleted.eq(r.deleted),
                        puc_transmission_records::fields.eq(r
                            .fields
                            .iter()
                            .cloned()
                            .map(Some)
                            .collect::<Vec<_>>()),
                    ))
                })
                .collect::<Result<_, ApiError>>()?;
            diesel::insert_into(puc_transmission_records::table)
                .values(rows)
                .execute(conn)?;
        }
        Ok(id)
    })
}

/// The (progressivo, structure) of each record of the transmission `id`.
fn sent(conn: &mut PgConnection, id: Uuid) -> QueryResult<Vec<(i64, String)>> {
    puc_transmission_records::table
        .filter(puc_transmission_records::transmission_id.eq(id))
        .select((
            puc_transmission_records::progressivo,
            puc_transmission_records::structure,
        ))
        .load(conn)
}

/// Gives each refused record of the transmission `id` IGRUE's class and errors.
fn mark_refused(conn: &mut PgConnection, id: Uuid, placed: &[Placed]) -> Result<(), ApiError> {
    for (progressivo, class, errors) in placed {
        let errors: &[RecordError] = errors;
        diesel::update(puc_transmission_records::table.find((id, *progressivo)))
            .set((
                puc_transmission_records::refusal_class.eq(Some(*class)),
                puc_transmission_records::errors
                    .eq(serde_json::to_value(errors).map_err(ApiError::internal)?),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Reads IGRUE's answer into the transmission: every refusal on its record.
pub fn answer(
    conn: &mut PgConnection,
    id: Uuid,
    if_match: IfMatch,
    actor: &str,
    text: &str,
    answer: &Answer,
) -> Result<Transmission, ApiError> {
    versioned::update(
        conn,
        id,
        if_match,
        Edit::new(actor, "answer"),
        |conn, current: &Transmission| {
            rules::check_unanswered(id, current.answered_at)?;
            let placed = rules::place(answer, &sent(conn, id)?).map_err(TransmissionError::from)?;
            mark_refused(conn, id, &placed)?;
            diesel::update(puc_transmissions::table.find(id))
                .set((
                    puc_transmissions::response.eq(text),
                    puc_transmissions::answered_by.eq(actor),
                    puc_transmissions::answered_at.eq(Some(Utc::now())),
                ))
                .execute(conn)?;
            Ok(())
        },
    )
}
