//! Tranche plans: the schedules of art. 4.2 (ALI: 30/50/20) and art. 5.5 (RIUSO: 20/30/30/20),
//! and the state machine every tranche follows. Eligibility is decided by the monitoring
//! service; here a tranche only changes state through an explicit, audited transition.

use apq_domain::{Euro, Percent};
use rust_decimal::Decimal;

use apq_domain::Role;

use crate::access::EDITORS;
use crate::model::Kind;

apq_platform::db_text_enum!(
    /// The life of a tranche.
    TrancheState {
        Planned = "planned",
        Eligible = "eligible",
        Requested = "requested",
        Paid = "paid",
        Revoked = "revoked",
    } => apq_domain::contracts::agreements::TrancheState
);

impl TrancheState {
    /// The states a tranche may move to from this one.
    pub fn next(self) -> &'static [TrancheState] {
        use TrancheState::*;
        match self {
            Planned => &[Eligible, Revoked],
            Eligible => &[Requested, Planned, Revoked],
            Requested => &[Paid, Eligible, Revoked],
            Paid => &[Revoked],
            Revoked => &[],
        }
    }

    pub fn can_become(self, to: TrancheState) -> bool {
        self.next().contains(&to)
    }
}

/// What the tranche rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrancheError {
    #[error("say why the tranche changes state")]
    NoReason,
    #[error(
        "a {from} tranche cannot become {to}; from {from} it can become: {}",
        if from.next().is_empty() {
            "nothing".to_owned()
        } else {
            from.next().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        }
    )]
    NotAllowed {
        from: TrancheState,
        to: TrancheState,
    },
    #[error("a change of state cannot take effect in the future")]
    FutureEffect,
    #[error(
        "a tranche of this intervento has already left the planned state; its plan changes only by a Tavolo decision"
    )]
    UnderWay,
}

/// Whether an intervento's tranche plan, its tranches now in `states`, may be written again:
/// only while every tranche is planned (money already in motion is changed by the Tavolo only).
pub fn check_replannable(states: &[TrancheState]) -> Result<(), TrancheError> {
    if states.iter().any(|&state| state != TrancheState::Planned) {
        return Err(TrancheError::UnderWay);
    }
    Ok(())
}

/// The day a transition takes effect: the one given (a payment recorded after the fact), else
/// `today`; never in the future.
pub fn effective_on(
    requested: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
) -> Result<chrono::NaiveDate, TrancheError> {
    let on = requested.unwrap_or(today);
    if on > today {
        return Err(TrancheError::FutureEffect);
    }
    Ok(on)
}

/// Who moves a tranche to `to`: the Regione requests; CNIPA pays (records the payment) and
/// revokes (art. 4.4, 5.6); eligibility is judged by the monitoring service (or an editor).
pub fn movers(to: TrancheState) -> &'static [Role] {
    match to {
        TrancheState::Eligible | TrancheState::Planned => {
            &[Role::Admin, Role::ResponsabileAccordo, Role::Sync]
        }
        TrancheState::Requested => EDITORS,
        TrancheState::Paid => &[Role::Admin, Role::Cnipa],
        TrancheState::Revoked => &[Role::Cnipa],
    }
}

/// A change of state says why it is made.
pub fn check_reason(reason: &str) -> Result<(), TrancheError> {
    if reason.trim().is_empty() {
        return Err(TrancheError::NoReason);
    }
    Ok(())
}

/// Whether a tranche in `from` may move to `to`.
pub fn check_transition(from: TrancheState, to: TrancheState) -> Result<(), TrancheError> {
    if !from.can_become(to) {
        return Err(TrancheError::NotAllowed { from, to });
    }
    Ok(())
}

/// One planned tranche: its share of the co-financing and the condition that releases it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedTranche {
    pub seq: i32,
    pub share: Percent,
    pub amount: Euro,
    pub condition: &'static str,
    pub requires_plan_approved: bool,
    pub requires_progetto_esecutivo: bool,
    /// Which SAL verification releases it (1st, 2nd).
    pub sal_verification: Option<i32>,
    /// The SAL (share of the activities' value) it needs.
    pub sal_threshold: Option<Percent>,
    /// The share of adhering comuni with signed commitments it needs.
    pub adhesion_share_threshold: Option<Percent>,
    /// Months of verified service operation it needs.
    pub months_of_operation: Option<i32>,
    /// The intervento's catalogue services usable: active and past their go-live (ALI 2).
    pub requires_services_usable: bool,
    /// The admissibility requirements still hold: a recorded verification (ALI 2, 3).
    pub requires_admissibility: bool,
    /// The completion of the project recorded (ALI 3, RIUSO 4).
    pub requires_completion: bool,
}

