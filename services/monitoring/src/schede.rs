//! Schede: per intervento and semester, the physical, financial and procedural progress (SAL,
//! commitments and payments, activity states, obstacles and corrective actions), entered by the
//! responsabile di intervento, then submitted, validated or returned; the history is kept.

use actix_web::{HttpResponse, get, patch, post, web};
use apq_domain::{Euro, Percent, Role, Semester, text_enum};
use apq_platform::concurrency::{etag, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, Query, patch as patch_field};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::versioned::{self, Edit, IfMatch, Versioned};
use apq_platform::{ApiError, Caller, FieldError};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::obligations::cup_recorded;
use crate::peers::Agreements;
use crate::schema::{scheda_events, schede};

/// Who verifies a SAL (validates or returns a scheda): the Regione's responsabile or CNIPA
/// (art. 4.2.b).
const VERIFIERS: &[Role] = &[Role::Admin, Role::ResponsabileAccordo, Role::Cnipa];

text_enum!(
    /// Where a scheda stands.
    SchedaState { Draft = "draft", Submitted = "submitted", Validated = "validated", Returned = "returned" }
);

text_enum!(
    /// The state of an activity in the semester.
    ActivityState { NotStarted = "not_started", InProgress = "in_progress", Completed = "completed", Late = "late" }
);

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ActivityProgress {
    /// The activity's code in the agreements register (e.g. "A3-1").
    pub code: String,
    pub state: ActivityState,
    pub actual_start: Option<NaiveDate>,
    pub actual_end: Option<NaiveDate>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = schede)]
