//! Open data: the adhesion table as CSV and JSON (bodies, services, states and dates; no
//! personal data), with the registry's data source credited.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use apq_platform::csv_export::{self, CsvError};
use apq_platform::{ApiError, Caller};

use crate::access::READERS;
use apq_platform::db::{PgPool, run_db};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::enti::DATA_SOURCE;
use crate::schema::{adhesions, enti};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable)]
pub struct OpenAdhesion {
    pub ente_code: String,
    pub ente_name: String,
    pub ente_kind: String,
    pub province: Option<String>,
    #[schema(format = Int32)]
    pub service_number: i32,
    pub service_name: String,
    pub sub_service: String,
    pub state: String,
    pub requested_on: NaiveDate,
    pub commitment_signed_on: Option<NaiveDate>,
    pub activated_on: Option<NaiveDate>,
    pub ceased_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OpenData {
    pub items: Vec<OpenAdhesion>,
    /// Licence and source of the bodies' data.
    pub source: String,
}

fn rows(conn: &mut PgConnection) -> QueryResult<Vec<OpenAdhesion>> {
    adhesions::table
        .inner_join(enti::table)
        .order((
            enti::code.asc(),
            adhesions::service_number.asc(),
            adhesions::sub_service.asc(),
            adhesions::requested_on.asc(),
        ))
        .select((
            enti::code,
            enti::name,
            enti::kind,
            enti::province_short,
            adhesions::service_number,
            adhesions::service_name,
            adhesions::sub_service,
            adhesions::state,
            adhesions::requested_on,
            adhesions::commitment_signed_on,
            adhesions::activated_on,
            adhesions::ceased_on,
        ))
        .load(conn)
}

/// The adhesion table as JSON, for the region's open-data portal (readers and admin: anonymous
/// callers get only the aggregate figures).
#[utoipa::path(
    tag = "open_data",
    security(("bearer" = [])),
    responses((status = 200, description = "Every adhesion", body = OpenData))
)]
#[get("/open-data/adhesions")]
pub async fn json(caller: Caller, pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    caller.require_any(READERS)?;
    let items = run_db(&pool, |conn| Ok::<_, ApiError>(rows(conn)?)).await?;
    Ok(HttpResponse::Ok().json(OpenData {
        items,
        source: DATA_SOURCE.to_owned(),
    }))
}

fn date(value: Option<NaiveDate>) -> String {
    value.map(|d| d.to_string()).unwrap_or_default()
}

/// The adhesion table as CSV (the platform's writer: RFC 4180, cells guarded against formula
/// injection).
pub fn to_csv(items: &[OpenAdhesion]) -> Result<String, CsvError> {
    csv_export::to_csv(
        [
            "ente_code",
            "ente_name",
            "ente_kind",
            "province",
            "service_number",
            "service_name",
            "sub_service",
            "state",
            "requested_on",
            "commitment_signed_on",
            "activated_on",
            "ceased_on",
        ],
        items.iter().map(|a| {
            [
                a.ente_code.clone(),
                a.ente_name.clone(),
                a.ente_kind.clone(),
                a.province.clone().unwrap_or_default(),
                a.service_number.to_string(),
                a.service_name.clone(),
                a.sub_service.clone(),
                a.state.clone(),
                a.requested_on.to_string(),
                date(a.commitment_signed_on),
                date(a.activated_on),
                date(a.ceased_on),
            ]
        }),
    )
}

/// The adhesion table as CSV (RFC 4180, UTF-8), for the region's open-data portal (readers and
/// admin). Bodies' data: ISTAT / Openpolis, CC BY 4.0.
#[utoipa::path(
    tag = "open_data",
    security(("bearer" = [])),
    responses((status = 200, description = "Every adhesion, one per line", body = String, content_type = "text/csv"))
)]
#[get("/open-data/adhesions.csv")]
pub async fn csv(caller: Caller, pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    caller.require_any(READERS)?;
    let items = run_db(&pool, |conn| Ok::<_, ApiError>(rows(conn)?)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"apq-adhesions.csv\"",
        ))
        .body(to_csv(&items).map_err(ApiError::internal)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adhesion(ente_name: &str, sub_service: &str) -> OpenAdhesion {
        OpenAdhesion {
            ente_code: "048001".to_owned(),
            ente_name: ente_name.to_owned(),
            ente_kind: "comune".to_owned(),
            province: None,
            service_number: 3,
            service_name: "Protocollo".to_owned(),
            sub_service: sub_service.to_owned(),
            state: "requested".to_owned(),
            requested_on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default(),
            commitment_signed_on: None,
            activated_on: None,
            ceased_on: None,
        }
    }

    #[test]
    fn the_export_quotes_commas_and_defuses_formulas() {
        let text = to_csv(&[
            adhesion("Unione, \"Casentino\"", "base"),
            adhesion("Reggello", "=HYPERLINK(\"http://x\")"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "ente_code,ente_name,ente_kind,province,service_number,service_name,sub_service,state,requested_on,commitment_signed_on,activated_on,ceased_on",
                "048001,\"Unione, \"\"Casentino\"\"\",comune,,3,Protocollo,base,requested,2026-03-01,,,",
                "048001,Reggello,comune,,3,Protocollo,\"'=HYPERLINK(\"\"http://x\"\")\",requested,2026-03-01,,,",
            ]
        );
    }
}