struct Step {
    share: u32,
    condition: &'static str,
    plan: bool,
    progetto: bool,
    sal: Option<(i32, Option<u32>)>,
    adhesion: Option<u32>,
    months: Option<i32>,
    services_usable: bool,
    admissibility: bool,
    completion: bool,
}

const ALI: [Step; 3] = [
    Step {
        share: 30,
        condition: "After signature, once CNIPA has approved the Piano di monitoraggio (art. 4.2)",
        plan: true,
        progetto: false,
        sal: None,
        adhesion: None,
        months: None,
        services_usable: false,
        admissibility: false,
        completion: false,
    },
    Step {
        share: 50,
        condition: "After the first SAL verification showing at least 50% of the activities' value, services usable, and contractual commitments to use them signed by at least 30% of the adhering comuni; the ALI admissibility requirements still hold (art. 4.2)",
        plan: false,
        progetto: false,
        sal: Some((1, Some(50))),
        adhesion: Some(30),
        months: None,
        services_usable: true,
        admissibility: true,
        completion: false,
    },
    Step {
        share: 20,
        condition: "At completion, after 12 months of verified service operation; the ALI admissibility requirements still hold (art. 4.2)",
        plan: false,
        progetto: false,
        sal: None,
        adhesion: None,
        months: Some(12),
        services_usable: false,
        admissibility: true,
        completion: true,
    },
];

const RIUSO: [Step; 4] = [
    Step {
        share: 20,
        condition: "After signature, once CNIPA has approved the progetto esecutivo (art. 5.5)",
        plan: false,
        progetto: true,
        sal: None,
        adhesion: None,
        months: None,
        services_usable: false,
        admissibility: false,
        completion: false,
    },
    Step {
        share: 30,
        condition: "After the first positive SAL (art. 5.5)",
        plan: false,
        progetto: false,
        sal: Some((1, None)),
        adhesion: None,
        months: None,
        services_usable: false,
        admissibility: false,
        completion: false,
    },
    Step {
        share: 30,
        condition: "After the second positive SAL (art. 5.5)",
        plan: false,
        progetto: false,
        sal: Some((2, None)),
        adhesion: None,
        months: None,
        services_usable: false,
        admissibility: false,
        completion: false,
    },
    Step {
        share: 20,
        condition: "At completion, after 12 months of verified service operation (art. 5.5)",
        plan: false,
        progetto: false,
        sal: None,
        adhesion: None,
        months: Some(12),
        services_usable: false,
        admissibility: false,
        completion: true,
    },
];

fn percent(n: u32) -> Percent {
    Percent::from_decimal(Decimal::from(n)).unwrap_or(Percent::ZERO)
}

