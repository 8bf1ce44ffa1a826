//! IND-13, "numero di servizi erogati dall'ALI rispettando la tempistica prevista nel presente
//! progetto" (L6680-6681), computed from the records instead of typed in: for each catalogue
//! service CSTT-ALI finances, the date the project gives it (its go-live: PAeSI 18, Repository 9
//! months from the ALI's start; Hosting, already in service, extended to the bodies within 12
//! months of it; an absolute date as written) against the day its verified operation began (the
//! earliest period of verified operation recorded for the service, `POST
//! /v1/operation-periods`). The value is the count of services delivered on or before their date.
//! The seed gives no target (absent, never reached); a service delivered whose date cannot be
//! said (a not-before bound, a go-live relative to its own availability) makes the value unknown
//! (absent), never a guess.

use actix_web::{HttpResponse, get, web};
use apq_platform::ApiError;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Path, Query};
use chrono::{Months, NaiveDate};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::eligibility::AsOf;
use crate::peers::{Agreements, Catalogue, CatalogueService, GoLive, GoLiveKind};
use crate::report::format as it;
use crate::schema::{indicators, operation_periods};

/// The indicator computed here, and the intervento whose services it counts.
pub const IND_13: &str = "IND-13";
const CSTT_ALI: &str = "CSTT-ALI";

/// The date the project gives a service, or why it cannot be said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    /// In service before the project: delivered on time by definition.
    AlreadyInService,
    On(NaiveDate),
    Unknown(String),
}

/// The date the project gives a service (`started_on`: the ALI's start, when recorded).
pub fn due(go_live: &GoLive, started_on: Option<NaiveDate>) -> Due {
    let from_start =
        |months: Option<i32>| match (months.and_then(|m| u32::try_from(m).ok()), started_on) {
            (None, _) => Due::Unknown("no months given".to_owned()),
            (Some(m), None) => Due::Unknown(format!(
                "{m} months from the ALI's start, which is not recorded"
            )),
            (Some(m), Some(start)) => start
                .checked_add_months(Months::new(m))
                .map_or_else(|| Due::Unknown("out of range".to_owned()), Due::On),
        };
    match go_live.kind {
        GoLiveKind::AlreadyLive if go_live.months.is_none() => Due::AlreadyInService,
        // Already in service, extended to the bodies within so many months of the ALI's start.
        GoLiveKind::AlreadyLive | GoLiveKind::RelativeToAliStart => from_start(go_live.months),
        GoLiveKind::Absolute => go_live
            .date
            .map_or_else(|| Due::Unknown("no date given".to_owned()), Due::On),
        GoLiveKind::NotBefore => Due::Unknown(match go_live.date {
            Some(bound) => format!("a lower bound only (not before {bound})"),
            None => "a lower bound only".to_owned(),
        }),
        GoLiveKind::RelativeToAvailability => Due::Unknown(format!(
            "{} months from the service's availability, which has no date",
            go_live.months.unwrap_or_default()
        )),
        GoLiveKind::Unknown => Due::Unknown(format!("go-live not known ({})", go_live.kind)),
    }
}

/// Delivered on time (`Some(true)`), late (`Some(false)`: delivered after its date, or due and
/// not delivered by `as_of`), or not to be said yet (`None`: not yet due, or its date unknown).
pub fn on_time(due: &Due, delivered_on: Option<NaiveDate>, as_of: NaiveDate) -> Option<bool> {
    match (due, delivered_on) {
        (Due::AlreadyInService, _) => Some(true),
        (Due::On(date), Some(delivered)) => Some(delivered <= *date),
        (Due::On(date), None) => (*date < as_of).then_some(false),
        (Due::Unknown(_), _) => None,
    }
}

/// One service's delivery against its date.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ServiceDelivery {
    #[schema(format = Int32)]
    pub number: i32,
    pub name: String,
    /// The date the project gives it (absent when it cannot be said, or already in service).
    pub due_on: Option<NaiveDate>,
    /// Already in service before the project.
    pub already_in_service: bool,
    /// Why the date cannot be said.
    pub due_unknown: Option<String>,
    /// When its verified operation began (absent when none is recorded).
    pub delivered_on: Option<NaiveDate>,
    /// On time (true), late (false), or not to be said (absent).
    pub on_time: Option<bool>,
}

