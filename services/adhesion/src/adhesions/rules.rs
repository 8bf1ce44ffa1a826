//! The adhesion's rules, pure: the lifecycle (one step forward, never before the previous
//! step's date), one live adhesion per body and service, and who may act for a body.

use chrono::NaiveDate;

apq_platform::db_text_enum!(
    /// Where an adhesion stands.
    AdhesionState {
        Requested = "requested",
        CommitmentSigned = "commitment_signed",
        Active = "active",
        Ceased = "ceased",
    }
);

impl AdhesionState {
    /// The only state an adhesion may move to from this one.
    pub fn next(self) -> Option<AdhesionState> {
        match self {
            AdhesionState::Requested => Some(AdhesionState::CommitmentSigned),
            AdhesionState::CommitmentSigned => Some(AdhesionState::Active),
            AdhesionState::Active => Some(AdhesionState::Ceased),
            AdhesionState::Ceased => None,
        }
    }
}

/// What the adhesion's rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdhesionError {
    #[error("services are numbered from 1")]
    ServiceNumber,
    #[error("a {from} adhesion can only become {next}, not {to}")]
    NotTheNextStep {
        from: AdhesionState,
        next: AdhesionState,
        to: AdhesionState,
    },
    #[error("a {0} adhesion does not change any more")]
    Final(AdhesionState),
    #[error("an adhesion is requested only once")]
    RequestedAgain,
    #[error("the step cannot precede the previous one ({0})")]
    BeforePrevious(NaiveDate),
    #[error("{ente_code} already adheres to service {service_number}{}", sub_service_suffix(.sub_service))]
    AlreadyAdheres {
        ente_code: String,
        service_number: i32,
        sub_service: String,
    },
    /// `field` names a body the registry does not hold.
    #[error("there is no body {code} in the registry")]
    UnknownBody { field: &'static str, code: String },
    #[error("not an aggregation")]
    NotAnAggregation,
    #[error("{ente_code} is not a member of {aggregation}")]
    NotAMember {
        ente_code: String,
        aggregation: String,
    },
    #[error("the caller may not act for the body {0}")]
    MayNotActFor(String),
}

fn sub_service_suffix(sub_service: &str) -> String {
    if sub_service.is_empty() {
        String::new()
    } else {
        format!(" ({sub_service})")
    }
}

/// The dates of the steps taken so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taken {
    pub requested_on: NaiveDate,
    pub commitment_signed_on: Option<NaiveDate>,
    pub activated_on: Option<NaiveDate>,
}

impl Taken {
    /// The date of the latest step.
    pub fn latest(&self) -> NaiveDate {
        [self.commitment_signed_on, self.activated_on]
            .into_iter()
            .flatten()
            .fold(self.requested_on, NaiveDate::max)
    }
}

/// Whether an adhesion in `from`, with the steps `taken`, may take the step to `to` on `on`: one
/// step forward, never before the previous step's date.
pub fn check_step(
    from: AdhesionState,
    taken: Taken,
    to: AdhesionState,
    on: NaiveDate,
) -> Result<(), AdhesionError> {
    match from.next() {
        None => return Err(AdhesionError::Final(from)),
        Some(next) if next != to => return Err(AdhesionError::NotTheNextStep { from, next, to }),
        Some(_) => {}
    }
    let previous = taken.latest();
    if on < previous {
        return Err(AdhesionError::BeforePrevious(previous));
    }
    Ok(())
}

/// A new adhesion's service number.
pub fn check_service_number(number: i32) -> Result<(), AdhesionError> {
    if number < 1 {
        return Err(AdhesionError::ServiceNumber);
    }
    Ok(())
}

