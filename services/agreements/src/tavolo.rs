//! Decisions of the Tavolo dei sottoscrittori (art. 6.1) as first-class records that change the
//! register in the same transaction, and the conciliation procedure of art. 9. The Tavolo does
//! not revoke co-financing: that is CNIPA's act (art. 4.4, 5.6; see `revocations`).

use actix_web::{HttpResponse, get, post, web};
use apq_domain::Euro;
use apq_platform::concurrency::ok_with_etag;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::versioned::{self, Edit, IfMatch, Versioned};
use apq_platform::{ApiError, Caller, FieldError};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::access::require_editor;
use crate::financing::{FinancingSource, store_plan};
use crate::interventi::InterventoRow;
use crate::model::Sezione;
use crate::schema::{
    atti_integrativi, conciliations, interventi, tavolo_decisions, tranche_transitions, tranches,
};
use crate::tranche_plan::TrancheState;

pub mod rules;

use rules::{ConciliationState, StateChange, TavoloError};

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
            TavoloError::State { .. }
            | TavoloError::AlreadyAttuativa(_)
            | TavoloError::NotReferable(_)
            | TavoloError::Closed(_) => ApiError::Conflict(detail),
        }
    }
}

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
        #[schema(value_type = apq_domain::NonNegativeEuro)]
        savings: Euro,
        /// What the savings are reprogrammed to.
        destination: String,
        #[schema(value_type = apq_domain::NonNegativeEuro)]
        total_cost: Euro,
        sources: Vec<FinancingSource>,
    },
    /// The financial coverage changes: a new cost and financing plan (checked like any plan).
    ChangeCoverage {
        intervento_id: Uuid,
        #[schema(value_type = apq_domain::NonNegativeEuro)]
        total_cost: Euro,
        sources: Vec<FinancingSource>,
    },
    /// Passage from the sezione programmatica to the attuativa (art. 5.4), once maturity is recorded.
    PromoteToAttuativa { intervento_id: Uuid },
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
            Effect::ReferToComitato { .. } => "refer_to_comitato",
        }
    }

    /// The amounts an effect carries are never negative, and its sources are well formed.
    fn validate(&self) -> Result<(), ApiError> {
        let (savings, total_cost, sources) = match self {
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
            _ => return Ok(()),
        };
        let mut errors = Vec::new();
        if savings.is_some_and(Euro::is_negative) {
            errors.push(FieldError::new(
                "effect.savings",
                "savings cannot be negative",
            ));
        }
        if total_cost.is_negative() {
            errors.push(FieldError::new(
                "effect.total_cost",
                "a cost cannot be negative",
            ));
        }
        ApiError::unless_any(errors)?;
        crate::financing::validate_sources(sources)
    }

    fn intervento(&self) -> Option<Uuid> {
        match self {
            Effect::Reactivate { intervento_id }
            | Effect::Cancel { intervento_id }
            | Effect::ReprogramSavings { intervento_id, .. }
            | Effect::ChangeCoverage { intervento_id, .. }
            | Effect::PromoteToAttuativa { intervento_id } => Some(*intervento_id),
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
    #[schema(pattern = "\\S")]
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

/// Moves the intervento to the state `change` gives it from its own.
pub(crate) fn set_state(
    conn: &mut PgConnection,
    row: &InterventoRow,
    change: StateChange,
) -> Result<(), ApiError> {
    let to = change.apply(&row.code, row.state)?;
    diesel::update(interventi::table.find(row.id))
        .set(interventi::state.eq(to))
        .execute(conn)?;
    Ok(())
}

pub(crate) fn revoke_tranches(
    conn: &mut PgConnection,
    intervento: Uuid,
    only: Option<&[Uuid]>,
    actor: &str,
    reason: &str,
) -> Result<(), ApiError> {
    let rows: Vec<(Uuid, TrancheState, i64)> = tranches::table
        .filter(tranches::intervento_id.eq(intervento))
        .select((tranches::id, tranches::state, tranches::version))
        .for_update()
        .load(conn)?;
    if let Some(ids) = only
        && let Some(missing) = ids.iter().find(|id| !rows.iter().any(|(r, _, _)| r == *id))
    {
        return Err(TavoloError::UnknownTranche(*missing).into());
    }
    for (id, state, version) in rows {
        if only.is_some_and(|ids| !ids.contains(&id)) || state == TrancheState::Revoked {
            continue;
        }
        diesel::update(tranches::table.find(id))
            .set((
                tranches::state.eq(TrancheState::Revoked),
                tranches::version.eq(version + 1),
            ))
            .execute(conn)?;
        diesel::insert_into(tranche_transitions::table)
            .values((
                tranche_transitions::tranche_id.eq(id),
                tranche_transitions::from_state.eq(state),
                tranche_transitions::to_state.eq(TrancheState::Revoked),
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
    diesel::update(interventi::table.find(id))
        .set(interventi::total_cost.eq(total_cost.decimal()))
        .execute(conn)?;
    store_plan(conn, id, sources)
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
            diesel::update(interventi::table.find(row.id))
                .set(interventi::sezione.eq(Sezione::Attuativa))
                .execute(conn)?;
            Ok(())
        }
        Effect::ReferToComitato { .. } => Ok(()),
    }
}

/// An open conciliation referred to the Comitato paritetico.
fn refer(conn: &mut PgConnection, id: Uuid, edit: Edit<'_>) -> Result<(), ApiError> {
    let exists = diesel::select(diesel::dsl::exists(conciliations::table.find(id)));
    if !exists.get_result::<bool>(conn)? {
        return Err(TavoloError::NoConciliation(id).into());
    }
    versioned::act(conn, id, edit, |conn, current: &Conciliation| {
        rules::check_referable(current.state)?;
        diesel::update(conciliations::table.find(id))
            .set((
                conciliations::state.eq(ConciliationState::Referred),
                conciliations::referred_on.eq(chrono::Utc::now().date_naive()),
            ))
            .execute(conn)?;
        Ok(())
    })
    .map(drop)
}

/// A conciliation is versioned: the parties' agreement is conditional on the version read.
impl Versioned for Conciliation {
    const ENTITY: &'static str = "conciliation";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        conciliations::table
            .find(id)
            .select(Conciliation::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("conciliation {id}")))
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(conciliations, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(self)
    }
}

/// A decision is a record written once.
impl Versioned for Decision {
    const ENTITY: &'static str = "tavolo_decision";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        tavolo_decisions::table
            .find(id)
            .select(Decision::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("tavolo decision {id}")))
    }

    fn version(&self) -> i64 {
        1
    }

    fn bump(_: &mut PgConnection, _: &Uuid, _: i64) -> QueryResult<usize> {
        Ok(0)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(self)
    }
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
    if body.summary.trim().is_empty() {
        return Err(TavoloError::NoSummary.into());
    }
    body.effect.validate()?;
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&body);
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            decide(conn, &actor, &body)
        })
    })
    .await?;
    Ok(stored.into_response())
}

