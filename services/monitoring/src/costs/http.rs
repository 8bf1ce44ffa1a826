//! The cost plan's and the economies' endpoints: parse, authorise, call the rules and queries,
//! answer. What the rules refuse becomes a problem here, in one place
//! (`From<CostError> for ApiError`).

use actix_web::{HttpResponse, get, patch, post, web};
use apq_platform::concurrency::{etag, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::versioned::{self, Edit, IfMatch};
use apq_platform::{ApiError, Caller};
use chrono::Utc;

use super::json::{
    CodePath, CostPlan, CostYear, CostYearPatch, Economy, EconomyList, EconomyPatch, FundPath,
    NewCostYear, NewEconomy, YearPath,
};
use super::queries;
use super::rules::{self, CostError, Fund};
use crate::access::require_recorder;
use crate::peers::Agreements;

/// What the cost plan's and the economies' records are, in a refusal to a caller who may not
/// record them.
const RECORDS: &str = "record its cost plan and economies";

impl From<CostError> for ApiError {
    fn from(error: CostError) -> Self {
        ApiError::field(error.field(), error)
    }
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
    require_recorder(&caller, &code, RECORDS)?;
    let b = body.into_inner();
    let today = Utc::now().date_naive();
    ApiError::refuse_any(
        rules::check_year(b.year, b.realised, b.to_realise, today),
        CostError::field,
    )?;
    let code = agreements.intervento(&code).await?.code;
    idempotency::respond_once(
        &pool,
        caller.subject(),
        key,
        (code, b),
        |conn, actor, (code, b)| {
            let created: CostYear = versioned::create(conn, Edit::new(actor, "plan"), |conn| {
                queries::insert_year(conn, &code, &b, actor)
            })?;
            Stored::created(
                &created,
                format!("/v1/interventi/{code}/cost-plan/{}", created.year),
                Some(etag(created.version)),
            )
        },
    )
    .await
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
    require_recorder(&caller, &code, RECORDS)?;
    let p = body.into_inner();
    let actor = caller.subject().to_owned();
    let today = Utc::now().date_naive();
    let updated: CostYear = run_db(&pool, move |conn| {
        let id = queries::year_id(conn, &code, year)?;
        let edit = Edit::new(&actor, "update").because(p.reason.as_deref());
        versioned::update(conn, id, if_match, edit, |conn, cur: &CostYear| {
            let realised = p.realised.unwrap_or(cur.realised);
            let to_realise = p.to_realise.unwrap_or(cur.to_realise);
            ApiError::refuse_any(
                rules::check_year(cur.year, realised, to_realise, today),
                CostError::field,
            )?;
            queries::set_year(conn, id, realised, to_realise)?;
            Ok(())
        })
    })
    .await?;
    Ok(ok_with_etag(updated.version, &updated))
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
    let code = path.into_inner().code;
    let items = crate::lists::of_intervento(&pool, code, queries::plan_of).await?;
    let total = rules::plan_total(items.iter().map(|y| (y.realised, y.to_realise)));
    Ok(HttpResponse::Ok().json(CostPlan { items, total }))
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
    require_recorder(&caller, &code, RECORDS)?;
    let b = body.into_inner();
    let today = Utc::now().date_naive();
    ApiError::refuse_any(
        rules::check_economy(b.amount, b.ascertained_on, b.note.as_deref(), today),
        CostError::field,
    )?;
    let code = agreements.intervento(&code).await?.code;
    idempotency::respond_once(
        &pool,
        caller.subject(),
        key,
        (code, b),
        |conn, actor, (code, b)| {
            let edit = Edit::new(actor, "ascertain").because(b.note.as_deref());
            let created: Economy = versioned::create(conn, edit, |conn| {
                queries::insert_economy(conn, &code, &b, actor)
            })?;
            Stored::created(
                &created,
                format!("/v1/interventi/{code}/economie/{}", created.fund),
                Some(etag(created.version)),
            )
        },
    )
    .await
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
    require_recorder(&caller, &code, RECORDS)?;
    let p = body.into_inner();
    let actor = caller.subject().to_owned();
    let today = Utc::now().date_naive();
    let updated: Economy = run_db(&pool, move |conn| {
        let id = queries::economy_id(conn, &code, fund)?;
        let edit = Edit::new(&actor, "update").because(p.reason.as_deref());
        versioned::update(conn, id, if_match, edit, |conn, cur: &Economy| {
            let amount = p.amount.unwrap_or(cur.amount);
            let on = p.ascertained_on.unwrap_or(cur.ascertained_on);
            ApiError::refuse_any(
                rules::check_economy(amount, on, None, today),
                CostError::field,
            )?;
            queries::set_economy(conn, id, amount, on)?;
            Ok(())
        })
    })
    .await?;
    Ok(ok_with_etag(updated.version, &updated))
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
    let code = path.into_inner().code;
    let items = crate::lists::of_intervento(&pool, code, queries::economies_of).await?;
    let total = rules::economies_total(items.iter().map(|e| e.amount));
    Ok(HttpResponse::Ok().json(EconomyList { items, total }))
}

#[cfg(test)]
mod tests {
    use apq_domain::Euro;
    use chrono::NaiveDate;

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
        let check_year = |year, realised, to_realise, today| {
            ApiError::refuse_any(
                rules::check_year(year, realised, to_realise, today),
                CostError::field,
            )
        };
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
        let check_economy = |amount, on, note, today| {
            ApiError::refuse_any(
                rules::check_economy(amount, on, note, today),
                CostError::field,
            )
        };
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
    fn every_refusal_is_a_problem_naming_its_field_with_the_message_of_the_rule() {
        match ApiError::refuse_any(
            rules::check_year(1900, eur(-1), eur(-1), day("2010-06-30")),
            CostError::field,
        ) {
            Err(ApiError::Validation { errors }) => {
                let got: Vec<_> = errors
                    .iter()
                    .map(|e| (e.field.as_str(), e.message.as_str()))
                    .collect();
                assert_eq!(
                    got,
                    [
                        ("year", "a year between 1990 and 2100"),
                        ("realised", "cannot be negative"),
                        ("to_realise", "cannot be negative"),
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
        match ApiError::from(CostError::RealisedAhead) {
            ApiError::Validation { errors } => {
                assert_eq!(errors[0].field, "realised");
                assert_eq!(
                    errors[0].message,
                    "nothing is realised in a year that has not begun"
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
