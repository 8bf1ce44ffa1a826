//! The calendar's request and response types.

use apq_domain::Semester;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::rules::{self, DueStatus};
use crate::deadlines::{Due, Obligation, RecordedObligation};

#[derive(Debug, Deserialize)]
pub struct SemesterPath {
    pub semester: Semester,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CalendarItem {
    pub obligation: Obligation,
    pub semester: Option<Semester>,
    /// The intervento an obligation of one intervento concerns (the CUP's, art. 7.2.h).
    pub intervento_code: Option<String>,
    pub due_on: NaiveDate,
    /// Who must fulfil it.
    pub party: String,
    pub status: DueStatus,
    pub done_on: Option<NaiveDate>,
}

impl CalendarItem {
    /// Where `due` stands at `as_of`, given what is `done`.
    pub fn new(due: &Due, done: &rules::Done, as_of: NaiveDate) -> Self {
        let done_on = rules::done_on(done, due);
        CalendarItem {
            party: due.obligation.party().to_owned(),
            obligation: due.obligation,
            semester: due.semester,
            intervento_code: None,
            due_on: due.due_on,
            status: rules::status(done_on, due.due_on, as_of),
            done_on,
        }
    }
}

impl CalendarItem {
    /// The CUP of `code` due on `due_on` (art. 7.2.h), standing at `status`.
    pub fn cup(code: String, due_on: NaiveDate, status: DueStatus) -> Self {
        CalendarItem {
            obligation: Obligation::Cup,
            semester: None,
            intervento_code: Some(code),
            due_on,
            party: Obligation::Cup.party().to_owned(),
            status,
            done_on: None,
        }
    }
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

impl Calendar {
    /// The calendar of `items`, counting those late.
    pub fn new(signed_on: NaiveDate, as_of: NaiveDate, items: Vec<CalendarItem>) -> Self {
        let late = items.iter().filter(|i| i.status == DueStatus::Late).count() as i64;
        Calendar {
            signed_on,
            as_of,
            items,
            late,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// The atto's signature date; by default the agreements register's date for atto `atto`
    /// (whose interventi the CUP obligations are read from in any case).
    pub signed_on: Option<NaiveDate>,
    /// The atto integrativo's number (default 4).
    #[param(format = Int32)]
    pub atto: Option<i32>,
    /// The date at which "late" is judged (default: today).
    pub as_of: Option<NaiveDate>,
    /// The last date the calendar covers (default: a year after `as_of`).
    pub until: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Fulfilment {
    /// The CUP's obligation is not among them: recording the CUP in the register fulfils it.
    pub obligation: RecordedObligation,
    /// For semestral obligations.
    pub semester: Option<Semester>,
    pub done_on: NaiveDate,
    pub act_ref: Option<String>,
}