pub struct SchedaRow {
    pub id: Uuid,
    pub intervento_id: Uuid,
    pub intervento_code: String,
    pub semester: String,
    pub state: String,
    pub sal: Decimal,
    pub planned_sal: Option<Decimal>,
    pub commitments: Decimal,
    pub payments: Decimal,
    pub activities: serde_json::Value,
    pub obstacles: Option<String>,
    pub corrective_actions: Option<String>,
    pub intervento: serde_json::Value,
    pub return_reason: Option<String>,
    pub change_seq: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A scheda as the API shows it (and the Applicativo Intese feed carries it).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Scheda {
    pub id: Uuid,
    pub intervento_id: Uuid,
    pub intervento_code: String,
    pub semester: Semester,
    pub state: SchedaState,
    /// Physical progress: the share of the activities' value done (SAL).
    pub sal: Percent,
    /// The SAL the cronoprogramma planned for the end of the semester.
    pub planned_sal: Option<Percent>,
    /// Financial progress.
    pub commitments: Euro,
    pub payments: Euro,
    /// Procedural progress: each activity's state and dates.
    pub activities: Vec<ActivityProgress>,
    pub obstacles: Option<String>,
    pub corrective_actions: Option<String>,
    /// The intervento as the register described it: CUP, cost, financing, cronoprogramma.
    pub intervento: serde_json::Value,
    pub return_reason: Option<String>,
    /// The position of its last change in the feed, given when that change commits: null in the
    /// answer of the write that made it (read it back with `GET /v1/schede/{id}`).
    #[schema(format = Int64)]
    pub change_seq: Option<i64>,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<SchedaRow> for Scheda {
    type Error = ApiError;
    fn try_from(row: SchedaRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: row.id,
            intervento_id: row.intervento_id,
            intervento_code: row.intervento_code,
            semester: Semester::parse(&row.semester).map_err(ApiError::internal)?,
            state: row.state.parse().map_err(ApiError::internal)?,
            sal: Percent::from_decimal(row.sal).map_err(ApiError::internal)?,
            planned_sal: row
                .planned_sal
                .map(Percent::from_decimal)
                .transpose()
                .map_err(ApiError::internal)?,
            commitments: Euro::from_decimal(row.commitments).map_err(ApiError::internal)?,
            payments: Euro::from_decimal(row.payments).map_err(ApiError::internal)?,
            activities: serde_json::from_value(row.activities).map_err(ApiError::internal)?,
            obstacles: row.obstacles,
            corrective_actions: row.corrective_actions,
            intervento: row.intervento,
            return_reason: row.return_reason,
            change_seq: row.change_seq,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

impl Versioned for SchedaRow {
    const ENTITY: &'static str = "scheda";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        load(conn, *id, true)
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(schede, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(&Scheda::try_from(self.clone())?)
    }
}

pub fn load(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<SchedaRow, ApiError> {
    let query = schede::table.find(id).select(SchedaRow::as_select());
    let row = if lock {
        query.for_update().first(conn)
    } else {
        query.first(conn)
    };
    row.optional()?
        .ok_or_else(|| ApiError::NotFound(format!("scheda {id}")))
}

/// Editors, or the intervento's responsabile (named in the token).
fn require_author(caller: &Caller, code: &str) -> Result<(), ApiError> {
    if caller.has_any(&[Role::Admin, Role::ResponsabileAccordo]) || caller.answers_for(code) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "only the responsabile of {code}, the responsabile dell'Accordo or admin enter its schede"
        )))
    }
}

/// The scheda's commitments and payments for `semester`: derived from the intervento's recorded
/// impegni and pagamenti when it has any (a declared total that disagrees is refused, naming the
/// field; pagamenti past the impegni are a conflict with the registers, 409), else as declared
/// (then both are required: unknown is not zero).
fn resolve_totals(
    conn: &mut PgConnection,
    code: &str,
    semester: Semester,
    commitments: Option<Euro>,
    payments: Option<Euro>,
) -> Result<(Euro, Euro), ApiError> {
    let events = crate::movements::of(conn, code, None)?;
    if events.is_empty() {
        let mut errors = Vec::new();
        for (field, value) in [("commitments", commitments), ("payments", payments)] {
            if value.is_none() {
                errors.push(FieldError::new(
                    field,
                    "required while the intervento has no impegni and pagamenti recorded",
                ));
            }
        }
        ApiError::unless_any(errors)?;
        return Ok((
            commitments.unwrap_or(Euro::ZERO),
            payments.unwrap_or(Euro::ZERO),
        ));
    }
    let (derived_c, derived_p) = crate::movements::totals(&events, semester.last_day());
    if derived_p > derived_c {
        return Err(ApiError::Conflict(format!(
            "the pagamenti of {code} recorded up to {} add up to {derived_p}, past its impegni ({derived_c}): record the impegni first",
            semester.last_day()
        )));
    }
    let mut errors = Vec::new();
    for (field, declared, derived, register) in [
        ("commitments", commitments, derived_c, "impegni"),
        ("payments", payments, derived_p, "pagamenti"),
    ] {
        if declared.is_some_and(|d| d != derived) {
            errors.push(FieldError::new(
                field,
                format!(
                    "the {register} recorded up to {} add up to {derived}: leave it out, it is derived from them",
                    semester.last_day()
                ),
            ));
        }
    }
    ApiError::unless_any(errors)?;
    Ok((derived_c, derived_p))
}

fn validate_progress(
    commitments: Euro,
    payments: Euro,
    activities: &[ActivityProgress],
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if commitments.is_negative() {
        errors.push(FieldError::new("commitments", "cannot be negative"));
    }
    if payments.is_negative() {
        errors.push(FieldError::new("payments", "cannot be negative"));
    }
    if payments > commitments {
        errors.push(FieldError::new(
            "payments",
            "payments cannot exceed commitments",
        ));
    }
    for (i, a) in activities.iter().enumerate() {
        if let (Some(start), Some(end)) = (a.actual_start, a.actual_end)
            && end < start
        {
            errors.push(FieldError::new(
                format!("activities[{i}].actual_end"),
                "an activity cannot end before it starts",
            ));
        }
    }
    ApiError::unless_any(errors)
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewScheda {
    #[schema(pattern = "^[A-Za-z0-9-]+$")]
    pub intervento_code: String,
    pub semester: Semester,
    pub sal: Percent,
    pub planned_sal: Option<Percent>,
    /// Derived from the intervento's impegni when it has any (then optional, and if given it must
    /// agree); required otherwise.
    #[serde(default)]
    #[schema(value_type = Option<apq_domain::NonNegativeEuro>)]
    pub commitments: Option<Euro>,
    /// Derived from the intervento's pagamenti when it has any (then optional, and if given it
    /// must agree); required otherwise.
    #[serde(default)]
    #[schema(value_type = Option<apq_domain::NonNegativeEuro>)]
    pub payments: Option<Euro>,
    #[serde(default)]
    pub activities: Vec<ActivityProgress>,
    pub obstacles: Option<String>,
    pub corrective_actions: Option<String>,
}

/// Opens the scheda of an intervento for a semester (as a draft). The intervento's data come
/// from the agreements register over HTTP. Safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "schede",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = NewScheda,
    responses(
        (status = 201, description = "The draft scheda", body = Scheda, headers(("Location" = String, description = "The scheda"))),
        (status = 409, description = "The intervento already has a scheda for the semester, or its pagamenti recorded up to the semester's end exceed its impegni", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/schede")]
pub async fn create(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    body: Json<NewScheda>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    require_author(&caller, &body.intervento_code)?;
    let intervento = agreements
        .intervento(&body.intervento_code)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(what) => ApiError::Unprocessable {
                detail: format!("there is no {what}"),
                errors: vec![FieldError::new(
                    "intervento_code",
                    "not in the agreements register",
                )],
            },
            other => other,
        })?;
    let snapshot = agreements.snapshot(&intervento).await?;
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&body);
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            let taken: i64 = schede::table
                .filter(schede::intervento_id.eq(intervento.id))
                .filter(schede::semester.eq(body.semester.to_string()))
                .count()
                .get_result(conn)?;
            if taken > 0 {
                return Err(ApiError::Conflict(format!(
                    "{} already has a scheda for {}",
                    body.intervento_code, body.semester
                )));
            }
            let (commitments, payments) = resolve_totals(
                conn,
                &intervento.code,
                body.semester,
                body.commitments,
                body.payments,
            )?;
            validate_progress(commitments, payments, &body.activities)?;
            let created: SchedaRow =
                versioned::create(conn, Edit::new(&actor, "create"), |conn| {
                    let id = Uuid::new_v4();
                    diesel::insert_into(schede::table)
                        .values((
                            schede::id.eq(id),
                            schede::intervento_id.eq(intervento.id),
                            schede::intervento_code.eq(&intervento.code),
                            schede::semester.eq(body.semester.to_string()),
                            schede::state.eq(SchedaState::Draft.as_str()),
                            schede::sal.eq(body.sal.decimal()),
                            schede::planned_sal.eq(body.planned_sal.map(Percent::decimal)),
                            schede::commitments.eq(commitments.decimal()),
                            schede::payments.eq(payments.decimal()),
                            schede::activities.eq(serde_json::to_value(&body.activities)
                                .map_err(ApiError::internal)?),
                            schede::obstacles.eq(&body.obstacles),
                            schede::corrective_actions.eq(&body.corrective_actions),
                            schede::intervento.eq(&snapshot),
                        ))
                        .execute(conn)?;
                    event(conn, id, None, SchedaState::Draft, &actor, None)?;
                    Ok(id)
                })?;
            let scheda = Scheda::try_from(created)?;
            let id = scheda.id;
            Stored::created(
                &scheda,
                format!("/v1/schede/{id}"),
                Some(etag(scheda.version)),
            )
        })
    })
    .await?;
    Ok(stored.into_response())
}

