//! The shape every public list of an intervento's records shares: the code from the path
//! checked, the rows read in one call.

use apq_platform::ApiError;
use apq_platform::db::{PgPool, run_db};
use diesel::{PgConnection, QueryResult};

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
