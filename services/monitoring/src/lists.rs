//! The shape every public list of an intervento's records shares (the code from the path
//! checked, the rows read in one call), and the records of a page of interventi read at once
//! and grouped by intervento (the feed's page, the national file's page).

use std::collections::HashMap;

use apq_platform::ApiError;
use apq_platform::db::{PgPool, run_db};
use diesel::prelude::*;

use crate::iter::{self, PhaseRow};
use crate::movements::Movement;
use crate::schema::{movements, phases};

/// Rows of several interventi grouped by their intervento's code, each group in the order the
/// rows came (a page's records read in one query, then handed to each item).
pub fn by_intervento<T>(rows: Vec<T>, code: impl Fn(&T) -> &str) -> HashMap<String, Vec<T>> {
    let mut out: HashMap<String, Vec<T>> = HashMap::new();
    for row in rows {
        out.entry(code(&row).to_owned()).or_default().push(row);
    }
    out
}

/// The rows `load` reads for the intervento `code`, once `code` is checked to be one (letters,
/// digits and dashes; a 400 naming `code` otherwise).
pub async fn of_intervento<T: Send + 'static>(
    pool: &PgPool,
    code: String,
    load: fn(&mut PgConnection, &str) -> QueryResult<Vec<T>>,
) -> Result<Vec<T>, ApiError> {
    crate::peers::intervento_code(&code)?;
    run_db(pool, move |conn| Ok::<_, ApiError>(load(conn, &code)?)).await
}

/// The impegni and pagamenti (oldest first) and the phases (in the national table's order) of
/// the interventi `codes`, by intervento: two queries for a page, whatever its size.
pub type Events = (
    HashMap<String, Vec<Movement>>,
    HashMap<String, Vec<PhaseRow>>,
);

pub fn events_of(conn: &mut PgConnection, codes: &[&str]) -> QueryResult<Events> {
    let movements = by_intervento(
        movements::table
            .filter(movements::intervento_code.eq_any(codes))
            .order((movements::on_date.asc(), movements::created_at.asc()))
            .select(Movement::as_select())
            .load(conn)?,
        |m| &m.intervento_code,
    );
    let mut phases = by_intervento(
        phases::table
            .filter(phases::intervento_code.eq_any(codes))
            .select(PhaseRow::as_select())
            .load(conn)?,
        |p| &p.intervento_code,
    );
    for rows in phases.values_mut() {
        iter::in_national_order(rows);
    }
    Ok((movements, phases))
}
