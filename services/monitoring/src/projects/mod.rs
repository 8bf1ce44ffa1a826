//! What the national monitoring needs of an intervento beyond the register: its project (the
//! stable COD_LOCALE_PROGETTO, the CUP's nature, the localisation as ISTAT codes: PUC AP00,
//! AP06) and its soggetti collegati with their TC24 role (SC00).

use actix_web::{HttpResponse, get, patch, post, web};
use apq_domain::{CodiceFiscale, Role};
use apq_platform::concurrency::{etag, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, patch as patch_field};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::versioned::{self, Edit, IfMatch};
use apq_platform::{ApiError, Caller, FieldError};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::peers::Agreements;
use crate::schema::{puc_projects, soggetti};

mod queries;
mod rules;

pub use queries::soggetti_of;
pub use rules::TC24;
use rules::{Place, ProjectError};

/// What the rules refuse, as a problem naming each field (400); `Ok` when nothing.
fn refuse_any(errors: Vec<ProjectError>) -> Result<(), ApiError> {
    ApiError::unless_any(
        errors
            .iter()
            .map(|e| FieldError::new(e.field(), e))
            .collect(),
    )
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = puc_projects)]
pub struct Project {
    pub id: Uuid,
    pub intervento_code: String,
    /// COD_LOCALE_PROGETTO: given once, never changed nor reused.
    pub local_code: String,
    /// The CUP's nature (2 digits), which picks the phases of TC46.
    pub natura_cup: Option<String>,
    /// ISTAT region (2 digits), province (3) and comune (6).
    pub cod_regione: Option<String>,
    pub cod_provincia: Option<String>,
    pub cod_comune: Option<String>,
    pub source_ref: Option<String>,
    /// When the project was cancelled (its code stays taken).
    pub cancelled_on: Option<NaiveDate>,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    #[schema(pattern = "^[A-Za-z0-9-]+$")]
    pub intervento_code: String,
    #[serde(default)]
    #[schema(pattern = "^[0-9]{2}$")]
    pub natura_cup: Option<String>,
    #[serde(default)]
    #[schema(pattern = "^[0-9]{2}$")]
    pub cod_regione: Option<String>,
    #[serde(default)]
    #[schema(pattern = "^[0-9]{3}$")]
    pub cod_provincia: Option<String>,
    #[serde(default)]
    #[schema(pattern = "^[0-9]{6}$")]
    pub cod_comune: Option<String>,
}

impl NewProject {
    /// The nature and localisation given.
    fn place(&self) -> Place {
        Place {
            natura_cup: self.natura_cup.clone(),
            cod_regione: self.cod_regione.clone(),
            cod_provincia: self.cod_provincia.clone(),
            cod_comune: self.cod_comune.clone(),
        }
    }
}

impl Project {
    /// Its nature and localisation.
    fn place(&self) -> Place {
        Place {
            natura_cup: self.natura_cup.clone(),
            cod_regione: self.cod_regione.clone(),
            cod_provincia: self.cod_provincia.clone(),
            cod_comune: self.cod_comune.clone(),
        }
    }
}

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
    refuse_any(rules::check_place(&place))?;
    let intervento = agreements.intervento(&b.intervento_code).await?;
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&b);
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            let created: Project =
                versioned::create(conn, Edit::new(&actor, "register"), |conn| {
                    queries::insert_project(conn, &intervento.code, &place)
                })?;
            Stored::created(
                &created,
                format!("/v1/puc/projects/{}", created.intervento_code),
                Some(etag(created.version)),
            )
        })
    })
    .await?;
    Ok(stored.into_response())
}

/// A merge patch of a project: its nature, localisation or cancellation (the local code never
/// changes).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ProjectPatch {
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(pattern = "^[0-9]{2}$")]
    pub natura_cup: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(pattern = "^[0-9]{2}$")]
    pub cod_regione: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(pattern = "^[0-9]{3}$")]
    pub cod_provincia: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(pattern = "^[0-9]{6}$")]
    pub cod_comune: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub cancelled_on: Option<Option<NaiveDate>>,
}

impl ProjectPatch {
    /// The project `cur` as the patch changes it.
    fn apply(&self, cur: &Project) -> Project {
        let pick =
            |new: &Option<Option<String>>, old: &Option<String>| new.clone().unwrap_or(old.clone());
        Project {
            natura_cup: pick(&self.natura_cup, &cur.natura_cup),
            cod_regione: pick(&self.cod_regione, &cur.cod_regione),
            cod_provincia: pick(&self.cod_provincia, &cur.cod_provincia),
            cod_comune: pick(&self.cod_comune, &cur.cod_comune),
            cancelled_on: self.cancelled_on.unwrap_or(cur.cancelled_on),
            ..cur.clone()
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CodePath {
    pub code: String,
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
            refuse_any(rules::check_place(&changed.place()))?;
            queries::update_project(conn, &changed)?;
            Ok(())
        })
    })
    .await?;
    Ok(ok_with_etag(updated.version, &updated))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProjectList {
    pub items: Vec<Project>,
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

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = soggetti)]
pub struct Soggetto {
    pub id: Uuid,
    pub intervento_code: String,
    /// COD_RUOLO_SOG (TC24): 1 Programmatore, 2 Beneficiario, ...
    pub role: i16,
    pub name: String,
    /// Null when unknown.
    pub codice_fiscale: Option<String>,
    /// Whether it is a public body (null when unknown).
    pub public: Option<bool>,
    /// The public body's code in the IPA index (null when unknown).
    pub ipa: Option<String>,
    pub source_ref: Option<String>,
    pub recorded_by: String,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSoggetto {
    /// COD_RUOLO_SOG (TC24).
    #[schema(minimum = 1, maximum = 4)]
    pub role: i16,
    /// One line, without `#` or `|`.
    #[schema(
        max_length = 255,
        pattern = "^[^#|\\r\\n\\u0000]*[^#|\\s\\u0000][^#|\\r\\n\\u0000]*$"
    )]
    pub name: String,
    /// Checked with its control character (16 characters for a person, 11 digits for a body).
    #[serde(default)]
    pub codice_fiscale: Option<CodiceFiscale>,
    #[serde(default)]
    pub public: Option<bool>,
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z0-9_]{1,10}$")]
    pub ipa: Option<String>,
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
    refuse_any(rules::check_soggetto(b.role, &b.name, b.ipa.as_deref()))?;
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&(&code, &b));
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            if !queries::registered(conn, &code)? {
                return Err(ApiError::NotFound(format!("the PUC project of {code}")));
            }
            let created: Soggetto = versioned::create(conn, Edit::new(&actor, "add"), |conn| {
                Ok(queries::insert_soggetto(conn, &code, &b, &actor)?)
            })?;
            Stored::created(
                &created,
                format!("/v1/interventi/{code}/soggetti"),
                Some(etag(created.version)),
            )
        })
    })
    .await?;
    Ok(stored.into_response())
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SoggettoList {
    pub items: Vec<Soggetto>,
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
    crate::peers::intervento_code(&code)?;
    let items = run_db(&pool, move |conn| {
        Ok::<_, ApiError>(soggetti_of(conn, &code)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(SoggettoList { items }))
}
