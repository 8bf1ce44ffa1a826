//! Inadempienze (art. 7): a late or missing obligation opens a case against the party; the
//! soggetto responsabile gives a deadline; when it passes unmet, the case is referred to the
//! Tavolo. Readable by everyone, so the agreements side sees them.

use actix_web::{HttpResponse, get, post, web};
use apq_domain::Role;
use apq_platform::concurrency::ok_with_etag;
use apq_platform::db::{PgPool, run_db, run_tx};
use apq_platform::extract::{Json, Path};
use apq_platform::versioned::{self, Edit, IfMatch};
use apq_platform::{ApiError, Caller};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::calendar::load_done;
use crate::deadlines::schedule;
use crate::schema::defaults;

mod queries;
mod rules;

use rules::{DefaultError, Step};

impl From<DefaultError> for ApiError {
    fn from(error: DefaultError) -> Self {
        ApiError::Conflict(error.to_string())
    }
}

const MANAGERS: &[Role] = &[Role::Admin, Role::ResponsabileAccordo];

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = defaults)]
pub struct Default_ {
    pub id: Uuid,
    /// The obligation missed (e.g. data_entry, rapporto, piano_submitted).
    pub obligation: String,
    pub semester: String,
    pub party: String,
    pub description: String,
    pub opened_on: NaiveDate,
    /// The deadline given by the soggetto responsabile.
    pub deadline: Option<NaiveDate>,
    /// open, resolved or referred (to the Tavolo).
    pub state: String,
    pub resolved_on: Option<NaiveDate>,
    pub referred_on: Option<NaiveDate>,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DefaultList {
    pub items: Vec<Default_>,
}

/// The defaults, oldest first. Public.
#[utoipa::path(tag = "defaults", responses((status = 200, description = "The defaults", body = DefaultList)))]
#[get("/defaults")]
pub async fn list(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let items = run_db(&pool, |conn| Ok::<_, ApiError>(queries::all(conn)?)).await?;
    Ok(HttpResponse::Ok().json(DefaultList { items }))
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Detection {
    pub signed_on: NaiveDate,
    /// The date at which obligations are judged late.
    pub as_of: NaiveDate,
}

/// Opens a case for every obligation late at `as_of` that has none yet (managers). Returns the
/// cases opened.
#[utoipa::path(
    tag = "defaults",
    security(("bearer" = [])),
    request_body = Detection,
    responses((status = 200, description = "The cases opened now", body = DefaultList))
)]
#[post("/defaults/detections")]
pub async fn detect(
    caller: Caller,
    pool: web::Data<PgPool>,
    body: Json<Detection>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(MANAGERS)?;
    let Detection { signed_on, as_of } = body.into_inner();
    crate::deadlines::check_span(signed_on, as_of, "as_of")?;
    let actor = caller.subject().to_owned();
    let items = run_tx(&pool, move |conn| {
        let done = load_done(conn)?;
        let mut opened = Vec::new();
        for due in rules::missed(schedule(signed_on, as_of), &done, as_of) {
            opened.extend(queries::open(conn, &due, as_of, &actor)?);
        }
        Ok::<_, ApiError>(opened)
    })
    .await?;
    Ok(HttpResponse::Ok().json(DefaultList { items }))
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum DefaultAction {
    /// The soggetto responsabile gives the party a deadline.
    GiveDeadline { deadline: NaiveDate },
    /// The obligation was fulfilled.
    Resolve { on: NaiveDate },
    /// The deadline passed unmet: the case goes to the Tavolo.
    Refer { on: NaiveDate },
}

impl DefaultAction {
    /// The step the action asks for.
    fn step(self) -> Step {
        match self {
            DefaultAction::GiveDeadline { deadline } => Step::GiveDeadline(deadline),
            DefaultAction::Resolve { on } => Step::Resolve(on),
            DefaultAction::Refer { on } => Step::Refer(on),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct IdPath {
    pub id: Uuid,
}

/// Moves a case on: a deadline, its resolution, or the referral to the Tavolo (only once the
/// deadline has passed). Requires `If-Match`.
#[utoipa::path(
    tag = "defaults",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The case's id"), IfMatch),
    request_body = DefaultAction,
    responses(
        (status = 200, description = "The case", body = Default_),
        (status = 409, description = "Not possible in the case's state", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/defaults/{id}/actions")]
pub async fn act(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
    body: Json<DefaultAction>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(MANAGERS)?;
    let id = path.id;
    let step = body.into_inner().step();
    let actor = caller.subject().to_owned();
    let case: Default_ = run_db(&pool, move |conn| {
        let edit = Edit::new(&actor, "act");
        versioned::update(conn, id, if_match, edit, |conn, current: &Default_| {
            rules::check(&current.state, current.deadline, step)?;
            queries::apply(conn, id, step)?;
            Ok(())
        })
    })
    .await?;
    Ok(ok_with_etag(case.version, &case))
}
