//! Decisions of the Tavolo dei sottoscrittori (art. 6.1) as first-class records that change the
//! register in the same transaction, and the conciliation procedure of art. 9.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use apq_domain::Euro;
use apq_platform::audit::{self, Change};
use apq_platform::concurrency::{check_version, ok_with_etag, required_version};
use apq_platform::db::{PgPool, run_db, run_tx};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::{ApiError, Caller, FieldError};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::access::require_editor;
use crate::financing::{FinancingSource, store_plan};
use crate::interventi::{load, snapshot};
use crate::model::{InterventoState, Sezione};
use crate::schema::{
    atti_integrativi, conciliations, interventi, tavolo_decisions, tranche_transitions, tranches,
};
use crate::tranche_plan::TrancheState;

/// What a decision does to the register.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Effect {
    /// A cancelled intervento becomes active again.
    Reactivate { intervento_id: Uuid },
    /// An active intervento is cancelled.
    Cancel { intervento_id: Uuid },
    /// Savings (economie) found in monitoring are reprogrammed (delibera CIPE 14/2006): the
    /// intervento's cost and financing plan change.
    ReprogramSavings {
        intervento_id: Uuid,
        savings: Euro,
        /// What the savings are reprogrammed to.
        destination: String,
        total_cost: Euro,
        sources: Vec<FinancingSource>,
    },
    /// The financial coverage changes: a new cost and financing plan (checked like any plan).
    ChangeCoverage {
        intervento_id: Uuid,
        total_cost: Euro,
        sources: Vec<FinancingSource>,
    },
    /// Passage from the sezione programmatica to the attuativa (art. 5.4), once maturity is recorded.
    PromoteToAttuativa { intervento_id: Uuid },
    /// Some tranches are revoked.
    PartialRevocation {
        intervento_id: Uuid,
        tranche_ids: Vec<Uuid>,
    },
    /// The co-financing is revoked entirely: the intervento is revoked with all its tranches.
    TotalRevocation { intervento_id: Uuid },
    /// An unresolved conciliation is referred to the Comitato paritetico di Intesa (art. 9).
    ReferToComitato { conciliation_id: Uuid },
}

