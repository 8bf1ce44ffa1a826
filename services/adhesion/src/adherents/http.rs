//! The adherents' endpoints: parse, authorise, call the rules and queries, answer. What the
//! rules refuse becomes a problem here, in one place (`From<AdherentError> for ApiError`).

use actix_web::{HttpResponse, get, post, web};
use apq_domain::Role;
use apq_platform::concurrency::etag;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::idempotency::{IdempotencyKey, Stored, respond_once};
use apq_platform::versioned::{self, Edit};
use apq_platform::{ApiError, Caller, FieldError};
use chrono::NaiveDate;
use diesel::PgConnection;

use super::inconsistency;
use super::json::{Adherent, AdherentList, CodePath, Commitments, CommitmentsQuery, NewAdherent};
use super::queries::{self, AdherentRecord};
use super::rules::{self, AdherentError, Body};
use crate::enti::by_code;

impl From<AdherentError> for ApiError {
    fn from(error: AdherentError) -> Self {
        let detail = error.to_string();
        let unprocessable = |field: &str, message: &str| ApiError::Unprocessable {
            detail: detail.clone(),
            errors: vec![FieldError::new(field, message)],
        };
        match error {
            AdherentError::NoAct => ApiError::field("act_ref", &detail),
            AdherentError::Services => ApiError::field("services", &detail),
            AdherentError::MayNotActFor(_) => ApiError::Forbidden(detail),
            AdherentError::AlreadyAdheres { .. } | AdherentError::ExceedsDeclared { .. } => {
                ApiError::Conflict(detail)
            }
            AdherentError::UnknownBody(_) => unprocessable("ente_code", "unknown body"),
            AdherentError::DidNotExist { .. } => {
                unprocessable("adhered_on", "the body did not exist then")
            }
            AdherentError::NotAComune { .. } => unprocessable("ente_code", "not a comune"),
        }
    }
}

/// Registers a body as an adherent of the intervento (admin; an `ente` token for its own body).
/// Safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "adherents",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI"), IdempotencyKey),
    request_body = NewAdherent,
    responses(
        (status = 201, description = "Registered", body = Adherent, headers(("Location" = String, description = "The intervento's adherents"))),
        (status = 409, description = "The body already adheres to the intervento", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown body, or one the intervento's adherents cannot be", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/interventi/{code}/adherents")]
pub async fn create(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    path: Path<CodePath>,
    body: Json<NewAdherent>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[Role::Admin, Role::Ente])?;
    let body = body.into_inner();
    rules::check_act(&body.act_ref)?;
    rules::may_act_for(caller.has(Role::Admin), caller.ente(), &body.ente_code)?;
    let code = path.into_inner().code;
    respond_once(
        &pool,
        caller.subject(),
        key,
        (code, body),
        |conn, actor, (code, body)| register(conn, actor, &code, &body),
    )
    .await
}

/// Checks the body may adhere to the intervento `code`, and writes it.
fn register(
    conn: &mut PgConnection,
    actor: &str,
    code: &str,
    body: &NewAdherent,
) -> Result<Stored, ApiError> {
    let declared = queries::declared(conn, code)?;
    let ente = by_code(conn, &body.ente_code)
        .map_err(|_| AdherentError::UnknownBody(body.ente_code.clone()))?;
    let candidate = Body {
        code: &body.ente_code,
        name: &ente.name,
        kind: ente.kind,
        existed_from: ente.existed_from,
        ceased_on: ente.ceased_on,
    };
    rules::check_adherent(&candidate, body.adhered_on, code, &declared.unit)?;
    if queries::adheres(conn, code, ente.id)? {
        return Err(AdherentError::AlreadyAdheres {
            code: body.ente_code.clone(),
            intervento: code.to_owned(),
        }
        .into());
    }
    let edit = Edit::new(actor, "adhere").because(Some(&body.act_ref));
    let created: AdherentRecord = versioned::create(conn, edit, |conn| {
        Ok(queries::insert(conn, code, ente.id, body)?)
    })?;
    let view = created.0;
    Stored::created(
        &view,
        format!("/v1/interventi/{code}/adherents"),
        Some(etag(view.version)),
    )
}

/// The intervento's adherents, against what the Atto declares. Public (the Atto names them).
#[utoipa::path(
    tag = "adherents",
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI")),
    responses((status = 200, description = "The adherents", body = AdherentList))
)]
#[get("/interventi/{code}/adherents")]
pub async fn list(pool: web::Data<PgPool>, path: Path<CodePath>) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner().code;
    let answer = run_db(&pool, move |conn| {
        let declared = queries::declared(conn, &code)?;
        let items = queries::of_intervento(conn, &code)?;
        let registered = i64::try_from(items.len()).unwrap_or(i64::MAX);
        let registered_priority =
            i64::try_from(items.iter().filter(|a| a.priority).count()).unwrap_or(i64::MAX);
        Ok::<_, ApiError>(AdherentList {
            inconsistency: inconsistency(&declared, registered),
            declared,
            registered,
            registered_priority,
            items,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// Adherents of the intervento with signed commitments to its services, over the declared
/// adherents, as of a date. Public (aggregate counts).
#[utoipa::path(
    tag = "adherents",
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI"), CommitmentsQuery),
    responses((status = 200, description = "The figure", body = Commitments))
)]
#[get("/interventi/{code}/commitments")]
pub async fn commitments(
    pool: web::Data<PgPool>,
    path: Path<CodePath>,
    query: Query<CommitmentsQuery>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner().code;
    let as_of = query
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let services = rules::parse_services(query.services.as_deref())?;
    let answer = run_db(&pool, move |conn| figure(conn, code, as_of, services)).await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// The 30% rule's figure of the intervento on `as_of`.
fn figure(
    conn: &mut PgConnection,
    code: String,
    as_of: NaiveDate,
    services: Vec<i32>,
) -> Result<Commitments, ApiError> {
    let declared = queries::declared(conn, &code)?;
    let (registered, committed) = queries::registered_and_committed(conn, &code, as_of, &services)?;
    let committed_share = rules::committed_share(&code, committed, declared.count)?;
    Ok(Commitments {
        intervento_code: code,
        as_of,
        unit: declared.unit.clone(),
        declared_adherents: i64::from(declared.count),
        registered_adherents: registered,
        committed_adherents: committed,
        committed_share,
        services,
        inconsistency: inconsistency(&declared, registered),
    })
}
