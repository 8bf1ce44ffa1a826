//! The acts' endpoints, who records each act, and the one place a refusal of their rules becomes
//! a problem (`From<ActRefused> for ApiError`).

use actix_web::{HttpResponse, post, put, web};
use apq_domain::Role;
use apq_platform::concurrency::ok_with_etag;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path};
use apq_platform::versioned::{self, Edit, IfMatch};
use apq_platform::{ApiError, Caller, FieldError};

use super::json::{NewNonActivation, NewProgettoEsecutivoApproval};
use super::queries;
use super::rules::{self, ActRefused};
use crate::interventi::{IdPath, Intervento, InterventoRow};

/// Who records the Regione's act of non-activation.
pub const REGIONE: &[Role] = &[Role::Admin, Role::ResponsabileAccordo];

/// Who records CNIPA's approval of the progetto esecutivo.
pub const CNIPA: &[Role] = &[Role::Cnipa];

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
    rules::non_activation_stated(&act)?;
    let (id, actor) = (path.id, caller.subject().to_owned());
    let updated = run_db(&pool, move |conn| {
        let reason = format!(
            "art. 5.7 ({}, {}): {}",
            act.act_ref, act.decided_on, act.motivation
        );
        let edit = Edit::new(&actor, "not_activate").because(Some(&reason));
        versioned::update(conn, id, if_match, edit, |conn, row: &InterventoRow| {
            rules::non_activation_allowed(&row.code, row.sezione, row.state, &act)?;
            queries::record_non_activation(conn, row.id, &act.recorded_by(&actor))
        })
    })
    .await?;
    let view = Intervento::try_from(updated)?;
    Ok(ok_with_etag(view.version, &view))
}

/// The approval names its act and who made it: each one missing is a field of the problem.
pub fn approval_complete(approval: &NewProgettoEsecutivoApproval) -> Result<(), ApiError> {
    let errors = rules::approval_gaps(approval).into_iter().map(field_error);
    ApiError::unless_any(errors.collect())
}

/// A refusal as one field of a problem: what is missing, or the state the act does not apply to.
fn field_error(refused: ActRefused) -> FieldError {
    match refused {
        ActRefused::Missing { field, message } => FieldError::new(field, message),
        other @ (ActRefused::NotProgrammatica { .. } | ActRefused::NotActive { .. }) => {
            FieldError::new("state", other)
        }
    }
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
            let recorded = approval.recorded_by(&actor);
            queries::record_approval(conn, row.id, approval.approved_on, &recorded)
        })
    })
    .await?;
    let view = Intervento::try_from(updated)?;
    Ok(ok_with_etag(view.version, &view))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

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
