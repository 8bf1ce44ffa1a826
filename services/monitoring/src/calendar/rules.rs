//! The calendar's rules, pure (the deadlines themselves are in `crate::deadlines`): where an
//! obligation stands at a date, who records its fulfilment and whether it names a semester,
//! and what they refuse ([`CalendarError`]).

use apq_domain::{Role, Semester};
use chrono::{Days, NaiveDate};

use crate::deadlines::{Due, RecordedObligation, first_semester, for_semester};

apq_domain::text_enum!(
    /// Where an obligation stands at the date asked.
    DueStatus { Done = "done", Pending = "pending", Late = "late" }
);

/// What the calendar's rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("there is no {0}: give signed_on to plan a calendar")]
    NoAtto(String),
    #[error("atto integrativo n. {0} is not signed yet: give signed_on to plan its calendar")]
    NotSigned(i32),
    #[error("this obligation is per semester")]
    SemesterRequired,
    #[error("this obligation has no semester")]
    NoSemester,
}

/// The obligations fulfilled: (kind, semester or "", done on), as recorded.
pub type Done = [(String, String, NaiveDate)];

/// The key a semester is recorded under ("" for the one-off obligations).
pub fn semester_key(semester: Option<Semester>) -> String {
    semester.map(|s| s.to_string()).unwrap_or_default()
}

/// When `due` was fulfilled, if it was.
pub fn done_on(done: &Done, due: &Due) -> Option<NaiveDate> {
    let key = semester_key(due.semester);
    done.iter()
        .find(|(k, s, _)| k == due.obligation.as_str() && *s == key)
        .map(|(_, _, d)| *d)
}

/// Where an obligation due on `due_on` stands at `as_of`.
pub fn status(done_on: Option<NaiveDate>, due_on: NaiveDate, as_of: NaiveDate) -> DueStatus {
    match done_on {
        Some(_) => DueStatus::Done,
        None if due_on < as_of => DueStatus::Late,
        None => DueStatus::Pending,
    }
}

/// Art. 7.2.h for the interventi of the atto signed on `signed_on`, each with whether the
/// register has its CUP: one obligation per intervento, due at the first monitoring (the first
/// semester's data entry), done once the CUP is recorded (the day it was is the register's and
/// is not said here), else pending or late at `as_of`. None when the first monitoring falls
/// after `until`. Pure.
pub fn cup_dues(
    signed_on: NaiveDate,
    until: NaiveDate,
    interventi: &[(String, bool)],
    as_of: NaiveDate,
) -> Vec<(String, NaiveDate, DueStatus)> {
    let Some(due_on) = first_semester(signed_on).map(|s| for_semester(s).data_entry) else {
        return Vec::new();
    };
    if due_on > until {
        return Vec::new();
    }
    interventi
        .iter()
        .map(|(code, has_cup)| {
            let status = match has_cup {
                true => DueStatus::Done,
                false => status(None, due_on, as_of),
            };
            (code.clone(), due_on, status)
        })
        .collect()
}

/// The last day a calendar covers by default: a year after `as_of`.
pub fn a_year_after(as_of: NaiveDate) -> NaiveDate {
    as_of.checked_add_days(Days::new(365)).unwrap_or(as_of)
}

/// Who records that `obligation` was fulfilled: the soggetto responsabile and admin, and for
/// the Piano's submission also the responsabile di intervento.
pub fn recorders(obligation: RecordedObligation) -> &'static [Role] {
    if obligation == RecordedObligation::PianoSubmitted {
        &[
            Role::Admin,
            Role::ResponsabileAccordo,
            Role::ResponsabileIntervento,
        ]
    } else {
        &[Role::Admin, Role::ResponsabileAccordo]
    }
}

