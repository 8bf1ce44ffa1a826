//! Two acts on an intervento that are neither the Tavolo's decisions nor the Regione's editing:
//!
//! - **Non-activation** (art. 5.7): "La mancata attuazione degli interventi inseriti nella sezione
//!   programmatica dovrà essere motivata dalla Regione Toscana con riferimento ad eventuali
//!   difficoltà di carattere tecnico/amministrativo ostative all'attivazione dell'intervento
//!   stesso" (L468-470). The Regione's act, so the soggetto responsabile dell'Accordo (or admin)
//!   records it, never CNIPA nor the Tavolo; only for an active intervento of the sezione
//!   programmatica; with its date, act and motivation (required).
//! - **CNIPA's approval of the progetto esecutivo** (art. 5.4, 5.5.a: the first RIUSO tranche
//!   "previa approvazione del progetto esecutivo da parte del CNIPA", L446-447): recorded by
//!   `cnipa` only, with its date, act and who made it.
//!
//! Both go through the intervento's write path (If-Match, lock, bump, audit).

use actix_web::{HttpResponse, post, put, web};
use apq_domain::Role;
use apq_platform::concurrency::ok_with_etag;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path};
use apq_platform::versioned::{self, Edit, IfMatch};
use apq_platform::{ApiError, Caller, FieldError};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::interventi::{
    IdPath, Intervento, InterventoRow, NonActivation, ProgettoEsecutivoApproval,
};
use crate::model::{InterventoState, Sezione};
use crate::schema::interventi;

/// Who records the Regione's act of non-activation.
pub const REGIONE: &[Role] = &[Role::Admin, Role::ResponsabileAccordo];

/// Who records CNIPA's approval of the progetto esecutivo.
pub const CNIPA: &[Role] = &[Role::Cnipa];

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

impl From<ActRefused> for ApiError {
    fn from(refused: ActRefused) -> Self {
        match refused {
            ActRefused::Missing { field, message } => ApiError::field(field, message),
            other @ (ActRefused::NotProgrammatica { .. } | ActRefused::NotActive { .. }) => {
                ApiError::Conflict(other.to_string())
            }
        }
    }
}

fn required(field: &'static str, value: &str, message: &'static str) -> Result<(), ActRefused> {
    if value.trim().is_empty() {
        Err(ActRefused::Missing { field, message })
    } else {
        Ok(())
    }
}

/// The Regione's motivated act not to activate an intervento (art. 5.7).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNonActivation {
    pub decided_on: NaiveDate,
    /// The Regione's act (delibera, decreto), e.g. "DGR n. 123 del 15.3.2010".
    #[schema(pattern = "\\S")]
    pub act_ref: String,
    /// The technical or administrative difficulties that prevent the activation.
    #[schema(pattern = "\\S")]
    pub motivation: String,
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

