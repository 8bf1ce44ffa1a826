//! What the national monitoring needs of an intervento beyond the register: its project (the
//! stable COD_LOCALE_PROGETTO, the CUP's nature, the localisation as ISTAT codes: PUC AP00,
//! AP06) and its soggetti collegati with their TC24 role (SC00).

use std::sync::LazyLock;

use actix_web::{HttpResponse, get, patch, post, web};
use apq_domain::{CodiceFiscale, IstatCode, Role};
use apq_platform::concurrency::{etag, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, patch as patch_field};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::versioned::{self, Edit, IfMatch, Versioned};
use apq_platform::{ApiError, Caller, FieldError};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::peers::Agreements;
use crate::schema::{puc_projects, soggetti};

/// TC24 as shipped (`data/puc/tc24_ruoli.csv`): (code, name).
pub static TC24: LazyLock<Vec<(i16, String)>> = LazyLock::new(|| {
    include_str!("../data/puc/tc24_ruoli.csv")
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut cells = l.splitn(3, ',');
            Some((cells.next()?.parse().ok()?, cells.next()?.to_owned()))
        })
        .collect()
});

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

impl Versioned for Project {
    const ENTITY: &'static str = "puc_project";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        puc_projects::table
            .find(id)
            .select(Project::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("PUC project {id}")))
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(puc_projects, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(self)
    }
}

/// The ISTAT codes of a localisation, checked together: a comune lies in its province.
fn check_place(
    natura: Option<&str>,
    regione: Option<&str>,
    provincia: Option<&str>,
    comune: Option<&str>,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let digits = |v: &str, n: usize| v.len() == n && v.chars().all(|c| c.is_ascii_digit());
    if natura.is_some_and(|v| !digits(v, 2)) {
        errors.push(FieldError::new("natura_cup", "2 digits (e.g. 02)"));
    }
    if regione.is_some_and(|v| !digits(v, 2)) {
        errors.push(FieldError::new(
            "cod_regione",
            "the ISTAT region: 2 digits (09 Toscana)",
        ));
    }
    if provincia.is_some_and(|v| !digits(v, 3)) {
        errors.push(FieldError::new(
            "cod_provincia",
            "the ISTAT province: 3 digits (048 Firenze)",
        ));
    }
    if let Some(c) = comune {
        match IstatCode::parse(c) {
            Err(e) => errors.push(FieldError::new("cod_comune", e)),
            Ok(c) if provincia.is_some_and(|p| p != c.province()) => errors.push(FieldError::new(
                "cod_comune",
                "the comune is not in the province given",
            )),
            Ok(_) => {}
        }
    }
    ApiError::unless_any(errors)
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
    check_place(
        b.natura_cup.as_deref(),
        b.cod_regione.as_deref(),
        b.cod_provincia.as_deref(),
        b.cod_comune.as_deref(),
    )?;
    let intervento = agreements.intervento(&b.intervento_code).await?;
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&b);
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            let created: Project =
                versioned::create(conn, Edit::new(&actor, "register"), |conn| {
                    let id = Uuid::new_v4();
                    let inserted = diesel::insert_into(puc_projects::table)
                        .values((
                            puc_projects::id.eq(id),
                            puc_projects::intervento_code.eq(&intervento.code),
                            puc_projects::natura_cup.eq(&b.natura_cup),
                            puc_projects::cod_regione.eq(&b.cod_regione),
                            puc_projects::cod_provincia.eq(&b.cod_provincia),
                            puc_projects::cod_comune.eq(&b.cod_comune),
                        ))
                        .on_conflict_do_nothing()
                        .execute(conn)?;
                    if inserted == 0 {
                        return Err(ApiError::Conflict(format!(
                            "{} is already registered",
                            intervento.code
                        )));
                    }
                    Ok(id)
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
        let id: Uuid = puc_projects::table
            .filter(puc_projects::intervento_code.eq(&code))
            .select(puc_projects::id)
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("the PUC project of {code}")))?;
        versioned::update(
            conn,
            id,
            if_match,
            Edit::new(&actor, "update"),
            |conn, cur: &Project| {
                let pick = |new: &Option<Option<String>>, old: &Option<String>| {
                    new.clone().unwrap_or(old.clone())
                };
                let natura = pick(&p.natura_cup, &cur.natura_cup);
                let regione = pick(&p.cod_regione, &cur.cod_regione);
                let provincia = pick(&p.cod_provincia, &cur.cod_provincia);
                let comune = pick(&p.cod_comune, &cur.cod_comune);
                check_place(
                    natura.as_deref(),
                    regione.as_deref(),
                    provincia.as_deref(),
                    comune.as_deref(),
                )?;
                diesel::update(puc_projects::table.find(id))
                    .set((
                        puc_projects::natura_cup.eq(natura),
                        puc_projects::cod_regione.eq(regione),
                        puc_projects::cod_provincia.eq(provincia),
                        puc_projects::cod_comune.eq(comune),
                        puc_projects::cancelled_on.eq(p.cancelled_on.unwrap_or(cur.cancelled_on)),
                    ))
                    .execute(conn)?;
                Ok(())
            },
        )
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
        Ok::<_, ApiError>(
            puc_projects::table
                .order(puc_projects::intervento_code.asc())
                .select(Project::as_select())
                .load(conn)?,
        )
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

