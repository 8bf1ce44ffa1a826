//! The scheda's endpoints: parse, authorise, call the rules and queries, answer. What the
//! rules refuse becomes a problem here, in one place (`From<SchedaError> for ApiError`).

use actix_web::{HttpResponse, get, patch, post, web};
use apq_domain::Role;
use apq_platform::concurrency::{etag, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::idempotency::{IdempotencyKey, Stored, respond_once};
use apq_platform::versioned::{self, Edit, IfMatch};
use apq_platform::{ApiError, Caller, FieldError};
use diesel::PgConnection;
use uuid::Uuid;

use super::json::{
    IdPath, NewScheda, Review, Scheda, SchedaFilter, SchedaHistory, SchedaList, SchedaPatch,
    StepPath,
};
use super::queries::{self, SchedaRow, find, load};
use super::rules::{self, SchedaError, Step};
use crate::obligations::cup_recorded;
use crate::peers::{Agreements, Intervento};

impl From<SchedaError> for ApiError {
    fn from(error: SchedaError) -> Self {
        let detail = error.to_string();
        if let Some(field) = error.field() {
            return ApiError::field(field, detail);
        }
        match error {
            SchedaError::UnknownStep(_) => ApiError::NotFound(detail),
            _ => ApiError::Conflict(detail),
        }
    }
}

/// What the rules refuse at once: a refusal that names no field stands alone (the first such),
/// else a problem naming every field.
fn refused(errors: Vec<SchedaError>) -> ApiError {
    ApiError::first_or_naming_each(errors, SchedaError::field)
}

/// Who verifies a SAL (validates or returns a scheda): the Regione's responsabile or CNIPA
/// (art. 4.2.b).
const VERIFIERS: &[Role] = &[Role::Admin, Role::ResponsabileAccordo, Role::Cnipa];

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
    let intervento =
        (agreements.intervento(&body.intervento_code).await).map_err(not_in_register)?;
    let snapshot = agreements.snapshot(&intervento).await?;
    respond_once(
        &pool,
        caller.subject(),
        key,
        body,
        move |conn, actor, body| open(conn, actor, &intervento, &snapshot, &body),
    )
    .await
}

/// An intervento the agreements register does not know is refused naming the field (422).
fn not_in_register(error: ApiError) -> ApiError {
    match error {
        ApiError::NotFound(what) => ApiError::Unprocessable {
            detail: format!("there is no {what}"),
            errors: vec![FieldError::new(
                "intervento_code",
                "not in the agreements register",
            )],
        },
        other => other,
    }
}

/// Opens the draft scheda of `intervento`, once per semester, with its totals checked against
/// the registers.
fn open(
    conn: &mut PgConnection,
    actor: &str,
    intervento: &Intervento,
    snapshot: &serde_json::Value,
    body: &NewScheda,
) -> Result<Stored, ApiError> {
    if queries::opened(conn, intervento.id, body.semester)? {
        return Err(SchedaError::AlreadyOpened {
            code: body.intervento_code.clone(),
            semester: body.semester,
        }
        .into());
    }
    let recorded = queries::recorded_totals(conn, &intervento.code, body.semester)?;
    let declared = (body.commitments, body.payments);
    let totals =
        rules::totals(&intervento.code, body.semester, declared, recorded).map_err(refused)?;
    ApiError::refuse_any_or_first(
        rules::check_progress(totals.0, totals.1, &body.activities),
        SchedaError::field,
    )?;
    let created: SchedaRow = versioned::create(conn, Edit::new(actor, "create"), |conn| {
        queries::insert(conn, intervento, snapshot, body, totals, actor)
    })?;
    let scheda = Scheda::try_from(created)?;
    let id = scheda.id;
    Stored::created(
        &scheda,
        format!("/v1/schede/{id}"),
        Some(etag(scheda.version)),
    )
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
        let edit = Edit::new(&actor, "update");
        versioned::update(conn, id, if_match, edit, |conn, current: &SchedaRow| {
            let changed = patched(conn, Scheda::try_from(current.clone())?, &patch)?;
            queries::update(conn, &changed)
        })
    })
    .await?;
    let scheda = Scheda::try_from(updated)?;
    Ok(ok_with_etag(scheda.version, &scheda))
}

/// The scheda as `patch` changes it, its totals checked against the registers and its progress
/// against the rules.
fn patched(
    conn: &mut PgConnection,
    before: Scheda,
    patch: &SchedaPatch,
) -> Result<Scheda, ApiError> {
    rules::check_changeable(before.state)?;
    let (code, semester) = (&before.intervento_code, before.semester);
    let recorded = queries::recorded_totals(conn, code, semester)?;
    let stored = (before.commitments, before.payments);
    let (commitments, payments) = (patch.commitments, patch.payments);
    let totals = rules::patched_totals(code, semester, stored, (commitments, payments), recorded)
        .map_err(refused)?;
    let changed = patch.clone().apply(before, totals);
    ApiError::refuse_any_or_first(
        rules::check_progress(changed.commitments, changed.payments, &changed.activities),
        SchedaError::field,
    )?;
    Ok(changed)
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
    let step = Step::parse(&step)?;
    let note = body.into_inner().note;
    step.check_note(note.as_deref())?;
    if step == Step::Validation {
        caller.require_any(VERIFIERS)?;
        cup_before_validation(&pool, &agreements, id).await?;
    }
    let actor = caller.subject().to_owned();
    let updated: SchedaRow = run_db(&pool, move |conn| {
        let code = load(conn, id, false)?.intervento_code;
        if step == Step::Submission {
            require_author(&caller, &code)?;
        } else {
            // The SAL verification: the Regione's responsabile or CNIPA (art. 4.2.b).
            caller.require_any(VERIFIERS)?;
        }
        let edit = Edit::new(&actor, step.to().as_str()).because(note.as_deref());
        versioned::update(conn, id, if_match, edit, |conn, current: &SchedaRow| {
            let state = current.state;
            step.check(state)?;
            let reason = step.return_reason(note.clone());
            let states = (state, step.to());
            queries::set_state(conn, id, states, reason, &actor, note.as_deref())
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
    Ok(cup_recorded(
        &code,
        intervento.cup.as_ref().map(apq_domain::Cup::as_str),
    )?)
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
        Ok::<_, ApiError>(queries::events(conn, id)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(SchedaHistory { items }))
}
