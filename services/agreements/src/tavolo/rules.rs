//! The Tavolo's rules, pure: what each effect does to an intervento's state and section, when a
//! conciliation may still change, and what they refuse ([`TavoloError`]).

use apq_domain::Euro;
use uuid::Uuid;

use super::json::Effect;
use crate::financing::rules::{FinancingError, check_sources};
use crate::model::{InterventoState, Sezione};

apq_platform::db_text_enum!(
    /// Where a conciliation stands (art. 9).
    ConciliationState {
        Invited = "invited",
        Agreed = "agreed",
        Referred = "referred",
    }
);

/// What the Tavolo's rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TavoloError {
    #[error("say what the Tavolo decided")]
    NoSummary,
    #[error("there is no atto integrativo {0}")]
    NoAtto(Uuid),
    #[error("the intervento {code} is {current}, so it cannot become {to}")]
    State {
        code: String,
        current: InterventoState,
        to: InterventoState,
    },
    #[error("{0} is already in the sezione attuativa")]
    AlreadyAttuativa(String),
    #[error(
        "{code} is not technically mature (art. 5.4): record the reuse agreements and the validated progetto esecutivo first"
    )]
    NotMature {
        code: String,
        /// The reuse agreements' formalisation is not recorded.
        agreements: bool,
        /// CNIPA's validation of the progetto esecutivo is not recorded.
        validation: bool,
    },
    #[error("the tranche {0} is not one of this intervento's")]
    UnknownTranche(Uuid),
    #[error("there is no conciliation {0}")]
    NoConciliation(Uuid),
    #[error("the conciliation is {0}; only an open one can be referred")]
    NotReferable(ConciliationState),
    #[error("the conciliation is already {0}")]
    Closed(ConciliationState),
    #[error("a conciliation has at least two parties")]
    TooFewParties,
    #[error("savings cannot be negative")]
    NegativeSavings,
    #[error("a cost cannot be negative")]
    NegativeCost,
    /// A source of the effect's financing plan is refused.
    #[error(transparent)]
    Source(FinancingError),
}

/// A decision says what the Tavolo decided.
pub fn check_summary(summary: &str) -> Result<(), TavoloError> {
    if summary.trim().is_empty() {
        return Err(TavoloError::NoSummary);
    }
    Ok(())
}

/// A conciliation has at least two parties.
pub fn check_parties(parties: &[String]) -> Result<(), TavoloError> {
    if parties.len() < 2 {
        return Err(TavoloError::TooFewParties);
    }
    Ok(())
}

/// What is wrong with an effect's amounts and sources: the amounts it carries are never negative
/// (both named, when both are); only when they are not, its sources are checked like any plan's.
pub fn check_effect(effect: &Effect) -> Vec<TavoloError> {
    let (savings, total_cost, sources) = match effect {
        Effect::ReprogramSavings {
            savings,
            total_cost,
            sources,
            ..
        } => (Some(*savings), *total_cost, sources),
        Effect::ChangeCoverage {
            total_cost,
            sources,
            ..
        } => (None, *total_cost, sources),
        _ => return Vec::new(),
    };
    let mut errors = Vec::new();
    if savings.is_some_and(Euro::is_negative) {
        errors.push(TavoloError::NegativeSavings);
    }
    if total_cost.is_negative() {
        errors.push(TavoloError::NegativeCost);
    }
    if !errors.is_empty() {
        return errors;
    }
    check_sources(sources)
        .into_iter()
        .map(TavoloError::Source)
        .collect()
}

/// Every tranche a partial revocation names is one of the intervento's (`known`).
pub fn check_known_tranches(named: &[Uuid], known: &[Uuid]) -> Result<(), TavoloError> {
    match named.iter().find(|id| !known.contains(id)) {
        Some(missing) => Err(TavoloError::UnknownTranche(*missing)),
        None => Ok(()),
    }
}

