//! The acts' rules, pure: what each act names, and that non-activation (art. 5.7) applies to an
//! active intervento of the sezione programmatica only.

use super::json::{NewNonActivation, NewProgettoEsecutivoApproval};
use crate::model::{InterventoState, Sezione};

/// Why an act is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActRefused {
    #[error("{field}: {message}")]
    Missing {
        field: &'static str,
        message: &'static str,
    },
    #[error(
        "{code} is in the sezione attuativa: only an intervento of the sezione programmatica is not activated by a motivated act (art. 5.7)"
    )]
    NotProgrammatica { code: String },
    #[error("{code} is {state}: only an active intervento can be not activated (art. 5.7)")]
    NotActive { code: String, state: String },
}

fn required(field: &'static str, value: &str, message: &'static str) -> Result<(), ActRefused> {
    if value.trim().is_empty() {
        Err(ActRefused::Missing { field, message })
    } else {
        Ok(())
    }
}

/// The act of non-activation as requested: it names the Regione's act and says why, before the
/// register is read.
pub fn non_activation_stated(act: &NewNonActivation) -> Result<(), ActRefused> {
    required("act_ref", &act.act_ref, "name the Regione's act")?;
    required("motivation", &act.motivation, "say why (art. 5.7)")
}

/// Art. 5.7 as a rule: the act names its reference and its motivation, and applies to an active
/// intervento of the sezione programmatica only.
pub fn non_activation_allowed(
    code: &str,
    sezione: Sezione,
    state: InterventoState,
    act: &NewNonActivation,
) -> Result<(), ActRefused> {
    required("act_ref", &act.act_ref, "name the Regione's act")?;
    required(
        "motivation",
        &act.motivation,
        "say which technical or administrative difficulties prevent the activation (art. 5.7)",
    )?;
    if sezione != Sezione::Programmatica {
        return Err(ActRefused::NotProgrammatica {
            code: code.to_owned(),
        });
    }
    if state != InterventoState::Active {
        return Err(ActRefused::NotActive {
            code: code.to_owned(),
            state: state.to_string(),
        });
    }
    Ok(())
}

/// What the approval leaves out of what it must name (its act, who made it), in field order.
pub fn approval_gaps(approval: &NewProgettoEsecutivoApproval) -> Vec<ActRefused> {
    [
        required("act_ref", &approval.act_ref, "name CNIPA's act"),
        required(
            "approved_by",
            &approval.approved_by,
            "say who made the approval (the office the act names)",
        ),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn act(act_ref: &str, motivation: &str) -> NewNonActivation {
        NewNonActivation {
            decided_on: NaiveDate::from_ymd_opt(2010, 3, 15).unwrap_or_default(),
            act_ref: act_ref.to_owned(),
            motivation: motivation.to_owned(),
        }
    }

    #[test]
    fn non_activation_is_for_an_active_programmatica_intervento_with_a_motivated_act() {
        use InterventoState::*;
        use Sezione::*;
        let ok = act("DGR n. 1", "il riuso non è tecnicamente praticabile");
        let cases: [(
            Sezione,
            InterventoState,
            &NewNonActivation,
            Result<(), &str>,
        ); 7] = [
            (Programmatica, Active, &ok, Ok(())),
            (Attuativa, Active, &ok, Err("sezione attuativa")),
            (Programmatica, Cancelled, &ok, Err("is cancelled")),
            (Programmatica, NotActivated, &ok, Err("is not_activated")),
            (Programmatica, Revoked, &ok, Err("is revoked")),
            (
                Programmatica,
                Active,
                &act("DGR n. 1", "  "),
                Err("motivation"),
            ),
            (
                Programmatica,
                Active,
                &act("", "difficoltà"),
                Err("act_ref"),
            ),
        ];
        for (sezione, state, act, expected) in cases {
            let got = non_activation_allowed("GEOSIGMA", sezione, state, act);
            match expected {
                Ok(()) => assert_eq!(got, Ok(()), "{sezione} {state}"),
                Err(part) => {
                    let text = got.err().map(|e| e.to_string()).unwrap_or_default();
                    assert!(text.contains(part), "{sezione} {state}: {text}");
                }
            }
        }
    }

    #[test]
    fn a_requested_non_activation_names_its_act_and_says_why() {
        let missing = |field, message| Err(ActRefused::Missing { field, message });
        let cases = [
            (act("DGR n. 1", "difficoltà"), Ok(())),
            (
                act(" ", "difficoltà"),
                missing("act_ref", "name the Regione's act"),
            ),
            (
                act("DGR n. 1", ""),
                missing("motivation", "say why (art. 5.7)"),
            ),
            (act("", ""), missing("act_ref", "name the Regione's act")),
        ];
        for (act, expected) in cases {
            assert_eq!(non_activation_stated(&act), expected, "{act:?}");
        }
    }

    #[test]
    fn an_approval_names_its_act_and_who_made_it_field_by_field() {
        let approval = |act_ref: &str, approved_by: &str| NewProgettoEsecutivoApproval {
            approved_on: NaiveDate::from_ymd_opt(2009, 10, 1).unwrap_or_default(),
            act_ref: act_ref.to_owned(),
            approved_by: approved_by.to_owned(),
        };
        let fields = |gaps: Vec<ActRefused>| -> Vec<&'static str> {
            gaps.into_iter()
                .filter_map(|gap| match gap {
                    ActRefused::Missing { field, .. } => Some(field),
                    _ => None,
                })
                .collect()
        };
        let cases: [(&str, &str, &[&str]); 4] = [
            ("nota CNIPA", "CNIPA - Ufficio riuso", &[]),
            ("", "CNIPA", &["act_ref"]),
            ("nota", " ", &["approved_by"]),
            (" ", "", &["act_ref", "approved_by"]),
        ];
        for (act_ref, approved_by, expected) in cases {
            assert_eq!(
                fields(approval_gaps(&approval(act_ref, approved_by))),
                expected.to_vec(),
                "{act_ref:?} {approved_by:?}"
            );
        }
    }
}