/// IND-13 as computed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IndicatorComputation {
    pub code: String,
    pub name: String,
    pub as_of: NaiveDate,
    /// The count of services delivered on time, as a decimal string; absent when a delivered
    /// service's date cannot be said.
    pub value: Option<String>,
    /// The seed gives none: absent.
    pub target: Option<String>,
    /// Never when the target is unknown.
    pub target_reached: bool,
    pub services: Vec<ServiceDelivery>,
    pub figure: String,
    pub figure_it: String,
}

/// The services' deliveries and the value they give.
pub fn compute(
    services: &[CatalogueService],
    started_on: Option<NaiveDate>,
    delivered: &[(i32, NaiveDate)],
    as_of: NaiveDate,
) -> (Vec<ServiceDelivery>, Option<i64>) {
    let rows: Vec<ServiceDelivery> = services
        .iter()
        .map(|s| {
            let due = due(&s.record.go_live, started_on);
            let delivered_on = delivered
                .iter()
                .filter(|(n, from)| *n == s.number && *from <= as_of)
                .map(|(_, from)| *from)
                .min();
            ServiceDelivery {
                number: s.number,
                name: s.record.name.clone(),
                on_time: on_time(&due, delivered_on, as_of),
                due_on: match &due {
                    Due::On(date) => Some(*date),
                    _ => None,
                },
                already_in_service: due == Due::AlreadyInService,
                due_unknown: match due {
                    Due::Unknown(why) => Some(why),
                    _ => None,
                },
                delivered_on,
            }
        })
        .collect();
    let undecidable = rows
        .iter()
        .any(|r| r.due_unknown.is_some() && r.delivered_on.is_some());
    let value = (!undecidable)
        .then(|| rows.iter().filter(|r| r.on_time == Some(true)).count())
        .map(|n| i64::try_from(n).unwrap_or(i64::MAX));
    (rows, value)
}

#[derive(Debug, Deserialize)]
pub struct CodePath {
    pub code: String,
}

/// An indicator computed from the records rather than measured: IND-13 ("services delivered on
/// time"), per service of CSTT-ALI, with the value. Public; other indicators are measured
/// (404 here).
#[utoipa::path(
    tag = "indicators",
    params(("code" = String, Path, description = "The indicator's code: IND-13"), AsOf),
    responses((status = 200, description = "The computation", body = IndicatorComputation))
)]
#[get("/indicators/{code}/computation")]
pub async fn computation(
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    catalogue: web::Data<Catalogue>,
    path: Path<CodePath>,
    query: Query<AsOf>,
) -> Result<HttpResponse, ApiError> {
    if path.code != IND_13 {
        return Err(ApiError::NotFound(format!(
            "a computation of {} (only {IND_13} is computed; the others are measured)",
            path.code
        )));
    }
    let as_of = query
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    Ok(HttpResponse::Ok().json(computed(&pool, &agreements, &catalogue, as_of).await?))
}

/// IND-13 computed at `as_of` from the register (the ALI's start), the catalogue (CSTT-ALI's
/// services and their go-lives) and the verified operation recorded here; a peer that cannot be
/// read is its 503.
pub async fn computed(
    pool: &PgPool,
    agreements: &Agreements,
    catalogue: &Catalogue,
    as_of: NaiveDate,
) -> Result<IndicatorComputation, ApiError> {
    let (plan, services, (name, target, delivered)) = tokio::try_join!(
        agreements.tranche_plan(CSTT_ALI),
        catalogue.services_of(CSTT_ALI),
        run_db(pool, records),
    )?;
    let (services, value) = compute(&services, plan.started_on, &delivered, as_of);
    Ok(IndicatorComputation {
        code: IND_13.to_owned(),
        figure: figure(&services, value, false),
        figure_it: figure(&services, value, true),
        name,
        as_of,
        value: value.map(|v| format!("{v}.00")),
        target_reached: target
            .is_some_and(|t| value.is_some_and(|v| rust_decimal::Decimal::from(v) >= t)),
        target: target.map(|t| t.to_string()),
        services,
    })
}

