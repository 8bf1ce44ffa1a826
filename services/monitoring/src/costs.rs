//! The annual cost plan of an intervento (PUC FN03: per year, the cost realised and the cost
//! still to realise) and its economies (FN10: savings ascertained at the semestral monitoring,
//! art. 4.3 of the IV Atto, one amount per source of financing). Both are recorded data: the
//! seed gives neither for the IV Atto's interventi, so nothing is seeded and an unknown plan is
//! absent (check 011 says so), never zero. Each year and each economy is versioned (`If-Match`,
//! ETag), each write audited, and recorded by the intervento's responsabile or admin, as the
//! impegni and pagamenti are. The national check 039 reads them: plan + economies = financing.

use actix_web::{HttpResponse, get, patch, post, web};
use apq_domain::{Euro, Role, text_enum};
use apq_platform::concurrency::{etag, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::text_column::EuroColumn;
use apq_platform::versioned::{self, Edit, IfMatch, Versioned};
use apq_platform::{ApiError, Caller, FieldError};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::peers::Agreements;
use crate::schema::{cost_plan_years, economies};

text_enum!(
    /// A source of an intervento's financing, as the agreements register names its contributors.
    Fund { Stato = "stato", RegioneToscana = "regione_toscana", Eell = "eell", Altro = "altro" }
);

/// One year of the cost plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = cost_plan_years)]
pub struct CostYear {
    pub id: Uuid,
    pub intervento_code: String,
    /// ANNO_PIANO.
    #[schema(format = Int32)]
    pub year: i32,
    /// IMP_REALIZZATO: the cost realised in the year.
    #[diesel(deserialize_as = EuroColumn)]
    pub realised: Euro,
    /// IMP_DA_REALIZZARE: the cost still to realise in the year.
    #[diesel(deserialize_as = EuroColumn)]
    pub to_realise: Euro,
    pub recorded_by: String,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An economy on one source of financing.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = economies)]
pub struct Economy {
    pub id: Uuid,
    pub intervento_code: String,
    /// The source it is an economy of (FN10's COD_FONDO is its TC33 code).
    #[schema(value_type = Fund)]
    pub fund: String,
    #[diesel(deserialize_as = EuroColumn)]
    pub amount: Euro,
    /// When the responsabile ascertained it (at the semestral monitoring).
    pub ascertained_on: NaiveDate,
    pub note: Option<String>,
    pub recorded_by: String,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for CostYear {
    const ENTITY: &'static str = "cost_plan_year";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        cost_plan_years::table
            .find(id)
            .select(CostYear::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("cost plan year {id}")))
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(cost_plan_years, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(self)
    }
}

impl Versioned for Economy {
    const ENTITY: &'static str = "economy";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        economies::table
            .find(id)
            .select(Economy::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("economy {id}")))
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(economies, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(self)
    }
}

/// The checks of one year of the plan: a year of the programme's span, amounts not negative,
/// and nothing realised in a year that has not begun.
pub fn check_year(
    year: i32,
    realised: Euro,
    to_realise: Euro,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if !(1990..=2100).contains(&year) {
        errors.push(FieldError::new("year", "a year between 1990 and 2100"));
    }
    if realised.is_negative() {
        errors.push(FieldError::new("realised", "cannot be negative"));
    } else if year > today.year() && realised > Euro::ZERO {
        errors.push(FieldError::new(
            "realised",
            "nothing is realised in a year that has not begun",
        ));
    }
    if to_realise.is_negative() {
        errors.push(FieldError::new("to_realise", "cannot be negative"));
    }
    ApiError::unless_any(errors)
}

/// The checks of one economy: a positive amount, ascertained by today, a one-line note.
pub fn check_economy(
    amount: Euro,
    ascertained_on: NaiveDate,
    note: Option<&str>,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if amount <= Euro::ZERO {
        errors.push(FieldError::new("amount", "must be positive"));
    }
    if ascertained_on > today {
        errors.push(FieldError::new("ascertained_on", "cannot be in the future"));
    }
    if note.is_some_and(|n| n.chars().count() > 500 || n.contains(['#', '|', '\r', '\n'])) {
        errors.push(FieldError::new(
            "note",
            "at most 500 characters, on one line, without # or |",
        ));
    }
    ApiError::unless_any(errors)
}

/// The plan's total: realised plus to realise, every year.
pub fn plan_total(years: &[CostYear]) -> Euro {
    years.iter().map(|y| y.realised + y.to_realise).sum()
}

/// The economies' total.
pub fn economies_total(items: &[Economy]) -> Euro {
    items.iter().map(|e| e.amount).sum()
}

/// The cost plan of `code`, by year.
pub fn plan_of(conn: &mut PgConnection, code: &str) -> QueryResult<Vec<CostYear>> {
    cost_plan_years::table
        .filter(cost_plan_years::intervento_code.eq(code))
        .order(cost_plan_years::year.asc())
        .select(CostYear::as_select())
        .load(conn)
}

