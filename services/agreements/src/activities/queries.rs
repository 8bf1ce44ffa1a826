//! The activities' rows and queries (diesel, synchronous, `&mut PgConnection`), and the activity
//! the write path locks: a child of its intervento.

use apq_platform::ApiError;
use apq_platform::text_column::EuroColumn;
use apq_platform::versioned::{self, Versioned};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::json::{Activity, ActivityCost, ActivityPatch, NewActivity};
use crate::interventi::load;
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

/// Loads an activity with its costs, locking it for update when `lock` is set.
pub fn load_activity(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<Activity, ApiError> {
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

/// The activities of `intervento`, by code, with their costs.
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

/// Replaces the costs of `activity`.
pub fn write_costs(
    conn: &mut PgConnection,
    activity: Uuid,
    costs: &[ActivityCost],
) -> Result<(), ApiError> {
    diesel::delete(activity_costs::table.filter(activity_costs::activity_id.eq(activity)))
        .execute(conn)?;
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

/// Writes the patch's fields onto the activity (its costs, when the patch has them).
pub fn apply_patch(
    conn: &mut PgConnection,
    current: &Activity,
    patch: &ActivityPatch,
) -> Result<(), ApiError> {
    let (start_on, end_on) = patch.dates(current);
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
