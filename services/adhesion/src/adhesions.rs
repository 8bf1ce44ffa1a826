//! Adhesions of bodies to the catalogue's services, and their lifecycle:
//! requested -> commitment_signed (the contractual commitment the 30% rule counts) -> active ->
//! ceased, each step with its date and supporting act; no step skipped or undone.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use apq_domain::{Role, text_enum};
use apq_platform::concurrency::{etag, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::pagination::{Page, PageParams, collection_path};
use apq_platform::versioned::{self, Edit, IfMatch, Versioned};
use apq_platform::{ApiError, Caller, FieldError};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::access::{Scope, may_write, scope};
use crate::catalogue::CatalogueClient;
use crate::enti::{CodePath, EnteKind, by_code};
use crate::schema::{adhesion_events, adhesions, aggregation_members, enti};

text_enum!(
    /// Where an adhesion stands.
    AdhesionState {
        Requested = "requested",
        CommitmentSigned = "commitment_signed",
        Active = "active",
        Ceased = "ceased",
    }
);

impl AdhesionState {
    /// The only state an adhesion may move to from this one.
    pub fn next(self) -> Option<AdhesionState> {
        match self {
            AdhesionState::Requested => Some(AdhesionState::CommitmentSigned),
            AdhesionState::CommitmentSigned => Some(AdhesionState::Active),
            AdhesionState::Active => Some(AdhesionState::Ceased),
            AdhesionState::Ceased => None,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = adhesions)]
pub struct AdhesionRow {
    pub id: Uuid,
    pub ente_id: Uuid,
    pub service_number: i32,
    pub sub_service: String,
    pub service_version: i32,
    pub service_name: String,
    pub via_aggregation_id: Option<Uuid>,
    pub state: String,
    pub requested_on: NaiveDate,
    pub request_act: Option<String>,
    pub commitment_signed_on: Option<NaiveDate>,
    pub commitment_act: Option<String>,
    pub activated_on: Option<NaiveDate>,
    pub activation_act: Option<String>,
    pub ceased_on: Option<NaiveDate>,
    pub cessation_act: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A step of the lifecycle: when, and the act that supports it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Step {
    pub on: NaiveDate,
    pub act_ref: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Adhesion {
    pub id: Uuid,
    pub ente_code: String,
    pub ente_name: String,
    #[schema(format = Int32)]
    pub service_number: i32,
    pub service_name: String,
    /// The sub-service (e.g. ITER.NET "consultazione"), if the adhesion is to one.
    pub sub_service: Option<String>,
    /// The catalogue version the adhesion was made against.
    #[schema(format = Int32)]
    pub service_version: i32,
    /// The aggregation it was made through (START is licensed per aggregation).
    pub via_aggregation: Option<String>,
    pub state: AdhesionState,
    pub requested: Step,
    pub commitment_signed: Option<Step>,
    pub activated: Option<Step>,
    pub ceased: Option<Step>,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn step(on: Option<NaiveDate>, act_ref: Option<String>) -> Option<Step> {
    on.map(|on| Step { on, act_ref })
}

fn view(
    row: AdhesionRow,
    ente_code: String,
    ente_name: String,
    via_aggregation: Option<String>,
) -> Result<Adhesion, ApiError> {
    Ok(Adhesion {
        id: row.id,
        ente_code,
        ente_name,
        service_number: row.service_number,
        service_name: row.service_name,
        sub_service: Some(row.sub_service).filter(|s| !s.is_empty()),
        service_version: row.service_version,
        via_aggregation,
        state: row.state.parse().map_err(ApiError::internal)?,
        requested: Step {
            on: row.requested_on,
            act_ref: row.request_act,
        },
        commitment_signed: step(row.commitment_signed_on, row.commitment_act),
        activated: step(row.activated_on, row.activation_act),
        ceased: step(row.ceased_on, row.cessation_act),
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The API views of `rows`, with their bodies' and aggregations' codes and names.
fn views(conn: &mut PgConnection, rows: Vec<AdhesionRow>) -> Result<Vec<Adhesion>, ApiError> {
    let mut ids: Vec<Uuid> = rows.iter().map(|r| r.ente_id).collect();
    ids.extend(rows.iter().filter_map(|r| r.via_aggregation_id));
    ids.sort_unstable();
    ids.dedup();
    let names: Vec<(Uuid, String, String)> = enti::table
        .filter(enti::id.eq_any(&ids))
        .select((enti::id, enti::code, enti::name))
        .load(conn)?;
    let find = |id: Uuid| {
        names
            .iter()
            .find(|(i, _, _)| *i == id)
            .map(|(_, c, n)| (c.clone(), n.clone()))
    };
    rows.into_iter()
        .map(|row| {
            let (code, name) = find(row.ente_id).unwrap_or_default();
            let via = row.via_aggregation_id.and_then(find).map(|(code, _)| code);
            view(row, code, name, via)
        })
        .collect()
}

fn load(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<AdhesionRow, ApiError> {
    let query = adhesions::table.find(id).select(AdhesionRow::as_select());
    let row = if lock {
        query.for_update().first(conn)
    } else {
        query.first(conn)
    };
    row.optional()?
        .ok_or_else(|| ApiError::NotFound(format!("adhesion {id}")))
}

fn one_view(conn: &mut PgConnection, row: AdhesionRow) -> Result<Adhesion, ApiError> {
    views(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("empty view")))
}

/// A request to adhere.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAdhesion {
    /// The adhering body's code (a comune's ISTAT code).
    pub ente_code: String,
    #[schema(format = Int32, minimum = 1)]
    pub service_number: i32,
    /// A sub-service of the catalogue entry, if the adhesion is to one.
    #[serde(default)]
    pub sub_service: Option<String>,
    /// The aggregation the body adheres through, if any (it must be a member).
    #[serde(default)]
    pub via_aggregation: Option<String>,
    pub requested_on: NaiveDate,
    /// The act of the request (delibera, determina, protocol number).
    pub act_ref: Option<String>,
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
    if body.service_number < 1 {
        return Err(ApiError::field(
            "service_number",
            "services are numbered from 1",
        ));
    }
    let sub_service = body.sub_service.clone().unwrap_or_default();
    // Who adheres, and may the caller act for it? Checked before asking the catalogue.
    let check = body.clone();
    let caller_for_check = caller.clone();
    let (ente_id, via_id) = run_db(&pool, move |conn| {
        authorize_new(conn, &caller_for_check, &check)
    })
    .await?;
    let service = catalogue
        .adherable(body.service_number, &sub_service)
        .await?;
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&body);
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            let live: i64 = adhesions::table
                .filter(adhesions::ente_id.eq(ente_id))
                .filter(adhesions::service_number.eq(body.service_number))
                .filter(adhesions::sub_service.eq(&sub_service))
                .filter(adhesions::state.ne(AdhesionState::Ceased.as_str()))
                .count()
                .get_result(conn)?;
            if live > 0 {
                return Err(ApiError::Conflict(format!(
                    "{} already adheres to service {}{}",
                    body.ente_code,
                    body.service_number,
                    if sub_service.is_empty() {
                        String::new()
                    } else {
                        format!(" ({sub_service})")
                    }
                )));
            }
            let edit = Edit::new(&actor, "request").because(body.act_ref.as_deref());
            let created: AdhesionRecord = versioned::create(conn, edit, |conn| {
                let id = Uuid::new_v4();
                diesel::insert_into(adhesions::table)
                    .values((
                        adhesions::id.eq(id),
                        adhesions::ente_id.eq(ente_id),
                        adhesions::service_number.eq(body.service_number),
                        adhesions::sub_service.eq(&sub_service),
                        adhesions::service_version.eq(service.version),
                        adhesions::service_name.eq(&service.record.name),
                        adhesions::via_aggregation_id.eq(via_id),
                        adhesions::state.eq(AdhesionState::Requested.as_str()),
                        adhesions::requested_on.eq(body.requested_on),
                        adhesions::request_act.eq(&body.act_ref),
                    ))
                    .execute(conn)?;
                diesel::insert_into(adhesion_events::table)
                    .values((
                        adhesion_events::adhesion_id.eq(id),
                        adhesion_events::to_state.eq(AdhesionState::Requested.as_str()),
                        adhesion_events::on_date.eq(body.requested_on),
                        adhesion_events::act_ref.eq(&body.act_ref),
                        adhesion_events::actor.eq(&actor),
                    ))
                    .execute(conn)?;
                Ok(id)
            })?;
            let view = created.view;
            let id = view.id;
            Stored::created(
                &view,
                format!("/v1/adhesions/{id}"),
                Some(etag(view.version)),
            )
        })
    })
    .await?;
    Ok(stored.into_response())
}

/// Resolves the adhering body and the aggregation, and checks the caller may act for them.
fn authorize_new(
    conn: &mut PgConnection,
    caller: &Caller,
    body: &NewAdhesion,
) -> Result<(Uuid, Option<Uuid>), ApiError> {
    let unknown = |field: &str, code: &str| ApiError::Unprocessable {
        detail: format!("there is no body {code} in the registry"),
        errors: vec![FieldError::new(field, "unknown body")],
    };
    let ente = by_code(conn, &body.ente_code).map_err(|_| unknown("ente_code", &body.ente_code))?;
    let via = match &body.via_aggregation {
        Some(code) => {
            let aggregation = by_code(conn, code).map_err(|_| unknown("via_aggregation", code))?;
            let kind: EnteKind = aggregation.kind.parse().map_err(ApiError::internal)?;
            if !kind.is_aggregation() {
                return Err(ApiError::field("via_aggregation", "not an aggregation"));
            }
            let member: i64 = aggregation_members::table
                .filter(aggregation_members::aggregation_id.eq(aggregation.id))
                .filter(aggregation_members::member_id.eq(ente.id))
                .count()
                .get_result(conn)?;
            if member == 0 {
                return Err(ApiError::Unprocessable {
                    detail: format!("{} is not a member of {code}", body.ente_code),
                    errors: vec![FieldError::new(
                        "via_aggregation",
                        "the body is not a member",
                    )],
                });
            }
            Some(aggregation)
        }
        None => None,
    };
    if !caller.has(Role::Admin) {
        let own = caller.ente();
        let for_itself = own == Some(ente.code.as_str());
        let as_operator = via.as_ref().is_some_and(|v| own == Some(v.code.as_str()));
        if !(for_itself || as_operator) {
            return Err(ApiError::Forbidden(format!(
                "the caller may not act for the body {}",
                body.ente_code
            )));
        }
    }
    Ok((ente.id, via.map(|v| v.id)))
}

#[derive(Debug, Deserialize)]
pub struct IdPath {
    pub id: Uuid,
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
        let row = load(conn, id, false)?;
        if !scope.sees(row.ente_id, row.via_aggregation_id) {
            // Another body's adhesion is not shown to exist.
            return Err(ApiError::NotFound(format!("adhesion {id}")));
        }
        one_view(conn, row)
    })
    .await?;
    Ok(ok_with_etag(view.version, &view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StateFilter {
    pub state: Option<AdhesionState>,
    #[param(format = Int32)]
    pub service_number: Option<i32>,
}

fn filtered<'a>(
    filter: &StateFilter,
) -> adhesions::BoxedQuery<'a, diesel::pg::Pg, diesel::dsl::AsSelect<AdhesionRow, diesel::pg::Pg>> {
    let mut query = adhesions::table
        .select(AdhesionRow::as_select())
        .into_boxed();
    if let Some(state) = filter.state {
        query = query.filter(adhesions::state.eq(state.as_str()));
    }
    if let Some(number) = filter.service_number {
        query = query.filter(adhesions::service_number.eq(number));
    }
    query
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AdhesionList {
    pub items: Vec<Adhesion>,
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
    let own = caller.has_any(crate::access::READERS)
        || (caller.has(Role::Ente) && caller.ente() == Some(code.as_str()));
    let items = run_db(&pool, move |conn| {
        // An aggregation's operator sees the member's adhesions made through the aggregation.
        let through = if own {
            None
        } else {
            match scope(&caller, |c| by_code(conn, c))? {
                Scope::Body { id } => Some(id),
                Scope::Everything => None,
            }
        };
        let rows = body_adhesions(conn, &code, &filter, through)?;
        if rows.is_empty() {
            by_code(conn, &code)?;
            if let Some(aggregation) = through {
                let member: i64 = aggregation_members::table
                    .inner_join(enti::table.on(enti::id.eq(aggregation_members::member_id)))
                    .filter(aggregation_members::aggregation_id.eq(aggregation))
                    .filter(enti::code.eq(&code))
                    .count()
                    .get_result(conn)?;
                if member == 0 {
                    return Err(ApiError::Forbidden(format!(
                        "the caller may not see the adhesions of {code}"
                    )));
                }
            }
        }
        Ok(rows)
    })
    .await?;
    Ok(HttpResponse::Ok().json(AdhesionList { items }))
}

/// "Which services has this body activated": one query on the (ente, state) index, joined with
/// the body (by its code) and the aggregation an adhesion was made through.
fn body_adhesions(
    conn: &mut PgConnection,
    code: &str,
    filter: &StateFilter,
    through: Option<Uuid>,
) -> Result<Vec<Adhesion>, ApiError> {
    let via = diesel::alias!(enti as via);
    let mut query = adhesions::table
        .inner_join(enti::table.on(enti::id.eq(adhesions::ente_id)))
        .left_join(via.on(adhesions::via_aggregation_id.eq(via.field(enti::id).nullable())))
        .filter(enti::code.eq(code))
        .select((
            AdhesionRow::as_select(),
            enti::code,
            enti::name,
            via.field(enti::code).nullable(),
        ))
        .order((
            adhesions::service_number.asc(),
            adhesions::sub_service.asc(),
            adhesions::requested_on.asc(),
        ))
        .into_boxed();
    if let Some(state) = filter.state {
        query = query.filter(adhesions::state.eq(state.as_str()));
    }
    if let Some(number) = filter.service_number {
        query = query.filter(adhesions::service_number.eq(number));
    }
    if let Some(aggregation) = through {
        query = query.filter(adhesions::via_aggregation_id.eq(aggregation));
    }
    let rows: Vec<(AdhesionRow, String, String, Option<String>)> = query.load(conn)?;
    rows.into_iter()
        .map(|(row, code, name, via)| view(row, code, name, via))
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct ServicePath {
    pub number: i32,
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
    caller.require_any(crate::access::READERS)?;
    let number = path.number;
    let filter = filter.0;
    let limit = page.limit()?;
    let after: Option<Uuid> = page.after()?;
    let items = run_db(&pool, move |conn| {
        let mut query = filtered(&filter).filter(adhesions::service_number.eq(number));
        if let Some(after) = after {
            query = query.filter(adhesions::id.gt(after));
        }
        let rows = query
            .order(adhesions::id.asc())
            .limit(i64::from(limit) + 1)
            .load(conn)?;
        views(conn, rows)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        items,
        limit,
        |a| a.id,
        &collection_path(&req),
    )))
}

/// An adhesion and its events: one aggregate, changed under the adhesion's lock and version.
pub struct AdhesionRecord {
    row: AdhesionRow,
    view: Adhesion,
}

impl Versioned for AdhesionRecord {
    const ENTITY: &'static str = "adhesion";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        let row = load(conn, *id, true)?;
        let view = one_view(conn, row.clone())?;
        Ok(Self { row, view })
    }

    fn version(&self) -> i64 {
        self.row.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(adhesions, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(&self.view)
    }
}

/// Whether `current` may take the step to `to` on `on`: one step forward, never before the
/// previous step's date. Says the state it leaves.
fn check_step(
    current: &AdhesionRow,
    to: AdhesionState,
    on: NaiveDate,
) -> Result<AdhesionState, ApiError> {
    let from: AdhesionState = current.state.parse().map_err(ApiError::internal)?;
    if from.next() != Some(to) {
        return Err(ApiError::Conflict(match from.next() {
            Some(next) => format!("a {from} adhesion can only become {next}, not {to}"),
            None => format!("a {from} adhesion does not change any more"),
        }));
    }
    let previous = [
        Some(current.requested_on),
        current.commitment_signed_on,
        current.activated_on,
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(current.requested_on);
    if on < previous {
        return Err(ApiError::field(
            "on",
            format!("the step cannot precede the previous one ({previous})"),
        ));
    }
    Ok(from)
}

/// Writes the step: the state, its date and act, and the event.
fn record_step(
    conn: &mut PgConnection,
    current: &AdhesionRow,
    step: &NewTransition,
    actor: &str,
) -> Result<(), ApiError> {
    let from = check_step(current, step.to, step.on)?;
    let on = Some(step.on);
    let act = step.act_ref.clone();
    let update = diesel::update(adhesions::table.find(current.id));
    let state = adhesions::state.eq(step.to.as_str());
    match step.to {
        AdhesionState::CommitmentSigned => update
            .set((
                state,
                adhesions::commitment_signed_on.eq(on),
                adhesions::commitment_act.eq(act),
            ))
            .execute(conn)?,
        AdhesionState::Active => update
            .set((
                state,
                adhesions::activated_on.eq(on),
                adhesions::activation_act.eq(act),
            ))
            .execute(conn)?,
        AdhesionState::Ceased => update
            .set((
                state,
                adhesions::ceased_on.eq(on),
                adhesions::cessation_act.eq(act),
            ))
            .execute(conn)?,
        AdhesionState::Requested => {
            return Err(ApiError::Conflict(
                "an adhesion is requested only once".to_owned(),
            ));
        }
    };
    diesel::insert_into(adhesion_events::table)
        .values((
            adhesion_events::adhesion_id.eq(current.id),
            adhesion_events::from_state.eq(from.as_str()),
            adhesion_events::to_state.eq(step.to.as_str()),
            adhesion_events::on_date.eq(step.on),
            adhesion_events::act_ref.eq(&step.act_ref),
            adhesion_events::actor.eq(actor),
        ))
        .execute(conn)?;
    Ok(())
}

/// A step in the lifecycle.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTransition {
    pub to: AdhesionState,
    pub on: NaiveDate,
    /// The act supporting the step (the signed commitment, the activation verbale...).
    pub act_ref: Option<String>,
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
    let body = body.into_inner();
    let actor = caller.subject().to_owned();
    let updated: AdhesionRecord = run_db(&pool, move |conn| {
        let scope = if caller.has(Role::Admin) {
            Scope::Everything
        } else {
            scope(&caller, |code| by_code(conn, code))?
        };
        let current = load(conn, id, false)?;
        if !scope.sees(current.ente_id, current.via_aggregation_id) {
            // Another body's adhesion is not shown to exist.
            return Err(ApiError::NotFound(format!("adhesion {id}")));
        }
        let edit = Edit::new(&actor, body.to.as_str()).because(body.act_ref.as_deref());
        versioned::update(
            conn,
            id,
            if_match,
            edit,
            |conn, current: &AdhesionRecord| record_step(conn, &current.row, &body, &actor),
        )
    })
    .await?;
    let view = updated.view;
    Ok(ok_with_etag(view.version, &view))
}
