//! The accordo (APQ) and its atti integrativi.

use actix_web::{HttpResponse, get, patch, post, web};
use apq_platform::concurrency::{etag, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, patch as patch_field};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::versioned::{self, Edit, IfMatch, Versioned};
use apq_platform::{ApiError, Caller, FieldError};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::require_editor;
use crate::interventi::IdPath;
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

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccordoList {
    pub items: Vec<Accordo>,
}

/// The accordi (APQ) in the register.
#[utoipa::path(tag = "atti", responses((status = 200, description = "The accordi", body = AccordoList)))]
#[get("/accordi")]
pub async fn list_accordi(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let items = run_db(&pool, |conn| {
        Ok::<_, ApiError>(
            accordi::table
                .order(accordi::code.asc())
                .select(Accordo::as_select())
                .load(conn)?,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(AccordoList { items }))
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

// An atto integrativo as agreements answers it and the monitoring service reads it: the
// contract's types.
pub use apq_domain::contracts::agreements::{Atto, AttoList};

impl TryFrom<AttoRow> for Atto {
    type Error = ApiError;
    fn try_from(row: AttoRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: row.id,
            accordo_id: row.accordo_id,
            number: row.number,
            title: row.title,
            signed_on: row.signed_on,
            signatories: row.signatories,
            status: row.status.into(),
            source_ref: row.source_ref,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

impl Versioned for AttoRow {
    const ENTITY: &'static str = "atto_integrativo";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        load_atto(conn, *id, true)
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

fn load_atto(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<AttoRow, ApiError> {
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
#[utoipa::path(tag = "atti", responses((status = 200, description = "The atti integrativi", body = AttoList)))]
#[get("/atti-integrativi")]
pub async fn list_atti(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let rows = run_db(&pool, |conn| {
        Ok::<_, ApiError>(
            atti_integrativi::table
                .order((
                    atti_integrativi::accordo_id.asc(),
                    atti_integrativi::number.asc(),
                ))
                .select(AttoRow::as_select())
                .load(conn)?,
        )
    })
    .await?;
    let items = rows
        .into_iter()
        .map(Atto::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(AttoList { items }))
}

/// One atto integrativo.
#[utoipa::path(
    tag = "atti",
    params(("id" = Uuid, Path, description = "The atto's id")),
    responses(
        (status = 200, description = "The atto", body = Atto, headers(("ETag" = String, description = "Its version"))),
    )
)]
#[get("/atti-integrativi/{id}")]
pub async fn get_atto(
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let atto = Atto::try_from(run_db(&pool, move |conn| load_atto(conn, id, false)).await?)?;
    Ok(ok_with_etag(atto.version, &atto))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAtto {
    pub accordo_id: Uuid,
    #[schema(format = Int32, minimum = 1)]
    pub number: i32,
    #[schema(pattern = "\\S")]
    pub title: String,
    pub signed_on: Option<NaiveDate>,
    #[serde(default)]
    pub signatories: Vec<String>,
    pub status: AttoStatus,
}

/// What the atti's rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttoError {
    #[error("atti are numbered from 1")]
    Number,
    #[error("a title is required")]
    Title,
    #[error("a signed atto has a signature date")]
    SignedUndated,
    #[error("there is no accordo {0}")]
    NoAccordo(Uuid),
}

impl From<AttoError> for ApiError {
    fn from(error: AttoError) -> Self {
        let field = match error {
            AttoError::Number => "number",
            AttoError::Title => "title",
            AttoError::SignedUndated => "signed_on",
            AttoError::NoAccordo(_) => {
                return ApiError::Unprocessable {
                    detail: error.to_string(),
                    errors: vec![FieldError::new("accordo_id", "no such accordo")],
                };
            }
        };
        ApiError::field(field, error)
    }
}

/// A signed atto has its signature date.
fn check_signature(status: AttoStatus, signed_on: Option<NaiveDate>) -> Result<(), AttoError> {
    if status == AttoStatus::Signed && signed_on.is_none() {
        return Err(AttoError::SignedUndated);
    }
    Ok(())
}

/// A new atto's number, title and signature.
fn check_new(atto: &NewAtto) -> Result<(), AttoError> {
    if atto.number < 1 {
        return Err(AttoError::Number);
    }
    if atto.title.trim().is_empty() {
        return Err(AttoError::Title);
    }
    check_signature(atto.status, atto.signed_on)
}

/// Writes the new atto, if its accordo exists.
fn add(conn: &mut PgConnection, actor: &str, body: &NewAtto) -> Result<Stored, ApiError> {
    let accordo = accordi::table.find(body.accordo_id);
    if !diesel::select(diesel::dsl::exists(accordo)).get_result::<bool>(conn)? {
        return Err(AttoError::NoAccordo(body.accordo_id).into());
    }
    let created: AttoRow = versioned::create(conn, Edit::new(actor, "create"), |conn| {
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
    })?;
    let atto = Atto::try_from(created)?;
    Stored::created(
        &atto,
        format!("/v1/atti-integrativi/{}", atto.id),
        Some(etag(atto.version)),
    )
}

/// Writes the patch's fields onto the atto, a signed one dated.
fn apply_patch(
    conn: &mut PgConnection,
    current: &AttoRow,
    patch: &AttoPatch,
) -> Result<(), ApiError> {
    let signed_on = patch.signed_on.unwrap_or(current.signed_on);
    let status = patch.status.unwrap_or(current.status);
    check_signature(status, signed_on)?;
    diesel::update(atti_integrativi::table.find(current.id))
        .set((
            atti_integrativi::title.eq(patch.title.as_ref().unwrap_or(&current.title)),
            atti_integrativi::signed_on.eq(signed_on),
            atti_integrativi::signatories
                .eq(patch.signatories.as_ref().unwrap_or(&current.signatories)),
            atti_integrativi::status.eq(status),
        ))
        .execute(conn)?;
    Ok(())
}

/// Adds an atto integrativo to an accordo. Safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "atti",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = NewAtto,
    responses(
        (status = 201, description = "Created", body = Atto, headers(("Location" = String, description = "The new atto"))),
        (status = 409, description = "The accordo already has an atto with that number", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such accordo", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/atti-integrativi")]
pub async fn create_atto(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    body: Json<NewAtto>,
) -> Result<HttpResponse, ApiError> {
    require_editor(&caller)?;
    let body = body.into_inner();
    check_new(&body)?;
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&body);
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| add(conn, &actor, &body))
    })
    .await?;
    Ok(stored.into_response())
}

/// A merge patch of an atto: its title, signature and status.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttoPatch {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "patch_field")]
    pub signed_on: Option<Option<NaiveDate>>,
    pub signatories: Option<Vec<String>>,
    pub status: Option<AttoStatus>,
    pub reason: Option<String>,
}

/// Changes an atto (e.g. records its signature). Requires `If-Match`.
#[utoipa::path(
    tag = "atti",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The atto's id"),
        IfMatch,
    ),
    request_body(content = AttoPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Changed", body = Atto),
    )
)]
#[patch("/atti-integrativi/{id}")]
pub async fn update_atto(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
    body: Json<AttoPatch>,
) -> Result<HttpResponse, ApiError> {
    require_editor(&caller)?;
    let id = path.id;
    let patch = body.into_inner();
    let actor = caller.subject().to_owned();
    let updated: AttoRow = run_db(&pool, move |conn| {
        let edit = Edit::new(&actor, "update").because(patch.reason.as_deref());
        versioned::update(conn, id, if_match, edit, |conn, current: &AttoRow| {
            apply_patch(conn, current, &patch)
        })
    })
    .await?;
    let atto = Atto::try_from(updated)?;
    Ok(ok_with_etag(atto.version, &atto))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_atto_is_dated_and_numbered() {
        let on = NaiveDate::from_ymd_opt(2009, 7, 30);
        let atto = |number, title: &str, status, signed_on| NewAtto {
            accordo_id: Uuid::nil(),
            number,
            title: title.to_owned(),
            signed_on,
            signatories: vec![],
            status,
        };
        let cases = [
            (atto(4, "IV Atto", AttoStatus::Signed, on), Ok(())),
            (atto(4, "IV Atto", AttoStatus::Draft, None), Ok(())),
            (
                atto(4, "IV Atto", AttoStatus::Signed, None),
                Err(AttoError::SignedUndated),
            ),
            (
                atto(0, "IV Atto", AttoStatus::Draft, None),
                Err(AttoError::Number),
            ),
            (atto(4, " ", AttoStatus::Draft, None), Err(AttoError::Title)),
        ];
        for (new, expected) in cases {
            assert_eq!(check_new(&new), expected, "{new:?}");
        }
    }
}