type Records = (String, Option<rust_decimal::Decimal>, Vec<(i32, NaiveDate)>);

/// IND-13's name and target, and when each CSTT-ALI service's verified operation began.
fn records(conn: &mut PgConnection) -> Result<Records, ApiError> {
    let (name, target) = indicators::table
        .filter(indicators::code.eq(IND_13))
        .select((indicators::name, indicators::target))
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("indicator {IND_13}")))?;
    let periods: Vec<(Option<i32>, NaiveDate)> = operation_periods::table
        .filter(operation_periods::intervento_code.eq(CSTT_ALI))
        .select((
            operation_periods::service_number,
            operation_periods::verified_from,
        ))
        .load(conn)?;
    let delivered = periods
        .into_iter()
        .filter_map(|(n, from)| n.map(|n| (n, from)))
        .collect();
    Ok((name, target, delivered))
}

fn figure(services: &[ServiceDelivery], value: Option<i64>, italian: bool) -> String {
    let total = i64::try_from(services.len()).unwrap_or(i64::MAX);
    match (value, italian) {
        (Some(v), false) => format!("{v} of {total} services delivered on time"),
        (Some(v), true) => format!(
            "servizi erogati nei tempi previsti: {} su {}",
            it::count(v),
            it::count(total)
        ),
        (None, false) => format!(
            "not known: a service of the {total} was delivered but the project gives it no date"
        ),
        (None, true) => format!(
            "non noto: uno dei {} servizi è erogato ma il progetto non gli dà una data",
            it::count(total)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn go(kind: &str, date: Option<NaiveDate>, months: Option<i32>) -> GoLive {
        GoLive {
            kind: kind.parse().unwrap_or(GoLiveKind::Unknown),
            date,
            months,
            text: None,
        }
    }

    #[test]
    fn the_date_the_project_gives_each_kind_of_go_live() {
        let start = Some(d(2007, 5, 15));
        for (go_live, started_on, expected) in [
            (
                go("relative_to_ali_start", None, Some(18)),
                start,
                Due::On(d(2008, 11, 15)),
            ),
            (
                go("relative_to_ali_start", None, Some(9)),
                start,
                Due::On(d(2008, 2, 15)),
            ),
            (
                go("already_live", None, Some(12)),
                start,
                Due::On(d(2008, 5, 15)),
            ),
            (go("already_live", None, None), start, Due::AlreadyInService),
            (
                go("absolute", Some(d(2009, 6, 1)), None),
                None,
                Due::On(d(2009, 6, 1)),
            ),
        ] {
            assert_eq!(due(&go_live, started_on), expected, "{go_live:?}");
        }
        for (go_live, started_on) in [
            (go("relative_to_ali_start", None, Some(18)), None),
            (go("not_before", Some(d(2009, 1, 1)), None), start),
            (go("relative_to_availability", None, Some(6)), start),
            (go("unknown", None, None), start),
        ] {
            assert!(
                matches!(due(&go_live, started_on), Due::Unknown(_)),
                "{go_live:?}"
            );
        }
    }

    #[test]
    fn on_time_late_or_not_to_be_said() {
        let due_on = Due::On(d(2008, 11, 15));
        let today = d(2010, 1, 1);
        for (due, delivered, as_of, expected) in [
            (&due_on, Some(d(2008, 11, 15)), today, Some(true)),
            (&due_on, Some(d(2008, 11, 16)), today, Some(false)),
            (&due_on, None, today, Some(false)),
            (&due_on, None, d(2008, 1, 1), None),
            (&Due::AlreadyInService, None, today, Some(true)),
            (
                &Due::Unknown("x".to_owned()),
                Some(d(2008, 1, 1)),
                today,
                None,
            ),
        ] {
            assert_eq!(
                on_time(due, delivered, as_of),
                expected,
                "{due:?} {delivered:?}"
            );
        }
    }
}
