//! The revocation's endpoint, and the one place a refusal of its rules becomes a problem
//! (`From<RevocationError> for ApiError`).

use actix_web::{HttpResponse, post, web};
use apq_domain::Role;
use apq_platform::db::PgPool;
use apq_platform::extract::{Json, Path};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::versioned::{self, Edit};
use apq_platform::{ApiError, Caller};
use diesel::PgConnection;
use uuid::Uuid;

use super::json::NewRevocation;
use super::rules::{self, Extent, RevocationError};
use crate::interventi::{IdPath, Intervento, InterventoRow};
use crate::tavolo::queries::{revoke_tranches, set_state};
use crate::tavolo::rules::StateChange;

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
    rules::check(&body)?;
    // The fingerprint covers the intervento too: the same body for another one is another act.
    let request = (path.id, body);
    idempotency::respond_once(
        &pool,
        caller.subject(),
        key,
        request,
        |conn, actor, (id, body)| revoke(conn, id, &body, actor),
    )
    .await
}