/// The states an effect moves an intervento from, and the one it moves it to: a cancelled
/// intervento is reactivated, an active one cancelled; revocation (CNIPA's act) from active or
/// completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateChange {
    Reactivate,
    Cancel,
    Revoke,
}

impl StateChange {
    pub fn origins(self) -> &'static [InterventoState] {
        match self {
            StateChange::Reactivate => &[InterventoState::Cancelled],
            StateChange::Cancel => &[InterventoState::Active],
            StateChange::Revoke => &[InterventoState::Active, InterventoState::Completed],
        }
    }

    pub fn target(self) -> InterventoState {
        match self {
            StateChange::Reactivate => InterventoState::Active,
            StateChange::Cancel => InterventoState::Cancelled,
            StateChange::Revoke => InterventoState::Revoked,
        }
    }

    /// The state intervento `code`, now `current`, takes.
    pub fn apply(
        self,
        code: &str,
        current: InterventoState,
    ) -> Result<InterventoState, TavoloError> {
        let to = self.target();
        if !self.origins().contains(&current) {
            return Err(TavoloError::State {
                code: code.to_owned(),
                current,
                to,
            });
        }
        Ok(to)
    }
}

/// Whether intervento `code` may pass to the sezione attuativa (art. 5.4): it is programmatica,
/// and its reuse agreements and validated progetto esecutivo are recorded.
pub fn check_promotion(
    code: &str,
    sezione: Sezione,
    agreements_formalised: bool,
    progetto_validated: bool,
) -> Result<(), TavoloError> {
    if sezione == Sezione::Attuativa {
        return Err(TavoloError::AlreadyAttuativa(code.to_owned()));
    }
    if !agreements_formalised || !progetto_validated {
        return Err(TavoloError::NotMature {
            code: code.to_owned(),
            agreements: !agreements_formalised,
            validation: !progetto_validated,
        });
    }
    Ok(())
}

/// Only an open (invited) conciliation is referred to the Comitato paritetico.
pub fn check_referable(state: ConciliationState) -> Result<(), TavoloError> {
    match state {
        ConciliationState::Invited => Ok(()),
        other => Err(TavoloError::NotReferable(other)),
    }
}

