//! Where the seed disagrees with itself: both values with their line references, as each
//! service's dataset loads them, readable at `/v1/inconsistencies`.

use actix_web::{HttpResponse, get, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::{PgPool, run_db};
use crate::problem::ApiError;
use crate::schema::inconsistencies;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable)]
#[diesel(table_name = inconsistencies)]
pub struct Inconsistency {
    /// Generated when a dataset omits it.
    #[serde(default = "Uuid::new_v4")]
    pub id: Uuid,
    pub subject: String,
    pub description: String,
    pub value_a: String,
    /// Where the first value is (e.g. "L1146-1195").
    pub ref_a: String,
    pub value_b: String,
    pub ref_b: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InconsistencyList {
    pub items: Vec<Inconsistency>,
}

/// The seed's inconsistencies, as the register keeps them.
#[utoipa::path(tag = "provenance", responses((status = 200, description = "The inconsistencies", body = InconsistencyList)))]
#[get("/inconsistencies")]
pub async fn list(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let items = run_db(&pool, |conn| {
        Ok::<_, ApiError>(
            inconsistencies::table
                .order(inconsistencies::subject.asc())
                .select(Inconsistency::as_select())
                .load(conn)?,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(InconsistencyList { items }))
}

/// Records one inconsistency (ignored if already there).
pub fn record(conn: &mut PgConnection, item: &Inconsistency) -> QueryResult<usize> {
    diesel::insert_into(inconsistencies::table)
        .values(item)
        .on_conflict_do_nothing()
        .execute(conn)
}
