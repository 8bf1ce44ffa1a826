//! The adhesion's endpoints: parse, authorise, call the rules and queries, answer. What the
//! rules refuse becomes a problem here, in one place (`From<AdhesionError> for ApiError`).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use apq_domain::Role;
use apq_platform::concurrency::{etag, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::idempotency::{IdempotencyKey, Stored, respond_once};
use apq_platform::pagination::{Page, PageParams, collection_path};
use apq_platform::versioned::{self, Edit, IfMatch};
use apq_platform::{ApiError, Caller, FieldError};
use diesel::PgConnection;
use uuid::Uuid;

use super::json::{
    Adhesion, AdhesionList, IdPath, NewAdhesion, NewTransition, ServicePath, StateFilter,
};
use super::queries::{self, AdhesionRecord, AdhesionRow, Requested};
use super::rules::{self, AdhesionError};
use crate::access::{READERS, Scope, may_write, scope};
use crate::catalogue::{CatalogueClient, CatalogueService};
use crate::enti::{CodePath, by_code};

impl From<AdhesionError> for ApiError {
    fn from(error: AdhesionError) -> Self {
        let detail = error.to_string();
        match error {
            AdhesionError::ServiceNumber => ApiError::field("service_number", detail),
            AdhesionError::BeforePrevious(_) => ApiError::field("on", detail),
            AdhesionError::NotAnAggregation => ApiError::field("via_aggregation", detail),
            AdhesionError::NotTheNextStep { .. }
            | AdhesionError::Final(_)
            | AdhesionError::RequestedAgain
            | AdhesionError::AlreadyAdheres { .. } => ApiError::Conflict(detail),
            AdhesionError::UnknownBody { field, .. } => ApiError::Unprocessable {
                detail,
                errors: vec![FieldError::new(field, "unknown body")],
            },
            AdhesionError::NotAMember { .. } => ApiError::Unprocessable {
                detail,
                errors: vec![FieldError::new(
                    "via_aggregation",
                    "the body is not a member",
                )],
            },
            AdhesionError::MayNotActFor(_) => ApiError::Forbidden(detail),
        }
    }
}

/// A body adheres to a service. The service is checked against the catalogue over HTTP first:
/// an unknown or withdrawn service is refused (422), a catalogue that does not answer gives
/// 503 and nothing is written. An `ente` token adheres for its own body, or, for an
/// aggregation's operator, for member comuni through the aggregation. Safe to retry with
/// `Idempotency-Key`.
#[utoipa::path(
    tag = "adhesions",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = NewAdhesion,
    responses(
        (status = 201, description = "Requested", body = Adhesion, headers(("Location" = String, description = "The adhesion"))),
        (status = 409, description = "The body already adheres to this service", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown body, or a service the catalogue does not offer", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/adhesions")]
pub async fn create(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    catalogue: web::Data<CatalogueClient>,
    body: Json<NewAdhesion>,
) -> Result<HttpResponse, ApiError> {
    may_write(&caller)?;
    let body = body.into_inner();
    rules::check_service_number(body.service_number)?;
    // Who adheres, and may the caller act for it? Checked before asking the catalogue.
    let (check, checker) = (body.clone(), caller.clone());
    let parties = run_db(&pool, move |conn| parties(conn, &checker, &check)).await?;
    let sub_service = body.sub_service.clone().unwrap_or_default();
    let service = catalogue
        .adherable(body.service_number, &sub_service)
        .await?;
    respond_once(
        &pool,
        caller.subject(),
        key,
        body,
        move |conn, actor, body| request(conn, actor, &body, parties, &service),
    )
    .await
}

/// The adhering body and the aggregation it adheres through, by id.
#[derive(Debug, Clone, Copy)]
struct Parties {
    ente: Uuid,
    via_aggregation: Option<Uuid>,
}

/// Resolves the adhering body and the aggregation, and checks the caller may act for them.
fn parties(
    conn: &mut PgConnection,
    caller: &Caller,
    body: &NewAdhesion,
) -> Result<Parties, ApiError> {
    let unknown = |field: &'static str, code: &str| AdhesionError::UnknownBody {
        field,
        code: code.to_owned(),
    };
    let ente = by_code(conn, &body.ente_code).map_err(|_| unknown("ente_code", &body.ente_code))?;
    let via = match &body.via_aggregation {
        Some(code) => {
            let aggregation = by_code(conn, code).map_err(|_| unknown("via_aggregation", code))?;
            if !aggregation.kind.is_aggregation() {
                return Err(AdhesionError::NotAnAggregation.into());
            }
            if !queries::is_member(conn, aggregation.id, ente.id)? {
                return Err(AdhesionError::NotAMember {
                    ente_code: body.ente_code.clone(),
                    aggregation: code.clone(),
                }
                .into());
            }
            Some(aggregation)
        }
        None => None,
    };
    let via_code = via.as_ref().map(|v| v.code.as_str());
    rules::may_act_for(caller.has(Role::Admin), caller.ente(), &ente.code, via_code)?;
    Ok(Parties {
        ente: ente.id,
        via_aggregation: via.map(|v| v.id),
    })
}

