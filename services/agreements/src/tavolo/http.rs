//! The Tavolo's endpoints: parse, authorise, call the rules and queries, answer; the effects
//! applied through the write path of what they change. What the rules refuse becomes a problem
//! here, in one place (`From<TavoloError> for ApiError`).

use actix_web::{HttpResponse, get, post, web};
use apq_platform::concurrency::ok_with_etag;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::versioned::{self, Edit, IfMatch};
use apq_platform::{ApiError, Caller, FieldError};
use diesel::PgConnection;
use uuid::Uuid;

use super::json::{
    Agreement, Conciliation, ConciliationList, ConciliationPath, Decision, DecisionFilter,
    DecisionList, Effect, NewConciliation, NewDecision,
};
use super::queries::{self, DecisionRow, change_plan, set_state};
use super::rules::{self, StateChange, TavoloError};
use crate::access::require_editor;
use crate::interventi::InterventoRow;

impl From<TavoloError> for ApiError {
    fn from(error: TavoloError) -> Self {
        let detail = error.to_string();
        let unprocessable = |errors: Vec<FieldError>| ApiError::Unprocessable {
            detail: detail.clone(),
            errors,
        };
        match &error {
            TavoloError::NoSummary => ApiError::field("summary", &detail),
            TavoloError::TooFewParties => ApiError::field("parties", &detail),
            TavoloError::NoAtto(_) => {
                unprocessable(vec![FieldError::new("atto_id", "no such atto integrativo")])
            }
            TavoloError::UnknownTranche(_) => {
                unprocessable(vec![FieldError::new("tranche_ids", "unknown tranche")])
            }
            TavoloError::NoConciliation(_) => unprocessable(vec![FieldError::new(
                "effect.conciliation_id",
                "no such conciliation",
            )]),
            TavoloError::NotMature {
                agreements,
                validation,
                ..
            } => {
                let mut missing = Vec::new();
                if *agreements {
                    missing.push(FieldError::new(
                        "reuse_agreements_formalised_on",
                        "the formalised reuse agreements are not recorded",
                    ));
                }
                if *validation {
                    missing.push(FieldError::new(
                        "progetto_esecutivo_validated_on",
                        "CNIPA's validation of the progetto esecutivo is not recorded",
                    ));
                }
                unprocessable(missing)
            }
            TavoloError::NegativeSavings | TavoloError::NegativeCost | TavoloError::Source(_) => {
                ApiError::field(effect_field(&error), &detail)
            }
            TavoloError::State { .. }
            | TavoloError::AlreadyAttuativa(_)
            | TavoloError::NotReferable(_)
            | TavoloError::Closed(_) => ApiError::Conflict(detail),
        }
    }
}

/// The field a refusal of an effect's amounts or sources is about.
fn effect_field(error: &TavoloError) -> String {
    match error {
        TavoloError::NegativeSavings => "effect.savings".to_owned(),
        TavoloError::NegativeCost => "effect.total_cost".to_owned(),
        TavoloError::Source(source) => source.field(),
        _ => "effect".to_owned(),
    }
}

/// What is wrong with an effect's amounts and sources, each naming its field, as one problem.
fn check_effect(effect: &Effect) -> Result<(), ApiError> {
    let errors = rules::check_effect(effect);
    let fields = errors.iter().map(|e| FieldError::new(effect_field(e), e));
    ApiError::unless_any(fields.collect())
}

/// Applies the effect through the write path of what it changes (the intervento, or the
/// conciliation referred); any refusal rolls the whole decision back.
fn apply(conn: &mut PgConnection, effect: &Effect, edit: Edit<'_>) -> Result<(), ApiError> {
    match (effect, effect.intervento()) {
        (Effect::ReferToComitato { conciliation_id }, _) => refer(conn, *conciliation_id, edit),
        (_, Some(intervento)) => {
            versioned::act(conn, intervento, edit, |conn, row: &InterventoRow| {
                apply_to_intervento(conn, row, effect)
            })
            .map(drop)
        }
        (_, None) => Ok(()),
    }
}

/// What an effect on an intervento does to it and its children, under its lock.
fn apply_to_intervento(
    conn: &mut PgConnection,
    row: &InterventoRow,
    effect: &Effect,
) -> Result<(), ApiError> {
    match effect {
        Effect::Reactivate { .. } => set_state(conn, row, StateChange::Reactivate),
        Effect::Cancel { .. } => set_state(conn, row, StateChange::Cancel),
        Effect::ReprogramSavings {
            total_cost,
            sources,
            ..
        }
        | Effect::ChangeCoverage {
            total_cost,
            sources,
            ..
        } => change_plan(conn, row.id, *total_cost, sources),
        Effect::PromoteToAttuativa { .. } => {
            rules::check_promotion(
                &row.code,
                row.sezione,
                row.reuse_agreements_formalised_on.is_some(),
                row.progetto_esecutivo_validated_on.is_some(),
            )?;
            queries::promote(conn, row.id)?;
            Ok(())
        }
        Effect::ReferToComitato { .. } => Ok(()),
    }
}

