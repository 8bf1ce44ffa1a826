//! The budget check's endpoint.

use actix_web::{HttpResponse, get, web};
use apq_platform::ApiError;
use apq_platform::db::{PgPool, run_db};

use super::json::{Budget, ServiceCost};
use super::{queries, rules};
use crate::services::queries::active_records;

/// The catalogue's costs against the ALI budget. Public.
#[utoipa::path(
    tag = "services",
    responses(
        (status = 200, description = "The budget check", body = Budget),
        (status = 404, description = "No budget loaded", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/budget")]
pub async fn get_budget(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let (records, loaded) = run_db(&pool, |conn| {
        Ok::<_, ApiError>((active_records(conn)?, queries::loaded(conn)?))
    })
    .await?;
    let loaded = loaded.ok_or_else(|| ApiError::NotFound("the budget".to_owned()))?;
    let services = records
        .into_iter()
        .map(|(number, record)| ServiceCost {
            number,
            total_cost: record.total_cost(),
            name: record.name,
        })
        .collect();
    Ok(HttpResponse::Ok().json(rules::check(services, loaded)))
}