impl Versioned for Soggetto {
    const ENTITY: &'static str = "soggetto";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        soggetti::table
            .find(id)
            .select(Soggetto::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("soggetto {id}")))
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(soggetti, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(self)
    }
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
    let mut errors = Vec::new();
    if !TC24.iter().any(|(c, _)| *c == b.role) {
        errors.push(FieldError::new(
            "role",
            "not a role of TC24 (1 Programmatore, 2 Beneficiario, 3, 4)",
        ));
    }
    if b.name.trim().is_empty()
        || b.name.chars().count() > 255
        || b.name.contains(['#', '|', '\n', '\r'])
    {
        errors.push(FieldError::new(
            "name",
            "1 to 255 characters on one line, without # or |",
        ));
    }
    if b.ipa.as_deref().is_some_and(|i| {
        i.is_empty() || i.len() > 10 || !i.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    }) {
        errors.push(FieldError::new(
            "ipa",
            "an IPA code: 1 to 10 letters, digits or _",
        ));
    }
    ApiError::unless_any(errors)?;
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&(&code, &b));
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            let project: i64 = puc_projects::table
                .filter(puc_projects::intervento_code.eq(&code))
                .count()
                .get_result(conn)?;
            if project == 0 {
                return Err(ApiError::NotFound(format!("the PUC project of {code}")));
            }
            let created: Soggetto = versioned::create(conn, Edit::new(&actor, "add"), |conn| {
                let id = Uuid::new_v4();
                diesel::insert_into(soggetti::table)
                    .values((
                        soggetti::id.eq(id),
                        soggetti::intervento_code.eq(&code),
                        soggetti::role.eq(b.role),
                        soggetti::name.eq(b.name.trim()),
                        soggetti::codice_fiscale
                            .eq(b.codice_fiscale.as_ref().map(CodiceFiscale::as_str)),
                        soggetti::public.eq(b.public),
                        soggetti::ipa.eq(&b.ipa),
                        soggetti::recorded_by.eq(&actor),
                    ))
                    .execute(conn)?;
                Ok(id)
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

/// The soggetti of `code`, by role.
pub fn soggetti_of(conn: &mut PgConnection, code: &str) -> QueryResult<Vec<Soggetto>> {
    soggetti::table
        .filter(soggetti::intervento_code.eq(code))
        .order((soggetti::role.asc(), soggetti::created_at.asc()))
        .select(Soggetto::as_select())
        .load(conn)
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

/// A merge patch of a soggetto collegato: what was unknown when it was recorded (its codice
/// fiscale, public flag, IPA code) or a correction of its name. Its role and intervento stay.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SoggettoPatch {
    /// One line, without `#` or `|`.
    #[serde(default)]
    #[schema(
        max_length = 255,
        pattern = "^[^#|\\r\\n\\u0000]*[^#|\\s\\u0000][^#|\\r\\n\\u0000]*$"
    )]
    pub name: Option<String>,
    /// Checked with its control character; null makes it unknown again.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<CodiceFiscale>)]
    pub codice_fiscale: Option<Option<CodiceFiscale>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub public: Option<Option<bool>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(pattern = "^[A-Za-z0-9_]{1,10}$")]
    pub ipa: Option<Option<String>>,
}

