//! The scheda's rules, pure: the steps of its review, its commitments and payments against the
//! registers of impegni and pagamenti, its progress, and what they refuse ([`SchedaError`]).

use apq_domain::{Euro, Semester, text_enum};
use chrono::NaiveDate;

use super::json::ActivityProgress;

apq_platform::db_text_enum!(
    /// Where a scheda stands.
    SchedaState { Draft = "draft", Submitted = "submitted", Validated = "validated", Returned = "returned" }
);

text_enum!(
    /// The state of an activity in the semester.
    ActivityState { NotStarted = "not_started", InProgress = "in_progress", Completed = "completed", Late = "late" }
);

/// What the scheda's rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchedaError {
    #[error("{code} already has a scheda for {semester}")]
    AlreadyOpened { code: String, semester: Semester },
    #[error("required while the intervento has no impegni and pagamenti recorded")]
    TotalRequired(&'static str),
    #[error(
        "the pagamenti of {code} recorded up to {until} add up to {payments}, past its impegni ({commitments}): record the impegni first"
    )]
    PagamentiPastImpegni {
        code: String,
        until: NaiveDate,
        payments: Euro,
        commitments: Euro,
    },
    #[error(
        "the {register} recorded up to {until} add up to {derived}: leave it out, it is derived from them"
    )]
    NotAsRecorded {
        field: &'static str,
        register: &'static str,
        until: NaiveDate,
        derived: Euro,
    },
    #[error("cannot be negative")]
    Negative(&'static str),
    #[error("payments cannot exceed commitments")]
    PaymentsOverCommitments,
    #[error("an activity cannot end before it starts")]
    EndsBeforeStart(usize),
    #[error("a {0} scheda does not change")]
    DoesNotChange(SchedaState),
    #[error("the review step \"{0}\" (submission, validation, return)")]
    UnknownStep(String),
    #[error("say what must be corrected")]
    NoNote,
    #[error("a {state} scheda cannot be {}; it must be {} first", step.done(), step.leaves_from())]
    NotNow { state: SchedaState, step: Step },
}

impl SchedaError {
    /// The input field a refusal is about, for those that name one.
    pub fn field(&self) -> Option<String> {
        match self {
            SchedaError::TotalRequired(field) | SchedaError::Negative(field) => {
                Some((*field).to_owned())
            }
            SchedaError::NotAsRecorded { field, .. } => Some((*field).to_owned()),
            SchedaError::PaymentsOverCommitments => Some("payments".to_owned()),
            SchedaError::EndsBeforeStart(i) => Some(format!("activities[{i}].actual_end")),
            SchedaError::NoNote => Some("note".to_owned()),
            _ => None,
        }
    }
}

/// A step of the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Submission,
    Validation,
    Return,
}

impl Step {
    /// The step a path names.
    pub fn parse(step: &str) -> Result<Self, SchedaError> {
        match step {
            "submission" => Ok(Step::Submission),
            "validation" => Ok(Step::Validation),
            "return" => Ok(Step::Return),
            other => Err(SchedaError::UnknownStep(other.to_owned())),
        }
    }

    /// The states the step leaves from.
    pub fn from(self) -> &'static [SchedaState] {
        match self {
            Step::Submission => &[SchedaState::Draft, SchedaState::Returned],
            Step::Validation | Step::Return => &[SchedaState::Submitted],
        }
    }

    /// The state the step arrives at.
    pub fn to(self) -> SchedaState {
        match self {
            Step::Submission => SchedaState::Submitted,
            Step::Validation => SchedaState::Validated,
            Step::Return => SchedaState::Returned,
        }
    }

    fn done(self) -> &'static str {
        match self {
            Step::Submission => "submitted",
            Step::Validation => "validated",
            Step::Return => "returned",
        }
    }

    fn leaves_from(self) -> String {
        self.from()
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" or ")
    }

    /// The note the step keeps: a return says what must be corrected.
    pub fn check_note(self, note: Option<&str>) -> Result<(), SchedaError> {
        if self == Step::Return && note.is_none_or(|n| n.trim().is_empty()) {
            return Err(SchedaError::NoNote);
        }
        Ok(())
    }

    /// Whether the step applies to a scheda in `state`.
    pub fn check(self, state: SchedaState) -> Result<(), SchedaError> {
        if self.from().contains(&state) {
            Ok(())
        } else {
            Err(SchedaError::NotNow { state, step: self })
        }
    }

    /// The return reason the scheda keeps after the step.
    pub fn return_reason(self, note: Option<String>) -> Option<String> {
        if self == Step::Return { note } else { None }
    }
}

/// Only draft and returned schede change.
pub fn check_changeable(state: SchedaState) -> Result<(), SchedaError> {
    if matches!(state, SchedaState::Draft | SchedaState::Returned) {
        Ok(())
    } else {
        Err(SchedaError::DoesNotChange(state))
    }
}

