//! The registry of public bodies: every Italian comune (ISTAT / Openpolis, CC BY 4.0), the
//! provinces, the Regione, and aggregations (comunità montane, unioni, circondari, gestioni
//! associate) with their member comuni. Public data.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use apq_domain::{IstatCode, Role, text_enum};
use apq_platform::audit::{self, Change};
use apq_platform::concurrency::etag;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::pagination::{Page, PageParams, collection_path};
use apq_platform::{ApiError, Caller, FieldError};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::schema::{aggregation_members, enti};

/// The credit the registry's data carries.
pub const DATA_SOURCE: &str =
    "ISTAT / Openpolis, CC BY 4.0 (comuni and population on 1 January 2023)";

text_enum!(
    /// The kinds of public body.
    EnteKind {
        Comune = "comune",
        Provincia = "provincia",
        Regione = "regione",
        ComunitaMontana = "comunita_montana",
        Unione = "unione",
        Circondario = "circondario",
        GestioneAssociata = "gestione_associata",
    }
);

/// The schema of the kinds registered through the API: the aggregations of comuni.
pub struct AggregationKind;

impl utoipa::PartialSchema for AggregationKind {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("A kind of aggregation of comuni"))
            .enum_values(Some(
                [
                    EnteKind::ComunitaMontana,
                    EnteKind::Unione,
                    EnteKind::Circondario,
                    EnteKind::GestioneAssociata,
                ]
                .map(EnteKind::as_str),
            ))
            .into()
    }
}

impl utoipa::ToSchema for AggregationKind {}

impl EnteKind {
    pub fn is_aggregation(self) -> bool {
        matches!(
            self,
            EnteKind::ComunitaMontana
                | EnteKind::Unione
                | EnteKind::Circondario
                | EnteKind::GestioneAssociata
        )
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = enti)]
pub struct EnteRow {
    pub id: Uuid,
    pub code: String,
    pub kind: String,
    pub name: String,
    pub istat_code: Option<String>,
    pub province_code: Option<String>,
    pub province_short: Option<String>,
    pub region_code: Option<String>,
    pub cadastral_code: Option<String>,
    pub population: Option<i32>,
    pub piccolo_comune: Option<bool>,
    pub existed_from: Option<chrono::NaiveDate>,
    pub ceased_on: Option<chrono::NaiveDate>,
    pub population_as_of: Option<chrono::NaiveDate>,
}

/// A public body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Ente {
    /// The ISTAT code for a comune, "P" and the province code for a province, the chosen code of an aggregation.
    pub code: String,
    pub kind: EnteKind,
    pub name: String,
    pub istat_code: Option<IstatCode>,
    pub province_code: Option<String>,
    pub province_short: Option<String>,
    pub region_code: Option<String>,
    /// The cadastral (Belfiore) code; the IPA code of a comune is `c_` and this, lower case.
    pub cadastral_code: Option<String>,
    #[schema(format = Int32)]
    pub population: Option<i32>,
    /// The date of that population (ISTAT's 1 January 2023 for today's comuni).
    pub population_as_of: Option<chrono::NaiveDate>,
    /// A comune under 5,000 inhabitants at `population_as_of`: not the seed's classification of
    /// the comuni under 5,000 at 31.12.2004 (that is the intervento's declared adherents).
    pub piccolo_comune: bool,
    /// When the comune came into existence, for one that no longer exists.
    pub existed_from: Option<chrono::NaiveDate>,
    /// When the comune ceased to exist (merged away), if it did.
    pub ceased_on: Option<chrono::NaiveDate>,
}

impl TryFrom<EnteRow> for Ente {
    type Error = ApiError;
    fn try_from(row: EnteRow) -> Result<Self, ApiError> {
        Ok(Self {
            kind: row.kind.parse().map_err(ApiError::internal)?,
            istat_code: row
                .istat_code
                .as_deref()
                .map(IstatCode::parse)
                .transpose()
                .map_err(ApiError::internal)?,
            code: row.code,
            name: row.name,
            province_code: row.province_code,
            province_short: row.province_short,
            region_code: row.region_code,
            cadastral_code: row.cadastral_code,
            population: row.population,
            population_as_of: row.population_as_of,
            piccolo_comune: row.piccolo_comune.unwrap_or(false),
            existed_from: row.existed_from,
            ceased_on: row.ceased_on,
        })
    }
}

