//! The procedural iter of an intervento (PUC PR00): the phases of the national table (TC46) for
//! its CUP's nature, each with planned and actual start and end. A change to a planned date
//! keeps the earlier one, so a slip stays visible, and each phase is classed as OpenCoesione's
//! analysts class delays ([`delay`]).

use std::sync::LazyLock;

use actix_web::{HttpResponse, get, patch, post, web};
use apq_domain::{Role, text_enum};
use apq_platform::concurrency::{etag, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, Query, patch as patch_field};
use apq_platform::idempotency::{IdempotencyKey, Stored, respond_once};
use apq_platform::versioned::{self, Edit, IfMatch, Versioned};
use apq_platform::{ApiError, Caller, FieldError};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::schema::{phase_plan_changes, phases};

mod queries;

/// A phase of the national table TC46 (`data/puc/tc46_fasi.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseKind {
    pub natura: String,
    pub code: String,
    pub name: String,
    pub order: u32,
    /// Checked against the official table (else ours, to be confirmed).
    pub confirmed: bool,
}

/// TC46 as shipped.
pub static TC46: LazyLock<Vec<PhaseKind>> =
    LazyLock::new(|| parse_tc46(include_str!("../data/puc/tc46_fasi.csv")));

/// Reads the shipped table: `natura_cup,code,name,order,source,confirmed` (the source may be
/// quoted and hold commas; it is not kept here).
fn parse_tc46(text: &str) -> Vec<PhaseKind> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .filter_map(|line| {
            let mut cells = line.splitn(4, ',');
            let natura = cells.next()?.to_owned();
            let code = cells.next()?.to_owned();
            let name = cells.next()?.to_owned();
            let rest = cells.next()?;
            let (order, rest) = rest.split_once(',')?;
            let confirmed = rest.rsplit(',').next()? == "yes";
            Some(PhaseKind {
                natura,
                code,
                name,
                order: order.parse().ok()?,
                confirmed,
            })
        })
        .collect()
}

/// The phases the national table lists for a CUP nature, in their order.
pub fn required(natura: &str) -> Vec<&'static PhaseKind> {
    let mut out: Vec<_> = TC46.iter().filter(|p| p.natura == natura).collect();
    out.sort_by_key(|p| p.order);
    out
}

text_enum!(
    /// How a phase stands against its planned end (OpenCoesione's classes).
    Delay {
        /// Ended by its planned end, or its planned end is more than 30 days away.
        OnTime = "on_time",
        /// Not ended, its planned end within 30 days.
        Due = "due",
        /// Past its planned end by less than 60 days.
        Overdue = "overdue",
        /// Late by 60 days or more.
        Delayed = "delayed",
        /// Late by 365 days or more.
        SeriouslyDelayed = "seriously_delayed",
        /// No planned end: nothing to measure against.
        Unplanned = "unplanned"
    }
);

/// The window before a planned end in which an open phase is "due" (ours).
pub const DUE_WITHIN_DAYS: i64 = 30;

/// The class of a phase planned to end on `planned_end`, actually ended on `actual_end`, as of
/// `today`: the lateness is counted to the actual end, or to today while the phase is open.
pub fn delay(
    planned_end: Option<NaiveDate>,
    actual_end: Option<NaiveDate>,
    today: NaiveDate,
) -> Delay {
    let Some(planned) = planned_end else {
        return Delay::Unplanned;
    };
    let reference = actual_end.unwrap_or(today);
    let late = (reference - planned).num_days();
    match (actual_end, late) {
        (_, days) if days >= 365 => Delay::SeriouslyDelayed,
        (_, days) if days >= 60 => Delay::Delayed,
        (_, days) if days > 0 => Delay::Overdue,
        (Some(_), _) => Delay::OnTime,
        (None, days) if -days <= DUE_WITHIN_DAYS => Delay::Due,
        (None, _) => Delay::OnTime,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = phases)]
