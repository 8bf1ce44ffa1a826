//! The projects' and soggetti's endpoints: parse, authorise, call the rules and queries,
//! answer. What the rules refuse becomes a problem here, in one place (`ApiError::refuse_any`).

use actix_web::{HttpResponse, get, patch, post, web};
use apq_domain::Role;
use apq_platform::concurrency::{etag, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path};
use apq_platform::idempotency::{IdempotencyKey, Stored, respond_once};
use apq_platform::versioned::{self, Edit, IfMatch};
use apq_platform::{ApiError, Caller};

use super::json::{
    CodePath, NewProject, NewSoggetto, Project, ProjectList, ProjectPatch, Soggetto, SoggettoList,
    SoggettoPatch, SoggettoPath,
};
use super::rules::ProjectError;
use super::{queries, rules};
use crate::peers::Agreements;

/// Registers an intervento of the agreements register for the national monitoring and gives it
/// its COD_LOCALE_PROGETTO: `responsabile_accordo` or admin. Safe to retry with
/// `Idempotency-Key`.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = NewProject,
    responses(
        (status = 201, description = "Registered", body = Project, headers(("Location" = String, description = "The project"))),
        (status = 404, description = "No such intervento in the agreements register", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already registered", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/puc/projects")]
pub async fn create(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    body: Json<NewProject>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[Role::Admin, Role::ResponsabileAccordo])?;
    let b = body.into_inner();
    let place = b.place();
    ApiError::refuse_any(rules::check_place(&place), ProjectError::field)?;
    let intervento = agreements.intervento(&b.intervento_code).await?;
    respond_once(&pool, caller.subject(), key, b, move |conn, actor, _| {
        let created: Project = versioned::create(conn, Edit::new(actor, "register"), |conn| {
            queries::insert_project(conn, &intervento.code, &place)
        })?;
        Stored::created(
            &created,
            format!("/v1/puc/projects/{}", created.intervento_code),
            Some(etag(created.version)),
        )
    })
    .await
}

/// Changes a project's nature, localisation or cancellation: `responsabile_accordo` or admin.
/// Requires `If-Match`.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$"), IfMatch),
    request_body(content = ProjectPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = Project))
)]
#[patch("/puc/projects/{code}")]
pub async fn update(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<CodePath>,
    body: Json<ProjectPatch>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[Role::Admin, Role::ResponsabileAccordo])?;
    let code = path.into_inner().code;
    let p = body.into_inner();
    let actor = caller.subject().to_owned();
    let updated: Project = run_db(&pool, move |conn| {
        let id = queries::project_id(conn, &code)?;
        let edit = Edit::new(&actor, "update");
        versioned::update(conn, id, if_match, edit, |conn, cur: &Project| {
            let changed = p.apply(cur);
            ApiError::refuse_any(rules::check_place(&changed.place()), ProjectError::field)?;
            queries::update_project(conn, &changed)?;
            Ok(())
        })
    })
    .await?;
    Ok(ok_with_etag(updated.version, &updated))
}

/// The projects registered for the national monitoring, by intervento. Public.
#[utoipa::path(tag = "puc", responses((status = 200, description = "The projects", body = ProjectList)))]
#[get("/puc/projects")]
pub async fn list(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let items = run_db(&pool, move |conn| {
        Ok::<_, ApiError>(queries::projects(conn)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ProjectList { items }))
}

/// Adds a soggetto collegato to the intervento: `responsabile_accordo` or admin. Safe to retry
/// with `Idempotency-Key`.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$"), IdempotencyKey),
    request_body = NewSoggetto,
    responses(
        (status = 201, description = "Added", body = Soggetto, headers(("Location" = String, description = "The intervento's soggetti"))),
    )
)]
#[post("/interventi/{code}/soggetti")]
pub async fn add_soggetto(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    path: Path<CodePath>,
    body: Json<NewSoggetto>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[Role::Admin, Role::ResponsabileAccordo])?;
    let code = path.into_inner().code;
    let b = body.into_inner();
    ApiError::refuse_any(
        rules::check_soggetto(b.role, &b.name, b.ipa.as_deref()),
        ProjectError::field,
    )?;
    respond_once(
        &pool,
        caller.subject(),
        key,
        (code, b),
        move |conn, actor, (code, b)| {
            if !queries::registered(conn, &code)? {
                return Err(ApiError::NotFound(format!("the PUC project of {code}")));
            }
            let created: Soggetto = versioned::create(conn, Edit::new(actor, "add"), |conn| {
                Ok(queries::insert_soggetto(conn, &code, &b, actor)?)
            })?;
            Stored::created(
                &created,
                format!("/v1/interventi/{code}/soggetti"),
                Some(etag(created.version)),
            )
        },
    )
    .await
}

/// The intervento's soggetti collegati, by role. Public.
#[utoipa::path(
    tag = "puc",
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$")),
    responses((status = 200, description = "The soggetti", body = SoggettoList))
)]
#[get("/interventi/{code}/soggetti")]
pub async fn list_soggetti(
    pool: web::Data<PgPool>,
    path: Path<CodePath>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner().code;
    let items = crate::lists::of_intervento(&pool, code, queries::soggetti_of).await?;
    Ok(HttpResponse::Ok().json(SoggettoList { items }))
}

/// Completes or corrects a soggetto collegato of the intervento (what the seed leaves unknown,
/// such as a codice fiscale or an IPA code, as the Region learns it): `responsabile_accordo` or
/// admin. Requires `If-Match`.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$"), ("id" = Uuid, Path, description = "The soggetto's id"), IfMatch),
    request_body(content = SoggettoPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Changed", body = Soggetto),
        (status = 404, description = "No such soggetto of the intervento", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/interventi/{code}/soggetti/{id}")]
pub async fn update_soggetto(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<SoggettoPath>,
    body: Json<SoggettoPatch>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[Role::Admin, Role::ResponsabileAccordo])?;
    let SoggettoPath { code, id } = path.into_inner();
    let patch = body.into_inner();
    let ipa = patch.ipa.as_ref().and_then(Option::as_deref);
    ApiError::refuse_any(
        rules::check_soggetto_patch(patch.name.as_deref(), ipa),
        ProjectError::field,
    )?;
    let actor = caller.subject().to_owned();
    let updated: Soggetto = run_db(&pool, move |conn| {
        let id = queries::soggetto_of(conn, &code, id)?;
        let edit = Edit::new(&actor, "update");
        versioned::update(conn, id, if_match, edit, |conn, cur| {
            queries::update_soggetto(conn, cur, &patch)?;
            Ok(())
        })
    })
    .await?;
    Ok(ok_with_etag(updated.version, &updated))
}
