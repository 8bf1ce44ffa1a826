//! The adherents of each intervento: the bodies that adhere to it (art. 4.2.b counts "i Comuni
//! aderenti"; a later adhesion to the Accordo, art. 10.3, is registered the same way), each with
//! its date, act and priority flag, against the count the Atto declares (138 comuni for CSTT-ALI,
//! 114 of them with priority; 286 administrations for GEOSIGMA). The 30% rule divides by the
//! declared count; where the registered adherents differ from it, the answer says so with both
//! figures.

use actix_web::{HttpResponse, get, post, web};
use apq_domain::{Percent, Role};
use apq_platform::concurrency::etag;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::versioned::{self, Edit, Versioned};
use apq_platform::{ApiError, Caller, FieldError};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::enti::by_code;
use crate::schema::{adherents, adhesions, declared_adherents, enti};

#[derive(Debug, Deserialize)]
pub struct CodePath {
    pub code: String,
}

/// What the Atto declares of an intervento's adherents.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable)]
pub struct Declared {
    pub intervento_code: String,
    /// `comuni` or `amministrazioni`.
    pub unit: String,
    #[schema(format = Int32)]
    pub count: i32,
    /// How many have priority in the initial phase, where the Atto says.
    #[schema(format = Int32)]
    pub priority: Option<i32>,
    /// Where the Atto says it (seed lines).
    pub source_ref: String,
}

fn declared(conn: &mut PgConnection, code: &str) -> Result<Declared, ApiError> {
    declared_adherents::table
        .find(code)
        .select((
            declared_adherents::intervento_code,
            declared_adherents::unit,
            declared_adherents::declared_count,
            declared_adherents::declared_priority,
            declared_adherents::source_ref,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "intervento {code} has no declared adherents in the register"
            ))
        })
}

/// Every intervento's declared adherents with the count registered now.
pub fn registered_against_declared(
    conn: &mut PgConnection,
) -> Result<Vec<(Declared, i64)>, ApiError> {
    let declared: Vec<Declared> = declared_adherents::table
        .order(declared_adherents::intervento_code.asc())
        .select((
            declared_adherents::intervento_code,
            declared_adherents::unit,
            declared_adherents::declared_count,
            declared_adherents::declared_priority,
            declared_adherents::source_ref,
        ))
        .load(conn)?;
    declared
        .into_iter()
        .map(|d| {
            let registered: i64 = adherents::table
                .filter(adherents::intervento_code.eq(&d.intervento_code))
                .count()
                .get_result(conn)?;
            Ok((d, registered))
        })
        .collect()
}

/// The inconsistency between registered and declared adherents, if any.
fn inconsistency(declared: &Declared, registered: i64) -> Option<String> {
    (registered != i64::from(declared.count)).then(|| {
        format!(
            "{registered} adherents of {} are registered; the Atto declares {} {} ({}); the rule's denominator is the declared count",
            declared.intervento_code, declared.count, declared.unit, declared.source_ref
        )
    })
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Adherent {
    pub id: Uuid,
    pub intervento_code: String,
    pub ente_code: String,
    pub ente_name: String,
    pub adhered_on: NaiveDate,
    /// The adhesion letter or delibera.
    pub act_ref: String,
    /// Among the bodies served first (CSTT-ALI: the 114 priority comuni).
    pub priority: bool,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

type AdherentTuple = (
    Uuid,
    String,
    String,
    String,
    NaiveDate,
    String,
    bool,
    i64,
    DateTime<Utc>,
);

fn from_tuple(t: AdherentTuple) -> Adherent {
    Adherent {
        id: t.0,
        intervento_code: t.1,
        ente_code: t.2,
        ente_name: t.3,
        adhered_on: t.4,
        act_ref: t.5,
        priority: t.6,
        version: t.7,
        created_at: t.8,
    }
}

macro_rules! adherent_columns {
    () => {
        (
            adherents::id,
            adherents::intervento_code,
            enti::code,
            enti::name,
            adherents::adhered_on,
            adherents::act_ref,
            adherents::priority,
            adherents::version,
            adherents::created_at,
        )
    };
}

/// An adherent is its own small aggregate.
pub struct AdherentRecord(Adherent);

impl Versioned for AdherentRecord {
    const ENTITY: &'static str = "adherent";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        adherents::table
            .find(id)
            .select(adherents::id)
            .for_update()
            .first::<Uuid>(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("adherent {id}")))?;
        let row: AdherentTuple = adherents::table
            .inner_join(enti::table)
            .filter(adherents::id.eq(id))
            .select(adherent_columns!())
            .first(conn)?;
        Ok(Self(from_tuple(row)))
    }

    fn version(&self) -> i64 {
        self.0.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(adherents, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(&self.0)
    }
}

/// A body adheres to an intervento.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAdherent {
    /// The body's code (a comune's ISTAT code).
    pub ente_code: String,
    pub adhered_on: NaiveDate,
    /// The adhesion letter or delibera.
    #[schema(pattern = "\\S")]
    pub act_ref: String,
    /// Among the bodies served first in the initial phase.
    #[serde(default)]
    pub priority: bool,
}

