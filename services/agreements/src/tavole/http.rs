//! The Tavole's endpoint.

use actix_web::{HttpResponse, get, web};
use apq_platform::ApiError;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::Path;

use super::json::Tavole;
use super::queries::compute;
use crate::interventi::IdPath;

/// Tavole 1, 2 and 3 of an atto integrativo, computed from its interventi.
#[utoipa::path(
    tag = "atti",
    params(("id" = Uuid, Path, description = "The atto's id")),
    responses(
        (status = 200, description = "The three Tavole", body = Tavole),
    )
)]
#[get("/atti-integrativi/{id}/tavole")]
pub async fn get_tavole(
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let tavole = run_db(&pool, move |conn| compute(conn, id)).await?;
    Ok(HttpResponse::Ok().json(tavole))
}
