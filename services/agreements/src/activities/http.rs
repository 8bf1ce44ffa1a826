//! The activities' endpoints: parse, authorise (editors, or the intervento's responsabile), call
//! the rules and queries, answer. What the rules refuse becomes a problem here, in one place
//! (`From<ActivityError> for ApiError`).

use actix_web::{HttpResponse, get, patch, post, web};
use apq_platform::concurrency::{etag, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::versioned::{self, Edit, IfMatch};
use apq_platform::{ApiError, Caller};
use diesel::PgConnection;
use uuid::Uuid;

use super::json::{Activity, ActivityList, ActivityPatch, ActivityPath, NewActivity};
use super::queries::{self, ActivityOf, for_intervento, load_activity};
use super::rules::{self, ActivityError};
use crate::access::require_intervento_editor;
use crate::interventi::{IdPath, load};

impl From<ActivityError> for ApiError {
    fn from(error: ActivityError) -> Self {
        let field = match error {
            ActivityError::EndsBeforeStart => "end_on".to_owned(),
            ActivityError::Required(field) => field.to_owned(),
            ActivityError::NegativeCost(i) => format!("costs[{i}].amount"),
            ActivityError::RepeatedCategory(i) => format!("costs[{i}].category"),
        };
        ApiError::field(field, error)
    }
}

/// The activities of an intervento, by code.
#[utoipa::path(
    tag = "activities",
    params(("id" = Uuid, Path, description = "The intervento's id")),
    responses((status = 200, description = "The activities", body = ActivityList))
)]
#[get("/interventi/{id}/activities")]
pub async fn list(pool: web::Data<PgPool>, path: Path<IdPath>) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let (items, intervento_cost) = run_db(&pool, move |conn| {
        let intervento = load(conn, id, false)?;
        Ok::<_, ApiError>((for_intervento(conn, id)?, intervento.total_cost))
    })
    .await?;
    Ok(HttpResponse::Ok().json(ActivityList {
        total_cost: items.iter().map(|a| a.total_cost).sum(),
        items,
        intervento_cost,
    }))
}

/// Adds an activity to an intervento (editors, or the intervento's responsabile).
#[utoipa::path(
    tag = "activities",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The intervento's id"),
        IdempotencyKey,
    ),
    request_body = NewActivity,
    responses(
        (status = 201, description = "Created", body = Activity, headers(("Location" = String, description = "The activity"))),
        (status = 409, description = "The code is taken in this intervento", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/interventi/{id}/activities")]
pub async fn create(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
    body: Json<NewActivity>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    rules::check_new(&body)?;
    let intervento = path.id;
    let actor = caller.subject().to_owned();
    idempotency::respond_once(&pool, &actor, key, body, move |conn, actor, body| {
        require_intervento_editor(&caller, &load(conn, intervento, false)?.code)?;
        rules::check_costs(&body.costs)?;
        add(conn, actor, intervento, &body)
    })
    .await
}

/// Writes the new activity of `intervento` with its costs.
fn add(
    conn: &mut PgConnection,
    actor: &str,
    intervento: Uuid,
    body: &NewActivity,
) -> Result<Stored, ApiError> {
    let ActivityOf(activity) = versioned::create(conn, Edit::new(actor, "create"), |conn| {
        queries::insert(conn, intervento, body, None)
    })?;
    let id = activity.id;
    Stored::created(
        &activity,
        format!("/v1/activities/{id}"),
        Some(etag(activity.version)),
    )
}

/// Changes an activity (editors, or the intervento's responsabile). Requires `If-Match`.
#[utoipa::path(
    tag = "activities",
    security(("bearer" = [])),
    params(
        ("activity_id" = Uuid, Path, description = "The activity's id"),
        IfMatch,
    ),
    request_body(content = ActivityPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Changed", body = Activity),
    )
)]
#[patch("/activities/{activity_id}")]
pub async fn update(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<ActivityPath>,
    body: Json<ActivityPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = path.activity_id;
    let patch = body.into_inner();
    let actor = caller.subject().to_owned();
    let ActivityOf(activity) = run_db(&pool, move |conn| {
        let intervento = load_activity(conn, id, false)?.intervento_id;
        require_intervento_editor(&caller, &load(conn, intervento, false)?.code)?;
        let edit = Edit::new(&actor, "update").because(patch.reason.as_deref());
        versioned::update(conn, id, if_match, edit, |conn, ActivityOf(current)| {
            let (start_on, end_on) = patch.dates(current);
            rules::check_dates(start_on, end_on)?;
            if let Some(costs) = &patch.costs {
                rules::check_costs(costs)?;
            }
            queries::apply_patch(conn, current, &patch)
        })
    })
    .await?;
    Ok(ok_with_etag(activity.version, &activity))
}