/// Applies the decision's effect to the register, then records the decision.
fn decide(conn: &mut PgConnection, actor: &str, body: &NewDecision) -> Result<Stored, ApiError> {
    let atto = atti_integrativi::table.find(body.atto_id);
    if !diesel::select(diesel::dsl::exists(atto)).get_result::<bool>(conn)? {
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
    let decision: Decision =
        versioned::create(conn, edit, |conn| insert_decision(conn, id, actor, body))?;
    Stored::created(&decision, format!("/v1/tavolo-decisions/{id}"), None)
}

/// Writes the decision `id` (and, for a referral, links the conciliation to it).
fn insert_decision(
    conn: &mut PgConnection,
    id: Uuid,
    actor: &str,
    body: &NewDecision,
) -> Result<Uuid, ApiError> {
    let payload = serde_json::to_value(&body.effect).map_err(ApiError::internal)?;
    diesel::insert_into(tavolo_decisions::table)
        .values((
            tavolo_decisions::id.eq(id),
            tavolo_decisions::atto_id.eq(body.atto_id),
            tavolo_decisions::intervento_id.eq(body.effect.intervento()),
            tavolo_decisions::kind.eq(body.effect.kind()),
            tavolo_decisions::decided_on.eq(body.decided_on),
            tavolo_decisions::verbale_ref.eq(&body.verbale_ref),
            tavolo_decisions::summary.eq(&body.summary),
            tavolo_decisions::payload.eq(&payload),
            tavolo_decisions::actor.eq(actor),
        ))
        .execute(conn)?;
    if let Effect::ReferToComitato { conciliation_id } = &body.effect {
        diesel::update(conciliations::table.find(conciliation_id))
            .set(conciliations::decision_id.eq(id))
            .execute(conn)?;
    }
    Ok(id)
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
    #[schema(value_type = String)]
    pub state: ConciliationState,
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
    #[schema(min_items = 2)]
    pub parties: Vec<String>,
    pub invited_on: NaiveDate,
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
    if body.parties.len() < 2 {
        return Err(TavoloError::TooFewParties.into());
    }
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&body);
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| open(conn, &actor, &body))
    })
    .await?;
    Ok(stored.into_response())
}

/// Writes the invitation to a conciliation.
fn open(conn: &mut PgConnection, actor: &str, body: &NewConciliation) -> Result<Stored, ApiError> {
    let edit = Edit::new(actor, "invite").because(Some(&body.subject));
    let conciliation: Conciliation = versioned::create(conn, edit, |conn| {
        let id = Uuid::new_v4();
        diesel::insert_into(conciliations::table)
            .values((
                conciliations::id.eq(id),
                conciliations::atto_id.eq(body.atto_id),
                conciliations::intervento_id.eq(body.intervento_id),
                conciliations::subject.eq(&body.subject),
                conciliations::parties.eq(&body.parties),
                conciliations::state.eq(ConciliationState::Invited),
                conciliations::invited_on.eq(body.invited_on),
            ))
            .execute(conn)?;
        Ok(id)
    })?;
    Stored::created(
        &conciliation,
        format!("/v1/conciliations/{}", conciliation.id),
        Some(apq_platform::concurrency::etag(conciliation.version)),
    )
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
            diesel::update(conciliations::table.find(id))
                .set((
                    conciliations::state.eq(ConciliationState::Agreed),
                    conciliations::agreed_on.eq(body.agreed_on),
                    conciliations::verbale_ref.eq(&body.verbale_ref),
                ))
                .execute(conn)?;
            Ok(())
        })
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