/// Writes the requested adhesion unless the body already adheres to the service.
fn request(
    conn: &mut PgConnection,
    actor: &str,
    body: &NewAdhesion,
    parties: Parties,
    service: &CatalogueService,
) -> Result<Stored, ApiError> {
    let sub_service = body.sub_service.as_deref().unwrap_or_default();
    if queries::adheres(conn, parties.ente, body.service_number, sub_service)? {
        return Err(AdhesionError::AlreadyAdheres {
            ente_code: body.ente_code.clone(),
            service_number: body.service_number,
            sub_service: sub_service.to_owned(),
        }
        .into());
    }
    let new = Requested {
        ente: parties.ente,
        via_aggregation: parties.via_aggregation,
        service_number: body.service_number,
        sub_service,
        service_version: service.version,
        service_name: &service.record.name,
        on: body.requested_on,
        act_ref: body.act_ref.as_deref(),
        actor,
    };
    let edit = Edit::new(actor, "request").because(body.act_ref.as_deref());
    let created: AdhesionRecord = versioned::create(conn, edit, |conn| {
        Ok(queries::insert_requested(conn, &new)?)
    })?;
    let view = created.view;
    Stored::created(
        &view,
        format!("/v1/adhesions/{}", view.id),
        Some(etag(view.version)),
    )
}

/// The adhesion, if the caller's scope sees it: another body's adhesion is not shown to exist.
fn visible(conn: &mut PgConnection, scope: &Scope, id: Uuid) -> Result<AdhesionRow, ApiError> {
    let row = queries::load(conn, id, false)?;
    if !scope.sees(row.ente_id, row.via_aggregation_id) {
        return Err(ApiError::NotFound(format!("adhesion {id}")));
    }
    Ok(row)
}

/// One adhesion (its body, the readers, or admin).
#[utoipa::path(
    tag = "adhesions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The adhesion's id")),
    responses(
        (status = 200, description = "The adhesion", body = Adhesion, headers(("ETag" = String, description = "Its version"))),
    )
)]
#[get("/adhesions/{id}")]
pub async fn get_one(
    caller: Caller,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let view = run_db(&pool, move |conn| {
        let scope = scope(&caller, |code| by_code(conn, code))?;
        let row = visible(conn, &scope, id)?;
        queries::one_view(conn, row)
    })
    .await?;
    Ok(ok_with_etag(view.version, &view))
}

