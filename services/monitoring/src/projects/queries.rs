//! The projects' and the soggetti's queries.

use apq_domain::CodiceFiscale;
use apq_platform::ApiError;
use apq_platform::versioned::{self, Versioned};
use diesel::prelude::*;
use uuid::Uuid;

use super::json::{NewSoggetto, Project, Soggetto, SoggettoPatch};
use super::rules::Place;
use crate::schema::{puc_projects, soggetti};

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

/// Registers the intervento `code` with its place; its id, or a conflict (409) when it is
/// already registered.
pub fn insert_project(
    conn: &mut PgConnection,
    code: &str,
    place: &Place,
) -> Result<Uuid, ApiError> {
    let id = Uuid::new_v4();
    let inserted = diesel::insert_into(puc_projects::table)
        .values((
            puc_projects::id.eq(id),
            puc_projects::intervento_code.eq(code),
            puc_projects::natura_cup.eq(&place.natura_cup),
            puc_projects::cod_regione.eq(&place.cod_regione),
            puc_projects::cod_provincia.eq(&place.cod_provincia),
            puc_projects::cod_comune.eq(&place.cod_comune),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    if inserted == 0 {
        return Err(ApiError::Conflict(format!("{code} is already registered")));
    }
    Ok(id)
}

/// The id of the project of `code`; 404 when it has none.
pub fn project_id(conn: &mut PgConnection, code: &str) -> Result<Uuid, ApiError> {
    puc_projects::table
        .filter(puc_projects::intervento_code.eq(code))
        .select(puc_projects::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("the PUC project of {code}")))
}

/// Writes a project's place and cancellation (`changed` is the project as it is to be).
pub fn update_project(conn: &mut PgConnection, changed: &Project) -> QueryResult<usize> {
    diesel::update(puc_projects::table.find(changed.id))
        .set((
            puc_projects::natura_cup.eq(&changed.natura_cup),
            puc_projects::cod_regione.eq(&changed.cod_regione),
            puc_projects::cod_provincia.eq(&changed.cod_provincia),
            puc_projects::cod_comune.eq(&changed.cod_comune),
            puc_projects::cancelled_on.eq(changed.cancelled_on),
        ))
        .execute(conn)
}

/// The projects, by intervento.
pub fn projects(conn: &mut PgConnection) -> QueryResult<Vec<Project>> {
    puc_projects::table
        .order(puc_projects::intervento_code.asc())
        .select(Project::as_select())
        .load(conn)
}

/// Whether the intervento `code` is registered.
pub fn registered(conn: &mut PgConnection, code: &str) -> QueryResult<bool> {
    let project: i64 = puc_projects::table
        .filter(puc_projects::intervento_code.eq(code))
        .count()
        .get_result(conn)?;
    Ok(project > 0)
}

/// Adds a soggetto of `code`; its id.
pub fn insert_soggetto(
    conn: &mut PgConnection,
    code: &str,
    body: &NewSoggetto,
    actor: &str,
) -> QueryResult<Uuid> {
    let id = Uuid::new_v4();
    diesel::insert_into(soggetti::table)
        .values((
            soggetti::id.eq(id),
            soggetti::intervento_code.eq(code),
            soggetti::role.eq(body.role),
            soggetti::name.eq(body.name.trim()),
            soggetti::codice_fiscale.eq(body.codice_fiscale.as_ref().map(CodiceFiscale::as_str)),
            soggetti::public.eq(body.public),
            soggetti::ipa.eq(&body.ipa),
            soggetti::recorded_by.eq(actor),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The soggetti of `code`, by role.
pub fn soggetti_of(conn: &mut PgConnection, code: &str) -> QueryResult<Vec<Soggetto>> {
    soggetti::table
        .filter(soggetti::intervento_code.eq(code))
        .order((soggetti::role.asc(), soggetti::created_at.asc()))
        .select(Soggetto::as_select())
        .load(conn)
}

/// The soggetto `id` if it is one of `code`'s; 404 when it is not.
pub fn soggetto_of(conn: &mut PgConnection, code: &str, id: Uuid) -> Result<Uuid, ApiError> {
    soggetti::table
        .filter(soggetti::id.eq(id))
        .filter(soggetti::intervento_code.eq(code))
        .select(soggetti::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("soggetto {id} of {code}")))
}

/// Writes `patch` over the soggetto `current`.
pub fn update_soggetto(
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
