//! The calendar's endpoints: parse, authorise, call the rules and queries, answer. What the
//! rules refuse becomes a problem here, in one place (`From<CalendarError> for ApiError`).

use actix_web::{HttpResponse, get, post, web};
use apq_platform::db::{PgPool, run_db, run_tx};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::{ApiError, Caller, FieldError};
use chrono::NaiveDate;

use super::json::{Calendar, CalendarItem, CalendarQuery, Fulfilment, SemesterPath};
use super::rules::CalendarError;
use super::{queries, rules};
use crate::deadlines::{SemesterDeadlines, for_semester, schedule};
use crate::peers::Agreements;

impl From<CalendarError> for ApiError {
    fn from(error: CalendarError) -> Self {
        let detail = error.to_string();
        match error {
            CalendarError::NoAtto(_) => ApiError::Unprocessable {
                detail,
                errors: vec![FieldError::new("atto", "no such atto integrativo")],
            },
            CalendarError::NotSigned(_) => ApiError::Unprocessable {
                detail,
                errors: vec![FieldError::new(
                    "signed_on",
                    "the atto has no signature date",
                )],
            },
            CalendarError::SemesterRequired | CalendarError::NoSemester => {
                ApiError::field("semester", detail)
            }
        }
    }
}

/// A semester's deadlines. Public.
#[utoipa::path(
    tag = "calendar",
    params(("semester" = apq_domain::Semester, Path, description = "A semester, e.g. 2009-S2")),
    responses((status = 200, description = "Its deadlines", body = SemesterDeadlines))
)]
#[get("/semesters/{semester}")]
pub async fn semester(path: Path<SemesterPath>) -> HttpResponse {
    HttpResponse::Ok().json(for_semester(path.semester))
}

/// Everything due from the signature, with what is done, pending and late. Public.
///
/// With the schedule, the CUP of each of the atto's interventi, due at the first monitoring
/// (art. 7.2.h), read from the agreements register (a 503 naming it when it does not answer).
#[utoipa::path(
    tag = "calendar",
    params(CalendarQuery),
    responses(
        (status = 200, description = "The calendar", body = Calendar),
        (status = 422, description = "No such atto, or the atto is not signed yet and no signed_on was given", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/calendar")]
pub async fn calendar(
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    query: Query<CalendarQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let number = query.atto.unwrap_or(4);
    let atto = agreements.atto(number).await.map_err(|e| match e {
        ApiError::NotFound(what) => CalendarError::NoAtto(what).into(),
        other => other,
    })?;
    let signed_on = match query.signed_on.or(atto.signed_on) {
        Some(date) => date,
        None => return Err(CalendarError::NotSigned(number).into()),
    };
    let as_of = query
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let until = query.until.unwrap_or_else(|| rules::a_year_after(as_of));
    crate::deadlines::check_span(signed_on, until, "until")?;
    let interventi = agreements.interventi(atto.id).await?;
    let done = run_db(&pool, |conn| Ok::<_, ApiError>(queries::load_done(conn)?)).await?;
    let cups: Vec<(String, bool)> = interventi
        .into_iter()
        .map(|i| (i.code, i.cup.is_some()))
        .collect();
    let items = items(signed_on, until, as_of, &done, &cups);
    Ok(HttpResponse::Ok().json(Calendar::new(signed_on, as_of, items)))
}

/// The calendar's items in date order: the atto's schedule and the interventi's CUPs.
fn items(
    signed_on: NaiveDate,
    until: NaiveDate,
    as_of: NaiveDate,
    done: &rules::Done,
    cups: &[(String, bool)],
) -> Vec<CalendarItem> {
    let mut items: Vec<CalendarItem> = schedule(signed_on, until)
        .into_iter()
        .map(|due| CalendarItem::new(&due, done, as_of))
        .chain(
            rules::cup_dues(signed_on, until, cups, as_of)
                .into_iter()
                .map(|(code, due_on, status)| CalendarItem::cup(code, due_on, status)),
        )
        .collect();
    items.sort_by_key(|i| i.due_on);
    items
}

/// Records that an obligation was fulfilled (the soggetto responsabile, admin; the Piano's
/// submission also the responsabile di intervento).
#[utoipa::path(
    tag = "calendar",
    security(("bearer" = [])),
    request_body = Fulfilment,
    responses(
        (status = 201, description = "Recorded", body = Fulfilment),
        (status = 409, description = "Already recorded", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/obligations")]
pub async fn fulfil(
    caller: Caller,
    pool: web::Data<PgPool>,
    body: Json<Fulfilment>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    caller.require_any(rules::recorders(body.obligation))?;
    rules::check_semester(body.obligation, body.semester)?;
    let actor = caller.subject().to_owned();
    let recorded = body.clone();
    run_tx(&pool, move |conn| queries::insert(conn, &body, &actor)).await?;
    Ok(HttpResponse::Created().json(recorded))
}