/// An open conciliation referred to the Comitato paritetico.
fn refer(conn: &mut PgConnection, id: Uuid, edit: Edit<'_>) -> Result<(), ApiError> {
    if !queries::conciliation_exists(conn, id)? {
        return Err(TavoloError::NoConciliation(id).into());
    }
    versioned::act(conn, id, edit, |conn, current: &Conciliation| {
        rules::check_referable(current.state)?;
        queries::refer(conn, id)?;
        Ok(())
    })
    .map(drop)
}

/// Records a decision of the Tavolo and applies it to the register, atomically: the decision,
/// its effect and the audit entries commit together or not at all. Safe to retry with
/// `Idempotency-Key`.
#[utoipa::path(
    tag = "tavolo",
    security(("bearer" = [])),
    params(IdempotencyKey),
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
    rules::check_summary(&body.summary)?;
    check_effect(&body.effect)?;
    idempotency::respond_once(&pool, caller.subject(), key, body, |conn, actor, body| {
        decide(conn, actor, &body)
    })
    .await
}

/// Applies the decision's effect to the register, then records the decision.
fn decide(conn: &mut PgConnection, actor: &str, body: &NewDecision) -> Result<Stored, ApiError> {
    if !queries::atto_exists(conn, body.atto_id)? {
        return Err(TavoloError::NoAtto(body.atto_id).into());
    }
    let id = Uuid::new_v4();
    let kind = body.effect.kind();
    let on_register = format!("Tavolo decision {id}: {}", body.summary);
    apply(
        conn,
        &body.effect,
        Edit::new(actor, kind).because(Some(&on_register)),
    )?;
    let edit = Edit::new(actor, kind).because(Some(&body.summary));
    let decision: DecisionRow = versioned::create(conn, edit, |conn| {
        queries::insert_decision(conn, id, actor, body)
    })?;
    let decision = Decision::from(decision);
    Stored::created(&decision, format!("/v1/tavolo-decisions/{id}"), None)
}

/// The Tavolo's decisions, oldest first.
#[utoipa::path(tag = "tavolo", params(DecisionFilter), responses((status = 200, description = "The decisions", body = DecisionList)))]
#[get("/tavolo-decisions")]
pub async fn list(
    pool: web::Data<PgPool>,
    filter: Query<DecisionFilter>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter.0;
    let rows = run_db(&pool, move |conn| {
        Ok::<_, ApiError>(queries::decisions(conn, &filter)?)
    })
    .await?;
    let items = rows.into_iter().map(Decision::from).collect();
    Ok(HttpResponse::Ok().json(DecisionList { items }))
}

/// The soggetto responsabile invites the parties to a conciliation (art. 9).
#[utoipa::path(
    tag = "tavolo",
    security(("bearer" = [])),
    params(IdempotencyKey),
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
    rules::check_parties(&body.parties)?;
    idempotency::respond_once(&pool, caller.subject(), key, body, |conn, actor, body| {
        open(conn, actor, &body)
    })
    .await
}

/// Writes the invitation to a conciliation.
fn open(conn: &mut PgConnection, actor: &str, body: &NewConciliation) -> Result<Stored, ApiError> {
    let edit = Edit::new(actor, "invite").because(Some(&body.subject));
    let conciliation: Conciliation = versioned::create(conn, edit, |conn| {
        Ok(queries::insert_conciliation(conn, body)?)
    })?;
    Stored::created(
        &conciliation,
        format!("/v1/conciliations/{}", conciliation.id),
        Some(apq_platform::concurrency::etag(conciliation.version)),
    )
}

/// The parties agree: the signed verbale closes the conciliation. Requires `If-Match`.
#[utoipa::path(
    tag = "tavolo",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The conciliation's id"),
        IfMatch,
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
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<ConciliationPath>,
    body: Json<Agreement>,
) -> Result<HttpResponse, ApiError> {
    require_editor(&caller)?;
    let id = path.id;
    let body = body.into_inner();
    let actor = caller.subject().to_owned();
    let conciliation: Conciliation = run_db(&pool, move |conn| {
        let edit = Edit::new(&actor, "agree").because(Some(&body.verbale_ref));
        versioned::update(conn, id, if_match, edit, |conn, current: &Conciliation| {
            rules::check_agreeable(current.state)?;
            queries::agree(conn, id, body.agreed_on, &body.verbale_ref)?;
            Ok(())
        })
    })
    .await?;
    Ok(ok_with_etag(conciliation.version, &conciliation))
}

/// The conciliations, newest first.
#[utoipa::path(tag = "tavolo", responses((status = 200, description = "The conciliations", body = ConciliationList)))]
#[get("/conciliations")]
pub async fn list_conciliations(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let items = run_db(&pool, |conn| {
        Ok::<_, ApiError>(queries::conciliations(conn)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ConciliationList { items }))
}
