//! The figures' endpoint.

use actix_web::{HttpResponse, get, web};
use apq_platform::ApiError;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::Query;

use super::json::{Figures, FiguresQuery};
use super::queries;
use crate::enti::rules::check_region_code;

/// Adhering comuni, those with a signed commitment and their share, as of a date. Public.
#[utoipa::path(
    tag = "figures",
    params(FiguresQuery),
    responses((status = 200, description = "The figures", body = Figures))
)]
#[get("/figures")]
pub async fn get_figures(
    pool: web::Data<PgPool>,
    query: Query<FiguresQuery>,
) -> Result<HttpResponse, ApiError> {
    let today = chrono::Utc::now().date_naive();
    let as_of = query.as_of.unwrap_or(today);
    let service = query.service_number;
    let region = query.region_code.clone();
    check_region_code(region.as_deref())?;
    // Today's figures are what portals and the eligibility check ask for: those are kept.
    let keep = as_of == today;
    let document = run_db(&pool, move |conn| {
        queries::summary(conn, as_of, service, region, keep)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(document))
}
