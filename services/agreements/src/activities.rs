//! The activities of an intervento (codes, dates, costs by category, products, validation
//! criteria). The responsabile di intervento changes their own intervento's activities.

use actix_web::{HttpResponse, get, patch, post, web};
use apq_platform::concurrency::{etag, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, patch as patch_field};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::text_column::EuroColumn;
use apq_platform::versioned::{self, Edit, IfMatch, Versioned};
use apq_platform::{ApiError, Caller};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::require_intervento_editor;
use crate::interventi::{IdPath, load};
use crate::model::CostCategory;
use crate::schema::{activities, activity_costs};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = activities)]
struct ActivityRow {
    id: Uuid,
    intervento_id: Uuid,
    code: String,
    phase: Option<String>,
    title: String,
    description: Option<String>,
    start_on: Option<NaiveDate>,
    end_on: Option<NaiveDate>,
    responsible: Option<String>,
    profiles: Option<String>,
    products: Option<String>,
    validation_criteria: Option<String>,
    service_number: Option<i32>,
    source_ref: Option<String>,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    dates_as_written: Option<String>,
}

// An activity as agreements answers it and its peers read it: the contract's types.
pub use apq_domain::contracts::agreements::{Activity, ActivityCost, ActivityList};

fn with_costs(conn: &mut PgConnection, rows: Vec<ActivityRow>) -> Result<Vec<Activity>, ApiError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let costs: Vec<(Uuid, CostCategory, EuroColumn)> = activity_costs::table
        .filter(activity_costs::activity_id.eq_any(&ids))
        .order((activity_costs::activity_id, activity_costs::category))
        .load(conn)?;
    rows.into_iter()
        .map(|row| {
            let costs = costs
                .iter()
                .filter(|(id, _, _)| *id == row.id)
                .map(|(_, category, amount)| {
                    Ok(ActivityCost {
                        category: (*category).into(),
                        amount: amount.0,
                    })
                })
                .collect::<Result<Vec<_>, ApiError>>()?;
            Ok(Activity {
                total_cost: costs.iter().map(|c| c.amount).sum(),
                costs,
                id: row.id,
                intervento_id: row.intervento_id,
                code: row.code,
                phase: row.phase,
                title: row.title,
                description: row.description,
                start_on: row.start_on,
                end_on: row.end_on,
                dates_as_written: row.dates_as_written,
                responsible: row.responsible,
                profiles: row.profiles,
                products: row.products,
                validation_criteria: row.validation_criteria,
                service_number: row.service_number,
                source_ref: row.source_ref,
                version: row.version,
                created_at: row.created_at,
                updated_at: row.updated_at,
            })
        })
        .collect()
}

/// An activity is a child of its intervento: a change locks the intervento, then the activity,
/// whose own version is its ETag.
pub struct ActivityOf(pub Activity);

impl Versioned for ActivityOf {
    const ENTITY: &'static str = "activity";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        let intervento: Uuid = activities::table
            .find(id)
            .select(activities::intervento_id)
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("activity {id}")))?;
        load(conn, intervento, true)?;
        load_activity(conn, *id, true).map(Self)
    }

    fn version(&self) -> i64 {
        self.0.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(activities, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(&self.0)
    }
}

fn load_activity(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<Activity, ApiError> {
    let query = activities::table.find(id).select(ActivityRow::as_select());
    let row = if lock {
        query.for_update().first(conn)
    } else {
        query.first(conn)
    };
    let row = row
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("activity {id}")))?;
    with_costs(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::NotFound(format!("activity {id}")))
}