/// Registers a body as an adherent of the intervento (admin; an `ente` token for its own body).
/// Safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "adherents",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI"), IdempotencyKey),
    request_body = NewAdherent,
    responses(
        (status = 201, description = "Registered", body = Adherent, headers(("Location" = String, description = "The intervento's adherents"))),
        (status = 409, description = "The body already adheres to the intervento", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown body, or one the intervento's adherents cannot be", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/interventi/{code}/adherents")]
pub async fn create(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    path: Path<CodePath>,
    body: Json<NewAdherent>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[Role::Admin, Role::Ente])?;
    let body = body.into_inner();
    if body.act_ref.trim().is_empty() {
        return Err(ApiError::field(
            "act_ref",
            "name the adhesion letter or delibera",
        ));
    }
    if !caller.has(Role::Admin) && caller.ente() != Some(body.ente_code.as_str()) {
        return Err(ApiError::Forbidden(format!(
            "the caller may not act for the body {}",
            body.ente_code
        )));
    }
    let code = path.into_inner().code;
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&(&code, &body));
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            let declared = declared(conn, &code)?;
            let ente = by_code(conn, &body.ente_code).map_err(|_| ApiError::Unprocessable {
                detail: format!("there is no body {} in the registry", body.ente_code),
                errors: vec![FieldError::new("ente_code", "unknown body")],
            })?;
            let existed = ente.existed_from.is_none_or(|from| from <= body.adhered_on)
                && ente
                    .ceased_on
                    .is_none_or(|ceased| body.adhered_on <= ceased);
            if !existed {
                return Err(ApiError::Unprocessable {
                    detail: format!(
                        "{} ({}) did not exist on {}: it existed from {} to {}",
                        ente.name,
                        body.ente_code,
                        body.adhered_on,
                        ente.existed_from
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "?".to_owned()),
                        ente.ceased_on
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "today".to_owned()),
                    ),
                    errors: vec![FieldError::new("adhered_on", "the body did not exist then")],
                });
            }
            if declared.unit == "comuni" && ente.kind != "comune" {
                return Err(ApiError::Unprocessable {
                    detail: format!(
                        "the adherents of {code} are comuni; {} is a {}",
                        body.ente_code, ente.kind
                    ),
                    errors: vec![FieldError::new("ente_code", "not a comune")],
                });
            }
            let already: i64 = adherents::table
                .filter(adherents::intervento_code.eq(&code))
                .filter(adherents::ente_id.eq(ente.id))
                .count()
                .get_result(conn)?;
            if already > 0 {
                return Err(ApiError::Conflict(format!(
                    "{} already adheres to {code}",
                    body.ente_code
                )));
            }
            let edit = Edit::new(&actor, "adhere").because(Some(&body.act_ref));
            let created: AdherentRecord = versioned::create(conn, edit, |conn| {
                let id = Uuid::new_v4();
                diesel::insert_into(adherents::table)
                    .values((
                        adherents::id.eq(id),
                        adherents::intervento_code.eq(&code),
                        adherents::ente_id.eq(ente.id),
                        adherents::adhered_on.eq(body.adhered_on),
                        adherents::act_ref.eq(&body.act_ref),
                        adherents::priority.eq(body.priority),
                    ))
                    .execute(conn)?;
                Ok(id)
            })?;
            let view = created.0;
            Stored::created(
                &view,
                format!("/v1/interventi/{code}/adherents"),
                Some(etag(view.version)),
            )
        })
    })
    .await?;
    Ok(stored.into_response())
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AdherentList {
    pub declared: Declared,
    #[schema(format = Int64)]
    pub registered: i64,
    #[schema(format = Int64)]
    pub registered_priority: i64,
    /// Registered and declared adherents differ: both figures.
    pub inconsistency: Option<String>,
    pub items: Vec<Adherent>,
}

