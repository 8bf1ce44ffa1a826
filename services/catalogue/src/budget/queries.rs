//! The budget's query (diesel, synchronous, `&mut PgConnection`).

use apq_platform::ApiError;
use apq_platform::text_column::EuroColumn;
use diesel::prelude::*;

use super::rules::Loaded;
use crate::schema::budget;

/// The budget loaded with the dataset, if it was.
pub fn loaded(conn: &mut PgConnection) -> Result<Option<Loaded>, ApiError> {
    let row: Option<(EuroColumn, EuroColumn, Option<String>)> = budget::table
        .select((
            budget::two_year_budget,
            budget::management_model,
            budget::source_ref,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(two_year, management, source_ref)| Loaded {
        two_year_budget: two_year.into(),
        management_model: management.into(),
        source_ref,
    }))
}
