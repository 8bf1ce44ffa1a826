//! The monitoring calendar's rules (art. 7-8 of the IV Atto):
//! - the semester's data are entered in the Applicativo Intese by 31 July (first semester) or
//!   31 January (second), and their validation (convalida) is requested right after;
//! - the Rapporto di monitoraggio is due by 30 September (first semester) or 28 February
//!   (second), from the first semester after signature;
//! - the Piano di monitoraggio is due to CNIPA within 30 days of signature.

use apq_domain::{Half, Semester, text_enum};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

text_enum!(
    /// The recurring and one-off obligations.
    Obligation {
        PianoSubmitted = "piano_submitted",
        PianoApproved = "piano_approved",
        DataEntry = "data_entry",
        ValidationRequest = "validation_request",
        Rapporto = "rapporto",
        /// Art. 7.2.h: the CUP of each intervento that lacks one inserted at the first
        /// monitoring. Fulfilled by recording the CUP in the agreements register, not here.
        Cup = "cup",
    }
);

text_enum!(
    /// An obligation whose fulfilment is recorded here (the CUP's is recorded in the agreements
    /// register, art. 7.2.h).
    RecordedObligation {
        PianoSubmitted = "piano_submitted",
        PianoApproved = "piano_approved",
        DataEntry = "data_entry",
        ValidationRequest = "validation_request",
        Rapporto = "rapporto",
    }
);

impl Obligation {
    /// Who must fulfil it.
    pub fn party(self) -> &'static str {
        match self {
            Obligation::PianoSubmitted => "responsabile_intervento",
            Obligation::PianoApproved => "CNIPA",
            Obligation::DataEntry
            | Obligation::ValidationRequest
            | Obligation::Rapporto
            | Obligation::Cup => "soggetto_responsabile_accordo",
        }
    }
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

/// The deadlines of one semester.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SemesterDeadlines {
    pub semester: Semester,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Data entered in the Applicativo Intese.
    pub data_entry: NaiveDate,
    /// Validation (convalida) requested: the seed says only "successivamente", after the data
    /// entry (L573-574), and sets no deadline; none is invented, so this is always absent and
    /// no default is ever opened on it.
    pub validation_request: Option<NaiveDate>,
    /// The Rapporto di monitoraggio sent.
    pub rapporto: NaiveDate,
}

pub fn for_semester(semester: Semester) -> SemesterDeadlines {
    let year = semester.year();
    let (data_entry, rapporto) = match semester.half() {
        Half::First => (date(year, 7, 31), date(year, 9, 30)),
        Half::Second => (date(year + 1, 1, 31), date(year + 1, 2, 28)),
    };
    SemesterDeadlines {
        semester,
        starts_on: semester.first_day(),
        ends_on: semester.last_day(),
        data_entry,
        validation_request: None,
        rapporto,
    }
}

/// The Piano di monitoraggio is due within 30 days of signature.
pub fn piano_due(signed_on: NaiveDate) -> NaiveDate {
    signed_on
        .checked_add_days(Days::new(30))
        .unwrap_or(signed_on)
}

/// The first semester monitored: the first one after the signature's.
pub fn first_semester(signed_on: NaiveDate) -> Option<Semester> {
    Semester::containing(signed_on).ok().map(Semester::next)
}

/// The longest span a calendar covers: an APQ does not run for longer.
pub const MAX_YEARS: u32 = 30;

/// Refuses a span over [`MAX_YEARS`] (it would be a mistake, and an expensive one).
pub fn check_span(
    signed_on: NaiveDate,
    until: NaiveDate,
    field: &str,
) -> Result<(), apq_platform::ApiError> {
    let limit = signed_on
        .checked_add_months(chrono::Months::new(12 * MAX_YEARS))
        .unwrap_or(signed_on);
    if until > limit {
        return Err(apq_platform::ApiError::field(
            field,
            format!("the calendar covers at most {MAX_YEARS} years from the signature"),
        ));
    }
    Ok(())
}

/// One dated obligation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub obligation: Obligation,
    pub semester: Option<Semester>,
    pub due_on: NaiveDate,
}

/// Everything due from signature to `until` (inclusive), in date order.
pub fn schedule(signed_on: NaiveDate, until: NaiveDate) -> Vec<Due> {
    let mut due = vec![Due {
        obligation: Obligation::PianoSubmitted,
        semester: None,
        due_on: piano_due(signed_on),
    }];
    let Some(mut semester) = first_semester(signed_on) else {
        return due;
    };
    while semester.first_day() <= until {
        let d = for_semester(semester);
        due.push(Due {
            obligation: Obligation::DataEntry,
            semester: Some(semester),
            due_on: d.data_entry,
        });
        // The validation request has no deadline (see `SemesterDeadlines`): nothing is due.
        due.push(Due {
            obligation: Obligation::Rapporto,
            semester: Some(semester),
            due_on: d.rapporto,
        });
        semester = semester.next();
    }
    due.sort_by_key(|d| d.due_on);
    due
}

#[cfg(test)]
mod tests {
    use super::*;

    fn semester(s: &str) -> Semester {
        Semester::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_second_semester_of_2009() {
        let d = for_semester(semester("2009-S2"));
        assert_eq!(d.data_entry, date(2010, 1, 31));
        assert_eq!(d.validation_request, None, "the seed sets no deadline");
        assert_eq!(d.rapporto, date(2010, 2, 28));
    }

    #[test]
    fn the_first_semester_of_2010() {
        let d = for_semester(semester("2010-S1"));
        assert_eq!(d.data_entry, date(2010, 7, 31));
        assert_eq!(d.rapporto, date(2010, 9, 30));
    }

    #[test]
    fn monitoring_starts_the_semester_after_signature() {
        let signed = date(2009, 6, 15);
        assert_eq!(piano_due(signed), date(2009, 7, 15));
        assert_eq!(first_semester(signed), Some(semester("2009-S2")));
        let due = schedule(signed, date(2010, 6, 30));
        assert_eq!(
            due.first().map(|d| d.obligation),
            Some(Obligation::PianoSubmitted)
        );
        let rapporti: Vec<NaiveDate> = due
            .iter()
            .filter(|d| d.obligation == Obligation::Rapporto)
            .map(|d| d.due_on)
            .collect();
        assert_eq!(rapporti, [date(2010, 2, 28), date(2010, 9, 30)]);
        assert!(
            due.iter()
                .all(|d| d.obligation != Obligation::ValidationRequest),
            "no invented deadline"
        );
    }
}