/// The economies of `code`, by fund.
pub fn economies_of(conn: &mut PgConnection, code: &str) -> QueryResult<Vec<Economy>> {
    economies::table
        .filter(economies::intervento_code.eq(code))
        .order(economies::fund.asc())
        .select(Economy::as_select())
        .load(conn)
}

/// Who records an intervento's cost plan and economies: its responsabile or admin.
fn require_recorder(caller: &Caller, code: &str) -> Result<(), ApiError> {
    if caller.has_any(&[Role::Admin]) || caller.answers_for(code) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "only the responsabile of {code} or admin record its cost plan and economies"
        )))
    }
}

#[derive(Debug, Deserialize)]
pub struct CodePath {
    pub code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCostYear {
    /// ANNO_PIANO.
    #[schema(format = Int32, minimum = 1990, maximum = 2100)]
    pub year: i32,
    #[schema(value_type = apq_domain::NonNegativeEuro)]
    pub realised: Euro,
    #[schema(value_type = apq_domain::NonNegativeEuro)]
    pub to_realise: Euro,
}

/// Records one year of the intervento's cost plan: its responsabile or admin. Safe to retry
/// with `Idempotency-Key`.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$"), IdempotencyKey),
    request_body = NewCostYear,
    responses(
        (status = 201, description = "Recorded", body = CostYear, headers(("Location" = String, description = "The year"))),
        (status = 404, description = "No such intervento in the agreements register", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The plan already has the year", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/interventi/{code}/cost-plan")]
pub async fn create_year(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    path: Path<CodePath>,
    body: Json<NewCostYear>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner().code;
    require_recorder(&caller, &code)?;
    let b = body.into_inner();
    check_year(b.year, b.realised, b.to_realise, Utc::now().date_naive())?;
    let code = agreements.intervento(&code).await?.code;
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&(&code, &b));
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            let created: CostYear = versioned::create(conn, Edit::new(&actor, "plan"), |conn| {
                insert_year(conn, &code, &b, &actor)
            })?;
            Stored::created(
                &created,
                format!("/v1/interventi/{code}/cost-plan/{}", created.year),
                Some(etag(created.version)),
            )
        })
    })
    .await?;
    Ok(stored.into_response())
}

fn insert_year(
    conn: &mut PgConnection,
    code: &str,
    b: &NewCostYear,
    actor: &str,
) -> Result<Uuid, ApiError> {
    let id = Uuid::new_v4();
    let inserted = diesel::insert_into(cost_plan_years::table)
        .values((
            cost_plan_years::id.eq(id),
            cost_plan_years::intervento_code.eq(code),
            cost_plan_years::year.eq(b.year),
            cost_plan_years::realised.eq(b.realised.decimal()),
            cost_plan_years::to_realise.eq(b.to_realise.decimal()),
            cost_plan_years::recorded_by.eq(actor),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    if inserted == 0 {
        return Err(ApiError::Conflict(format!(
            "the cost plan of {code} already has {} (change it with PATCH)",
            b.year
        )));
    }
    Ok(id)
}

/// A merge patch of one year of the plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CostYearPatch {
    #[serde(default)]
    #[schema(value_type = Option<apq_domain::NonNegativeEuro>)]
    pub realised: Option<Euro>,
    #[serde(default)]
    #[schema(value_type = Option<apq_domain::NonNegativeEuro>)]
    pub to_realise: Option<Euro>,
    /// Why the plan changes (kept in the audit trail).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct YearPath {
    pub code: String,
    pub year: i32,
}

/// Changes one year of the intervento's cost plan: its responsabile or admin. Requires
/// `If-Match`; the earlier amounts stay in the audit trail.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$"),
        ("year" = i32, Path, description = "The plan's year, e.g. 2009", minimum = 1990, maximum = 2100),
        IfMatch,
    ),
    request_body(content = CostYearPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Changed", body = CostYear),
        (status = 404, description = "The plan has no such year", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/interventi/{code}/cost-plan/{year}")]
pub async fn update_year(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<YearPath>,
    body: Json<CostYearPatch>,
) -> Result<HttpResponse, ApiError> {
    let YearPath { code, year } = path.into_inner();
    crate::peers::intervento_code(&code)?;
    require_recorder(&caller, &code)?;
    let p = body.into_inner();
    let actor = caller.subject().to_owned();
    let today = Utc::now().date_naive();
    let updated: CostYear = run_db(&pool, move |conn| {
        let id: Uuid = cost_plan_years::table
            .filter(cost_plan_years::intervento_code.eq(&code))
            .filter(cost_plan_years::year.eq(year))
            .select(cost_plan_years::id)
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("the cost plan of {code} for {year}")))?;
        let edit = Edit::new(&actor, "update").because(p.reason.as_deref());
        versioned::update(conn, id, if_match, edit, |conn, cur: &CostYear| {
            let realised = p.realised.unwrap_or(cur.realised);
            let to_realise = p.to_realise.unwrap_or(cur.to_realise);
            check_year(cur.year, realised, to_realise, today)?;
            diesel::update(cost_plan_years::table.find(id))
                .set((
                    cost_plan_years::realised.eq(realised.decimal()),
                    cost_plan_years::to_realise.eq(to_realise.decimal()),
                ))
                .execute(conn)?;
            Ok(())
        })
    })
    .await?;
    Ok(ok_with_etag(updated.version, &updated))
}