/// A semestral obligation names its semester; the Piano's do not.
pub fn check_semester(
    obligation: RecordedObligation,
    semester: Option<Semester>,
) -> Result<(), CalendarError> {
    let semestral = !matches!(
        obligation,
        RecordedObligation::PianoSubmitted | RecordedObligation::PianoApproved
    );
    match (semestral, semester.is_some()) {
        (true, false) => Err(CalendarError::SemesterRequired),
        (false, true) => Err(CalendarError::NoSemester),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadlines::Obligation;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn an_obligation_is_done_pending_or_late() {
        let due = day(2010, 1, 31);
        let cases = [
            (Some(day(2010, 1, 2)), day(2010, 3, 1), DueStatus::Done),
            (Some(day(2010, 2, 2)), day(2010, 1, 1), DueStatus::Done),
            (None, day(2010, 1, 31), DueStatus::Pending),
            (None, day(2010, 2, 1), DueStatus::Late),
            (None, day(2009, 12, 1), DueStatus::Pending),
        ];
        for (done_on, as_of, expected) in cases {
            assert_eq!(status(done_on, due, as_of), expected, "{done_on:?} {as_of}");
        }
    }

    #[test]
    fn what_is_done_is_found_by_obligation_and_semester() {
        let s2 = Semester::parse("2009-S2").unwrap_or_else(|e| panic!("{e}"));
        let done = vec![
            (
                "data_entry".to_owned(),
                "2009-S2".to_owned(),
                day(2010, 1, 20),
            ),
            ("piano_submitted".to_owned(), String::new(), day(2009, 3, 1)),
        ];
        let due = |obligation, semester| Due {
            obligation,
            semester,
            due_on: day(2010, 1, 31),
        };
        let cases = [
            (due(Obligation::DataEntry, Some(s2)), Some(day(2010, 1, 20))),
            (due(Obligation::Rapporto, Some(s2)), None),
            (due(Obligation::PianoSubmitted, None), Some(day(2009, 3, 1))),
            (due(Obligation::PianoApproved, None), None),
        ];
        for (due, expected) in cases {
            assert_eq!(done_on(&done, &due), expected, "{due:?}");
        }
    }

    #[test]
    fn semestral_obligations_name_their_semester() {
        let s = Semester::parse("2009-S2").ok();
        let cases = [
            (RecordedObligation::DataEntry, s, Ok(())),
            (
                RecordedObligation::DataEntry,
                None,
                Err(CalendarError::SemesterRequired),
            ),
            (
                RecordedObligation::Rapporto,
                None,
                Err(CalendarError::SemesterRequired),
            ),
            (RecordedObligation::PianoSubmitted, None, Ok(())),
            (
                RecordedObligation::PianoApproved,
                s,
                Err(CalendarError::NoSemester),
            ),
        ];
        for (obligation, semester, expected) in cases {
            assert_eq!(
                check_semester(obligation, semester),
                expected,
                "{obligation}"
            );
        }
    }

    #[test]
    fn the_cup_is_due_at_the_first_monitoring_for_each_intervento_without_one() {
        let interventi = [
            ("CSTT-ALI".to_owned(), true),
            ("GEOSIGMA".to_owned(), false),
        ];
        let signed = day(2009, 6, 15);
        let cases = [
            (day(2010, 1, 31), DueStatus::Pending),
            (day(2010, 2, 1), DueStatus::Late),
        ];
        for (as_of, geosigma) in cases {
            assert_eq!(
                cup_dues(signed, day(2010, 12, 31), &interventi, as_of),
                vec![
                    ("CSTT-ALI".to_owned(), day(2010, 1, 31), DueStatus::Done),
                    ("GEOSIGMA".to_owned(), day(2010, 1, 31), geosigma),
                ],
                "{as_of}"
            );
        }
        assert!(cup_dues(signed, day(2010, 1, 30), &interventi, signed).is_empty());
    }

    #[test]
    fn the_piano_submitted_is_recorded_also_by_the_responsabile_di_intervento() {
        assert!(
            recorders(RecordedObligation::PianoSubmitted).contains(&Role::ResponsabileIntervento)
        );
        assert!(!recorders(RecordedObligation::Rapporto).contains(&Role::ResponsabileIntervento));
        assert_eq!(a_year_after(day(2010, 1, 1)), day(2011, 1, 1));
    }
}
