//! The services' costs against the two-year ALI budget: the eight services should add up to the
//! budget minus the 50.000,00 of the management model (seed part 2 § 3b). As the seed writes
//! them they fall 10.000,00 short (ITER.NET's sheet, L3617 against L3634): the check says so, by
//! how much, rather than the data being bent to balance.

use actix_web::{HttpResponse, get, web};
use apq_domain::Euro;
use apq_platform::ApiError;
use apq_platform::db::{PgPool, run_db};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::record::ServiceRecord;
use crate::schema::{budget, service_versions, services};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ServiceCost {
    #[schema(format = Int32)]
    pub number: i32,
    pub name: String,
    #[schema(value_type = apq_domain::EuroTotal)]
    pub total_cost: Euro,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Budget {
    /// The current version of each active service, with its cost lines added up.
    pub services: Vec<ServiceCost>,
    #[schema(value_type = apq_domain::EuroTotal)]
    pub services_total: Euro,
    pub two_year_budget: Euro,
    pub management_model: Euro,
    /// `two_year_budget - management_model == services_total`.
    pub balanced: bool,
    /// `two_year_budget - management_model - services_total`: what the services leave of the
    /// budget (negative when they exceed it).
    #[schema(value_type = apq_domain::EuroTotal)]
    pub difference: Euro,
    pub source_ref: Option<String>,
}

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
    let (rows, budget_row) = run_db(&pool, |conn| {
        let rows: Vec<(i32, serde_json::Value)> = service_versions::table
            .inner_join(services::table)
            .filter(service_versions::version.eq(services::current_version))
            .filter(services::status.eq("active"))
            .order(services::number.asc())
            .select((service_versions::service_number, service_versions::record))
            .load(conn)?;
        let budget_row: Option<(Decimal, Decimal, Option<String>)> = budget::table
            .select((
                budget::two_year_budget,
                budget::management_model,
                budget::source_ref,
            ))
            .first(conn)
            .optional()?;
        Ok::<_, ApiError>((rows, budget_row))
    })
    .await?;
    let (two_year, management, source_ref) =
        budget_row.ok_or_else(|| ApiError::NotFound("the budget".to_owned()))?;
    let services = rows
        .into_iter()
        .map(|(number, record)| {
            let record: ServiceRecord =
                serde_json::from_value(record).map_err(ApiError::internal)?;
            Ok(ServiceCost {
                number,
                total_cost: record.total_cost(),
                name: record.name,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let services_total: Euro = services.iter().map(|s| s.total_cost).sum();
    let two_year_budget = Euro::from_decimal(two_year).map_err(ApiError::internal)?;
    let management_model = Euro::from_decimal(management).map_err(ApiError::internal)?;
    let difference = two_year_budget - management_model - services_total;
    Ok(HttpResponse::Ok().json(Budget {
        balanced: difference == Euro::ZERO,
        difference,
        services,
        services_total,
        two_year_budget,
        management_model,
        source_ref,
    }))
}