/// The cost plan of an intervento with its total.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CostPlan {
    pub items: Vec<CostYear>,
    /// Realised plus to realise, every year.
    pub total: Euro,
}

/// The intervento's cost plan, by year, with its total. Public.
#[utoipa::path(
    tag = "puc",
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$")),
    responses((status = 200, description = "The cost plan", body = CostPlan))
)]
#[get("/interventi/{code}/cost-plan")]
pub async fn list_plan(
    pool: web::Data<PgPool>,
    path: Path<CodePath>,
) -> Result<HttpResponse, ApiError> {
    let items = crate::lists::of_intervento(&pool, path.into_inner().code, plan_of).await?;
    let total = plan_total(&items);
    Ok(HttpResponse::Ok().json(CostPlan { items, total }))
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEconomy {
    pub fund: Fund,
    #[schema(value_type = apq_domain::PositiveEuro)]
    pub amount: Euro,
    pub ascertained_on: NaiveDate,
    #[serde(default)]
    #[schema(max_length = 500, pattern = "^[^#|\\r\\n\\u0000]*$")]
    pub note: Option<String>,
}

/// Records an economy of the intervento on one source of financing: its responsabile or admin.
/// Safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$"), IdempotencyKey),
    request_body = NewEconomy,
    responses(
        (status = 201, description = "Recorded", body = Economy, headers(("Location" = String, description = "The economy"))),
        (status = 404, description = "No such intervento in the agreements register", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The intervento already has an economy on the fund", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/interventi/{code}/economie")]
pub async fn create_economy(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    path: Path<CodePath>,
    body: Json<NewEconomy>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner().code;
    require_recorder(&caller, &code)?;
    let b = body.into_inner();
    check_economy(
        b.amount,
        b.ascertained_on,
        b.note.as_deref(),
        Utc::now().date_naive(),
    )?;
    let code = agreements.intervento(&code).await?.code;
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&(&code, &b));
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            let edit = Edit::new(&actor, "ascertain").because(b.note.as_deref());
            let created: Economy =
                versioned::create(conn, edit, |conn| insert_economy(conn, &code, &b, &actor))?;
            Stored::created(
                &created,
                format!("/v1/interventi/{code}/economie/{}", created.fund),
                Some(etag(created.version)),
            )
        })
    })
    .await?;
    Ok(stored.into_response())
}

fn insert_economy(
    conn: &mut PgConnection,
    code: &str,
    b: &NewEconomy,
    actor: &str,
) -> Result<Uuid, ApiError> {
    let id = Uuid::new_v4();
    let inserted = diesel::insert_into(economies::table)
        .values((
            economies::id.eq(id),
            economies::intervento_code.eq(code),
            economies::fund.eq(b.fund.as_str()),
            economies::amount.eq(b.amount.decimal()),
            economies::ascertained_on.eq(b.ascertained_on),
            economies::note.eq(&b.note),
            economies::recorded_by.eq(actor),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    if inserted == 0 {
        return Err(ApiError::Conflict(format!(
            "{code} already has an economy on {} (change it with PATCH)",
            b.fund
        )));
    }
    Ok(id)
}

/// A merge patch of an economy.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct EconomyPatch {
    #[serde(default)]
    #[schema(value_type = Option<apq_domain::PositiveEuro>)]
    pub amount: Option<Euro>,
    #[serde(default)]
    pub ascertained_on: Option<NaiveDate>,
    /// Why it changes (kept in the audit trail).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct FundPath {
    pub code: String,
    pub fund: Fund,
}

/// Changes an economy of the intervento: its responsabile or admin. Requires `If-Match`; the
/// earlier amount stays in the audit trail.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$"),
        ("fund" = Fund, Path, description = "The source of financing"),
        IfMatch,
    ),
    request_body(content = EconomyPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Changed", body = Economy),
        (status = 404, description = "No economy on that fund", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/interventi/{code}/economie/{fund}")]
pub async fn update_economy(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<FundPath>,
    body: Json<EconomyPatch>,
) -> Result<HttpResponse, ApiError> {
    let FundPath { code, fund } = path.into_inner();
    crate::peers::intervento_code(&code)?;
    require_recorder(&caller, &code)?;
    let p = body.into_inner();
    let actor = caller.subject().to_owned();
    let today = Utc::now().date_naive();
    let updated: Economy = run_db(&pool, move |conn| {
        let id: Uuid = economies::table
            .filter(economies::intervento_code.eq(&code))
            .filter(economies::fund.eq(fund.as_str()))
            .select(economies::id)
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("the economy of {code} on {fund}")))?;
        let edit = Edit::new(&actor, "update").because(p.reason.as_deref());
        versioned::update(conn, id, if_match, edit, |conn, cur: &Economy| {
            let amount = p.amount.unwrap_or(cur.amount);
            let on = p.ascertained_on.unwrap_or(cur.ascertained_on);
            check_economy(amount, on, None, today)?;
            diesel::update(economies::table.find(id))
                .set((
                    economies::amount.eq(amount.decimal()),
                    economies::ascertained_on.eq(on),
                ))
                .execute(conn)?;
            Ok(())
        })
    })
    .await?;
    Ok(ok_with_etag(updated.version, &updated))
}