pub struct PhaseRow {
    pub id: Uuid,
    pub intervento_code: String,
    /// The TC46 code.
    pub code: String,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub actual_start: Option<NaiveDate>,
    pub actual_end: Option<NaiveDate>,
    pub recorded_by: String,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for PhaseRow {
    const ENTITY: &'static str = "phase";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        phases::table
            .find(id)
            .select(PhaseRow::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("phase {id}")))
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(phases, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(self)
    }
}

/// An earlier plan of a phase, kept when its planned dates changed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable)]
pub struct PlanChange {
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub reason: String,
    pub changed_by: String,
    pub at: DateTime<Utc>,
}

/// A phase as the API shows it: its dates, its class and its earlier plans.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Phase {
    #[serde(flatten)]
    pub row: PhaseRow,
    /// Its name in the national table.
    pub name: String,
    pub delay: Delay,
    /// The plans it had before, oldest first.
    pub earlier_plans: Vec<PlanChange>,
}

/// The schema of a phase's code: the codes of TC46 as shipped.
pub struct Tc46Code;

impl utoipa::PartialSchema for Tc46Code {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("A phase of the national context table TC46"))
            .enum_values(Some(TC46.iter().map(|p| p.code.clone())))
            .into()
    }
}

impl utoipa::ToSchema for Tc46Code {}