/// A body's adhesions, by state: "which services have we activated?" (`state=active`). The body
/// itself (or its aggregation's operator), the readers, or admin.
#[utoipa::path(
    tag = "adhesions",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The body's code (a comune's ISTAT code)"), StateFilter),
    responses(
        (status = 200, description = "The body's adhesions", body = AdhesionList),
    )
)]
#[get("/enti/{code}/adhesions")]
pub async fn of_body(
    caller: Caller,
    pool: web::Data<PgPool>,
    path: Path<CodePath>,
    filter: Query<StateFilter>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner().code;
    let filter = filter.0;
    let items = run_db(&pool, move |conn| {
        body_adhesions(conn, &caller, &code, &filter)
    })
    .await?;
    Ok(HttpResponse::Ok().json(AdhesionList { items }))
}

/// The body's adhesions the caller sees: all of them for the readers and the body itself, the
/// ones made through the aggregation for an aggregation's operator.
fn body_adhesions(
    conn: &mut PgConnection,
    caller: &Caller,
    code: &str,
    filter: &StateFilter,
) -> Result<Vec<Adhesion>, ApiError> {
    let own = caller.has_any(READERS) || (caller.has(Role::Ente) && caller.ente() == Some(code));
    let through = if own {
        None
    } else {
        match scope(caller, |c| by_code(conn, c))? {
            Scope::Body { id } => Some(id),
            Scope::Everything => None,
        }
    };
    let rows = queries::of_body(conn, code, filter, through)?;
    if rows.is_empty() {
        by_code(conn, code)?;
        if let Some(aggregation) = through
            && !queries::is_member_by_code(conn, aggregation, code)?
        {
            return Err(ApiError::Forbidden(format!(
                "the caller may not see the adhesions of {code}"
            )));
        }
    }
    Ok(rows)
}

/// A service's adhering bodies (readers and admin), by body code.
#[utoipa::path(
    tag = "adhesions",
    security(("bearer" = [])),
    params(("number" = i32, Path, description = "The service's number"), StateFilter, PageParams),
    responses((status = 200, description = "A page of adhesions", body = Page<Adhesion>))
)]
#[get("/services/{number}/adhesions")]
pub async fn of_service(
    caller: Caller,
    req: HttpRequest,
    pool: web::Data<PgPool>,
    path: Path<ServicePath>,
    filter: Query<StateFilter>,
    page: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(READERS)?;
    let number = path.number;
    let filter = filter.0;
    let limit = page.limit()?;
    let after: Option<Uuid> = page.after()?;
    let items = run_db(&pool, move |conn| {
        queries::of_service(conn, number, &filter, after, limit)
    })
    .await?;
    let path = collection_path(&req);
    Ok(HttpResponse::Ok().json(Page::from_rows(items, limit, |a| a.id, &path)))
}

/// Moves an adhesion one step forward (requested -> commitment_signed -> active -> ceased);
/// skipped or backward steps get 409. Requires `If-Match`.
#[utoipa::path(
    tag = "adhesions",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The adhesion's id"),
        IfMatch,
    ),
    request_body = NewTransition,
    responses(
        (status = 200, description = "The adhesion in its new state", body = Adhesion),
        (status = 409, description = "A skipped or backward step", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/adhesions/{id}/transitions")]
pub async fn transition(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
    body: Json<NewTransition>,
) -> Result<HttpResponse, ApiError> {
    may_write(&caller)?;
    let id = path.id;
    let step = body.into_inner();
    let actor = caller.subject().to_owned();
    let updated: AdhesionRecord = run_db(&pool, move |conn| {
        let scope = scope(&caller, |code| by_code(conn, code))?;
        visible(conn, &scope, id)?;
        let edit = Edit::new(&actor, step.to.as_str()).because(step.act_ref.as_deref());
        versioned::update(
            conn,
            id,
            if_match,
            edit,
            |conn, current: &AdhesionRecord| {
                let row = &current.row;
                rules::check_step(row.state, row.taken(), step.to, step.on)?;
                queries::set_step(conn, row, step.to, step.on, step.act_ref.as_deref(), &actor)
            },
        )
    })
    .await?;
    let view = updated.view;
    Ok(ok_with_etag(view.version, &view))
}