impl Effect {
    fn kind(&self) -> &'static str {
        match self {
            Effect::Reactivate { .. } => "reactivate",
            Effect::Cancel { .. } => "cancel",
            Effect::ReprogramSavings { .. } => "reprogram_savings",
            Effect::ChangeCoverage { .. } => "change_coverage",
            Effect::PromoteToAttuativa { .. } => "promote_to_attuativa",
            Effect::PartialRevocation { .. } => "partial_revocation",
            Effect::TotalRevocation { .. } => "total_revocation",
            Effect::ReferToComitato { .. } => "refer_to_comitato",
        }
    }

    fn intervento(&self) -> Option<Uuid> {
        match self {
            Effect::Reactivate { intervento_id }
            | Effect::Cancel { intervento_id }
            | Effect::ReprogramSavings { intervento_id, .. }
            | Effect::ChangeCoverage { intervento_id, .. }
            | Effect::PromoteToAttuativa { intervento_id }
            | Effect::PartialRevocation { intervento_id, .. }
            | Effect::TotalRevocation { intervento_id } => Some(*intervento_id),
            Effect::ReferToComitato { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDecision {
    pub atto_id: Uuid,
    pub decided_on: NaiveDate,
    /// The verbale of the meeting.
    pub verbale_ref: Option<String>,
    pub summary: String,
    pub effect: Effect,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = tavolo_decisions)]
pub struct Decision {
    pub id: Uuid,
    pub atto_id: Uuid,
    pub intervento_id: Option<Uuid>,
    pub kind: String,
    pub decided_on: NaiveDate,
    pub verbale_ref: Option<String>,
    pub summary: String,
    /// The effect as decided.
    pub payload: serde_json::Value,
    pub actor: String,
    pub created_at: DateTime<Utc>,
}

fn set_state(
    conn: &mut PgConnection,
    id: Uuid,
    from: &[InterventoState],
    to: InterventoState,
) -> Result<(), ApiError> {
    let row = load(conn, id, true)?;
    let current: InterventoState = row.state.parse().map_err(ApiError::internal)?;
    if !from.contains(&current) {
        return Err(ApiError::Conflict(format!(
            "the intervento {} is {current}, so it cannot become {to}",
            row.code
        )));
    }
    diesel::update(interventi::table.find(id))
        .set((interventi::state.eq(to.as_str()), bump(row.version)))
        .execute(conn)?;
    Ok(())
}

type Bump = (
    diesel::dsl::Eq<interventi::version, i64>,
    diesel::dsl::Eq<interventi::updated_at, diesel::dsl::now>,
);

fn bump(version: i64) -> Bump {
    (
        interventi::version.eq(version + 1),
        interventi::updated_at.eq(diesel::dsl::now),
    )
}

fn revoke_tranches(
    conn: &mut PgConnection,
    intervento: Uuid,
    only: Option<&[Uuid]>,
    actor: &str,
    reason: &str,
) -> Result<(), ApiError> {
    let rows: Vec<(Uuid, String, i64)> = tranches::table
        .filter(tranches::intervento_id.eq(intervento))
        .select((tranches::id, tranches::state, tranches::version))
        .for_update()
        .load(conn)?;
    if let Some(ids) = only
        && let Some(missing) = ids.iter().find(|id| !rows.iter().any(|(r, _, _)| r == *id))
    {
        return Err(ApiError::Unprocessable {
            detail: format!("the tranche {missing} is not one of this intervento's"),
            errors: vec![FieldError::new("effect.tranche_ids", "unknown tranche")],
        });
    }
    for (id, state, version) in rows {
        if only.is_some_and(|ids| !ids.contains(&id)) || state == TrancheState::Revoked.as_str() {
            continue;
        }
        diesel::update(tranches::table.find(id))
            .set((
                tranches::state.eq(TrancheState::Revoked.as_str()),
                tranches::version.eq(version + 1),
            ))
            .execute(conn)?;
        diesel::insert_into(tranche_transitions::table)
            .values((
                tranche_transitions::tranche_id.eq(id),
                tranche_transitions::from_state.eq(&state),
                tranche_transitions::to_state.eq(TrancheState::Revoked.as_str()),
                tranche_transitions::actor.eq(actor),
                tranche_transitions::reason.eq(reason),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn change_plan(
    conn: &mut PgConnection,
    id: Uuid,
    total_cost: Euro,
    sources: &[FinancingSource],
) -> Result<(), ApiError> {
    let row = load(conn, id, true)?;
    diesel::update(interventi::table.find(id))
        .set((
            interventi::total_cost.eq(total_cost.decimal()),
            bump(row.version),
        ))
        .execute(conn)?;
    store_plan(conn, id, sources)
}

/// Applies the effect; any refusal rolls the whole decision back.
fn apply(
    conn: &mut PgConnection,
    effect: &Effect,
    actor: &str,
    summary: &str,
) -> Result<(), ApiError> {
    match effect {
        Effect::Reactivate { intervento_id } => set_state(
            conn,
            *intervento_id,
            &[InterventoState::Cancelled],
            InterventoState::Active,
        ),
        Effect::Cancel { intervento_id } => set_state(
            conn,
            *intervento_id,
            &[InterventoState::Active],
            InterventoState::Cancelled,
        ),
        Effect::ReprogramSavings {
            intervento_id,
            total_cost,
            sources,
            ..
        }
        | Effect::ChangeCoverage {
            intervento_id,
            total_cost,
            sources,
        } => change_plan(conn, *intervento_id, *total_cost, sources),
        Effect::PromoteToAttuativa { intervento_id } => {
            let row = load(conn, *intervento_id, true)?;
            if row.sezione == Sezione::Attuativa.as_str() {
                return Err(ApiError::Conflict(format!(
                    "{} is already in the sezione attuativa",
                    row.code
                )));
            }
            let mut missing = Vec::new();
            if row.reuse_agreements_formalised_on.is_none() {
                missing.push(FieldError::new(
                    "reuse_agreements_formalised_on",
                    "the formalised reuse agreements are not recorded",
                ));
            }
            if row.progetto_esecutivo_validated_on.is_none() {
                missing.push(FieldError::new(
                    "progetto_esecutivo_validated_on",
                    "CNIPA's validation of the progetto esecutivo is not recorded",
                ));
            }
            if !missing.is_empty() {
                return Err(ApiError::Unprocessable {
                    detail: format!(
                        "{} is not technically mature (art. 5.4): record the reuse agreements and the validated progetto esecutivo first",
                        row.code
                    ),
                    errors: missing,
                });
            }
            diesel::update(interventi::table.find(*intervento_id))
                .set((
                    interventi::sezione.eq(Sezione::Attuativa.as_str()),
                    bump(row.version),
                ))
                .execute(conn)?;
            Ok(())
        }
        Effect::PartialRevocation {
            intervento_id,
            tranche_ids,
        } => {
            if tranche_ids.is_empty() {
                return Err(ApiError::field(
                    "effect.tranche_ids",
                    "name the tranches revoked",
                ));
            }
            load(conn, *intervento_id, true)?;
            revoke_tranches(conn, *intervento_id, Some(tranche_ids), actor, summary)
        }
        Effect::TotalRevocation { intervento_id } => {
            set_state(
                conn,
                *intervento_id,
                &[InterventoState::Active, InterventoState::Completed],
                InterventoState::Revoked,
            )?;
            revoke_tranches(conn, *intervento_id, None, actor, summary)
        }
        Effect::ReferToComitato { conciliation_id } => {
            let (state, version): (String, i64) = conciliations::table
                .find(conciliation_id)
                .select((conciliations::state, conciliations::version))
                .for_update()
                .first(conn)
                .optional()?
                .ok_or_else(|| ApiError::Unprocessable {
                    detail: format!("there is no conciliation {conciliation_id}"),
                    errors: vec![FieldError::new(
                        "effect.conciliation_id",
                        "no such conciliation",
                    )],
                })?;
            if state != "invited" {
                return Err(ApiError::Conflict(format!(
                    "the conciliation is {state}; only an open one can be referred"
                )));
            }
            diesel::update(conciliations::table.find(conciliation_id))
                .set((
                    conciliations::state.eq("referred"),
                    conciliations::referred_on.eq(chrono::Utc::now().date_naive()),
                    conciliations::version.eq(version + 1),
                    conciliations::updated_at.eq(diesel::dsl::now),
                ))
                .execute(conn)?;
            Ok(())
        }
    }
}

/// Records a decision of the Tavolo and applies it to the register, atomically: the decision,
/// its effect and the audit entries commit together or not at all. Safe to retry with
/// `Idempotency-Key`.
#[utoipa::path(
    tag = "tavolo",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request safe")),
    request_body = NewDecision,
    responses(
        (status = 201, description = "Recorded and applied", body = Decision, headers(("Location" = String, description = "The decision"))),
        (status = 409, description = "The register is not in a state the decision applies to", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The decision breaks a rule (e.g. promotion without maturity)", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/tavolo-decisions")]
pub async fn create(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    body: Json<NewDecision>,
) -> Result<HttpResponse, ApiError> {
    require_editor(&caller)?;
    let body = body.into_inner();
    if body.summary.trim().is_empty() {
        return Err(ApiError::field("summary", "say what the Tavolo decided"));
    }
    let actor = caller.subject().to_owned();
    let hash = idempotency::fingerprint("POST", "/v1/tavolo-decisions", &body);
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            let atto: i64 = atti_integrativi::table
                .filter(atti_integrativi::id.eq(body.atto_id))
                .count()
                .get_result(conn)?;
            if atto == 0 {
                return Err(ApiError::Unprocessable {
                    detail: format!("there is no atto integrativo {}", body.atto_id),
                    errors: vec![FieldError::new("atto_id", "no such atto integrativo")],
                });
            }
            let intervento = body.effect.intervento();
            let before = match intervento {
                Some(id) => snapshot(&load(conn, id, false)?),
                None => None,
            };
            apply(conn, &body.effect, &actor, &body.summary)?;
            let id = Uuid::new_v4();
            let payload = serde_json::to_value(&body.effect).map_err(ApiError::internal)?;
            diesel::insert_into(tavolo_decisions::table)
                .values((
                    tavolo_decisions::id.eq(id),
                    tavolo_decisions::atto_id.eq(body.atto_id),
                    tavolo_decisions::intervento_id.eq(intervento),
                    tavolo_decisions::kind.eq(body.effect.kind()),
                    tavolo_decisions::decided_on.eq(body.decided_on),
                    tavolo_decisions::verbale_ref.eq(&body.verbale_ref),
                    tavolo_decisions::summary.eq(&body.summary),
                    tavolo_decisions::payload.eq(&payload),
                    tavolo_decisions::actor.eq(&actor),
                ))
                .execute(conn)?;
            if let Effect::ReferToComitato { conciliation_id } = &body.effect {
                diesel::update(conciliations::table.find(conciliation_id))
                    .set(conciliations::decision_id.eq(id))
                    .execute(conn)?;
            }
            let decision: Decision = tavolo_decisions::table
                .find(id)
                .select(Decision::as_select())
                .first(conn)?;
            audit::record(
                conn,
                Change {
                    actor: &actor,
                    entity: "tavolo_decision",
                    entity_id: id.to_string(),
                    action: body.effect.kind(),
                    reason: Some(&body.summary),
                    before: None,
                    after: serde_json::to_value(&decision).ok(),
                },
            )?;
            if let Some(intervento) = intervento {
                let after = snapshot(&load(conn, intervento, false)?);
                audit::record(
                    conn,
                    Change {
                        actor: &actor,
                        entity: "intervento",
                        entity_id: intervento.to_string(),
                        action: body.effect.kind(),
                        reason: Some(&format!("Tavolo decision {id}: {}", body.summary)),
                        before,
                        after,
                    },
                )?;
            }
            Stored::created(&decision, format!("/v1/tavolo-decisions/{id}"), None)
        })
    })
    .await?;
    Ok(stored.into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DecisionFilter {
    pub atto_id: Option<Uuid>,
    pub intervento_id: Option<Uuid>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DecisionList {
    pub items: Vec<Decision>,
}

/// The Tavolo's decisions, oldest first.
#[utoipa::path(tag = "tavolo", params(DecisionFilter), responses((status = 200, description = "The decisions", body = DecisionList)))]
#[get("/tavolo-decisions")]
pub async fn list(
    pool: web::Data<PgPool>,
    filter: Query<DecisionFilter>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter.0;
    let items = run_db(&pool, move |conn| {
        let mut query = tavolo_decisions::table
            .order((
                tavolo_decisions::decided_on.asc(),
                tavolo_decisions::created_at.asc(),
            ))
            .select(Decision::as_select())
            .into_boxed();
        if let Some(atto) = filter.atto_id {
            query = query.filter(tavolo_decisions::atto_id.eq(atto));
        }
        if let Some(intervento) = filter.intervento_id {
            query = query.filter(tavolo_decisions::intervento_id.eq(intervento));
        }
        Ok::<_, ApiError>(query.load(conn)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(DecisionList { items }))
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = conciliations)]
pub struct Conciliation {
    pub id: Uuid,
    pub atto_id: Uuid,
    pub intervento_id: Option<Uuid>,
    pub subject: String,
    pub parties: Vec<String>,
    /// invited, agreed (a signed verbale) or referred (to the Comitato paritetico).
    pub state: String,
    pub invited_on: NaiveDate,
    pub agreed_on: Option<NaiveDate>,
    pub verbale_ref: Option<String>,
    pub referred_on: Option<NaiveDate>,
    pub decision_id: Option<Uuid>,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConciliation {
    pub atto_id: Uuid,
    pub intervento_id: Option<Uuid>,
    pub subject: String,
    pub parties: Vec<String>,
    pub invited_on: NaiveDate,
}

/// The soggetto responsabile invites the parties to a conciliation (art. 9).
#[utoipa::path(
    tag = "tavolo",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request safe")),
    request_body = NewConciliation,
    responses((status = 201, description = "The invitation is recorded", body = Conciliation, headers(("Location" = String, description = "The conciliation"))))
)]
#[post("/conciliations")]
pub async fn invite(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    body: Json<NewConciliation>,
) -> Result<HttpResponse, ApiError> {
    require_editor(&caller)?;
    let body = body.into_inner();
    if body.parties.len() < 2 {
        return Err(ApiError::field(
            "parties",
            "a conciliation has at least two parties",
        ));
    }
    let actor = caller.subject().to_owned();
    let hash = idempotency::fingerprint("POST", "/v1/conciliations", &body);
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            let id = Uuid::new_v4();
            diesel::insert_into(conciliations::table)
                .values((
                    conciliations::id.eq(id),
                    conciliations::atto_id.eq(body.atto_id),
                    conciliations::intervento_id.eq(body.intervento_id),
                    conciliations::subject.eq(&body.subject),
                    conciliations::parties.eq(&body.parties),
                    conciliations::state.eq("invited"),
                    conciliations::invited_on.eq(body.invited_on),
                ))
                .execute(conn)?;
            let conciliation: Conciliation = conciliations::table
                .find(id)
                .select(Conciliation::as_select())
                .first(conn)?;
            audit::record(
                conn,
                Change {
                    actor: &actor,
                    entity: "conciliation",
                    entity_id: id.to_string(),
                    action: "invite",
                    reason: Some(&body.subject),
                    before: None,
                    after: serde_json::to_value(&conciliation).ok(),
                },
            )?;
            Stored::created(
                &conciliation,
                format!("/v1/conciliations/{id}"),
                Some(apq_platform::concurrency::etag(conciliation.version)),
            )
        })
    })
    .await?;
    Ok(stored.into_response())
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    pub agreed_on: NaiveDate,
    /// The signed verbale recording the agreement.
    pub verbale_ref: String,
}

#[derive(Debug, Deserialize)]
pub struct ConciliationPath {
    pub id: Uuid,
}

/// The parties agree: the signed verbale closes the conciliation. Requires `If-Match`.
#[utoipa::path(
    tag = "tavolo",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The conciliation's id"),
        ("If-Match" = String, Header, description = "The conciliation's ETag"),
    ),
    request_body = Agreement,
    responses(
        (status = 200, description = "Agreed", body = Conciliation),
        (status = 409, description = "Not open any more", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conciliations/{id}/agreement")]
pub async fn agree(
    caller: Caller,
    req: HttpRequest,
    pool: web::Data<PgPool>,
    path: Path<ConciliationPath>,
    body: Json<Agreement>,
) -> Result<HttpResponse, ApiError> {
    require_editor(&caller)?;
    let expected = required_version(&req)?;
    let id = path.id;
    let body = body.into_inner();
    let actor = caller.subject().to_owned();
    let conciliation = run_tx(&pool, move |conn| {
        let current: Conciliation = conciliations::table
            .find(id)
            .select(Conciliation::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("conciliation {id}")))?;
        check_version(expected, current.version)?;
        if current.state != "invited" {
            return Err(ApiError::Conflict(format!(
                "the conciliation is already {}",
                current.state
            )));
        }
        diesel::update(conciliations::table.find(id))
            .set((
                conciliations::state.eq("agreed"),
                conciliations::agreed_on.eq(body.agreed_on),
                conciliations::verbale_ref.eq(&body.verbale_ref),
                conciliations::version.eq(current.version + 1),
                conciliations::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)?;
        let updated: Conciliation = conciliations::table
            .find(id)
            .select(Conciliation::as_select())
            .first(conn)?;
        audit::record(
            conn,
            Change {
                actor: &actor,
                entity: "conciliation",
                entity_id: id.to_string(),
                action: "agree",
                reason: Some(&body.verbale_ref),
                before: serde_json::to_value(&current).ok(),
                after: serde_json::to_value(&updated).ok(),
            },
        )?;
        Ok::<_, ApiError>(updated)
    })
    .await?;
    Ok(ok_with_etag(conciliation.version, &conciliation))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConciliationList {
    pub items: Vec<Conciliation>,
}

/// The conciliations, newest first.
#[utoipa::path(tag = "tavolo", responses((status = 200, description = "The conciliations", body = ConciliationList)))]
#[get("/conciliations")]
pub async fn list_conciliations(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let items = run_db(&pool, |conn| {
        Ok::<_, ApiError>(
            conciliations::table
                .order(conciliations::created_at.desc())
                .select(Conciliation::as_select())
                .load(conn)?,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(ConciliationList { items }))
}