fn validate(
    code: &str,
    planned: (Option<NaiveDate>, Option<NaiveDate>),
    actual: (Option<NaiveDate>, Option<NaiveDate>),
    today: NaiveDate,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if !TC46.iter().any(|p| p.code == code) {
        errors.push(FieldError::new(
            "code",
            format!(
                "not a phase of the national table TC46 ({})",
                TC46.iter()
                    .map(|p| p.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    if let (Some(start), Some(end)) = planned
        && end < start
    {
        errors.push(FieldError::new(
            "planned_end",
            "cannot precede planned_start",
        ));
    }
    if let (Some(start), Some(end)) = actual
        && end < start
    {
        errors.push(FieldError::new("actual_end", "cannot precede actual_start"));
    }
    for (field, date) in [("actual_start", actual.0), ("actual_end", actual.1)] {
        if date.is_some_and(|d| d > today) {
            errors.push(FieldError::new(
                field,
                "an actual date cannot be in the future",
            ));
        }
    }
    ApiError::unless_any(errors)
}

/// Who keeps an intervento's iter: its responsabile (named in the token) or admin.
fn require_recorder(caller: &Caller, code: &str) -> Result<(), ApiError> {
    if caller.has_any(&[Role::Admin]) || caller.answers_for(code) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "only the responsabile of {code} or admin keep its procedural iter"
        )))
    }
}

fn intervento_code(code: &str) -> Result<(), ApiError> {
    crate::peers::intervento_code(code).map(|_| ())
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPhase {
    /// The phase's TC46 code, e.g. 0202.
    #[schema(value_type = Tc46Code)]
    pub code: String,
    #[serde(default)]
    pub planned_start: Option<NaiveDate>,
    #[serde(default)]
    pub planned_end: Option<NaiveDate>,
    #[serde(default)]
    pub actual_start: Option<NaiveDate>,
    #[serde(default)]
    pub actual_end: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
pub struct CodePath {
    pub code: String,
}

/// Opens a phase of the intervento's procedural iter: its responsabile or admin. Safe to retry
/// with `Idempotency-Key`.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$"), IdempotencyKey),
    request_body = NewPhase,
    responses(
        (status = 201, description = "Opened", body = Phase, headers(("Location" = String, description = "The phase"))),
        (status = 409, description = "The intervento already has the phase", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/interventi/{code}/phases")]
pub async fn create(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    path: Path<CodePath>,
    body: Json<NewPhase>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner().code;
    intervento_code(&code)?;
    require_recorder(&caller, &code)?;
    let b = body.into_inner();
    let today = Utc::now().date_naive();
    validate(
        &b.code,
        (b.planned_start, b.planned_end),
        (b.actual_start, b.actual_end),
        today,
    )?;
    respond_once(
        &pool,
        caller.subject(),
        key,
        (code, b),
        move |conn, actor, (code, b)| {
            let created: PhaseRow = versioned::create(conn, Edit::new(actor, "open"), |conn| {
                queries::insert(conn, &code, &b, actor)
            })?;
            let phase = shown(conn, created, today)?;
            Stored::created(
                &phase,
                format!("/v1/interventi/{code}/phases/{}", phase.row.code),
                Some(etag(phase.row.version)),
            )
        },
    )
    .await
}

fn shown(conn: &mut PgConnection, row: PhaseRow, today: NaiveDate) -> Result<Phase, ApiError> {
    let earlier_plans = phase_plan_changes::table
        .filter(phase_plan_changes::phase_id.eq(row.id))
        .order(phase_plan_changes::id.asc())
        .select((
            phase_plan_changes::planned_start,
            phase_plan_changes::planned_end,
            phase_plan_changes::reason,
            phase_plan_changes::changed_by,
            phase_plan_changes::at,
        ))
        .load(conn)?;
    let name = TC46
        .iter()
        .find(|p| p.code == row.code)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    Ok(Phase {
        delay: delay(row.planned_end, row.actual_end, today),
        name,
        earlier_plans,
        row,
    })
}

/// A merge patch of a phase. A change of a planned date needs its `reason`, and the earlier
/// plan is kept.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PhasePatch {
    #[serde(default, deserialize_with = "patch_field")]
    pub planned_start: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub planned_end: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub actual_start: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub actual_end: Option<Option<NaiveDate>>,
    /// Why the plan changed (required when a planned date does).
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PhasePath {
    pub code: String,
    pub phase: String,
}

/// Changes a phase's dates: its responsabile or admin. Requires `If-Match`.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$"),
        ("phase" = Tc46Code, Path, description = "The phase's TC46 code, e.g. 0202"),
        IfMatch,
    ),
    request_body(content = PhasePatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = Phase))
)]
#[patch("/interventi/{code}/phases/{phase}")]
pub async fn update(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<PhasePath>,
    body: Json<PhasePatch>,
) -> Result<HttpResponse, ApiError> {
    let PhasePath { code, phase } = path.into_inner();
    intervento_code(&code)?;
    require_recorder(&caller, &code)?;
    let p = body.into_inner();
    let actor = caller.subject().to_owned();
    let today = Utc::now().date_naive();
    let shown_phase = run_db(&pool, move |conn| {
        let id = find(conn, &code, &phase)?;
        let edit = Edit::new(&actor, "update").because(p.reason.as_deref());
        let updated = versioned::update(conn, id, if_match, edit, |conn, current: &PhaseRow| {
            change(conn, current, &p, &actor, today)
        })?;
        shown(conn, updated, today)
    })
    .await?;
    Ok(ok_with_etag(shown_phase.row.version, &shown_phase))
}

fn change(
    conn: &mut PgConnection,
    current: &PhaseRow,
    p: &PhasePatch,
    actor: &str,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let planned = (
        p.planned_start.unwrap_or(current.planned_start),
        p.planned_end.unwrap_or(current.planned_end),
    );
    let actual = (
        p.actual_start.unwrap_or(current.actual_start),
        p.actual_end.unwrap_or(current.actual_end),
    );
    validate(&current.code, planned, actual, today)?;
    if planned != (current.planned_start, current.planned_end) {
        let reason = p.reason.as_deref().map(str::trim).unwrap_or("");
        if reason.is_empty() {
            return Err(ApiError::field("reason", "say why the plan changed"));
        }
        diesel::insert_into(phase_plan_changes::table)
            .values((
                phase_plan_changes::phase_id.eq(current.id),
                phase_plan_changes::planned_start.eq(current.planned_start),
                phase_plan_changes::planned_end.eq(current.planned_end),
                phase_plan_changes::reason.eq(reason),
                phase_plan_changes::changed_by.eq(actor),
            ))
            .execute(conn)?;
    }
    diesel::update(phases::table.find(current.id))
        .set((
            phases::planned_start.eq(planned.0),
            phases::planned_end.eq(planned.1),
            phases::actual_start.eq(actual.0),
            phases::actual_end.eq(actual.1),
        ))
        .execute(conn)?;
    Ok(())
}

fn find(conn: &mut PgConnection, code: &str, phase: &str) -> Result<Uuid, ApiError> {
    phases::table
        .filter(phases::intervento_code.eq(code))
        .filter(phases::code.eq(phase))
        .select(phases::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("the phase {phase} of {code}")))
}