fn event(
    conn: &mut PgConnection,
    id: Uuid,
    from: Option<SchedaState>,
    to: SchedaState,
    actor: &str,
    note: Option<&str>,
) -> Result<(), ApiError> {
    diesel::insert_into(scheda_events::table)
        .values((
            scheda_events::scheda_id.eq(id),
            scheda_events::from_state.eq(from.map(SchedaState::as_str)),
            scheda_events::to_state.eq(to.as_str()),
            scheda_events::actor.eq(actor),
            scheda_events::note.eq(note),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct IdPath {
    pub id: Uuid,
}

/// One scheda. Public.
#[utoipa::path(
    tag = "schede",
    params(("id" = Uuid, Path, description = "The scheda's id")),
    responses(
        (status = 200, description = "The scheda", body = Scheda, headers(("ETag" = String, description = "Its version"))),
    )
)]
#[get("/schede/{id}")]
pub async fn get_one(
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let scheda = Scheda::try_from(run_db(&pool, move |conn| load(conn, id, false)).await?)?;
    Ok(ok_with_etag(scheda.version, &scheda))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SchedaFilter {
    pub semester: Option<Semester>,
    pub intervento_code: Option<String>,
    pub state: Option<SchedaState>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SchedaList {
    pub items: Vec<Scheda>,
}

pub fn find(conn: &mut PgConnection, filter: &SchedaFilter) -> Result<Vec<Scheda>, ApiError> {
    let mut query = schede::table
        .select(SchedaRow::as_select())
        .order((schede::semester.asc(), schede::intervento_code.asc()))
        .into_boxed();
    if let Some(semester) = filter.semester {
        query = query.filter(schede::semester.eq(semester.to_string()));
    }
    if let Some(code) = &filter.intervento_code {
        query = query.filter(schede::intervento_code.eq(code));
    }
    if let Some(state) = filter.state {
        query = query.filter(schede::state.eq(state.as_str()));
    }
    query
        .load(conn)?
        .into_iter()
        .map(Scheda::try_from)
        .collect()
}

/// The schede, by semester and intervento. Public.
#[utoipa::path(tag = "schede", params(SchedaFilter), responses((status = 200, description = "The schede", body = SchedaList)))]
#[get("/schede")]
pub async fn list(
    pool: web::Data<PgPool>,
    filter: Query<SchedaFilter>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter.0;
    let items = run_db(&pool, move |conn| find(conn, &filter)).await?;
    Ok(HttpResponse::Ok().json(SchedaList { items }))
}

/// A merge patch of a draft or returned scheda.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SchedaPatch {
    pub sal: Option<Percent>,
    #[serde(default, deserialize_with = "patch_field")]
    pub planned_sal: Option<Option<Percent>>,
    #[schema(value_type = Option<apq_domain::NonNegativeEuro>)]
    pub commitments: Option<Euro>,
    #[schema(value_type = Option<apq_domain::NonNegativeEuro>)]
    pub payments: Option<Euro>,
    pub activities: Option<Vec<ActivityProgress>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub obstacles: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub corrective_actions: Option<Option<String>>,
}

/// Changes a draft or returned scheda. Requires `If-Match`.
#[utoipa::path(
    tag = "schede",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The scheda's id"), IfMatch),
    request_body(content = SchedaPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Changed", body = Scheda),
        (status = 409, description = "Submitted or validated schede do not change; nor one whose intervento's pagamenti recorded up to the semester's end exceed its impegni", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/schede/{id}")]
pub async fn update(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
    body: Json<SchedaPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let patch = body.into_inner();
    let actor = caller.subject().to_owned();
    let updated: SchedaRow = run_db(&pool, move |conn| {
        require_author(&caller, &load(conn, id, false)?.intervento_code)?;
        versioned::update(
            conn,
            id,
            if_match,
            Edit::new(&actor, "update"),
            |conn, current: &SchedaRow| {
                let before = Scheda::try_from(current.clone())?;
                if !matches!(before.state, SchedaState::Draft | SchedaState::Returned) {
                    return Err(ApiError::Conflict(format!(
                        "a {} scheda does not change",
                        before.state
                    )));
                }
                let (commitments, payments) = resolve_totals(
                    conn,
                    &before.intervento_code,
                    before.semester,
                    Some(patch.commitments.unwrap_or(before.commitments)),
                    Some(patch.payments.unwrap_or(before.payments)),
                )
                .or_else(|e| {
                    // Totals stored before the events were recorded give way to the derived ones.
                    if patch.commitments.is_none() && patch.payments.is_none() {
                        resolve_totals(conn, &before.intervento_code, before.semester, None, None)
                    } else {
                        Err(e)
                    }
                })?;
                let activities = patch
                    .activities
                    .clone()
                    .unwrap_or(before.activities.clone());
                validate_progress(commitments, payments, &activities)?;
                diesel::update(schede::table.find(id))
                    .set((
                        schede::sal.eq(patch.sal.unwrap_or(before.sal).decimal()),
                        schede::planned_sal.eq(patch
                            .planned_sal
                            .unwrap_or(before.planned_sal)
                            .map(Percent::decimal)),
                        schede::commitments.eq(commitments.decimal()),
                        schede::payments.eq(payments.decimal()),
                        schede::activities
                            .eq(serde_json::to_value(&activities).map_err(ApiError::internal)?),
                        schede::obstacles
                            .eq(patch.obstacles.clone().unwrap_or(before.obstacles.clone())),
                        schede::corrective_actions.eq(patch
                            .corrective_actions
                            .clone()
                            .unwrap_or(before.corrective_actions)),
                    ))
                    .execute(conn)?;
                Ok(())
            },
        )
    })
    .await?;
    let scheda = Scheda::try_from(updated)?;
    Ok(ok_with_etag(scheda.version, &scheda))
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// For a return: what must be corrected. For a submission: the explanatory report.
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct StepPath {
    pub id: Uuid,
    /// submission, validation or return.
    pub step: String,
}

/// Moves a scheda along its review: `submission` (draft or returned -> submitted, by its
/// author), `validation` (submitted -> validated) or `return` (submitted -> returned, with a
/// note), by the responsabile dell'Accordo or admin. A scheda cannot be validated before it is
/// submitted, nor while its intervento has no CUP (art. 7.2.h: 422 naming `cup`). Requires
/// `If-Match`; each step enters the Applicativo Intese feed.
#[utoipa::path(
    tag = "schede",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The scheda's id"),
        ("step" = String, Path, description = "submission, validation or return"),
        IfMatch,
    ),
    request_body = Review,
    responses(
        (status = 200, description = "The scheda after the step", body = Scheda),
        (status = 409, description = "The step does not apply in the scheda's state", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/schede/{id}/{step}")]
pub async fn review(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    path: Path<StepPath>,
    body: Json<Review>,
) -> Result<HttpResponse, ApiError> {
    let StepPath { id, step } = path.into_inner();
    let (from, to): (&[SchedaState], SchedaState) = match step.as_str() {
        "submission" => (
            &[SchedaState::Draft, SchedaState::Returned],
            SchedaState::Submitted,
        ),
        "validation" => (&[SchedaState::Submitted], SchedaState::Validated),
        "return" => (&[SchedaState::Submitted], SchedaState::Returned),
        other => {
            return Err(ApiError::NotFound(format!(
                "the review step \"{other}\" (submission, validation, return)"
            )));
        }
    };
    let note = body.into_inner().note;
    if to == SchedaState::Returned && note.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err(ApiError::field("note", "say what must be corrected"));
    }
    if to == SchedaState::Validated {
        caller.require_any(VERIFIERS)?;
        cup_before_validation(&pool, &agreements, id).await?;
    }
    let actor = caller.subject().to_owned();
    let updated: SchedaRow = run_db(&pool, move |conn| {
        let code = load(conn, id, false)?.intervento_code;
        if to == SchedaState::Submitted {
            require_author(&caller, &code)?;
        } else {
            // The SAL verification: the Regione's responsabile or CNIPA (art. 4.2.b).
            caller.require_any(VERIFIERS)?;
        }
        let edit = Edit::new(&actor, to.as_str()).because(note.as_deref());
        versioned::update(conn, id, if_match, edit, |conn, current: &SchedaRow| {
            let state: SchedaState = current.state.parse().map_err(ApiError::internal)?;
            if !from.contains(&state) {
                return Err(ApiError::Conflict(format!(
                    "a {state} scheda cannot be {}; it must be {} first",
                    match to {
                        SchedaState::Validated => "validated",
                        SchedaState::Returned => "returned",
                        _ => "submitted",
                    },
                    from.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" or ")
                )));
            }
            diesel::update(schede::table.find(id))
                .set((
                    schede::state.eq(to.as_str()),
                    schede::return_reason.eq(if to == SchedaState::Returned {
                        note.clone()
                    } else {
                        None
                    }),
                    // Back in the feed: the position is given at commit (see feed.rs).
                    schede::change_seq.eq(None::<i64>),
                ))
                .execute(conn)?;
            event(conn, id, Some(state), to, &actor, note.as_deref())
        })
    })
    .await?;
    let scheda = Scheda::try_from(updated)?;
    Ok(ok_with_etag(scheda.version, &scheda))
}

/// Art. 7.2.h: the scheda's intervento has its CUP in agreements (read there: an answer that
/// cannot be had is a 503 naming agreements, never a validation).
async fn cup_before_validation(
    pool: &PgPool,
    agreements: &Agreements,
    id: Uuid,
) -> Result<(), ApiError> {
    let code = run_db(pool, move |conn| {
        Ok::<_, ApiError>(load(conn, id, false)?.intervento_code)
    })
    .await?;
    let intervento = agreements.intervento(&code).await?;
    Ok(cup_recorded(&code, intervento.cup.as_deref())?)
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable)]
pub struct SchedaEvent {
    #[schema(format = Int64)]
    pub id: i64,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor: String,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SchedaHistory {
    pub items: Vec<SchedaEvent>,
}

/// The history of a scheda's review. Public.
#[utoipa::path(
    tag = "schede",
    params(("id" = Uuid, Path, description = "The scheda's id")),
    responses((status = 200, description = "Its events, oldest first", body = SchedaHistory))
)]
#[get("/schede/{id}/history")]
pub async fn history(
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let items = run_db(&pool, move |conn| {
        load(conn, id, false)?;
        Ok::<_, ApiError>(
            scheda_events::table
                .filter(scheda_events::scheda_id.eq(id))
                .order(scheda_events::id.asc())
                .select((
                    scheda_events::id,
                    scheda_events::from_state,
                    scheda_events::to_state,
                    scheda_events::actor,
                    scheda_events::note,
                    scheda_events::at,
                ))
                .load(conn)?,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(SchedaHistory { items }))
}
