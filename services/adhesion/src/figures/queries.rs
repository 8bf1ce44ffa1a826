//! The counting of the figures over the adhesions (raw SQL walked comune by comune), and the
//! summaries kept for the data's generation.

use apq_platform::ApiError;
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Integer, Nullable, Text};

use super::json::{Figures, ProvinceCounts, ServiceCounts};
use super::rules::counts;
use crate::schema::{figures_generation, figures_summaries};

#[derive(QueryableByName)]
struct ProvinceRow {
    #[diesel(sql_type = Nullable<Text>)]
    province: Option<String>,
    #[diesel(sql_type = BigInt)]
    adhering: i64,
    #[diesel(sql_type = BigInt)]
    committed: i64,
    #[diesel(sql_type = BigInt)]
    activated: i64,
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

/// Each comune of the scope (every region, or one) with its live adhesions at $1, walked body by
/// body on `adhesions_ente_dates` (an index-only scan per comune, never the whole table): one row
/// per comune and service, with whether any of them had a signed commitment by then.
const LIVE_BY_COMUNE: &str = "WITH live AS (
    SELECT e.id AS ente_id, l.service_number, l.committed, l.activated
    FROM enti e CROSS JOIN LATERAL (
        SELECT a.service_number, bool_or(a.commitment_signed_on <= $1) AS committed,
               bool_or(a.activated_on <= $1) AS activated
        FROM adhesions a
        WHERE a.ente_id = e.id AND a.requested_on <= $1 AND (a.ceased_on IS NULL OR a.ceased_on > $1)
          AND ($2::integer IS NULL OR a.service_number = $2)
        GROUP BY a.service_number) l
    WHERE e.kind = 'comune' AND ($3::text IS NULL OR e.region_code = $3::bpchar))";

/// Counts the figures from the adhesions themselves.
pub fn compute(
    conn: &mut PgConnection,
    as_of: NaiveDate,
    service: Option<i32>,
    region: Option<String>,
) -> QueryResult<Figures> {
    let rows: Vec<ServiceRow> = diesel::sql_query(format!(
        "{LIVE_BY_COMUNE}
         SELECT g.service_number, g.adhering, g.committed,
                (SELECT a.service_name FROM adhesions a WHERE a.service_number = g.service_number
                 ORDER BY a.service_version DESC LIMIT 1) AS service_name
         FROM (SELECT service_number, count(*) AS adhering, count(*) FILTER (WHERE committed) AS committed
               FROM live GROUP BY service_number) g
         ORDER BY g.service_number"
    ))
    .bind::<Date, _>(as_of)
    .bind::<Nullable<Integer>, _>(service)
    .bind::<Nullable<Text>, _>(region.clone())
    .load(conn)?;
    let total: TotalRow = diesel::sql_query(format!(
        "{LIVE_BY_COMUNE}
         SELECT count(*) AS adhering, count(*) FILTER (WHERE committed) AS committed
         FROM (SELECT ente_id, bool_or(committed) AS committed FROM live GROUP BY ente_id) c"
    ))
    .bind::<Date, _>(as_of)
    .bind::<Nullable<Integer>, _>(service)
    .bind::<Nullable<Text>, _>(region.clone())
    .get_result(conn)?;
    let provinces: Vec<ProvinceRow> = diesel::sql_query(format!(
        "{LIVE_BY_COMUNE}
         SELECT e.province_short AS province, count(*) AS adhering,
                count(*) FILTER (WHERE c.committed) AS committed,
                coalesce(sum(c.activated), 0)::bigint AS activated
         FROM (SELECT ente_id, bool_or(committed) AS committed,
                      count(*) FILTER (WHERE activated) AS activated
               FROM live GROUP BY ente_id) c
         JOIN enti e ON e.id = c.ente_id
         GROUP BY e.province_short ORDER BY e.province_short"
    ))
    .bind::<Date, _>(as_of)
    .bind::<Nullable<Integer>, _>(service)
    .bind::<Nullable<Text>, _>(region)
    .load(conn)?;
    Ok(Figures {
        as_of,
        overall: counts(total.adhering, total.committed),
        by_service: rows
            .into_iter()
            .map(|r| ServiceCounts {
                service_number: r.service_number,
                service_name: r.service_name,
                counts: counts(r.adhering, r.committed),
            })
            .collect(),
        by_province: provinces
            .into_iter()
            .map(|p| ProvinceCounts {
                province: p.province,
                counts: counts(p.adhering, p.committed),
                services_activated: p.activated,
            })
            .collect(),
    })
}

/// The figures as a JSON document: the summary kept for the data's current generation when there
/// is one (see the `figures_summaries` migration), else counted and, when `keep`, stored for the
/// next caller. Counting and reading the generation share one snapshot, so a summary never
/// outlives the data it was counted from.
pub fn summary(
    conn: &mut PgConnection,
    as_of: NaiveDate,
    service: Option<i32>,
    region: Option<String>,
    keep: bool,
) -> Result<String, ApiError> {
    let key_service = service.unwrap_or(0);
    let key_region = region.clone().unwrap_or_default();
    let kept: Option<String> = figures_summaries::table
        .filter(figures_summaries::as_of.eq(as_of))
        .filter(figures_summaries::service_number.eq(key_service))
        .filter(figures_summaries::region_code.eq(&key_region))
        .filter(
            figures_summaries::generation
                .nullable()
                .eq(figures_generation::table
                    .select(figures_generation::generation)
                    .single_value()),
        )
        .select(figures_summaries::figures)
        .first(conn)
        .optional()?;
    if let Some(document) = kept {
        return Ok(document);
    }
    let (generation, figures) =
        conn.build_transaction()
            .repeatable_read()
            .read_only()
            .run(|conn| {
                let generation: i64 = figures_generation::table
                    .select(figures_generation::generation)
                    .get_result(conn)?;
                Ok::<_, diesel::result::Error>((generation, compute(conn, as_of, service, region)?))
            })?;
    let document = serde_json::to_string(&figures).map_err(ApiError::internal)?;
    if keep {
        // What earlier days and generations left behind is never served again.
        diesel::delete(
            figures_summaries::table.filter(
                figures_summaries::as_of
                    .lt(as_of)
                    .or(figures_summaries::generation.lt(generation)),
            ),
        )
        .execute(conn)?;
        diesel::insert_into(figures_summaries::table)
            .values((
                figures_summaries::as_of.eq(as_of),
                figures_summaries::service_number.eq(key_service),
                figures_summaries::region_code.eq(&key_region),
                figures_summaries::generation.eq(generation),
                figures_summaries::figures.eq(&document),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
    }
    Ok(document)
}
