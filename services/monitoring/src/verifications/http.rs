//! The verifications' endpoints.

use actix_web::{HttpResponse, get, post, web};
use apq_platform::concurrency::etag;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path};
use apq_platform::idempotency::{IdempotencyKey, Stored, respond_once};
use apq_platform::versioned::{self, Edit};
use apq_platform::{ApiError, Caller};
use chrono::NaiveDate;

use super::json::{CodePath, NewVerification, VerificationList};
use super::queries::{self, Verification};
use super::rules::{self, VerificationError};

impl From<VerificationError> for ApiError {
    fn from(error: VerificationError) -> Self {
        ApiError::field(error.field(), error)
    }
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
        Ok::<_, ApiError>(queries::of(conn, &code, None, NaiveDate::MAX)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(VerificationList { items }))
}
