//! The programme's figures, as of a date: how many comuni adhere, how many have signed the
//! contractual commitment, and their share (the ALI's second tranche needs at least 30%), by
//! service and overall. Aggregate counts only, so anyone may read them.

use actix_web::{HttpResponse, get, web};
use apq_domain::Percent;
use apq_platform::ApiError;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::Query;
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Integer, Nullable, Text};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresQuery {
    /// The date the figures are computed at (default: today).
    pub as_of: Option<NaiveDate>,
    /// Only this service.
    #[param(format = Int32)]
    pub service_number: Option<i32>,
    /// Only the comuni of this region (two digits; Toscana is 09): an APQ is regional.
    #[param(pattern = "^[0-9]{2}$")]
    pub region_code: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Counts {
    /// Comuni with a live adhesion (requested and not ceased) at the date.
    #[schema(format = Int64)]
    pub adhering_comuni: i64,
    /// Of those, the comuni that had signed the contractual commitment by the date.
    #[schema(format = Int64)]
    pub committed_comuni: i64,
    /// committed / adhering, as a percentage (absent when none adhere).
    pub committed_share: Option<Percent>,
}

impl Counts {
    fn new(adhering: i64, committed: i64) -> Self {
        Self {
            adhering_comuni: adhering,
            committed_comuni: committed,
            committed_share: Percent::ratio(Decimal::from(committed), Decimal::from(adhering)),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ServiceCounts {
    #[schema(format = Int32)]
    pub service_number: i32,
    pub service_name: String,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Figures {
    pub as_of: NaiveDate,
    /// Distinct comuni over all services (or the one asked for).
    pub overall: Counts,
    pub by_service: Vec<ServiceCounts>,
}

#[derive(QueryableByName)]
struct ServiceRow {
    #[diesel(sql_type = Integer)]
    service_number: i32,
    #[diesel(sql_type = Text)]
    service_name: String,
    #[diesel(sql_type = BigInt)]
    adhering: i64,
    #[diesel(sql_type = BigInt)]
    committed: i64,
}

#[derive(QueryableByName)]
struct TotalRow {
    #[diesel(sql_type = BigInt)]
    adhering: i64,
    #[diesel(sql_type = BigInt)]
    committed: i64,
}

const LIVE: &str = "WITH live AS (
    SELECT a.service_number, a.service_name, a.ente_id, a.commitment_signed_on
    FROM adhesions a JOIN enti e ON e.id = a.ente_id
    WHERE e.kind = 'comune' AND a.requested_on <= $1 AND (a.ceased_on IS NULL OR a.ceased_on > $1)
      AND ($2::integer IS NULL OR a.service_number = $2) AND ($3::text IS NULL OR e.region_code = $3::bpchar))";

pub fn compute(
    conn: &mut PgConnection,
    as_of: NaiveDate,
    service: Option<i32>,
    region: Option<String>,
) -> QueryResult<Figures> {
    let rows: Vec<ServiceRow> = diesel::sql_query(format!(
        "{LIVE} SELECT service_number, max(service_name) AS service_name, count(DISTINCT ente_id) AS adhering,
                count(DISTINCT ente_id) FILTER (WHERE commitment_signed_on <= $1) AS committed
         FROM live GROUP BY service_number ORDER BY service_number"
    ))
    .bind::<Date, _>(as_of)
    .bind::<Nullable<Integer>, _>(service)
    .bind::<Nullable<Text>, _>(region.clone())
    .load(conn)?;
    let total: TotalRow = diesel::sql_query(format!(
        "{LIVE} SELECT count(DISTINCT ente_id) AS adhering,
                count(DISTINCT ente_id) FILTER (WHERE commitment_signed_on <= $1) AS committed FROM live"
    ))
    .bind::<Date, _>(as_of)
    .bind::<Nullable<Integer>, _>(service)
    .bind::<Nullable<Text>, _>(region)
    .get_result(conn)?;
    Ok(Figures {
        as_of,
        overall: Counts::new(total.adhering, total.committed),
        by_service: rows
            .into_iter()
            .map(|r| ServiceCounts {
                service_number: r.service_number,
                service_name: r.service_name,
                counts: Counts::new(r.adhering, r.committed),
            })
            .collect(),
    })
}

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
    let as_of = query
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let service = query.service_number;
    let region = query.region_code.clone();
    if region
        .as_ref()
        .is_some_and(|r| r.len() != 2 || !r.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(ApiError::field(
            "region_code",
            "a region code is two digits (Toscana is 09)",
        ));
    }
    let figures = run_db(&pool, move |conn| {
        Ok::<_, ApiError>(compute(conn, as_of, service, region)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(figures))
}
