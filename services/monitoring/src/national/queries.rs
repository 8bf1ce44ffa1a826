//! What monitoring holds of the file's projects, read a page at a time: the projects in
//! COD_LOCALE_PROGETTO order, and each table's rows for the whole page in one query (six
//! queries a page, whatever its size; the events and phases as the feed reads them).

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::costs::{CostYear, Economy};
use crate::iter::PhaseRow;
use crate::lists::{self, by_intervento};
use crate::movements::Movement;
use crate::projects::{Project, Soggetto};
use crate::schema::{cost_plan_years, economies, puc_projects, soggetti};

/// A project and its records in monitoring.
pub struct Own {
    pub project: Project,
    pub movements: Vec<Movement>,
    pub phases: Vec<PhaseRow>,
    pub soggetti: Vec<Soggetto>,
    pub cost_plan: Vec<CostYear>,
    pub economies: Vec<Economy>,
}

/// Up to `limit` projects not cancelled by `as_of`, after the COD_LOCALE_PROGETTO `after`, with
/// their records.
pub fn page(
    conn: &mut PgConnection,
    as_of: NaiveDate,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Own>> {
    let mut query = puc_projects::table
        .filter(
            puc_projects::cancelled_on
                .is_null()
                .or(puc_projects::cancelled_on.gt(as_of)),
        )
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(puc_projects::local_code.gt(after.to_owned()));
    }
    let projects: Vec<Project> = query
        .order(puc_projects::local_code.asc())
        .limit(limit)
        .select(Project::as_select())
        .load(conn)?;
    let codes: Vec<&str> = projects
        .iter()
        .map(|p| p.intervento_code.as_str())
        .collect();
    let (mut movements, mut phases) = lists::events_of(conn, &codes)?;
    let mut soggetti = by_intervento(
        soggetti::table
            .filter(soggetti::intervento_code.eq_any(&codes))
            .order((soggetti::role.asc(), soggetti::created_at.asc()))
            .select(Soggetto::as_select())
            .load(conn)?,
        |s| &s.intervento_code,
    );
    let mut cost_plan = by_intervento(
        cost_plan_years::table
            .filter(cost_plan_years::intervento_code.eq_any(&codes))
            .order(cost_plan_years::year.asc())
            .select(CostYear::as_select())
            .load(conn)?,
        |c| &c.intervento_code,
    );
    let mut economies = by_intervento(
        economies::table
            .filter(economies::intervento_code.eq_any(&codes))
            .order(economies::fund.asc())
            .select(Economy::as_select())
            .load(conn)?,
        |e| &e.intervento_code,
    );
    Ok(projects
        .into_iter()
        .map(|project| {
            let code = project.intervento_code.as_str();
            Own {
                phases: phases.remove(code).unwrap_or_default(),
                movements: movements.remove(code).unwrap_or_default(),
                soggetti: soggetti.remove(code).unwrap_or_default(),
                cost_plan: cost_plan.remove(code).unwrap_or_default(),
                economies: economies.remove(code).unwrap_or_default(),
                project,
            }
        })
        .collect())
}