/// Only an open (invited) conciliation is agreed.
pub fn check_agreeable(state: ConciliationState) -> Result<(), TavoloError> {
    match state {
        ConciliationState::Invited => Ok(()),
        other => Err(TavoloError::Closed(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use InterventoState::*;

    #[test]
    fn each_effect_moves_the_intervento_from_its_states_only() {
        let cases = [
            (StateChange::Reactivate, Cancelled, Some(Active)),
            (StateChange::Reactivate, Active, None),
            (StateChange::Reactivate, Revoked, None),
            (StateChange::Cancel, Active, Some(Cancelled)),
            (StateChange::Cancel, Cancelled, None),
            (StateChange::Cancel, NotActivated, None),
            (StateChange::Revoke, Active, Some(Revoked)),
            (StateChange::Revoke, Completed, Some(Revoked)),
            (StateChange::Revoke, Revoked, None),
            (StateChange::Revoke, Cancelled, None),
        ];
        for (change, current, expected) in cases {
            assert_eq!(
                change.apply("CSTT-ALI", current).ok(),
                expected,
                "{change:?} from {current}"
            );
        }
        assert_eq!(
            StateChange::Cancel
                .apply("CSTT-ALI", Revoked)
                .map_err(|e| e.to_string()),
            Err("the intervento CSTT-ALI is revoked, so it cannot become cancelled".to_owned())
        );
    }

    #[test]
    fn an_effect_carries_no_negative_amount_and_well_formed_sources() {
        use crate::financing::FinancingSource;
        use crate::model::Contributor;
        let euro = |raw: &str| Euro::parse(raw).unwrap_or_else(|e| panic!("{e}"));
        let source = |heading: &str, amount: &str| FinancingSource {
            contributor: Contributor::Stato.into(),
            heading: heading.to_owned(),
            legal_basis: String::new(),
            amount: euro(amount),
            cnipa: false,
            source_ref: None,
        };
        let reprogram = |savings: &str, total_cost: &str, sources| Effect::ReprogramSavings {
            intervento_id: Uuid::nil(),
            savings: euro(savings),
            destination: "formazione".to_owned(),
            total_cost: euro(total_cost),
            sources,
        };
        let coverage = |total_cost: &str, sources| Effect::ChangeCoverage {
            intervento_id: Uuid::nil(),
            total_cost: euro(total_cost),
            sources,
        };
        use TavoloError::{NegativeCost, NegativeSavings, Source};
        let cases = [
            (
                Effect::Cancel {
                    intervento_id: Uuid::nil(),
                },
                vec![],
            ),
            (
                reprogram("10.00", "90.00", vec![source("L3", "90.00")]),
                vec![],
            ),
            (
                reprogram("-1.00", "-1.00", vec![source("", "-1.00")]),
                vec![NegativeSavings, NegativeCost],
            ),
            (
                coverage("-1.00", vec![source("", "1.00")]),
                vec![NegativeCost],
            ),
            (
                coverage("1.00", vec![source("L3", "-1.00"), source(" ", "2.00")]),
                vec![
                    Source(FinancingError::NegativeSource(0)),
                    Source(FinancingError::NoHeading(1)),
                ],
            ),
        ];
        for (effect, expected) in cases {
            assert_eq!(check_effect(&effect), expected, "{effect:?}");
        }
    }

    #[test]
    fn a_decision_is_summarised_and_a_conciliation_has_two_parties() {
        assert_eq!(check_summary(" "), Err(TavoloError::NoSummary));
        assert_eq!(check_summary("riprogrammazione"), Ok(()));
        let parties = |n: usize| vec!["Regione".to_owned(); n];
        for (n, expected) in [
            (0, Err(TavoloError::TooFewParties)),
            (1, Err(TavoloError::TooFewParties)),
            (2, Ok(())),
        ] {
            assert_eq!(check_parties(&parties(n)), expected, "{n}");
        }
    }

    #[test]
    fn a_partial_revocation_names_the_intervento_s_tranches_only() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let cases = [
            (vec![], Ok(())),
            (vec![a, b], Ok(())),
            (vec![a, c], Err(TavoloError::UnknownTranche(c))),
        ];
        for (named, expected) in cases {
            assert_eq!(check_known_tranches(&named, &[a, b]), expected, "{named:?}");
        }
    }

    #[test]
    fn promotion_needs_maturity() {
        use Sezione::{Attuativa, Programmatica};
        let cases = [
            (Programmatica, true, true, Ok(())),
            (
                Attuativa,
                true,
                true,
                Err(TavoloError::AlreadyAttuativa("X".into())),
            ),
            (
                Programmatica,
                false,
                true,
                Err(TavoloError::NotMature {
                    code: "X".into(),
                    agreements: true,
                    validation: false,
                }),
            ),
            (
                Programmatica,
                false,
                false,
                Err(TavoloError::NotMature {
                    code: "X".into(),
                    agreements: true,
                    validation: true,
                }),
            ),
        ];
        for (sezione, agreements, validated, expected) in cases {
            assert_eq!(
                check_promotion("X", sezione, agreements, validated),
                expected,
                "{sezione}"
            );
        }
    }

    #[test]
    fn only_an_open_conciliation_changes() {
        use ConciliationState::*;
        for state in ConciliationState::ALL {
            assert_eq!(
                check_referable(*state).is_ok(),
                *state == Invited,
                "{state}"
            );
            assert_eq!(
                check_agreeable(*state).is_ok(),
                *state == Invited,
                "{state}"
            );
        }
        assert_eq!(
            check_agreeable(Agreed).map_err(|e| e.to_string()),
            Err("the conciliation is already agreed".to_owned())
        );
        assert_eq!(
            check_referable(Referred).map_err(|e| e.to_string()),
            Err("the conciliation is referred; only an open one can be referred".to_owned())
        );
    }
}
