//! Open data: the adhesion table as CSV and JSON (bodies, services, states and dates; no
//! personal data), with the registry's data source credited.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
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

fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

fn date(value: Option<NaiveDate>) -> String {
    value.map(|d| d.to_string()).unwrap_or_default()
}

pub fn to_csv(items: &[OpenAdhesion]) -> String {
    let mut out = String::from(
        "ente_code,ente_name,ente_kind,province,service_number,service_name,sub_service,state,requested_on,commitment_signed_on,activated_on,ceased_on\n",
    );
    for a in items {
        let fields = [
            csv_field(&a.ente_code),
            csv_field(&a.ente_name),
            csv_field(&a.ente_kind),
            csv_field(a.province.as_deref().unwrap_or("")),
            a.service_number.to_string(),
            csv_field(&a.service_name),
            csv_field(&a.sub_service),
            csv_field(&a.state),
            a.requested_on.to_string(),
            date(a.commitment_signed_on),
            date(a.activated_on),
            date(a.ceased_on),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
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
        .body(to_csv(&items)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_and_quotes_are_quoted() {
        assert_eq!(csv_field("Reggello"), "Reggello");
        assert_eq!(
            csv_field("Unione, \"Casentino\""),
            "\"Unione, \"\"Casentino\"\"\""
        );
    }
}