/// The scheda's commitments and payments for `semester`: derived from the intervento's
/// `recorded` impegni and pagamenti up to the semester's end when it has any (a declared total
/// that disagrees is refused, naming the field; pagamenti past the impegni are refused alone),
/// else as declared (then both are required: unknown is not zero).
pub fn totals(
    code: &str,
    semester: Semester,
    declared: (Option<Euro>, Option<Euro>),
    recorded: Option<(Euro, Euro)>,
) -> Result<(Euro, Euro), Vec<SchedaError>> {
    let Some((derived_c, derived_p)) = recorded else {
        return match declared {
            (Some(commitments), Some(payments)) => Ok((commitments, payments)),
            (commitments, payments) => Err([("commitments", commitments), ("payments", payments)]
                .into_iter()
                .filter(|(_, value)| value.is_none())
                .map(|(field, _)| SchedaError::TotalRequired(field))
                .collect()),
        };
    };
    let until = semester.last_day();
    if derived_p > derived_c {
        return Err(vec![SchedaError::PagamentiPastImpegni {
            code: code.to_owned(),
            until,
            payments: derived_p,
            commitments: derived_c,
        }]);
    }
    let errors: Vec<_> = [
        ("commitments", declared.0, derived_c, "impegni"),
        ("payments", declared.1, derived_p, "pagamenti"),
    ]
    .into_iter()
    .filter(|(_, declared, derived, _)| declared.is_some_and(|d| d != *derived))
    .map(|(field, _, derived, register)| SchedaError::NotAsRecorded {
        field,
        register,
        until,
        derived,
    })
    .collect();
    if errors.is_empty() {
        Ok((derived_c, derived_p))
    } else {
        Err(errors)
    }
}

/// The totals of a changed scheda: the patch's or the stored ones, checked as [`totals`]; totals
/// stored before the registers had events give way to the derived ones when the patch sets none.
pub fn patched_totals(
    code: &str,
    semester: Semester,
    stored: (Euro, Euro),
    patch: (Option<Euro>, Option<Euro>),
    recorded: Option<(Euro, Euro)>,
) -> Result<(Euro, Euro), Vec<SchedaError>> {
    let declared = (
        Some(patch.0.unwrap_or(stored.0)),
        Some(patch.1.unwrap_or(stored.1)),
    );
    totals(code, semester, declared, recorded).or_else(|errors| {
        if patch.0.is_none() && patch.1.is_none() {
            totals(code, semester, (None, None), recorded)
        } else {
            Err(errors)
        }
    })
}

