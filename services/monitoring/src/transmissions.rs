//! The national transmissions as records. A transmission is the PUC file of a semester built from
//! live data when it is made (refused while a blocking finding of the national checks stands),
//! stored exactly as sent with its date, who sent it and every record in it (progressivo,
//! structure, intervento and entity, and the values, so that a record whose entity is gone is
//! sent again in the next file as a tombstone). IGRUE's answer is uploaded to the transmission it
//! answers: read strictly (a malformed answer is refused whole, naming the line, and changes
//! nothing), each refusal lands on the record it names by its progressivo, and stands until a
//! later transmission is made.

use actix_web::{HttpResponse, get, post, web};
use apq_domain::{Role, Semester};
use apq_platform::concurrency::{etag, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::versioned::{self, Edit, IfMatch, Versioned};
use apq_platform::{ApiError, Caller, FieldError};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::national::{self, Described, Live, Preview};
use crate::peers::Agreements;
use crate::puc::file::{Record, Structure};
use crate::puc::response::{self, Answer, Malformed};
use crate::schema::{puc_transmission_records, puc_transmissions};

/// Who makes a transmission and uploads IGRUE's answer: the regional monitoring office
/// (`responsabile_accordo`), admin, and the sync job.
const SENDERS: &[Role] = &[Role::Admin, Role::ResponsabileAccordo, Role::Sync];

/// Who reads the transmissions and the errors IGRUE found.
const READERS: &[Role] = &[
    Role::Admin,
    Role::ResponsabileAccordo,
    Role::Auditor,
    Role::Sync,
];

/// A transmission as listed (its file is at `/v1/puc/transmissions/{id}/file`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = puc_transmissions)]
pub struct Transmission {
    pub id: Uuid,
    /// Its place in the order transmissions were made (from 1).
    #[schema(format = Int64)]
    pub seq: i64,
    #[schema(value_type = Semester)]
    pub semester: String,
    /// The data are those of this day (the semester's last).
    pub as_of: NaiveDate,
    /// The sender code in the file's `HH`.
    pub sender: String,
    /// How many records the file holds (tombstones included).
    #[schema(format = Int64)]
    #[diesel(column_name = records)]
    pub record_count: i64,
    /// Who made it.
    pub sent_by: String,
    /// Who uploaded IGRUE's answer, and when (absent until then).
    pub answered_by: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    #[schema(format = Int64)]
    pub version: i64,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

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

/// A field IGRUE refused, with its code and description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordError {
    pub field: String,
    #[schema(format = Int64)]
    pub code: u32,
    pub description: String,
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

/// A record of a transmission: what it was and, once IGRUE answered, whether it was refused.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SentRecord {
    #[schema(format = Int64)]
    pub progressivo: i64,
    pub structure: String,
    pub intervento_code: String,
    /// What the record carries: a movement's code, a phase's, a soggetto's name...
    pub entity: String,
    /// A tombstone (`FLG_CANCELLAZIONE=S`).
    pub deleted: bool,
    /// The values as sent, in the structure's field order.
    pub fields: Vec<String>,
    /// IGRUE refused it: 1 a rule of the structure, 2 a cross-structure check.
    #[schema(format = Int32)]
    pub refusal_class: Option<i16>,
    pub errors: Vec<RecordError>,
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

/// A transmission with its records.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransmissionDetail {
    #[serde(flatten)]
    pub transmission: Transmission,
    /// `sent`, or `answered` once IGRUE's answer is read.
    #[schema(pattern = "^(sent|answered)$")]
    pub state: String,
    /// How many records IGRUE refused.
    #[schema(format = Int64)]
    pub refused: usize,
    pub records: Vec<SentRecord>,
}

/// The most findings a refusal lists (a problem's `errors` holds 100 at most).
const MAX_LISTED: usize = 100;

/// Refuses a file while a blocking finding of the national checks stands, listing every one
/// (`<intervento>/<structure>/<field>`, with its IGRUE code and message). Pure.
pub fn admit(preview: &Preview) -> Result<(), ApiError> {
    let errors: Vec<FieldError> = preview
        .findings
        .iter()
        .filter(|f| f.finding.blocking)
        .map(|f| {
            let record = f
                .finding
                .record
                .as_deref()
                .map(|r| format!(" [{r}]"))
                .unwrap_or_default();
            FieldError::new(
                format!(
                    "{}/{}/{}",
                    f.intervento_code, f.finding.structure, f.finding.field
                ),
                format!("{}{record}: {}", f.finding.code, f.finding.message),
            )
        })
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    let count = errors.len();
    Err(ApiError::Unprocessable {
        detail: format!(
            "the file of {} would be refused: {count} blocking finding(s) of the national checks \
             stand{}",
            preview.semester,
            if count > MAX_LISTED {
                format!(
                    " (the first {MAX_LISTED} listed; GET /v1/puc/{} shows them all)",
                    preview.semester
                )
            } else {
                String::new()
            }
        ),
        errors: errors.into_iter().take(MAX_LISTED).collect(),
    })
}

/// What an answer does to the records sent: (progressivo, class, errors) per refused record.
/// An answer naming a progressivo the transmission does not have, or a record of another
/// structure than the one sent, or one record twice, is refused whole naming the line. Pure.
pub fn place(
    answer: &Answer,
    sent: &[(i64, String)],
) -> Result<Vec<(i64, i16, Vec<RecordError>)>, Malformed> {
    let sent: std::collections::HashMap<i64, &str> =
        sent.iter().map(|(p, s)| (*p, s.as_str())).collect();
    let mut seen = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(answer.refusals.len());
    for r in &answer.refusals {
        let bad = |reason: String| Malformed {
            line: r.line,
            reason,
        };
        let progressivo = i64::try_from(r.progressivo)
            .map_err(|_| bad(format!("progressivo non valido: {}", r.progressivo)))?;
        match sent.get(&progressivo) {
            None => {
                return Err(bad(format!(
                    "il progressivo {progressivo} non è nella trasmissione"
                )));
            }
            Some(structure) if *structure != r.structure.code() => {
                return Err(bad(format!(
                    "il record {progressivo} inviato è {structure}, non {}",
                    r.structure.code()
                )));
            }
            Some(_) => {}
        }
        if let Some(first) = seen.insert(progressivo, r.line) {
            return Err(bad(format!(
                "il record {progressivo} è già scartato alla riga {first}"
            )));
        }
        let errors = r
            .errors
            .iter()
            .map(|e| RecordError {
                field: e.field.clone(),
                code: e.code,
                description: e.description.clone(),
            })
            .collect();
        out.push((progressivo, i16::from(r.class), errors));
    }
    Ok(out)
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

/// [`last_records`] from the pool.
pub async fn last_sent(pool: &web::Data<PgPool>) -> Result<Vec<Described>, ApiError> {
    run_db(pool, last_records).await
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

/// Makes the transmission of `semester`: the file of the live data, following the last
/// transmission (its records whose entity is gone become tombstones); refused while blocking.
fn transmit(
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
    admit(&preview)?;
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

/// What to transmit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTransmission {
    pub semester: Semester,
}

/// Makes the national transmission of a semester: the PUC file of the live data (as the preview
/// `GET /v1/puc/{semester}` shows it, tombstones included), stored with every record and who sent
/// it. Refused (422, listing them) while a blocking finding of the national checks stands.
/// `responsabile_accordo`, admin or the sync job; safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = NewTransmission,
    responses(
        (status = 201, description = "Made", body = Transmission, headers(("Location" = String, description = "The transmission"))),
        (status = 422, description = "A blocking finding of the national checks stands (each listed)", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 503, description = "A peer service does not answer", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/puc/transmissions")]
pub async fn create_transmission(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    body: Json<NewTransmission>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(SENDERS)?;
    let body = body.into_inner();
    let lives = national::gather(&pool, &agreements, body.semester).await?;
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&body);
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            let made = transmit(conn, &actor, body.semester, &lives)?;
            Stored::created(
                &made,
                format!("/v1/puc/transmissions/{}", made.id),
                Some(etag(made.version)),
            )
        })
    })
    .await?;
    Ok(stored.into_response())
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TransmissionList {
    /// Newest first.
    pub items: Vec<Transmission>,
}

/// The transmissions made, newest first: `responsabile_accordo`, admin, auditor, sync.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    responses((status = 200, description = "The transmissions", body = TransmissionList))
)]
#[get("/puc/transmissions")]
pub async fn list_transmissions(
    caller: Caller,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(READERS)?;
    let items = run_db(&pool, |conn| {
        Ok::<_, ApiError>(
            puc_transmissions::table
                .order(puc_transmissions::seq.desc())
                .select(Transmission::as_select())
                .load(conn)?,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(TransmissionList { items }))
}

#[derive(Debug, Deserialize)]
pub struct IdPath {
    pub id: Uuid,
}

fn detail(conn: &mut PgConnection, id: Uuid) -> Result<TransmissionDetail, ApiError> {
    let transmission = load(conn, id)?;
    let records = records_of(conn, id)?;
    Ok(TransmissionDetail {
        state: if transmission.answered_at.is_some() {
            "answered"
        } else {
            "sent"
        }
        .to_owned(),
        refused: records.iter().filter(|r| r.refusal_class.is_some()).count(),
        transmission,
        records,
    })
}

/// One transmission with its records and, once IGRUE answered, the errors on each:
/// `responsabile_accordo`, admin, auditor, sync.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The transmission's id")),
    responses(
        (status = 200, description = "The transmission", body = TransmissionDetail, headers(("ETag" = String, description = "Its version"))),
        (status = 404, description = "No such transmission", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/puc/transmissions/{id}")]
pub async fn get_transmission(
    caller: Caller,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(READERS)?;
    let id = path.id;
    let detail = run_db(&pool, move |conn| detail(conn, id)).await?;
    Ok(ok_with_etag(detail.transmission.version, &detail))
}

/// The file of a transmission, exactly as sent (CRLF line ends): `responsabile_accordo`, admin,
/// auditor, sync.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The transmission's id")),
    responses(
        (status = 200, description = "The PUC file", body = String, content_type = "text/plain"),
        (status = 404, description = "No such transmission", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/puc/transmissions/{id}/file")]
pub async fn transmission_file(
    caller: Caller,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(READERS)?;
    let id = path.id;
    let file: String = run_db(&pool, move |conn| {
        puc_transmissions::table
            .find(id)
            .select(puc_transmissions::file)
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("transmission {id}")))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(file))
}

/// Reads IGRUE's answer into the transmission: every refusal on its record.
fn answer(
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
            if current.answered_at.is_some() {
                return Err(ApiError::Conflict(format!(
                    "transmission {id} already has IGRUE's answer"
                )));
            }
            let sent: Vec<(i64, String)> = puc_transmission_records::table
                .filter(puc_transmission_records::transmission_id.eq(id))
                .select((
                    puc_transmission_records::progressivo,
                    puc_transmission_records::structure,
                ))
                .load(conn)?;
            let placed = place(answer, &sent).map_err(refused)?;
            for (progressivo, class, errors) in placed {
                diesel::update(puc_transmission_records::table.find((id, progressivo)))
                    .set((
                        puc_transmission_records::refusal_class.eq(Some(class)),
                        puc_transmission_records::errors
                            .eq(serde_json::to_value(&errors).map_err(ApiError::internal)?),
                    ))
                    .execute(conn)?;
            }
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

/// A malformed answer: 422 naming the line that breaks it.
fn refused(error: Malformed) -> ApiError {
    ApiError::Unprocessable {
        detail: format!("IGRUE's answer is refused whole: {error}"),
        errors: vec![FieldError::new(
            format!("line {}", error.line),
            error.reason,
        )],
    }
}

/// Uploads IGRUE's answer to a transmission (the file as received, `text/plain`): each refused
/// record gets IGRUE's errors, with their descriptions, through the progressivo it had. A
/// malformed answer (framing, legend, FF count, a progressivo not in the transmission) is
/// refused whole naming the line, and changes nothing. `responsabile_accordo`, admin or the sync
/// job; requires `If-Match`.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The transmission's id"), IfMatch),
    request_body(content = String, content_type = "text/plain", description = "IGRUE's answer file"),
    responses(
        (status = 200, description = "Read", body = TransmissionDetail, headers(("ETag" = String, description = "Its version"))),
        (status = 404, description = "No such transmission", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The transmission already has its answer", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The answer is malformed (the line that breaks it is named)", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/puc/transmissions/{id}/response")]
pub async fn respond(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
    body: String,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(SENDERS)?;
    let parsed = response::parse(&body).map_err(refused)?;
    let id = path.id;
    let actor = caller.subject().to_owned();
    let detail = run_db(&pool, move |conn| {
        answer(conn, id, if_match, &actor, &body, &parsed)?;
        detail(conn, id)
    })
    .await?;
    Ok(ok_with_etag(detail.transmission.version, &detail))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ErrorFilter {
    /// Only the errors on this intervento's records.
    #[param(pattern = "^[A-Za-z0-9-]+$")]
    pub intervento_code: Option<String>,
}

/// An error IGRUE found on a record of the last transmission.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StandingError {
    #[schema(format = Int64)]
    pub progressivo: i64,
    pub structure: String,
    pub intervento_code: String,
    /// The record's entity: the impegno's code for an FN04, a phase's for a PR00...
    pub entity: String,
    #[schema(format = Int32)]
    pub class: i16,
    #[serde(flatten)]
    pub error: RecordError,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorList {
    /// The last transmission, whose answer the errors are (absent before the first).
    pub transmission_id: Option<Uuid>,
    pub items: Vec<StandingError>,
}

fn standing(conn: &mut PgConnection, code: Option<&str>) -> Result<ErrorList, ApiError> {
    let Some(id) = latest(conn)? else {
        return Ok(ErrorList {
            transmission_id: None,
            items: Vec::new(),
        });
    };
    let mut items = Vec::new();
    for record in records_of(conn, id)? {
        let Some(class) = record.refusal_class else {
            continue;
        };
        if code.is_some_and(|c| c != record.intervento_code) {
            continue;
        }
        items.extend(record.errors.iter().map(|error| StandingError {
            progressivo: record.progressivo,
            structure: record.structure.clone(),
            intervento_code: record.intervento_code.clone(),
            entity: record.entity.clone(),
            class,
            error: error.clone(),
        }));
    }
    Ok(ErrorList {
        transmission_id: Some(id),
        items,
    })
}

/// The errors IGRUE found in its answer to the last transmission, each on the record (and the
/// entity) it concerns with IGRUE's description; a later transmission clears them.
/// `responsabile_accordo`, admin, auditor, sync.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(ErrorFilter),
    responses((status = 200, description = "The errors standing", body = ErrorList))
)]
#[get("/puc/errors")]
pub async fn list_errors(
    caller: Caller,
    pool: web::Data<PgPool>,
    query: Query<ErrorFilter>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(READERS)?;
    let code = query.intervento_code.clone();
    if let Some(code) = &code {
        crate::peers::intervento_code(code)?;
    }
    let list = run_db(&pool, move |conn| standing(conn, code.as_deref())).await?;
    Ok(HttpResponse::Ok().json(list))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::national::{ProjectFinding, RecordInfo};
    use crate::puc::checks::Finding;

    fn preview(findings: Vec<ProjectFinding>) -> Preview {
        Preview {
            semester: Semester::parse("2010-S1").unwrap_or_else(|e| panic!("{e}")),
            as_of: NaiveDate::default(),
            records: Vec::<RecordInfo>::new(),
            blocked: findings.iter().any(|f| f.finding.blocking),
            findings,
            file: String::new(),
        }
    }

    fn finding(code: &'static str, blocking: bool) -> ProjectFinding {
        ProjectFinding {
            intervento_code: "GEOSIGMA".into(),
            finding: Finding {
                code,
                structure: "FN06",
                record: Some("G-P".into()),
                field: "IMPORTO_PAG",
                message: "I pagamenti superano gli impegni".into(),
                blocking,
            },
        }
    }

    #[test]
    fn a_file_is_admitted_only_without_a_blocking_finding() {
        assert!(admit(&preview(vec![])).is_ok());
        assert!(
            admit(&preview(vec![finding("012", false)])).is_ok(),
            "a warning does not stop it"
        );
        match admit(&preview(vec![finding("012", false), finding("028", true)])) {
            Err(ApiError::Unprocessable { errors, .. }) => {
                assert_eq!(errors.len(), 1, "only the blocking one is listed");
                assert_eq!(errors[0].field, "GEOSIGMA/FN06/IMPORTO_PAG");
                assert!(errors[0].message.starts_with("028 [G-P]: "), "{errors:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    const ANSWER: &str = "HH#0#SISIGRUE#\r\n\
        TIPOERRORE#1#28|Pagamenti superiori agli impegni#\r\n\
        FN04#3#2#0|0|0|0|28|0|0|0#\r\n\
        FF#3#2#\r\n";

    fn sent() -> Vec<(i64, String)> {
        vec![(1, "AP00".into()), (2, "FN00".into()), (3, "FN04".into())]
    }

    #[test]
    fn each_refusal_lands_on_the_record_of_its_progressivo() {
        let answer = response::parse(ANSWER).unwrap_or_else(|e| panic!("{e}"));
        let placed = place(&answer, &sent()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            placed,
            vec![(
                3,
                2,
                vec![RecordError {
                    field: "IMPORTO_IMPEGNO".into(),
                    code: 28,
                    description: "Pagamenti superiori agli impegni".into()
                }]
            )]
        );
    }

    #[test]
    fn an_answer_that_does_not_match_the_transmission_is_refused_naming_the_line() {
        let cases = [
            (
                ANSWER.replace("FN04#3#", "FN04#9#"),
                "non è nella trasmissione",
            ),
            (ANSWER.replace("FN04#3#", "FN06#3#"), "inviato è FN04"),
            (
                ANSWER.replace("FF#3#2#", "FN04#3#1#0|0|0|0|28|0|0|0#\r\nFF#4#3#"),
                "già scartato alla riga 3",
            ),
        ];
        for (text, reason) in cases {
            let answer = response::parse(&text).unwrap_or_else(|e| panic!("{e}"));
            match place(&answer, &sent()) {
                Err(e) => {
                    assert!(e.reason.contains(reason), "{e}");
                    assert!(e.line >= 3, "{e}");
                }
                Ok(p) => panic!("accepted: {p:?}"),
            }
        }
    }
}