/// Records the Regione's motivated act of non-activation of an intervento of the sezione
/// programmatica (art. 5.7): its state becomes `not_activated` (admin or responsabile_accordo;
/// not CNIPA, not the Tavolo). Requires `If-Match`.
#[utoipa::path(
    tag = "interventi",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The intervento's id"), IfMatch),
    request_body = NewNonActivation,
    responses(
        (status = 200, description = "Recorded: the intervento as it now stands", body = Intervento, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "The intervento is not an active one of the sezione programmatica", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/interventi/{id}/non-activation")]
pub async fn not_activate(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
    body: Json<NewNonActivation>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(REGIONE)?;
    let act = body.into_inner();
    required("act_ref", &act.act_ref, "name the Regione's act")?;
    required("motivation", &act.motivation, "say why (art. 5.7)")?;
    let (id, actor) = (path.id, caller.subject().to_owned());
    let updated = run_db(&pool, move |conn| {
        let reason = format!(
            "art. 5.7 ({}, {}): {}",
            act.act_ref, act.decided_on, act.motivation
        );
        let edit = Edit::new(&actor, "not_activate").because(Some(&reason));
        versioned::update(conn, id, if_match, edit, |conn, row: &InterventoRow| {
            non_activation_allowed(&row.code, row.sezione, row.state, &act)?;
            let recorded = NonActivation {
                decided_on: act.decided_on,
                act_ref: act.act_ref.trim().to_owned(),
                motivation: act.motivation.trim().to_owned(),
                recorded_by: actor.clone(),
            };
            diesel::update(interventi::table.find(row.id))
                .set((
                    interventi::state.eq(InterventoState::NotActivated.as_str()),
                    interventi::non_activation.eq(versioned::view_of(&recorded)?),
                ))
                .execute(conn)?;
            Ok(())
        })
    })
    .await?;
    let view = Intervento::try_from(updated)?;
    Ok(ok_with_etag(view.version, &view))
}

/// CNIPA's approval of the progetto esecutivo (art. 5.4, 5.5.a).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProgettoEsecutivoApproval {
    pub approved_on: NaiveDate,
    /// CNIPA's act, e.g. "nota CNIPA prot. n. 1234 del 1.10.2009".
    #[schema(pattern = "\\S")]
    pub act_ref: String,
    /// Who made the approval (the office the act names).
    #[schema(pattern = "\\S")]
    pub approved_by: String,
}

/// The approval names its act and who made it.
pub fn approval_complete(approval: &NewProgettoEsecutivoApproval) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if approval.act_ref.trim().is_empty() {
        errors.push(FieldError::new("act_ref", "name CNIPA's act"));
    }
    if approval.approved_by.trim().is_empty() {
        errors.push(FieldError::new(
            "approved_by",
            "say who made the approval (the office the act names)",
        ));
    }
    ApiError::unless_any(errors)
}

/// Records (or corrects) CNIPA's approval of the progetto esecutivo, with its date, act and who
/// made it (role `cnipa` only): the first RIUSO tranche and the maturity of art. 5.4 read it.
/// Requires `If-Match`.
#[utoipa::path(
    tag = "interventi",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The intervento's id"), IfMatch),
    request_body = NewProgettoEsecutivoApproval,
    responses(
        (status = 200, description = "Recorded: the intervento as it now stands", body = Intervento, headers(("ETag" = String, description = "The new version"))),
    )
)]
#[put("/interventi/{id}/progetto-esecutivo")]
pub async fn approve_progetto_esecutivo(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
    body: Json<NewProgettoEsecutivoApproval>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(CNIPA)?;
    let approval = body.into_inner();
    approval_complete(&approval)?;
    let (id, actor) = (path.id, caller.subject().to_owned());
    let updated = run_db(&pool, move |conn| {
        let reason = format!("CNIPA ({}, {})", approval.act_ref, approval.approved_by);
        let edit = Edit::new(&actor, "approve_progetto_esecutivo").because(Some(&reason));
        versioned::update(conn, id, if_match, edit, |conn, row: &InterventoRow| {
            let recorded = ProgettoEsecutivoApproval {
                approved_on: approval.approved_on,
                act_ref: Some(approval.act_ref.trim().to_owned()),
                approved_by: Some(approval.approved_by.trim().to_owned()),
                recorded_by: Some(actor.clone()),
            };
            diesel::update(interventi::table.find(row.id))
                .set((
                    interventi::progetto_esecutivo_validated_on.eq(approval.approved_on),
                    interventi::progetto_esecutivo_approval.eq(versioned::view_of(&recorded)?),
                ))
                .execute(conn)?;
            Ok(())
        })
    })
    .await?;
    let view = Intervento::try_from(updated)?;
    Ok(ok_with_etag(view.version, &view))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn an_approval_names_its_act_and_who_made_it() {
        let approval = |act_ref: &str, approved_by: &str| NewProgettoEsecutivoApproval {
            approved_on: NaiveDate::from_ymd_opt(2009, 10, 1).unwrap_or_default(),
            act_ref: act_ref.to_owned(),
            approved_by: approved_by.to_owned(),
        };
        assert!(approval_complete(&approval("nota CNIPA", "CNIPA - Ufficio riuso")).is_ok());
        for (a, b, field) in [("", "CNIPA", "act_ref"), ("nota", " ", "approved_by")] {
            match approval_complete(&approval(a, b)) {
                Err(ApiError::Validation { errors }) => {
                    assert_eq!(errors.len(), 1);
                    assert_eq!(errors[0].field, field);
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
