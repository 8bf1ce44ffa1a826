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
    pub status: String,
    pub source_ref: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An atto integrativo of the accordo.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Atto {
    pub id: Uuid,
    pub accordo_id: Uuid,
    #[schema(format = Int32)]
    pub number: i32,
    pub title: String,
    pub signed_on: Option<NaiveDate>,
    pub signatories: Vec<String>,
    pub status: AttoStatus,
    pub source_ref: Option<String>,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

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
            status: row.status.parse().map_err(ApiError::internal)?,
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

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AttoList {
    pub items: Vec<Atto>,
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
    if body.number < 1 {
        return Err(ApiError::field("number", "atti are numbered from 1"));
    }
    if body.title.trim().is_empty() {
        return Err(ApiError::field("title", "a title is required"));
    }
    if body.status == AttoStatus::Signed && body.signed_on.is_none() {
        return Err(ApiError::field(
            "signed_on",
            "a signed atto has a signature date",
        ));
    }
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&body);
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            let accordo: i64 = accordi::table
                .filter(accordi::id.eq(body.accordo_id))
                .count()
                .get_result(conn)?;
            if accordo == 0 {
                return Err(ApiError::Unprocessable {
                    detail: format!("there is no accordo {}", body.accordo_id),
                    errors: vec![FieldError::new("accordo_id", "no such accordo")],
                });
            }
            let created: AttoRow = versioned::create(conn, Edit::new(&actor, "create"), |conn| {
                let id = Uuid::new_v4();
                diesel::insert_into(atti_integrativi::table)
                    .values((
                        atti_integrativi::id.eq(id),
                        atti_integrativi::accordo_id.eq(body.accordo_id),
                        atti_integrativi::number.eq(body.number),
                        atti_integrativi::title.eq(&body.title),
                        atti_integrativi::signed_on.eq(body.signed_on),
                        atti_integrativi::signatories.eq(&body.signatories),
                        atti_integrativi::status.eq(body.status.as_str()),
                    ))
                    .execute(conn)?;
                Ok(id)
            })?;
            let atto = Atto::try_from(created)?;
            let id = atto.id;
            Stored::created(
                &atto,
                format!("/v1/atti-integrativi/{id}"),
                Some(etag(atto.version)),
            )
        })
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
            let signed_on = patch.signed_on.unwrap_or(current.signed_on);
            let status = patch
                .status
                .map(AttoStatus::as_str)
                .unwrap_or(current.status.as_str())
                .to_owned();
            if status == AttoStatus::Signed.as_str() && signed_on.is_none() {
                return Err(ApiError::field(
                    "signed_on",
                    "a signed atto has a signature date",
                ));
            }
            diesel::update(atti_integrativi::table.find(id))
                .set((
                    atti_integrativi::title.eq(patch.title.as_ref().unwrap_or(&current.title)),
                    atti_integrativi::signed_on.eq(signed_on),
                    atti_integrativi::signatories
                        .eq(patch.signatories.as_ref().unwrap_or(&current.signatories)),
                    atti_integrativi::status.eq(&status),
                ))
                .execute(conn)?;
            Ok(())
        })
    })
    .await?;
    let atto = Atto::try_from(updated)?;
    Ok(ok_with_etag(atto.version, &atto))
}