/// The economies of an intervento with their total.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EconomyList {
    pub items: Vec<Economy>,
    pub total: Euro,
}

/// The intervento's economies, by fund, with their total. Public.
#[utoipa::path(
    tag = "puc",
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$")),
    responses((status = 200, description = "The economies", body = EconomyList))
)]
#[get("/interventi/{code}/economie")]
pub async fn list_economies(
    pool: web::Data<PgPool>,
    path: Path<CodePath>,
) -> Result<HttpResponse, ApiError> {
    let items = crate::lists::of_intervento(&pool, path.into_inner().code, economies_of).await?;
    let total = economies_total(&items);
    Ok(HttpResponse::Ok().json(EconomyList { items, total }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(raw: &str) -> NaiveDate {
        raw.parse().unwrap_or_default()
    }

    fn eur(cents: i64) -> Euro {
        Euro::from_cents(cents)
    }

    fn fields(result: Result<(), ApiError>) -> String {
        result.err().map(|e| format!("{e:?}")).unwrap_or_default()
    }

    #[test]
    fn a_year_of_the_plan_is_checked_on_its_own() {
        let today = day("2010-06-30");
        assert!(check_year(2009, eur(100), eur(0), today).is_ok());
        assert!(
            check_year(2011, eur(0), eur(100), today).is_ok(),
            "planned ahead"
        );
        assert!(fields(check_year(1900, eur(0), eur(0), today)).contains("year"));
        assert!(fields(check_year(2009, eur(-1), eur(0), today)).contains("realised"));
        assert!(fields(check_year(2009, eur(0), eur(-1), today)).contains("to_realise"));
        assert!(
            fields(check_year(2011, eur(1), eur(0), today)).contains("realised"),
            "nothing realised in a year to come"
        );
    }

    #[test]
    fn an_economy_is_positive_ascertained_and_on_one_line() {
        let today = day("2010-06-30");
        assert!(check_economy(eur(1), day("2010-06-30"), Some("Ribasso"), today).is_ok());
        assert!(fields(check_economy(eur(0), day("2010-01-01"), None, today)).contains("amount"));
        assert!(
            fields(check_economy(eur(1), day("2010-07-01"), None, today))
                .contains("ascertained_on")
        );
        assert!(
            fields(check_economy(eur(1), day("2010-01-01"), Some("a|b"), today)).contains("note")
        );
    }

    #[test]
    fn the_totals_add_every_year_and_every_fund() {
        let year = |y: i32, realised: i64, to_realise: i64| CostYear {
            id: Uuid::nil(),
            intervento_code: "CSTT-ALI".into(),
            year: y,
            realised: eur(realised),
            to_realise: eur(to_realise),
            recorded_by: "t".into(),
            version: 1,
            created_at: DateTime::<Utc>::MIN_UTC,
            updated_at: DateTime::<Utc>::MIN_UTC,
        };
        assert_eq!(
            plan_total(&[year(2008, 100, 0), year(2009, 50, 25)]),
            eur(175)
        );
        assert_eq!(plan_total(&[]), Euro::ZERO);
        let economy = Economy {
            id: Uuid::nil(),
            intervento_code: "CSTT-ALI".into(),
            fund: "stato".into(),
            amount: eur(30),
            ascertained_on: day("2010-01-01"),
            note: None,
            recorded_by: "t".into(),
            version: 1,
            created_at: DateTime::<Utc>::MIN_UTC,
            updated_at: DateTime::<Utc>::MIN_UTC,
        };
        assert_eq!(economies_total(&[economy.clone(), economy]), eur(60));
    }
}
