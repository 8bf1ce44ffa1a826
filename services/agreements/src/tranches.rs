//! Tranches: their plan per intervento, and the audited transitions between states.

use actix_web::{HttpResponse, get, post, web};
use apq_domain::{Euro, Percent};
use apq_platform::concurrency::ok_with_etag;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path};
use apq_platform::versioned::{self, Edit, IfMatch, Versioned};
use apq_platform::{ApiError, Caller};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::interventi::{IdPath, InterventoRow};
use crate::schema::{tranche_transitions, tranches};
use crate::tranche_plan::{TrancheError, TrancheState, check_transition, movers, schedule};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tranches)]
pub struct TrancheRow {
    pub id: Uuid,
    pub intervento_id: Uuid,
    pub seq: i32,
    #[diesel(deserialize_as = apq_platform::text_column::PercentColumn)]
    pub share: Percent,
    #[diesel(deserialize_as = apq_platform::text_column::EuroColumn)]
    pub amount: Euro,
    pub condition: String,
    pub requires_plan_approved: bool,
    pub requires_progetto_esecutivo: bool,
    pub sal_verification: Option<i32>,
    pub sal_threshold: Option<Decimal>,
    pub adhesion_share_threshold: Option<Decimal>,
    pub months_of_operation: Option<i32>,
    pub state: TrancheState,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    pub requires_services_usable: bool,
    pub requires_admissibility: bool,
    pub requires_completion: bool,
}

// The tranches as agreements answers them and the monitoring service reads them: the
// contract's types.
pub use apq_domain::contracts::agreements::{
    Tranche, TrancheCondition, TrancheList, TranchePlan, Transition, TransitionList,
};

fn percent(value: Option<Decimal>) -> Result<Option<Percent>, ApiError> {
    value
        .map(Percent::from_decimal)
        .transpose()
        .map_err(ApiError::internal)
}

/// A tranche is a child of its intervento: a change locks the intervento first (as the financing
/// plan, which rewrites the tranches, does), then the tranche, whose own version is its ETag.
impl Versioned for TrancheRow {
    const ENTITY: &'static str = "tranche";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        let intervento: Uuid = tranches::table
            .find(id)
            .select(tranches::intervento_id)
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("tranche {id}")))?;
        crate::interventi::load(conn, intervento, true)?;
        Ok(tranches::table
            .find(id)
            .select(TrancheRow::as_select())
            .for_update()
            .first(conn)?)
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        diesel::update(tranches::table.find(id))
            .set((
                tranches::version.eq(version),
                tranches::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(&Tranche::try_from(self.clone())?)
    }
}

impl TryFrom<TrancheRow> for Tranche {
    type Error = ApiError;
    fn try_from(row: TrancheRow) -> Result<Self, ApiError> {
        let state = row.state;
        Ok(Self {
            id: row.id,
            intervento_id: row.intervento_id,
            seq: row.seq,
            share: row.share,
            amount: row.amount,
            condition: TrancheCondition {
                text: row.condition,
                requires_plan_approved: row.requires_plan_approved,
                requires_progetto_esecutivo: row.requires_progetto_esecutivo,
                sal_verification: row.sal_verification,
                sal_threshold: percent(row.sal_threshold)?,
                adhesion_share_threshold: percent(row.adhesion_share_threshold)?,
                months_of_operation: row.months_of_operation,
                requires_services_usable: row.requires_services_usable,
                requires_admissibility: row.requires_admissibility,
                requires_completion: row.requires_completion,
            },
            state: state.into(),
            next_states: state.next().iter().map(|&s| s.into()).collect(),
            version: row.version,
            updated_at: row.updated_at,
        })
    }
}

pub fn for_intervento(
    conn: &mut PgConnection,
    intervento: Uuid,
) -> Result<Vec<TrancheRow>, ApiError> {
    Ok(tranches::table
        .filter(tranches::intervento_id.eq(intervento))
        .order(tranches::seq.asc())
        .select(TrancheRow::as_select())
        .load(conn)?)
}

