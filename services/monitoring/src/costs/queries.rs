//! The cost plan's and the economies' queries, and the aggregates the write path locks.

use apq_domain::Euro;
use apq_platform::ApiError;
use apq_platform::versioned::{self, Versioned};
use chrono::NaiveDate;
use diesel::prelude::*;
use uuid::Uuid;

use super::json::{CostYear, Economy, NewCostYear, NewEconomy};
use super::rules::Fund;
use crate::schema::{cost_plan_years, economies};

impl Versioned for CostYear {
    const ENTITY: &'static str = "cost_plan_year";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        cost_plan_years::table
            .find(id)
            .select(CostYear::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("cost plan year {id}")))
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(cost_plan_years, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(self)
    }
}

impl Versioned for Economy {
    const ENTITY: &'static str = "economy";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        economies::table
            .find(id)
            .select(Economy::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("economy {id}")))
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(economies, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(self)
    }
}

/// The cost plan of `code`, by year.
pub fn plan_of(conn: &mut PgConnection, code: &str) -> QueryResult<Vec<CostYear>> {
    cost_plan_years::table
        .filter(cost_plan_years::intervento_code.eq(code))
        .order(cost_plan_years::year.asc())
        .select(CostYear::as_select())
        .load(conn)
}

/// The economies of `code`, by fund.
pub fn economies_of(conn: &mut PgConnection, code: &str) -> QueryResult<Vec<Economy>> {
    economies::table
        .filter(economies::intervento_code.eq(code))
        .order(economies::fund.asc())
        .select(Economy::as_select())
        .load(conn)
}

/// Adds the year `b` to the plan of `code`; its id, or a conflict (409) when the plan already
/// has the year.
pub fn insert_year(
    conn: &mut PgConnection,
    code: &str,
    b: &NewCostYear,
    actor: &str,
) -> Result<Uuid, ApiError> {
    let id = Uuid::new_v4();
    let inserted = diesel::insert_into(cost_plan_years::table)
        .values((
            cost_plan_years::id.eq(id),
            cost_plan_years::intervento_code.eq(code),
            cost_plan_years::year.eq(b.year),
            cost_plan_years::realised.eq(b.realised.decimal()),
            cost_plan_years::to_realise.eq(b.to_realise.decimal()),
            cost_plan_years::recorded_by.eq(actor),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    if inserted == 0 {
        return Err(ApiError::Conflict(format!(
            "the cost plan of {code} already has {} (change it with PATCH)",
            b.year
        )));
    }
    Ok(id)
}

/// The id of the year `year` of the plan of `code`; 404 when the plan has no such year.
pub fn year_id(conn: &mut PgConnection, code: &str, year: i32) -> Result<Uuid, ApiError> {
    cost_plan_years::table
        .filter(cost_plan_years::intervento_code.eq(code))
        .filter(cost_plan_years::year.eq(year))
        .select(cost_plan_years::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("the cost plan of {code} for {year}")))
}

/// Writes the amounts of the year `id`.
pub fn set_year(
    conn: &mut PgConnection,
    id: Uuid,
    realised: Euro,
    to_realise: Euro,
) -> QueryResult<usize> {
    diesel::update(cost_plan_years::table.find(id))
        .set((
            cost_plan_years::realised.eq(realised.decimal()),
            cost_plan_years::to_realise.eq(to_realise.decimal()),
        ))
        .execute(conn)
}

/// Adds the economy `b` of `code`; its id, or a conflict (409) when `code` already has an
/// economy on the fund.
pub fn insert_economy(
    conn: &mut PgConnection,
    code: &str,
    b: &NewEconomy,
    actor: &str,
) -> Result<Uuid, ApiError> {
    let id = Uuid::new_v4();
    let inserted = diesel::insert_into(economies::table)
        .values((
            economies::id.eq(id),
            economies::intervento_code.eq(code),
            economies::fund.eq(b.fund.as_str()),
            economies::amount.eq(b.amount.decimal()),
            economies::ascertained_on.eq(b.ascertained_on),
            economies::note.eq(&b.note),
            economies::recorded_by.eq(actor),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    if inserted == 0 {
        return Err(ApiError::Conflict(format!(
            "{code} already has an economy on {} (change it with PATCH)",
            b.fund
        )));
    }
    Ok(id)
}

/// The id of the economy of `code` on `fund`; 404 when there is none.
pub fn economy_id(conn: &mut PgConnection, code: &str, fund: Fund) -> Result<Uuid, ApiError> {
    economies::table
        .filter(economies::intervento_code.eq(code))
        .filter(economies::fund.eq(fund.as_str()))
        .select(economies::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("the economy of {code} on {fund}")))
}

/// Writes the amount and the date of the economy `id`.
pub fn set_economy(
    conn: &mut PgConnection,
    id: Uuid,
    amount: Euro,
    ascertained_on: NaiveDate,
) -> QueryResult<usize> {
    diesel::update(economies::table.find(id))
        .set((
            economies::amount.eq(amount.decimal()),
            economies::ascertained_on.eq(ascertained_on),
        ))
        .execute(conn)
}