/// Everything wrong with a scheda's progress, in field order.
pub fn check_progress(
    commitments: Euro,
    payments: Euro,
    activities: &[ActivityProgress],
) -> Vec<SchedaError> {
    let mut errors = Vec::new();
    if commitments.is_negative() {
        errors.push(SchedaError::Negative("commitments"));
    }
    if payments.is_negative() {
        errors.push(SchedaError::Negative("payments"));
    }
    if payments > commitments {
        errors.push(SchedaError::PaymentsOverCommitments);
    }
    for (i, a) in activities.iter().enumerate() {
        if let (Some(start), Some(end)) = (a.actual_start, a.actual_end)
            && end < start
        {
            errors.push(SchedaError::EndsBeforeStart(i));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use SchedaError as E;

    fn euro(raw: &str) -> Euro {
        Euro::parse(raw).unwrap_or_else(|e| panic!("{e}"))
    }

    fn s2() -> Semester {
        Semester::parse("2009-S2").unwrap_or_else(|e| panic!("{e}"))
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn the_review_steps_go_from_state_to_state() {
        use SchedaState::*;
        let cases: &[(&str, SchedaState, Result<SchedaState, &str>)] = &[
            ("submission", Draft, Ok(Submitted)),
            ("submission", Returned, Ok(Submitted)),
            (
                "submission",
                Validated,
                Err("a validated scheda cannot be submitted; it must be draft or returned first"),
            ),
            ("validation", Submitted, Ok(Validated)),
            (
                "validation",
                Draft,
                Err("a draft scheda cannot be validated; it must be submitted first"),
            ),
            ("return", Submitted, Ok(Returned)),
            (
                "return",
                Returned,
                Err("a returned scheda cannot be returned; it must be submitted first"),
            ),
        ];
        for (step, state, expected) in cases {
            let step = Step::parse(step).unwrap_or_else(|e| panic!("{e}"));
            let got = step
                .check(*state)
                .map(|()| step.to())
                .map_err(|e| e.to_string());
            assert_eq!(
                got,
                expected.map_err(str::to_owned),
                "{step:?} from {state}"
            );
        }
        assert_eq!(
            Step::parse("approval").map_err(|e| e.to_string()),
            Err("the review step \"approval\" (submission, validation, return)".to_owned())
        );
    }

    #[test]
    fn a_return_says_what_must_be_corrected() {
        let cases = [
            (Step::Return, None, Err(E::NoNote)),
            (Step::Return, Some("  "), Err(E::NoNote)),
            (Step::Return, Some("SAL"), Ok(())),
            (Step::Submission, None, Ok(())),
            (Step::Validation, None, Ok(())),
        ];
        for (step, note, expected) in cases {
            assert_eq!(step.check_note(note), expected, "{step:?} {note:?}");
        }
        assert_eq!(
            Step::Return.return_reason(Some("x".into())),
            Some("x".into())
        );
        assert_eq!(Step::Validation.return_reason(Some("x".into())), None);
    }

    #[test]
    fn only_drafts_and_returned_schede_change() {
        use SchedaState::*;
        for (state, changes) in [
            (Draft, true),
            (Returned, true),
            (Submitted, false),
            (Validated, false),
        ] {
            assert_eq!(check_changeable(state).is_ok(), changes, "{state}");
        }
    }

    #[test]
    fn totals_are_declared_or_derived_from_the_registers() {
        let (a, b, c) = (euro("100.00"), euro("40.00"), euro("120.00"));
        let until = day(2009, 12, 31);
        type Case = (
            (Option<Euro>, Option<Euro>),
            Option<(Euro, Euro)>,
            Result<(Euro, Euro), Vec<SchedaError>>,
        );
        let cases: Vec<Case> = vec![
            ((Some(a), Some(b)), None, Ok((a, b))),
            (
                (None, Some(b)),
                None,
                Err(vec![E::TotalRequired("commitments")]),
            ),
            (
                (None, None),
                None,
                Err(vec![
                    E::TotalRequired("commitments"),
                    E::TotalRequired("payments"),
                ]),
            ),
            ((None, None), Some((a, b)), Ok((a, b))),
            ((Some(a), Some(b)), Some((a, b)), Ok((a, b))),
            (
                (Some(c), Some(a)),
                Some((a, b)),
                Err(vec![
                    E::NotAsRecorded {
                        field: "commitments",
                        register: "impegni",
                        until,
                        derived: a,
                    },
                    E::NotAsRecorded {
                        field: "payments",
                        register: "pagamenti",
                        until,
                        derived: b,
                    },
                ]),
            ),
            (
                (None, None),
                Some((b, a)),
                Err(vec![E::PagamentiPastImpegni {
                    code: "A1".into(),
                    until,
                    payments: a,
                    commitments: b,
                }]),
            ),
        ];
        for (declared, recorded, expected) in cases {
            assert_eq!(
                totals("A1", s2(), declared, recorded),
                expected,
                "{declared:?} {recorded:?}"
            );
        }
    }

    #[test]
    fn stored_totals_give_way_to_the_registers_unless_patched() {
        let (a, b, c) = (euro("100.00"), euro("40.00"), euro("120.00"));
        let recorded = Some((a, b));
        assert_eq!(
            patched_totals("A1", s2(), (c, b), (None, None), recorded),
            Ok((a, b))
        );
        assert!(patched_totals("A1", s2(), (a, b), (Some(c), None), recorded).is_err());
        assert_eq!(
            patched_totals("A1", s2(), (a, b), (Some(c), None), None),
            Ok((c, b))
        );
    }

    #[test]
    fn progress_is_checked_field_by_field() {
        let activity = |start, end| ActivityProgress {
            code: "A3-1".into(),
            state: ActivityState::InProgress,
            actual_start: start,
            actual_end: end,
        };
        let ok = activity(Some(day(2009, 7, 1)), Some(day(2009, 8, 1)));
        let bad = activity(Some(day(2009, 8, 1)), Some(day(2009, 7, 1)));
        let (zero, ten, minus) = (Euro::ZERO, euro("10.00"), euro("-1.00"));
        let cases: Vec<(Euro, Euro, Vec<ActivityProgress>, Vec<SchedaError>)> = vec![
            (ten, ten, vec![ok.clone()], vec![]),
            (zero, ten, vec![], vec![E::PaymentsOverCommitments]),
            (
                minus,
                minus,
                vec![],
                vec![E::Negative("commitments"), E::Negative("payments")],
            ),
            (ten, zero, vec![ok, bad], vec![E::EndsBeforeStart(1)]),
        ];
        for (commitments, payments, activities, expected) in cases {
            assert_eq!(
                check_progress(commitments, payments, &activities),
                expected,
                "{commitments} {payments}"
            );
        }
        assert_eq!(
            E::EndsBeforeStart(1).field().as_deref(),
            Some("activities[1].actual_end")
        );
    }
}