pub fn by_code(conn: &mut PgConnection, code: &str) -> Result<EnteRow, ApiError> {
    enti::table
        .filter(enti::code.eq(code))
        .select(EnteRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("ente {code}")))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnteFilter {
    pub kind: Option<EnteKind>,
    /// Two-digit region code (Toscana is 09).
    #[param(pattern = "^[0-9]{2}$")]
    pub region_code: Option<String>,
    /// Province sigla (e.g. FI).
    pub province: Option<String>,
    /// Only comuni under (true) or over (false) 5,000 inhabitants.
    pub piccolo_comune: Option<bool>,
    /// Name contains (case-insensitive).
    pub q: Option<String>,
    /// Also the comuni that no longer exist (default: only the bodies that exist today).
    pub ceased: Option<bool>,
}

/// A page of bodies with their data source.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EntePage {
    #[serde(flatten)]
    pub page: Page<Ente>,
    /// Where the registry's data comes from.
    pub source: String,
}

/// The bodies registry, by code, with filters. Public.
#[utoipa::path(
    tag = "enti",
    params(EnteFilter, PageParams),
    responses((status = 200, description = "A page of bodies", body = EntePage))
)]
#[get("/enti")]
pub async fn list(
    pool: web::Data<PgPool>,
    filter: Query<EnteFilter>,
    page: Query<PageParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let filter = filter.0;
    let limit = page.limit()?;
    let after: Option<String> = page.after()?;
    if filter
        .region_code
        .as_ref()
        .is_some_and(|r| r.len() != 2 || !r.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(ApiError::field(
            "region_code",
            "a region code is two digits (Toscana is 09)",
        ));
    }
    let rows = run_db(&pool, move |conn| {
        let mut query = enti::table
            .select(EnteRow::as_select())
            .order(enti::code.asc())
            .limit(i64::from(limit) + 1)
            .into_boxed();
        if let Some(kind) = filter.kind {
            query = query.filter(enti::kind.eq(kind.as_str()));
        }
        if let Some(region) = &filter.region_code {
            query = query.filter(enti::region_code.eq(region));
        }
        if let Some(province) = &filter.province {
            query = query.filter(enti::province_short.eq(province.to_uppercase()));
        }
        if let Some(piccolo) = filter.piccolo_comune {
            query = query.filter(enti::piccolo_comune.eq(piccolo));
        }
        if filter.ceased != Some(true) {
            query = query.filter(enti::ceased_on.is_null());
        }
        if let Some(q) = filter.q.as_ref().filter(|q| !q.trim().is_empty()) {
            let pattern = format!(
                "%{}%",
                q.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            query = query.filter(enti::name.ilike(pattern));
        }
        if let Some(after) = &after {
            query = query.filter(enti::code.gt(after));
        }
        Ok::<_, ApiError>(query.load(conn)?)
    })
    .await?;
    let items = rows
        .into_iter()
        .map(Ente::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(EntePage {
        page: Page::from_rows(items, limit, |e| e.code.clone(), &collection_path(&req)),
        source: DATA_SOURCE.to_owned(),
    }))
}

#[derive(Debug, Deserialize)]
pub struct CodePath {
    pub code: String,
}

/// One body, with the aggregations it belongs to or, for an aggregation, its members.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EnteDetail {
    #[serde(flatten)]
    pub ente: Ente,
    /// For an aggregation: its member comuni's codes.
    pub members: Vec<String>,
    /// For a comune: the aggregations it belongs to.
    pub member_of: Vec<String>,
    pub source: String,
}

/// One body. Public.
#[utoipa::path(
    tag = "enti",
    params(("code" = String, Path, description = "The body's code (a comune's ISTAT code)")),
    responses(
        (status = 200, description = "The body", body = EnteDetail),
    )
)]
#[get("/enti/{code}")]
pub async fn get_one(
    pool: web::Data<PgPool>,
    path: Path<CodePath>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner().code;
    let (row, members, member_of) = run_db(&pool, move |conn| {
        let row = by_code(conn, &code)?;
        let (aggregates, members) = diesel::alias!(enti as aggregates, enti as members);
        let member_codes: Vec<String> = aggregation_members::table
            .inner_join(members.on(members.field(enti::id).eq(aggregation_members::member_id)))
            .filter(aggregation_members::aggregation_id.eq(row.id))
            .order(members.field(enti::code).asc())
            .select(members.field(enti::code))
            .load(conn)?;
        let member_of: Vec<String> = aggregation_members::table
            .inner_join(
                aggregates.on(aggregates
                    .field(enti::id)
                    .eq(aggregation_members::aggregation_id)),
            )
            .filter(aggregation_members::member_id.eq(row.id))
            .order(aggregates.field(enti::code).asc())
            .select(aggregates.field(enti::code))
            .load(conn)?;
        Ok::<_, ApiError>((row, member_codes, member_of))
    })
    .await?;
    Ok(HttpResponse::Ok().json(EnteDetail {
        ente: Ente::try_from(row)?,
        members,
        member_of,
        source: DATA_SOURCE.to_owned(),
    }))
}

