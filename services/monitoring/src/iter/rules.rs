//! The iter's rules, pure: the national table of phases (TC46) and which a CUP nature needs, the
//! delay classes, the national order, and what a phase's dates must be ([`PhaseError`]).

use std::sync::LazyLock;

use apq_domain::text_enum;
use chrono::NaiveDate;

use super::queries::PhaseRow;

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
    LazyLock::new(|| parse_tc46(include_str!("../../data/puc/tc46_fasi.csv")));

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

/// What a phase's dates and its change refuse, each naming its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhaseError {
    #[error("not a phase of the national table TC46 ({})", tc46_codes())]
    NotInTc46,
    #[error("cannot precede planned_start")]
    PlannedEndFirst,
    #[error("cannot precede actual_start")]
    ActualEndFirst,
    #[error("an actual date cannot be in the future")]
    InTheFuture(&'static str),
    #[error("say why the plan changed")]
    NoReason,
}

impl PhaseError {
    pub fn field(&self) -> &'static str {
        match self {
            PhaseError::NotInTc46 => "code",
            PhaseError::PlannedEndFirst => "planned_end",
            PhaseError::ActualEndFirst => "actual_end",
            PhaseError::InTheFuture(field) => field,
            PhaseError::NoReason => "reason",
        }
    }
}

fn tc46_codes() -> String {
    TC46.iter()
        .map(|p| p.code.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What is wrong with a phase `code` planned and actually run over these dates, as of `today`.
pub fn check_dates(
    code: &str,
    planned: (Option<NaiveDate>, Option<NaiveDate>),
    actual: (Option<NaiveDate>, Option<NaiveDate>),
    today: NaiveDate,
) -> Vec<PhaseError> {
    let mut errors = Vec::new();
    if !TC46.iter().any(|p| p.code == code) {
        errors.push(PhaseError::NotInTc46);
    }
    if let (Some(start), Some(end)) = planned
        && end < start
    {
        errors.push(PhaseError::PlannedEndFirst);
    }
    if let (Some(start), Some(end)) = actual
        && end < start
    {
        errors.push(PhaseError::ActualEndFirst);
    }
    for (field, date) in [("actual_start", actual.0), ("actual_end", actual.1)] {
        if date.is_some_and(|d| d > today) {
            errors.push(PhaseError::InTheFuture(field));
        }
    }
    errors
}

/// The reason a change of the planned dates must give (trimmed); none is needed when the plan
/// stays as it was.
pub fn plan_change_reason(changed: bool, reason: Option<&str>) -> Result<Option<&str>, PhaseError> {
    if !changed {
        return Ok(None);
    }
    match reason.map(str::trim) {
        Some(reason) if !reason.is_empty() => Ok(Some(reason)),
        _ => Err(PhaseError::NoReason),
    }
}

/// A phase's name in the national table (empty for a code it does not have).
pub fn name_of(code: &str) -> String {
    TC46.iter()
        .find(|p| p.code == code)
        .map(|p| p.name.clone())
        .unwrap_or_default()
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

    #[test]
    fn a_phases_dates_are_checked_field_by_field() {
        let today = day("2010-06-30");
        let cases = [
            ("0202", (None, None), (None, None), vec![]),
            ("9999", (None, None), (None, None), vec!["code"]),
            (
                "0202",
                (Some("2010-02-01"), Some("2010-01-01")),
                (None, None),
                vec!["planned_end"],
            ),
            (
                "0202",
                (None, None),
                (Some("2010-02-01"), Some("2010-01-01")),
                vec!["actual_end"],
            ),
            (
                "0202",
                (None, None),
                (Some("2010-07-01"), Some("2010-07-02")),
                vec!["actual_start", "actual_end"],
            ),
        ];
        for (code, planned, actual, fields) in cases {
            let on = |(a, b): (Option<&str>, Option<&str>)| (a.map(day), b.map(day));
            let errors = check_dates(code, on(planned), on(actual), today);
            assert_eq!(
                errors.iter().map(PhaseError::field).collect::<Vec<_>>(),
                fields,
                "{code}"
            );
        }
    }

    #[test]
    fn a_changed_plan_says_why() {
        assert_eq!(plan_change_reason(false, None), Ok(None));
        assert_eq!(
            plan_change_reason(true, Some(" gara deserta ")),
            Ok(Some("gara deserta"))
        );
        assert_eq!(
            plan_change_reason(true, Some("  ")),
            Err(PhaseError::NoReason)
        );
        assert_eq!(plan_change_reason(true, None), Err(PhaseError::NoReason));
    }
}