/// Who may request an adhesion for a body: admin, the body itself, or the operator of the
/// aggregation it adheres through (`caller_ente` is the body the caller's token names).
pub fn may_act_for(
    admin: bool,
    caller_ente: Option<&str>,
    ente_code: &str,
    via_aggregation: Option<&str>,
) -> Result<(), AdhesionError> {
    let for_itself = caller_ente == Some(ente_code);
    let as_operator = via_aggregation.is_some_and(|via| caller_ente == Some(via));
    if admin || for_itself || as_operator {
        Ok(())
    } else {
        Err(AdhesionError::MayNotActFor(ente_code.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::AdhesionState::{Active, Ceased, CommitmentSigned, Requested};
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 3, d).unwrap_or_else(|| panic!("March {d}"))
    }

    const NONE: Taken = Taken {
        requested_on: match NaiveDate::from_ymd_opt(2024, 3, 10) {
            Some(d) => d,
            None => NaiveDate::MIN,
        },
        commitment_signed_on: None,
        activated_on: None,
    };

    #[test]
    fn steps_go_one_forward_and_never_back() {
        use AdhesionError as E;
        let cases: &[(AdhesionState, AdhesionState, Result<(), AdhesionError>)] = &[
            (Requested, CommitmentSigned, Ok(())),
            (CommitmentSigned, Active, Ok(())),
            (Active, Ceased, Ok(())),
            (
                Requested,
                Active,
                Err(E::NotTheNextStep {
                    from: Requested,
                    next: CommitmentSigned,
                    to: Active,
                }),
            ),
            (
                Active,
                CommitmentSigned,
                Err(E::NotTheNextStep {
                    from: Active,
                    next: Ceased,
                    to: CommitmentSigned,
                }),
            ),
            (
                CommitmentSigned,
                Requested,
                Err(E::NotTheNextStep {
                    from: CommitmentSigned,
                    next: Active,
                    to: Requested,
                }),
            ),
            (Ceased, Active, Err(E::Final(Ceased))),
            (Ceased, Requested, Err(E::Final(Ceased))),
        ];
        for (from, to, expected) in cases {
            assert_eq!(
                &check_step(*from, NONE, *to, day(20)),
                expected,
                "{from} -> {to}"
            );
        }
    }

    #[test]
    fn a_step_is_never_dated_before_the_previous_one() {
        let taken = Taken {
            commitment_signed_on: Some(day(15)),
            ..NONE
        };
        assert_eq!(
            check_step(CommitmentSigned, taken, Active, day(14)),
            Err(AdhesionError::BeforePrevious(day(15)))
        );
        assert_eq!(check_step(CommitmentSigned, taken, Active, day(15)), Ok(()));
        assert_eq!(
            check_step(Requested, NONE, CommitmentSigned, day(9)),
            Err(AdhesionError::BeforePrevious(day(10)))
        );
    }

    #[test]
    fn the_messages_say_what_is_refused() {
        let err = check_step(Requested, NONE, Active, day(20));
        assert_eq!(
            err.map_err(|e| e.to_string()),
            Err("a requested adhesion can only become commitment_signed, not active".to_owned())
        );
        assert_eq!(
            AdhesionError::Final(Ceased).to_string(),
            "a ceased adhesion does not change any more"
        );
        let taken = AdhesionError::AlreadyAdheres {
            ente_code: "048017".into(),
            service_number: 3,
            sub_service: "consultazione".into(),
        };
        assert_eq!(
            taken.to_string(),
            "048017 already adheres to service 3 (consultazione)"
        );
        let plain = AdhesionError::AlreadyAdheres {
            ente_code: "048017".into(),
            service_number: 3,
            sub_service: String::new(),
        };
        assert_eq!(plain.to_string(), "048017 already adheres to service 3");
    }

    #[test]
    fn who_may_act_for_a_body() {
        let cases = [
            (true, None, None, true),
            (false, Some("048017"), None, true),
            (false, Some("UC-CASENTINO"), Some("UC-CASENTINO"), true),
            (false, Some("UC-CASENTINO"), None, false),
            (false, Some("048001"), Some("UC-CASENTINO"), false),
            (false, None, Some("UC-CASENTINO"), false),
        ];
        for (admin, caller, via, allowed) in cases {
            assert_eq!(
                may_act_for(admin, caller, "048017", via).is_ok(),
                allowed,
                "admin {admin}, caller {caller:?}, via {via:?}"
            );
        }
        assert_eq!(check_service_number(0), Err(AdhesionError::ServiceNumber));
        assert_eq!(check_service_number(1), Ok(()));
    }
}
