//! The shape every public list of an intervento's records shares: the code from the path
//! checked, the rows read in one call.

use std::collections::HashMap;

use apq_platform::ApiError;
use apq_platform::db::{PgPool, run_db};
use diesel::{PgConnection, QueryResult};

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