/// The tranche plan of an intervento of `kind` co-financed with `cofinancing`. Amounts are
/// rounded to the cent; the last tranche takes the remainder so they add up exactly.
pub fn schedule(kind: Kind, cofinancing: Euro) -> Vec<PlannedTranche> {
    let steps: &[Step] = match kind {
        Kind::Ali => &ALI,
        Kind::Riuso => &RIUSO,
    };
    let mut allotted = Euro::ZERO;
    let last = steps.len();
    steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let share = percent(step.share);
            let amount = if i + 1 == last {
                cofinancing - allotted
            } else {
                cofinancing.percent_of(share)
            };
            allotted = allotted + amount;
            PlannedTranche {
                seq: i32::try_from(i + 1).unwrap_or(i32::MAX),
                share,
                amount,
                condition: step.condition,
                requires_plan_approved: step.plan,
                requires_progetto_esecutivo: step.progetto,
                sal_verification: step.sal.map(|(n, _)| n),
                sal_threshold: step.sal.and_then(|(_, t)| t).map(percent),
                adhesion_share_threshold: step.adhesion.map(percent),
                months_of_operation: step.months,
                requires_services_usable: step.services_usable,
                requires_admissibility: step.admissibility,
                requires_completion: step.completion,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ali_plan_is_30_50_20_and_adds_up() {
        let cofinancing = Euro::parse("584745.76").unwrap_or_default();
        let plan = schedule(Kind::Ali, cofinancing);
        let shares: Vec<String> = plan.iter().map(|t| String::from(t.share)).collect();
        assert_eq!(shares, ["30.00", "50.00", "20.00"]);
        assert_eq!(plan.iter().map(|t| t.amount).sum::<Euro>(), cofinancing);
        assert_eq!(plan[0].amount, Euro::parse("175423.73").unwrap_or_default());
        assert_eq!(
            plan[1].sal_threshold.map(String::from).as_deref(),
            Some("50.00")
        );
        assert_eq!(
            plan[1]
                .adhesion_share_threshold
                .map(String::from)
                .as_deref(),
            Some("30.00")
        );
        assert_eq!(plan[2].months_of_operation, Some(12));
        assert!(plan[1].requires_services_usable && plan[1].requires_admissibility);
        assert!(plan[2].requires_completion && plan[2].requires_admissibility);
        assert!(!plan[0].requires_admissibility && !plan[0].requires_completion);
    }

    #[test]
    fn the_riuso_plan_is_20_30_30_20() {
        let plan = schedule(Kind::Riuso, Euro::parse("1428995.00").unwrap_or_default());
        let shares: Vec<String> = plan.iter().map(|t| String::from(t.share)).collect();
        assert_eq!(shares, ["20.00", "30.00", "30.00", "20.00"]);
        assert_eq!(plan[2].sal_verification, Some(2));
        assert!(plan[3].requires_completion && !plan[3].requires_admissibility);
    }

    #[test]
    fn a_tranche_cannot_jump_from_planned_to_paid() {
        assert!(!TrancheState::Planned.can_become(TrancheState::Paid));
        assert!(TrancheState::Planned.can_become(TrancheState::Eligible));
        assert!(TrancheState::Requested.can_become(TrancheState::Paid));
        assert!(TrancheState::Revoked.next().is_empty());
    }

    #[test]
    fn a_tranche_moves_only_along_its_transitions() {
        use TrancheState::*;
        let allowed = [
            (Planned, Eligible),
            (Planned, Revoked),
            (Eligible, Requested),
            (Eligible, Planned),
            (Eligible, Revoked),
            (Requested, Paid),
            (Requested, Eligible),
            (Requested, Revoked),
            (Paid, Revoked),
        ];
        for from in TrancheState::ALL {
            for to in TrancheState::ALL {
                let expected = allowed.contains(&(*from, *to));
                assert_eq!(
                    check_transition(*from, *to).is_ok(),
                    expected,
                    "{from} -> {to}"
                );
            }
        }
        assert_eq!(
            check_transition(Planned, Paid).map_err(|e| e.to_string()),
            Err("a planned tranche cannot become paid; from planned it can become: eligible, revoked".to_owned())
        );
        assert_eq!(
            check_transition(Revoked, Paid).map_err(|e| e.to_string()),
            Err(
                "a revoked tranche cannot become paid; from revoked it can become: nothing"
                    .to_owned()
            )
        );
        assert_eq!(check_reason(" "), Err(TrancheError::NoReason));
        assert_eq!(check_reason("verbale n. 3"), Ok(()));
    }

    #[test]
    fn only_cnipa_revokes_and_pays() {
        assert_eq!(movers(TrancheState::Revoked), &[Role::Cnipa]);
        assert!(movers(TrancheState::Paid).contains(&Role::Cnipa));
        assert!(!movers(TrancheState::Requested).contains(&Role::Cnipa));
        assert!(movers(TrancheState::Eligible).contains(&Role::Sync));
    }

    #[test]
    fn a_plan_is_rewritten_only_while_every_tranche_is_planned() {
        use TrancheState::*;
        let cases: [(&[TrancheState], Result<(), TrancheError>); 5] = [
            (&[], Ok(())),
            (&[Planned, Planned], Ok(())),
            (&[Planned, Eligible], Err(TrancheError::UnderWay)),
            (&[Paid], Err(TrancheError::UnderWay)),
            (&[Revoked, Planned], Err(TrancheError::UnderWay)),
        ];
        for (states, expected) in cases {
            assert_eq!(check_replannable(states), expected, "{states:?}");
        }
    }

    #[test]
    fn a_transition_takes_effect_today_or_on_a_day_gone_by() {
        let today = chrono::NaiveDate::from_ymd_opt(2010, 3, 15).unwrap_or_default();
        let before = chrono::NaiveDate::from_ymd_opt(2010, 2, 1).unwrap_or_default();
        let after = chrono::NaiveDate::from_ymd_opt(2010, 3, 16).unwrap_or_default();
        for (requested, expected) in [
            (None, Ok(today)),
            (Some(before), Ok(before)),
            (Some(today), Ok(today)),
            (Some(after), Err(TrancheError::FutureEffect)),
        ] {
            assert_eq!(effective_on(requested, today), expected, "{requested:?}");
        }
    }
}