pub fn for_intervento(
    conn: &mut PgConnection,
    intervento: Uuid,
) -> Result<Vec<Activity>, ApiError> {
    let rows = activities::table
        .filter(activities::intervento_id.eq(intervento))
        .order(activities::code.asc())
        .select(ActivityRow::as_select())
        .load(conn)?;
    with_costs(conn, rows)
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

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActivity {
    #[schema(pattern = "\\S")]
    pub code: String,
    pub phase: Option<String>,
    #[schema(pattern = "\\S")]
    pub title: String,
    pub description: Option<String>,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    /// The dates as the source writes them, where they are not a date range.
    #[serde(default)]
    pub dates_as_written: Option<String>,
    pub responsible: Option<String>,
    pub profiles: Option<String>,
    pub products: Option<String>,
    pub validation_criteria: Option<String>,
    #[schema(format = Int32, minimum = 1)]
    pub service_number: Option<i32>,
    #[serde(default)]
    pub costs: Vec<ActivityCost>,
}

/// What the activities' rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActivityError {
    #[error("an activity cannot end before it starts")]
    EndsBeforeStart,
    /// `0` names the blank field (`code` or `title`).
    #[error("required")]
    Required(&'static str),
    #[error("a cost cannot be negative")]
    NegativeCost(usize),
    #[error("an earlier cost has this category: one cost each")]
    RepeatedCategory(usize),
}

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

fn check_dates(start: Option<NaiveDate>, end: Option<NaiveDate>) -> Result<(), ActivityError> {
    match (start, end) {
        (Some(start), Some(end)) if end < start => Err(ActivityError::EndsBeforeStart),
        _ => Ok(()),
    }
}

/// Costs are not negative, one per category.
fn check_costs(costs: &[ActivityCost]) -> Result<(), ActivityError> {
    for (i, cost) in costs.iter().enumerate() {
        if cost.amount.is_negative() {
            return Err(ActivityError::NegativeCost(i));
        }
        if costs[..i].iter().any(|c| c.category == cost.category) {
            return Err(ActivityError::RepeatedCategory(i));
        }
    }
    Ok(())
}

/// A new activity: its dates in order, its code and title given.
fn check_new(activity: &NewActivity) -> Result<(), ActivityError> {
    check_dates(activity.start_on, activity.end_on)?;
    if activity.code.trim().is_empty() {
        return Err(ActivityError::Required("code"));
    }
    if activity.title.trim().is_empty() {
        return Err(ActivityError::Required("title"));
    }
    Ok(())
}

/// Inserts an activity of `intervento` with its costs; returns its id.
pub fn insert(
    conn: &mut PgConnection,
    intervento: Uuid,
    activity: &NewActivity,
    source_ref: Option<&str>,
) -> Result<Uuid, ApiError> {
    let id = Uuid::new_v4();
    diesel::insert_into(activities::table)
        .values((
            activities::id.eq(id),
            activities::intervento_id.eq(intervento),
            activities::code.eq(&activity.code),
            activities::phase.eq(&activity.phase),
            activities::title.eq(&activity.title),
            activities::description.eq(&activity.description),
            activities::start_on.eq(activity.start_on),
            activities::end_on.eq(activity.end_on),
            activities::dates_as_written.eq(&activity.dates_as_written),
            activities::responsible.eq(&activity.responsible),
            activities::profiles.eq(&activity.profiles),
            activities::products.eq(&activity.products),
            activities::validation_criteria.eq(&activity.validation_criteria),
            activities::service_number.eq(activity.service_number),
            activities::source_ref.eq(source_ref),
        ))
        .execute(conn)?;
    write_costs(conn, id, &activity.costs)?;
    Ok(id)
}

fn write_costs(
    conn: &mut PgConnection,
    activity: Uuid,
    costs: &[ActivityCost],
) -> Result<(), ApiError> {
    diesel::delete(activity_costs::table.filter(activity_costs::activity_id.eq(activity)))
        .execute(conn)?;
    check_costs(costs)?;
    for cost in costs {
        diesel::insert_into(activity_costs::table)
            .values((
                activity_costs::activity_id.eq(activity),
                activity_costs::category.eq(CostCategory::from(cost.category)),
                activity_costs::amount.eq(cost.amount.decimal()),
            ))
            .execute(conn)?;
    }
    Ok(())
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
    check_new(&body)?;
    let intervento = path.id;
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&body);
    let stored = run_db(&pool, move |conn| {
        let code = load(conn, intervento, false)?.code;
        require_intervento_editor(&caller, &code)?;
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            let ActivityOf(activity) =
                versioned::create(conn, Edit::new(&actor, "create"), |conn| {
                    insert(conn, intervento, &body, None)
                })?;
            let id = activity.id;
            Stored::created(
                &activity,
                format!("/v1/activities/{id}"),
                Some(etag(activity.version)),
            )
        })
    })
    .await?;
    Ok(stored.into_response())
}

/// A merge patch of an activity.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ActivityPatch {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "patch_field")]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub start_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub end_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub responsible: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub products: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub validation_criteria: Option<Option<String>>,
    pub costs: Option<Vec<ActivityCost>>,
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ActivityPath {
    pub activity_id: Uuid,
}

/// Writes the patch's fields onto the activity, its dates still in order.
fn apply_patch(
    conn: &mut PgConnection,
    current: &Activity,
    patch: &ActivityPatch,
) -> Result<(), ApiError> {
    let start_on = patch.start_on.unwrap_or(current.start_on);
    let end_on = patch.end_on.unwrap_or(current.end_on);
    check_dates(start_on, end_on)?;
    let or_current = |new: &Option<Option<String>>, old: &Option<String>| {
        new.clone().unwrap_or_else(|| old.clone())
    };
    diesel::update(activities::table.find(current.id))
        .set((
            activities::title.eq(patch.title.as_ref().unwrap_or(&current.title)),
            activities::description.eq(or_current(&patch.description, &current.description)),
            activities::start_on.eq(start_on),
            activities::end_on.eq(end_on),
            activities::responsible.eq(or_current(&patch.responsible, &current.responsible)),
            activities::products.eq(or_current(&patch.products, &current.products)),
            activities::validation_criteria.eq(or_current(
                &patch.validation_criteria,
                &current.validation_criteria,
            )),
        ))
        .execute(conn)?;
    if let Some(costs) = &patch.costs {
        write_costs(conn, current.id, costs)?;
    }
    Ok(())
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
            apply_patch(conn, current, &patch)
        })
    })
    .await?;
    Ok(ok_with_etag(activity.version, &activity))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(category: CostCategory, amount: &str) -> ActivityCost {
        ActivityCost {
            category: category.into(),
            amount: apq_domain::Euro::parse(amount).unwrap_or_else(|e| panic!("{e}")),
        }
    }

    #[test]
    fn costs_are_positive_and_one_per_category() {
        use CostCategory::{Formazione, Hardware};
        let cases = [
            (vec![], Ok(())),
            (
                vec![cost(Hardware, "10.00"), cost(Formazione, "0.00")],
                Ok(()),
            ),
            (
                vec![cost(Hardware, "-0.01")],
                Err(ActivityError::NegativeCost(0)),
            ),
            (
                vec![cost(Hardware, "1.00"), cost(Hardware, "2.00")],
                Err(ActivityError::RepeatedCategory(1)),
            ),
        ];
        for (costs, expected) in cases {
            assert_eq!(check_costs(&costs), expected);
        }
    }

    #[test]
    fn an_activity_ends_after_it_starts() {
        let day = |d| NaiveDate::from_ymd_opt(2009, 1, d);
        assert_eq!(
            check_dates(day(2), day(1)),
            Err(ActivityError::EndsBeforeStart)
        );
        assert_eq!(check_dates(day(1), day(1)), Ok(()));
        assert_eq!(check_dates(None, day(1)), Ok(()));
    }
}