/// The fields of a soggetto a patch leaves well formed: a name on one line of 1 to 255
/// characters without `#` or `|`, an IPA code of 1 to 10 letters, digits or `_`. Pure.
pub fn soggetto_field_errors(name: Option<&str>, ipa: Option<&str>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if name.is_some_and(|n| {
        n.trim().is_empty() || n.chars().count() > 255 || n.contains(['#', '|', '\n', '\r'])
    }) {
        errors.push(FieldError::new(
            "name",
            "1 to 255 characters on one line, without # or |",
        ));
    }
    if ipa.is_some_and(|i| {
        i.is_empty() || i.len() > 10 || !i.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    }) {
        errors.push(FieldError::new(
            "ipa",
            "an IPA code: 1 to 10 letters, digits or _",
        ));
    }
    errors
}

/// The soggetto `id` if it is one of `code`'s.
fn soggetto_of(conn: &mut PgConnection, code: &str, id: Uuid) -> Result<Uuid, ApiError> {
    soggetti::table
        .filter(soggetti::id.eq(id))
        .filter(soggetti::intervento_code.eq(code))
        .select(soggetti::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("soggetto {id} of {code}")))
}

/// Writes `patch` over the soggetto `current`.
fn apply_soggetto_patch(
    conn: &mut PgConnection,
    current: &Soggetto,
    patch: &SoggettoPatch,
) -> QueryResult<usize> {
    let codice_fiscale = match &patch.codice_fiscale {
        Some(new) => new.as_ref().map(|c| c.as_str().to_owned()),
        None => current.codice_fiscale.clone(),
    };
    diesel::update(soggetti::table.find(current.id))
        .set((
            soggetti::name.eq(patch
                .name
                .as_deref()
                .map_or(current.name.as_str(), str::trim)),
            soggetti::codice_fiscale.eq(codice_fiscale),
            soggetti::public.eq(patch.public.unwrap_or(current.public)),
            soggetti::ipa.eq(patch.ipa.clone().unwrap_or(current.ipa.clone())),
        ))
        .execute(conn)
}

#[derive(Debug, Deserialize)]
pub struct SoggettoPath {
    pub code: String,
    pub id: Uuid,
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
    ApiError::unless_any(soggetto_field_errors(patch.name.as_deref(), ipa))?;
    let actor = caller.subject().to_owned();
    let updated: Soggetto = run_db(&pool, move |conn| {
        let id = soggetto_of(conn, &code, id)?;
        versioned::update(
            conn,
            id,
            if_match,
            Edit::new(&actor, "update"),
            |conn, cur| {
                apply_soggetto_patch(conn, cur, &patch)?;
                Ok(())
            },
        )
    })
    .await?;
    Ok(ok_with_etag(updated.version, &updated))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_soggetto_patch_keeps_its_fields_well_formed() {
        for (name, ipa, fields) in [
            (Some("Regione Toscana"), Some("r_toscan"), vec![]),
            (None, None, vec![]),
            (Some(" "), None, vec!["name"]),
            (Some("A|B"), None, vec!["name"]),
            (
                Some("Riga\nnuova"),
                Some("r_toscana_x"),
                vec!["name", "ipa"],
            ),
            (None, Some(""), vec!["ipa"]),
            (None, Some("r-toscan"), vec!["ipa"]),
        ] {
            let errors = soggetto_field_errors(name, ipa);
            let got: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(got, fields, "{name:?} {ipa:?}");
        }
    }
}