/// The intervento's adherents, against what the Atto declares. Public (the Atto names them).
#[utoipa::path(
    tag = "adherents",
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI")),
    responses((status = 200, description = "The adherents", body = AdherentList))
)]
#[get("/interventi/{code}/adherents")]
pub async fn list(pool: web::Data<PgPool>, path: Path<CodePath>) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner().code;
    let answer = run_db(&pool, move |conn| {
        let declared = declared(conn, &code)?;
        let rows: Vec<AdherentTuple> = adherents::table
            .inner_join(enti::table)
            .filter(adherents::intervento_code.eq(&code))
            .order((adherents::adhered_on.asc(), enti::code.asc()))
            .select(adherent_columns!())
            .load(conn)?;
        let items: Vec<Adherent> = rows.into_iter().map(from_tuple).collect();
        let registered = i64::try_from(items.len()).unwrap_or(i64::MAX);
        let registered_priority =
            i64::try_from(items.iter().filter(|a| a.priority).count()).unwrap_or(i64::MAX);
        Ok::<_, ApiError>(AdherentList {
            inconsistency: inconsistency(&declared, registered),
            declared,
            registered,
            registered_priority,
            items,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(answer))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommitmentsQuery {
    /// The date the figures are computed at (default: today).
    pub as_of: Option<NaiveDate>,
    /// The intervento's own catalogue services, comma-separated numbers (e.g. `1,2,3`): only
    /// commitments to these count.
    #[param(pattern = "^0*[1-9][0-9]{0,8}(,0*[1-9][0-9]{0,8})*$")]
    pub services: Option<String>,
}

/// The 30% rule's figure (art. 4.2.b): the intervento's adherents with a signed contractual
/// commitment to one of its own services, over the declared adherents.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Commitments {
    pub intervento_code: String,
    pub as_of: NaiveDate,
    /// `comuni` or `amministrazioni`.
    pub unit: String,
    /// The denominator: the count the Atto declares.
    #[schema(format = Int64)]
    pub declared_adherents: i64,
    /// The adherents registered (who adhered by the date).
    #[schema(format = Int64)]
    pub registered_adherents: i64,
    /// Adherents with a commitment signed by the date to one of `services`.
    #[schema(format = Int64)]
    pub committed_adherents: i64,
    /// committed / declared, as a percentage.
    pub committed_share: Percent,
    /// The services whose commitments count.
    pub services: Vec<i32>,
    /// Registered and declared adherents differ: both figures.
    pub inconsistency: Option<String>,
}

fn parse_services(raw: Option<&str>) -> Result<Vec<i32>, ApiError> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(|n| {
            n.trim()
                .parse::<i32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ApiError::field("services", "comma-separated service numbers"))
        })
        .collect()
}

/// Adherents of the intervento with signed commitments to its services, over the declared
/// adherents, as of a date. Public (aggregate counts).
#[utoipa::path(
    tag = "adherents",
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI"), CommitmentsQuery),
    responses((status = 200, description = "The figure", body = Commitments))
)]
#[get("/interventi/{code}/commitments")]
pub async fn commitments(
    pool: web::Data<PgPool>,
    path: Path<CodePath>,
    query: Query<CommitmentsQuery>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner().code;
    let as_of = query
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let services = parse_services(query.services.as_deref())?;
    let answer = run_db(&pool, move |conn| {
        let declared = declared(conn, &code)?;
        let registered: i64 = adherents::table
            .filter(adherents::intervento_code.eq(&code))
            .filter(adherents::adhered_on.le(as_of))
            .count()
            .get_result(conn)?;
        let committed: i64 = adherents::table
            .filter(adherents::intervento_code.eq(&code))
            .filter(adherents::adhered_on.le(as_of))
            .filter(
                adherents::ente_id.eq_any(
                    adhesions::table
                        .filter(adhesions::service_number.eq_any(&services))
                        .filter(adhesions::commitment_signed_on.le(as_of))
                        .filter(
                            adhesions::ceased_on
                                .is_null()
                                .or(adhesions::ceased_on.gt(as_of)),
                        )
                        .select(adhesions::ente_id),
                ),
            )
            .count()
            .get_result(conn)?;
        let whole = Decimal::from(declared.count);
        let committed_share = Percent::ratio(Decimal::from(committed), whole).ok_or_else(|| {
            ApiError::Conflict(format!(
                "{committed} committed adherents of {code} exceed the {} declared: the Tavolo must change the declared count",
                declared.count
            ))
        })?;
        Ok::<_, ApiError>(Commitments {
            intervento_code: code,
            as_of,
            unit: declared.unit.clone(),
            declared_adherents: i64::from(declared.count),
            registered_adherents: registered,
            committed_adherents: committed,
            committed_share,
            services,
            inconsistency: inconsistency(&declared, registered),
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(answer))
}
