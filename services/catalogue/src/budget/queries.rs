//! The budget's query (diesel, synchronous, `&mut PgConnection`).

use apq_domain::Euro;
use apq_platform::ApiError;
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::rules::Loaded;
use crate::schema::budget;

/// The budget loaded with the dataset, if it was.
pub fn loaded(conn: &mut PgConnection) -> Result<Option<Loaded>, ApiError> {
    let row: Option<(Decimal, Decimal, Option<String>)> = budget::table
        .select((
            budget::two_year_budget,
            budget::management_model,
            budget::source_ref,
        ))
        .first(conn)
        .optional()?;
    row.map(|(two_year, management, source_ref)| {
        Ok(Loaded {
            two_year_budget: Euro::from_decimal(two_year).map_err(ApiError::internal)?,
            management_model: Euro::from_decimal(management).map_err(ApiError::internal)?,
            source_ref,
        })
    })
    .transpose()
}