/// (Re)writes the tranche plan of `intervento` from its kind and co-financing. Refused once a
/// tranche has left `planned` (money already in motion is changed by the Tavolo only).
pub fn write_plan(conn: &mut PgConnection, intervento: &InterventoRow) -> Result<(), ApiError> {
    let existing = for_intervento(conn, intervento.id)?;
    if existing.iter().any(|t| t.state != TrancheState::Planned) {
        return Err(ApiError::Conflict(
            "a tranche of this intervento has already left the planned state; its plan changes only by a Tavolo decision".to_owned(),
        ));
    }
    diesel::delete(tranches::table.filter(tranches::intervento_id.eq(intervento.id)))
        .execute(conn)?;
    for planned in schedule(intervento.kind, intervento.cnipa_cofinancing) {
        diesel::insert_into(tranches::table)
            .values((
                tranches::id.eq(Uuid::new_v4()),
                tranches::intervento_id.eq(intervento.id),
                tranches::seq.eq(planned.seq),
                tranches::share.eq(planned.share.decimal()),
                tranches::amount.eq(planned.amount.decimal()),
                tranches::condition.eq(planned.condition),
                tranches::requires_plan_approved.eq(planned.requires_plan_approved),
                tranches::requires_progetto_esecutivo.eq(planned.requires_progetto_esecutivo),
                tranches::sal_verification.eq(planned.sal_verification),
                tranches::sal_threshold.eq(planned.sal_threshold.map(Percent::decimal)),
                tranches::adhesion_share_threshold
                    .eq(planned.adhesion_share_threshold.map(Percent::decimal)),
                tranches::months_of_operation.eq(planned.months_of_operation),
                tranches::requires_services_usable.eq(planned.requires_services_usable),
                tranches::requires_admissibility.eq(planned.requires_admissibility),
                tranches::requires_completion.eq(planned.requires_completion),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The tranche plan of an intervento, with each tranche's condition and state.
#[utoipa::path(
    tag = "tranches",
    params(("id" = Uuid, Path, description = "The intervento's id")),
    responses((status = 200, description = "The tranches, in order", body = TrancheList))
)]
#[get("/interventi/{id}/tranches")]
pub async fn list(pool: web::Data<PgPool>, path: Path<IdPath>) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let rows = run_db(&pool, move |conn| {
        crate::interventi::load(conn, id, false)?;
        for_intervento(conn, id)
    })
    .await?;
    let items = rows
        .into_iter()
        .map(Tranche::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(TrancheList { items }))
}

#[derive(Debug, Deserialize)]
pub struct CodePath {
    pub code: String,
}

/// The tranche plan of an intervento, by its code, with the intervento's maturity.
#[utoipa::path(
    tag = "tranches",
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI")),
    responses((status = 200, description = "The tranche plan", body = TranchePlan))
)]
#[get("/tranche-plans/{code}")]
pub async fn plan(pool: web::Data<PgPool>, path: Path<CodePath>) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner().code;
    let (intervento, rows) = run_db(&pool, move |conn| {
        let intervento = crate::interventi::load_by_code(conn, &code)?;
        let rows = for_intervento(conn, intervento.id)?;
        Ok::<_, ApiError>((intervento, rows))
    })
    .await?;
    Ok(HttpResponse::Ok().json(TranchePlan {
        kind: intervento.kind.into(),
        intervento_id: intervento.id,
        intervento_code: intervento.code.clone(),
        progetto_esecutivo_validated_on: intervento.progetto_esecutivo_validated_on,
        progetto_esecutivo: intervento.progetto_esecutivo()?,
        cup: intervento
            .cup
            .as_deref()
            .map(|c| apq_domain::Cup::parse(c.trim()))
            .transpose()
            .map_err(ApiError::internal)?,
        started_on: intervento.started_on,
        state: intervento.state.into(),
        cnipa_cofinancing: intervento.cnipa_cofinancing,
        cofinancing_cap: intervento.kind.cap(),
        tranches: rows
            .into_iter()
            .map(Tranche::try_from)
            .collect::<Result<Vec<_>, _>>()?,
    }))
}

/// A change of state of a tranche.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTransition {
    pub to: TrancheState,
    /// Why (e.g. "SAL 1 verified at 52%", "CNIPA payment order n. ...").
    #[schema(pattern = "\\S")]
    pub reason: String,
    /// The act that supports it (decree, payment order, verbale).
    pub act_ref: Option<String>,
    /// For `eligible`: the monitoring service's evaluation of the condition, kept as evidence.
    pub evaluation: Option<serde_json::Value>,
    /// The day the change took effect, as its act says (for `paid`, the day the State paid):
    /// today when absent, never in the future.
    #[serde(default)]
    pub effective_on: Option<chrono::NaiveDate>,
}

/// A row of `tranche_transitions`, read into the contract's [`Transition`].
#[derive(Debug, Clone, Queryable)]
struct TransitionRow {
    id: i64,
    tranche_id: Uuid,
    from_state: String,
    to_state: String,
    at: DateTime<Utc>,
    actor: String,
    reason: String,
    act_ref: Option<String>,
    evaluation: Option<serde_json::Value>,
    effective_on: chrono::NaiveDate,
}

