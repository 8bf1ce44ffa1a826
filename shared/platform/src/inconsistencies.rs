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
    let items = run_db(&pool, |conn| Ok::<_, ApiError>(stored(conn)?)).await?;
    Ok(HttpResponse::Ok().json(InconsistencyList { items }))
}

/// The inconsistencies the dataset loaded, by subject.
pub fn stored(conn: &mut PgConnection) -> QueryResult<Vec<Inconsistency>> {
    inconsistencies::table
        .order(inconsistencies::subject.asc())
        .select(Inconsistency::as_select())
        .load(conn)
}

/// A stable id for an inconsistency computed from live data rather than loaded (FNV-1a of its
/// subject, twice): the same subject has the same id on every read.
pub fn computed_id(subject: &str) -> Uuid {
    let fnv = |seed: u64| {
        subject.bytes().fold(seed, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
    };
    Uuid::from_u64_pair(fnv(0xcbf2_9ce4_8422_2325), fnv(0x8422_2325_cbf2_9ce4))
}

/// Records one inconsistency (ignored if already there).
pub fn record(conn: &mut PgConnection, item: &Inconsistency) -> QueryResult<usize> {
    diesel::insert_into(inconsistencies::table)
        .values(item)
        .on_conflict_do_nothing()
        .execute(conn)
}