/// A new aggregation of comuni.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAggregation {
    /// A code of your choice (upper-case letters, digits, dashes), e.g. "UC-CASENTINO".
    #[schema(pattern = "^[A-Z][A-Z0-9-]*$", max_length = 40)]
    pub code: String,
    #[schema(value_type = AggregationKind)]
    pub kind: EnteKind,
    pub name: String,
    /// The member comuni's ISTAT codes.
    #[schema(min_items = 1)]
    pub members: Vec<IstatCode>,
}

/// Registers an aggregation with its member comuni (admin). Safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "enti",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = NewAggregation,
    responses(
        (status = 201, description = "Created", body = EnteDetail, headers(("Location" = String, description = "The aggregation"))),
        (status = 409, description = "The code is taken", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A member is not a comune of the registry", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/enti")]
pub async fn create_aggregation(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    body: Json<NewAggregation>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[Role::Admin])?;
    let body = body.into_inner();
    let mut errors = Vec::new();
    if !body.kind.is_aggregation() {
        errors.push(FieldError::new("kind", "only aggregations are registered here (comunita_montana, unione, circondario, gestione_associata)"));
    }
    if body.code.is_empty()
        || body.code.len() > 40
        || !body.code.starts_with(|c: char| c.is_ascii_uppercase())
        || !body
            .code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
    {
        errors.push(FieldError::new(
            "code",
            "a code is upper-case letters, digits and dashes, starting with a letter",
        ));
    }
    if body.members.is_empty() {
        errors.push(FieldError::new("members", "an aggregation has members"));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&body);
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            let id = Uuid::new_v4();
            diesel::insert_into(enti::table)
                .values((
                    enti::id.eq(id),
                    enti::code.eq(&body.code),
                    enti::kind.eq(body.kind.as_str()),
                    enti::name.eq(&body.name),
                ))
                .execute(conn)?;
            let codes: Vec<&str> = body.members.iter().map(IstatCode::as_str).collect();
            let members: Vec<(Uuid, String)> = enti::table
                .filter(enti::code.eq_any(&codes))
                .filter(enti::kind.eq(EnteKind::Comune.as_str()))
                .select((enti::id, enti::code))
                .load(conn)?;
            if let Some(missing) = codes.iter().find(|c| !members.iter().any(|(_, m)| m == *c)) {
                return Err(ApiError::Unprocessable {
                    detail: format!("{missing} is not a comune of the registry"),
                    errors: vec![FieldError::new(
                        "members",
                        format!("unknown comune {missing}"),
                    )],
                });
            }
            for (member, _) in &members {
                diesel::insert_into(aggregation_members::table)
                    .values((
                        aggregation_members::aggregation_id.eq(id),
                        aggregation_members::member_id.eq(member),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)?;
            }
            let row = by_code(conn, &body.code)?;
            let mut member_codes: Vec<String> = members.into_iter().map(|(_, c)| c).collect();
            member_codes.sort();
            let detail = EnteDetail {
                ente: Ente::try_from(row)?,
                members: member_codes,
                member_of: Vec::new(),
                source: DATA_SOURCE.to_owned(),
            };
            audit::record(
                conn,
                Change {
                    actor: &actor,
                    entity: "ente",
                    entity_id: body.code.clone(),
                    action: "create_aggregation",
                    reason: None,
                    before: None,
                    after: Some(apq_platform::versioned::view_of(&detail)?),
                },
            )?;
            Stored::created(&detail, format!("/v1/enti/{}", body.code), Some(etag(1)))
        })
    })
    .await?;
    Ok(stored.into_response())
}
