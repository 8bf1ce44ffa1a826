//! CNIPA's verifications of an intervento, each with its date, act and who made it: the Piano di
//! monitoraggio approved (ALI tranche 1, art. 4.2.a: **this** intervento's Piano), the ALI
//! admissibility requirements still holding (tranches 2 and 3, art. 4.2), the project's
//! completion (ALI 3, RIUSO 4). The eligibility check reads them; none is assumed.

use actix_web::{HttpResponse, get, post, web};
use apq_domain::{Role, text_enum};
use apq_platform::concurrency::etag;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path};
use apq_platform::idempotency::{IdempotencyKey, Stored, respond_once};
use apq_platform::versioned::{self, Edit, Versioned};
use apq_platform::{ApiError, Caller};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::schema::verifications;

mod queries;
mod rules;

impl From<rules::VerificationError> for ApiError {
    fn from(error: rules::VerificationError) -> Self {
        ApiError::field(error.field(), error)
    }
}

text_enum!(
    /// What was verified.
    VerificationKind {
        PianoApproved = "piano_approved",
        Admissibility = "admissibility",
        Completion = "completion",
    }
);

impl VerificationKind {
    /// Who records it: CNIPA approves the Piano and verifies admissibility (admin may record
    /// CNIPA's act); the completion is also the Regione's to record.
    fn recorders(self) -> &'static [Role] {
        match self {
            VerificationKind::PianoApproved | VerificationKind::Admissibility => {
                &[Role::Cnipa, Role::Admin]
            }
            VerificationKind::Completion => &[Role::Cnipa, Role::Admin, Role::ResponsabileAccordo],
        }
    }
}

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

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVerification {
    pub kind: VerificationKind,
    pub verified_on: NaiveDate,
    #[schema(pattern = "\\S")]
    pub act_ref: String,
    #[schema(pattern = "\\S")]
    pub verified_by: String,
    /// The outcome (default: it holds).
    #[serde(default = "yes")]
    pub holds: bool,
    #[serde(default)]
    pub note: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
pub struct CodePath {
    pub code: String,
}

/// Records a verification of the intervento: the Piano approved or the admissibility
/// requirements verified (`cnipa`, or admin recording CNIPA's act), the completion (also
/// `responsabile_accordo`). Safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "eligibility",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$"), IdempotencyKey),
    request_body = NewVerification,
    responses(
        (status = 201, description = "Recorded", body = Verification, headers(("Location" = String, description = "The intervento's verifications"))),
    )
)]
#[post("/interventi/{code}/verifications")]
pub async fn create(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    path: Path<CodePath>,
    body: Json<NewVerification>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    caller.require_any(body.kind.recorders())?;
    rules::check_new(&body.act_ref, &body.verified_by)?;
    let code = code_of(path)?;
    respond_once(
        &pool,
        caller.subject(),
        key,
        (code, body),
        move |conn, actor, (code, body)| {
            let edit = Edit::new(actor, body.kind.as_str()).because(Some(&body.act_ref));
            let created: Verification = versioned::create(conn, edit, |conn| {
                Ok(queries::insert(conn, &code, &body, actor)?)
            })?;
            Stored::created(
                &created,
                format!("/v1/interventi/{code}/verifications"),
                Some(etag(created.version)),
            )
        },
    )
    .await
}

/// The intervento's code from the path: letters, digits and dashes.
fn code_of(path: Path<CodePath>) -> Result<String, ApiError> {
    let code = path.into_inner().code;
    crate::peers::intervento_code(&code)?;
    Ok(code)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct VerificationList {
    pub items: Vec<Verification>,
}

/// The intervento's verifications, oldest first. Public.
#[utoipa::path(
    tag = "eligibility",
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$")),
    responses((status = 200, description = "The verifications", body = VerificationList))
)]
#[get("/interventi/{code}/verifications")]
pub async fn list(pool: web::Data<PgPool>, path: Path<CodePath>) -> Result<HttpResponse, ApiError> {
    let code = code_of(path)?;
    let items = run_db(&pool, move |conn| {
        Ok::<_, ApiError>(of(conn, &code, None, NaiveDate::MAX)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(VerificationList { items }))
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