/// The phases of `code` in the national table's order.
pub fn of(conn: &mut PgConnection, code: &str) -> QueryResult<Vec<PhaseRow>> {
    let mut rows: Vec<PhaseRow> = phases::table
        .filter(phases::intervento_code.eq(code))
        .select(PhaseRow::as_select())
        .load(conn)?;
    in_national_order(&mut rows);
    Ok(rows)
}

/// Puts an intervento's phases in the national table's (TC46) order. Pure.
pub fn in_national_order(rows: &mut [PhaseRow]) {
    let order = |c: &str| {
        TC46.iter()
            .find(|p| p.code == c)
            .map(|p| p.order)
            .unwrap_or(u32::MAX)
    };
    rows.sort_by_key(|r| (order(&r.code), r.code.clone()));
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// The day the delays are measured on (default: today).
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PhaseList {
    pub items: Vec<Phase>,
}

/// The intervento's procedural iter, in the national table's order, each phase with its delay
/// class and earlier plans. Public.
#[utoipa::path(
    tag = "puc",
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$"), AsOf),
    responses((status = 200, description = "The phases", body = PhaseList))
)]
#[get("/interventi/{code}/phases")]
pub async fn list(
    pool: web::Data<PgPool>,
    path: Path<CodePath>,
    query: Query<AsOf>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner().code;
    intervento_code(&code)?;
    let today = query.0.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let items = run_db(&pool, move |conn| {
        of(conn, &code)?
            .into_iter()
            .map(|row| shown(conn, row, today))
            .collect::<Result<Vec<_>, ApiError>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(PhaseList { items }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(raw: &str) -> NaiveDate {
        raw.parse().unwrap_or_default()
    }

    #[test]
    fn the_delay_classes() {
        let today = day("2010-06-30");
        let table = [
            (None, None, Delay::Unplanned),
            (Some("2010-06-01"), Some("2010-05-20"), Delay::OnTime),
            (Some("2010-06-01"), Some("2010-06-01"), Delay::OnTime),
            (Some("2010-12-31"), None, Delay::OnTime),
            (Some("2010-07-30"), None, Delay::Due),
            (Some("2010-06-30"), None, Delay::Due),
            (Some("2010-06-29"), None, Delay::Overdue),
            (Some("2010-05-02"), None, Delay::Overdue),
            (Some("2010-05-01"), None, Delay::Delayed),
            (Some("2009-01-01"), Some("2009-03-02"), Delay::Delayed),
            (Some("2009-01-01"), Some("2009-03-01"), Delay::Overdue),
            (Some("2009-06-30"), None, Delay::SeriouslyDelayed),
            (
                Some("2008-01-01"),
                Some("2009-01-01"),
                Delay::SeriouslyDelayed,
            ),
            (Some("2009-07-01"), None, Delay::Delayed),
        ];
        for (planned, actual, expected) in table {
            assert_eq!(
                delay(planned.map(day), actual.map(day), today),
                expected,
                "planned {planned:?}, actual {actual:?}"
            );
        }
    }

    #[test]
    fn the_national_table_is_read_with_its_order() {
        let phases = required("02");
        assert_eq!(
            phases.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(),
            ["0201", "0202", "0203", "0204"]
        );
        assert!(phases.iter().all(|p| !p.confirmed), "ours, to be confirmed");
        assert!(required("99").is_empty());
    }
}
