//! The monitoring calendar: each semester's deadlines, what is due, by whom, and what is late;
//! and the record of obligations fulfilled.

use actix_web::{HttpResponse, get, post, web};
use apq_domain::{Role, Semester};
use apq_platform::audit::{self, Change};
use apq_platform::db::{PgPool, run_db, run_tx};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::{ApiError, Caller};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::deadlines::{Obligation, SemesterDeadlines, for_semester, schedule};
use crate::peers::Agreements;
use crate::schema::obligations_done;

#[derive(Debug, Deserialize)]
pub struct SemesterPath {
    pub semester: Semester,
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

apq_domain::text_enum!(
    /// Where an obligation stands at the date asked.
    DueStatus { Done = "done", Pending = "pending", Late = "late" }
);

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CalendarItem {
    pub obligation: Obligation,
    pub semester: Option<Semester>,
    pub due_on: NaiveDate,
    /// Who must fulfil it.
    pub party: String,
    pub status: DueStatus,
    pub done_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Calendar {
    pub signed_on: NaiveDate,
    pub as_of: NaiveDate,
    pub items: Vec<CalendarItem>,
    /// How many are late at `as_of`.
    #[schema(format = Int64)]
    pub late: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// The atto's signature date; by default the agreements register's date for atto `atto`.
    pub signed_on: Option<NaiveDate>,
    /// The atto integrativo's number (default 4).
    #[param(format = Int32)]
    pub atto: Option<i32>,
    /// The date at which "late" is judged (default: today).
    pub as_of: Option<NaiveDate>,
    /// The last date the calendar covers (default: a year after `as_of`).
    pub until: Option<NaiveDate>,
}

pub fn load_done(conn: &mut PgConnection) -> QueryResult<Vec<(String, String, NaiveDate)>> {
    obligations_done::table
        .select((
            obligations_done::kind,
            obligations_done::semester,
            obligations_done::done_on,
        ))
        .load(conn)
}

/// Everything due from the signature, with what is done, pending and late. Public.
#[utoipa::path(
    tag = "calendar",
    params(CalendarQuery),
    responses(
        (status = 200, description = "The calendar", body = Calendar),
        (status = 422, description = "The atto is not signed yet and no signed_on was given", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/calendar")]
pub async fn calendar(
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    query: Query<CalendarQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let signed_on = match query.signed_on {
        Some(date) => date,
        None => {
            let number = query.atto.unwrap_or(4);
            let atto = agreements.atto(number).await.map_err(|e| match e {
                ApiError::NotFound(what) => ApiError::Unprocessable {
                    detail: format!("there is no {what}: give signed_on to plan a calendar"),
                    errors: vec![apq_platform::FieldError::new(
                        "atto",
                        "no such atto integrativo",
                    )],
                },
                other => other,
            })?;
            atto.signed_on.ok_or_else(|| ApiError::Unprocessable {
                detail: format!("atto integrativo n. {number} is not signed yet: give signed_on to plan its calendar"),
                errors: vec![apq_platform::FieldError::new("signed_on", "the atto has no signature date")],
            })?
        }
    };
    let as_of = query
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let until = query.until.unwrap_or_else(|| {
        as_of
            .checked_add_days(chrono::Days::new(365))
            .unwrap_or(as_of)
    });
    crate::deadlines::check_span(signed_on, until, "until")?;
    let done = run_db(&pool, |conn| Ok::<_, ApiError>(load_done(conn)?)).await?;
    let items: Vec<CalendarItem> = schedule(signed_on, until)
        .into_iter()
        .map(|due| {
            let key = due.semester.map(|s| s.to_string()).unwrap_or_default();
            let done_on = done
                .iter()
                .find(|(k, s, _)| k == due.obligation.as_str() && *s == key)
                .map(|(_, _, d)| *d);
            let status = match done_on {
                Some(_) => DueStatus::Done,
                None if due.due_on < as_of => DueStatus::Late,
                None => DueStatus::Pending,
            };
            CalendarItem {
                party: due.obligation.party().to_owned(),
                obligation: due.obligation,
                semester: due.semester,
                due_on: due.due_on,
                status,
                done_on,
            }
        })
        .collect();
    let late = items.iter().filter(|i| i.status == DueStatus::Late).count() as i64;
    Ok(HttpResponse::Ok().json(Calendar {
        signed_on,
        as_of,
        items,
        late,
    }))
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Fulfilment {
    pub obligation: Obligation,
    /// For semestral obligations.
    pub semester: Option<Semester>,
    pub done_on: NaiveDate,
    pub act_ref: Option<String>,
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
    let allowed: &[Role] = if body.obligation == Obligation::PianoSubmitted {
        &[
            Role::Admin,
            Role::ResponsabileAccordo,
            Role::ResponsabileIntervento,
        ]
    } else {
        &[Role::Admin, Role::ResponsabileAccordo]
    };
    caller.require_any(allowed)?;
    let semestral = !matches!(
        body.obligation,
        Obligation::PianoSubmitted | Obligation::PianoApproved
    );
    if semestral != body.semester.is_some() {
        return Err(ApiError::field(
            "semester",
            if semestral {
                "this obligation is per semester"
            } else {
                "this obligation has no semester"
            },
        ));
    }
    let actor = caller.subject().to_owned();
    let recorded = body.clone();
    run_tx(&pool, move |conn| {
        diesel::insert_into(obligations_done::table)
            .values((
                obligations_done::kind.eq(body.obligation.as_str()),
                obligations_done::semester
                    .eq(body.semester.map(|s| s.to_string()).unwrap_or_default()),
                obligations_done::done_on.eq(body.done_on),
                obligations_done::act_ref.eq(&body.act_ref),
                obligations_done::actor.eq(&actor),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Change {
                actor: &actor,
                entity: "obligation",
                entity_id: format!(
                    "{}:{}",
                    body.obligation,
                    body.semester.map(|s| s.to_string()).unwrap_or_default()
                ),
                action: "fulfil",
                reason: body.act_ref.as_deref(),
                before: None,
                after: Some(apq_platform::versioned::view_of(&body)?),
            },
        )?;
        Ok::<_, ApiError>(())
    })
    .await?;
    Ok(HttpResponse::Created().json(recorded))
}