impl From<TransitionRow> for Transition {
    fn from(row: TransitionRow) -> Self {
        Self {
            id: row.id,
            tranche_id: row.tranche_id,
            from_state: row.from_state,
            to_state: row.to_state,
            at: row.at,
            actor: row.actor,
            reason: row.reason,
            act_ref: row.act_ref,
            evaluation: row.evaluation,
            effective_on: row.effective_on,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct TranchePath {
    pub tranche_id: Uuid,
}

impl From<TrancheError> for ApiError {
    fn from(error: TrancheError) -> Self {
        match error {
            TrancheError::NoReason => ApiError::field("reason", error),
            TrancheError::NotAllowed { .. } => ApiError::Conflict(error.to_string()),
            TrancheError::FutureEffect => ApiError::field("effective_on", error),
        }
    }
}

/// Writes a checked transition: the tranche's state and the event.
fn record_transition(
    conn: &mut PgConnection,
    current: &TrancheRow,
    step: &NewTransition,
    effective_on: NaiveDate,
    actor: &str,
) -> QueryResult<usize> {
    diesel::update(tranches::table.find(current.id))
        .set(tranches::state.eq(step.to))
        .execute(conn)?;
    diesel::insert_into(tranche_transitions::table)
        .values((
            tranche_transitions::tranche_id.eq(current.id),
            tranche_transitions::from_state.eq(current.state),
            tranche_transitions::to_state.eq(step.to),
            tranche_transitions::actor.eq(actor),
            tranche_transitions::reason.eq(&step.reason),
            tranche_transitions::act_ref.eq(&step.act_ref),
            tranche_transitions::evaluation.eq(&step.evaluation),
            tranche_transitions::effective_on.eq(effective_on),
        ))
        .execute(conn)
}

/// Moves a tranche to another state along the allowed transitions (planned -> eligible ->
/// requested -> paid; revoked from any state). `eligible` is set by the monitoring service
/// (role `sync`) or an editor; `requested` by an editor; `paid` is CNIPA's payment (`cnipa`,
/// or admin recording it); `revoked` is CNIPA's act only (`cnipa`). `If-Match` carries the
/// tranche's ETag.
#[utoipa::path(
    tag = "tranches",
    security(("bearer" = [])),
    params(
        ("tranche_id" = Uuid, Path, description = "The tranche's id"),
        IfMatch,
    ),
    request_body = NewTransition,
    responses(
        (status = 200, description = "The tranche in its new state", body = Tranche),
        (status = 409, description = "The transition is not allowed from the current state", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/tranches/{tranche_id}/transitions")]
pub async fn transition(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<TranchePath>,
    body: Json<NewTransition>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    caller.require_any(movers(body.to))?;
    // The request's own faults first, before the register is read.
    crate::tranche_plan::check_reason(&body.reason)?;
    let effective_on =
        crate::tranche_plan::effective_on(body.effective_on, Utc::now().date_naive())?;
    let id = path.tranche_id;
    let actor = caller.subject().to_owned();
    let updated: TrancheRow = run_db(&pool, move |conn| {
        let edit = Edit::new(&actor, "transition").because(Some(&body.reason));
        versioned::update(conn, id, if_match, edit, |conn, current: &TrancheRow| {
            check_transition(current.state, body.to)?;
            record_transition(conn, current, &body, effective_on, &actor)?;
            Ok(())
        })
    })
    .await?;
    let view = Tranche::try_from(updated)?;
    Ok(ok_with_etag(view.version, &view))
}

/// The history of a tranche's states.
#[utoipa::path(
    tag = "tranches",
    params(("tranche_id" = Uuid, Path, description = "The tranche's id")),
    responses((status = 200, description = "Its transitions, oldest first", body = TransitionList))
)]
#[get("/tranches/{tranche_id}/transitions")]
pub async fn history(
    pool: web::Data<PgPool>,
    path: Path<TranchePath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.tranche_id;
    let items = run_db(&pool, move |conn| {
        Ok::<_, ApiError>(
            tranche_transitions::table
                .filter(tranche_transitions::tranche_id.eq(id))
                .order(tranche_transitions::id.asc())
                .load::<TransitionRow>(conn)?,
        )
    })
    .await?;
    let items = items.into_iter().map(Transition::from).collect();
    Ok(HttpResponse::Ok().json(TransitionList { items }))
}
