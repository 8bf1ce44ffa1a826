//! Revocation of CNIPA's co-financing, in part or in whole (art. 4.4 for the ALI, 5.6 for the
//! RIUSO projects): CNIPA's act, not the Tavolo's. A partial revocation revokes the tranches it
//! names; a total one revokes the intervento with every tranche. Through the intervento's write
//! path: locked, applied, bumped and audited in one transaction.

use actix_web::{HttpResponse, post, web};
use apq_domain::Role;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::versioned::{self, Edit};
use apq_platform::{ApiError, Caller};
use chrono::NaiveDate;
use diesel::PgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::interventi::{IdPath, Intervento, InterventoRow};
use crate::tavolo::rules::StateChange;
use crate::tavolo::{revoke_tranches, set_state};

apq_platform::db_text_enum!(
    /// How much of the co-financing is revoked.
    Extent { Partial = "partial", Total = "total" }
);

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRevocation {
    pub extent: Extent,
    /// For a partial revocation: the tranches revoked.
    #[serde(default)]
    pub tranche_ids: Vec<Uuid>,
    pub decided_on: NaiveDate,
    /// CNIPA's act.
    pub act_ref: String,
    /// Why: the times or activities of the approved Piano (progetto esecutivo) not respected.
    pub reason: String,
}

/// What the revocation's rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevocationError {
    #[error("name CNIPA's act")]
    NoAct,
    #[error("say why the co-financing is revoked")]
    Unexplained,
    #[error("a partial revocation names the tranches it revokes")]
    PartialWithoutTranches,
}

impl From<RevocationError> for ApiError {
    fn from(error: RevocationError) -> Self {
        let field = match error {
            RevocationError::NoAct => "act_ref",
            RevocationError::Unexplained => "reason",
            RevocationError::PartialWithoutTranches => "tranche_ids",
        };
        ApiError::field(field, error)
    }
}

/// A revocation names CNIPA's act and its reason, and a partial one its tranches.
fn check(revocation: &NewRevocation) -> Result<(), RevocationError> {
    if revocation.act_ref.trim().is_empty() {
        return Err(RevocationError::NoAct);
    }
    if revocation.reason.trim().is_empty() {
        return Err(RevocationError::Unexplained);
    }
    if revocation.extent == Extent::Partial && revocation.tranche_ids.is_empty() {
        return Err(RevocationError::PartialWithoutTranches);
    }
    Ok(())
}

/// Revokes the tranches named, or the intervento with all its tranches.
fn revoke(
    conn: &mut PgConnection,
    id: Uuid,
    body: &NewRevocation,
    actor: &str,
) -> Result<Stored, ApiError> {
    let reason = format!(
        "CNIPA {} revocation ({}, {}): {}",
        body.extent, body.act_ref, body.decided_on, body.reason
    );
    let edit = Edit::new(actor, "revoke").because(Some(&reason));
    let after = versioned::act(conn, id, edit, |conn, row: &InterventoRow| {
        match body.extent {
            Extent::Partial => {
                revoke_tranches(conn, row.id, Some(&body.tranche_ids), actor, &reason)
            }
            Extent::Total => {
                set_state(conn, row, StateChange::Revoke)?;
                revoke_tranches(conn, row.id, None, actor, &reason)
            }
        }
    })?;
    let view = Intervento::try_from(after)?;
    Stored::created(
        &view,
        format!("/v1/interventi/{id}/tranches"),
        Some(apq_platform::concurrency::etag(view.version)),
    )
}

/// CNIPA revokes the co-financing of an intervento in part or in whole (role `cnipa` only).
/// Safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "tranches",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The intervento's id"), IdempotencyKey),
    request_body = NewRevocation,
    responses(
        (status = 201, description = "Revoked: the intervento as it now stands", body = Intervento),
        (status = 409, description = "The intervento is not in a state that can be revoked", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/interventi/{id}/revocations")]
pub async fn create(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
    body: Json<NewRevocation>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[Role::Cnipa])?;
    let body = body.into_inner();
    check(&body)?;
    let id = path.id;
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&(id, &body));
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            revoke(conn, id, &body, &actor)
        })
    })
    .await?;
    Ok(stored.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revocation_names_its_act_reason_and_tranches() {
        let on = NaiveDate::from_ymd_opt(2010, 3, 15).unwrap_or_default();
        let total = NewRevocation {
            extent: Extent::Total,
            tranche_ids: vec![],
            decided_on: on,
            act_ref: "nota CNIPA 123".into(),
            reason: "tempi non rispettati".into(),
        };
        let partial = NewRevocation {
            extent: Extent::Partial,
            ..total.clone()
        };
        let cases = [
            (total.clone(), Ok(())),
            (
                partial.clone(),
                Err(RevocationError::PartialWithoutTranches),
            ),
            (
                NewRevocation {
                    tranche_ids: vec![Uuid::nil()],
                    ..partial
                },
                Ok(()),
            ),
            (
                NewRevocation {
                    act_ref: " ".into(),
                    ..total.clone()
                },
                Err(RevocationError::NoAct),
            ),
            (
                NewRevocation {
                    reason: "".into(),
                    ..total
                },
                Err(RevocationError::Unexplained),
            ),
        ];
        for (revocation, expected) in cases {
            assert_eq!(check(&revocation), expected, "{revocation:?}");
        }
    }
}
