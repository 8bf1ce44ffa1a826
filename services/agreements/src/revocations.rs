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
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::interventi::{IdPath, Intervento, InterventoRow};
use crate::model::InterventoState;
use crate::tavolo::{revoke_tranches, set_state};

apq_domain::text_enum!(
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
    if body.act_ref.trim().is_empty() {
        return Err(ApiError::field("act_ref", "name CNIPA's act"));
    }
    if body.reason.trim().is_empty() {
        return Err(ApiError::field(
            "reason",
            "say why the co-financing is revoked",
        ));
    }
    if body.extent == Extent::Partial && body.tranche_ids.is_empty() {
        return Err(ApiError::field(
            "tranche_ids",
            "a partial revocation names the tranches it revokes",
        ));
    }
    let id = path.id;
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&(id, &body));
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            let reason = format!(
                "CNIPA {} revocation ({}, {}): {}",
                body.extent, body.act_ref, body.decided_on, body.reason
            );
            let edit = Edit::new(&actor, "revoke").because(Some(&reason));
            let after = versioned::act(conn, id, edit, |conn, row: &InterventoRow| {
                match body.extent {
                    Extent::Partial => {
                        revoke_tranches(conn, row.id, Some(&body.tranche_ids), &actor, &reason)
                    }
                    Extent::Total => {
                        set_state(
                            conn,
                            row,
                            &[InterventoState::Active, InterventoState::Completed],
                            InterventoState::Revoked,
                        )?;
                        revoke_tranches(conn, row.id, None, &actor, &reason)
                    }
                }
            })?;
            let view = Intervento::try_from(after)?;
            Stored::created(
                &view,
                format!("/v1/interventi/{id}/tranches"),
                Some(apq_platform::concurrency::etag(view.version)),
            )
        })
    })
    .await?;
    Ok(stored.into_response())
}
