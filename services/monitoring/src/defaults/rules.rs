//! The defaults' rules, pure: which obligations are missed at a date, and how a case moves on
//! (a deadline, its resolution, the referral to the Tavolo once the deadline has passed), and
//! what they refuse ([`DefaultError`]).

use chrono::NaiveDate;

use crate::calendar::{Done, done_on};
use crate::deadlines::Due;

apq_platform::db_text_enum!(
    /// Where a case of default stands: open, resolved, or referred to the Tavolo.
    DefaultState { Open = "open", Resolved = "resolved", Referred = "referred" }
);

/// What the defaults' rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefaultError {
    #[error("the case is {0}")]
    NotOpen(DefaultState),
    #[error("give the party a deadline before referring the case")]
    NoDeadline,
    #[error("the deadline ({0}) has not passed yet")]
    DeadlineNotPassed(NaiveDate),
}

/// What a manager does with an open case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    GiveDeadline(NaiveDate),
    Resolve(NaiveDate),
    Refer(NaiveDate),
}

/// The obligations of `schedule` due before `as_of` and not `done`.
pub fn missed(schedule: Vec<Due>, done: &Done, as_of: NaiveDate) -> Vec<Due> {
    schedule
        .into_iter()
        .filter(|d| d.due_on < as_of && done_on(done, d).is_none())
        .collect()
}

/// The description of the case a missed obligation opens.
pub fn description(due: &Due) -> String {
    format!("{} due on {} not fulfilled", due.obligation, due.due_on)
}

/// Whether `step` applies to a case in `state` with `deadline`: only open cases move, and a
/// case is referred only once the deadline given has passed.
pub fn check(
    state: DefaultState,
    deadline: Option<NaiveDate>,
    step: Step,
) -> Result<(), DefaultError> {
    if state != DefaultState::Open {
        return Err(DefaultError::NotOpen(state));
    }
    if let Step::Refer(on) = step {
        match deadline {
            None => return Err(DefaultError::NoDeadline),
            Some(deadline) if on <= deadline => {
                return Err(DefaultError::DeadlineNotPassed(deadline));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadlines::Obligation;
    use apq_domain::Semester;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn a_case_moves_on_only_while_open_and_is_referred_after_its_deadline() {
        use DefaultError as E;
        let (d, before, after) = (day(2010, 3, 1), day(2010, 2, 1), day(2010, 3, 2));
        let cases = [
            (DefaultState::Open, None, Step::GiveDeadline(d), Ok(())),
            (DefaultState::Open, Some(d), Step::Resolve(before), Ok(())),
            (DefaultState::Open, Some(d), Step::Refer(after), Ok(())),
            (
                DefaultState::Open,
                None,
                Step::Refer(after),
                Err(E::NoDeadline),
            ),
            (
                DefaultState::Open,
                Some(d),
                Step::Refer(d),
                Err(E::DeadlineNotPassed(d)),
            ),
            (
                DefaultState::Open,
                Some(d),
                Step::Refer(before),
                Err(E::DeadlineNotPassed(d)),
            ),
            (
                DefaultState::Resolved,
                Some(d),
                Step::Refer(after),
                Err(E::NotOpen(DefaultState::Resolved)),
            ),
            (
                DefaultState::Referred,
                None,
                Step::GiveDeadline(d),
                Err(E::NotOpen(DefaultState::Referred)),
            ),
        ];
        for (state, deadline, step, expected) in cases {
            assert_eq!(
                check(state, deadline, step),
                expected,
                "{state} {deadline:?} {step:?}"
            );
        }
    }

    #[test]
    fn missed_obligations_are_those_due_before_the_date_and_not_done() {
        let s2 = Semester::parse("2009-S2").ok();
        let due = |obligation, due_on| Due {
            obligation,
            semester: s2,
            due_on,
        };
        let schedule = vec![
            due(Obligation::DataEntry, day(2010, 1, 31)),
            due(Obligation::ValidationRequest, day(2010, 1, 31)),
            due(Obligation::Rapporto, day(2010, 2, 28)),
        ];
        let done = vec![(
            "data_entry".to_owned(),
            "2009-S2".to_owned(),
            day(2010, 1, 30),
        )];
        let missed = missed(schedule, &done, day(2010, 2, 28));
        assert_eq!(
            missed,
            vec![due(Obligation::ValidationRequest, day(2010, 1, 31))]
        );
        assert_eq!(
            description(&missed[0]),
            "validation_request due on 2010-01-31 not fulfilled"
        );
    }
}
