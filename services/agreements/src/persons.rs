//! The responsible persons and their roles (soggetto responsabile dell'Accordo, responsabile di
//! intervento, RUP, referente). Names and roles are public; e-mail addresses are shown only to
//! authenticated callers.

use actix_web::{HttpResponse, get, post, web};
use apq_domain::Role;
use apq_platform::audit::{self, Change};
use apq_platform::auth::MaybeCaller;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::Json;
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::{ApiError, Caller};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::require_editor;
use crate::model::ResponsibilityRole;
use crate::schema::{persons, responsibilities};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Responsibility {
    pub role: ResponsibilityRole,
    /// For roles on one intervento.
    pub intervento_id: Option<Uuid>,
    /// For roles on the whole accordo.
    pub accordo_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub organisation: Option<String>,
    /// Shown to authenticated callers only.
    pub email: Option<String>,
    pub responsibilities: Vec<Responsibility>,
    pub source_ref: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonList {
    pub items: Vec<Person>,
}

type PersonRow = (Uuid, String, Option<String>, Option<String>, Option<String>);

pub fn load_all(conn: &mut PgConnection, with_email: bool) -> Result<Vec<Person>, ApiError> {
    let rows: Vec<PersonRow> = persons::table
        .order(persons::name.asc())
        .select((
            persons::id,
            persons::name,
            persons::organisation,
            persons::email,
            persons::source_ref,
        ))
        .load(conn)?;
    let roles: Vec<(Uuid, ResponsibilityRole, Option<Uuid>, Option<Uuid>)> =
        responsibilities::table
            .select((
                responsibilities::person_id,
                responsibilities::role,
                responsibilities::intervento_id,
                responsibilities::accordo_id,
            ))
            .load(conn)?;
    rows.into_iter()
        .map(|(id, name, organisation, email, source_ref)| {
            let responsibilities = roles
                .iter()
                .filter(|(person, ..)| *person == id)
                .map(|(_, role, intervento_id, accordo_id)| Responsibility {
                    role: *role,
                    intervento_id: *intervento_id,
                    accordo_id: *accordo_id,
                })
                .collect();
            Ok(Person {
                id,
                name,
                organisation,
                email: email.filter(|_| with_email),
                responsibilities,
                source_ref,
            })
        })
        .collect()
}

/// Who may read the responsible persons' e-mail addresses (personal data): those who run the
/// programme. Everyone else gets the names, organisations and roles.
const EMAIL_READERS: &[Role] = &[
    Role::Admin,
    Role::ResponsabileAccordo,
    Role::ResponsabileIntervento,
    Role::Auditor,
];

/// The responsible persons and their roles. Public; their e-mail addresses only for admin,
/// responsabile_accordo, responsabile_intervento and auditor.
#[utoipa::path(tag = "persons", responses((status = 200, description = "The persons", body = PersonList)))]
#[get("/persons")]
pub async fn list(caller: MaybeCaller, pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let with_email = caller.0.as_ref().is_some_and(|c| c.has_any(EMAIL_READERS));
    let items = run_db(&pool, move |conn| load_all(conn, with_email)).await?;
    Ok(HttpResponse::Ok().json(PersonList { items }))
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    #[schema(pattern = "\\S")]
    pub name: String,
    pub organisation: Option<String>,
    /// An e-mail address: an `@`, no spaces.
    #[schema(pattern = "^[^ \\u0000]*@[^ \\u0000]*$")]
    pub email: Option<String>,
    #[serde(default)]
    pub responsibilities: Vec<Responsibility>,
}

/// Inserts a person with their roles.
pub fn insert(
    conn: &mut PgConnection,
    body: &NewPerson,
    source_ref: Option<&str>,
) -> Result<Uuid, ApiError> {
    let id = Uuid::new_v4();
    diesel::insert_into(persons::table)
        .values((
            persons::id.eq(id),
            persons::name.eq(&body.name),
            persons::organisation.eq(&body.organisation),
            persons::email.eq(&body.email),
            persons::source_ref.eq(source_ref),
        ))
        .execute(conn)?;
    for r in &body.responsibilities {
        diesel::insert_into(responsibilities::table)
            .values((
                responsibilities::id.eq(Uuid::new_v4()),
                responsibilities::person_id.eq(id),
                responsibilities::role.eq(r.role),
                responsibilities::intervento_id.eq(r.intervento_id),
                responsibilities::accordo_id.eq(r.accordo_id),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

/// What the persons' rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonError {
    #[error("a person has a name")]
    Name,
    #[error("not an e-mail address")]
    Email,
    #[error("this role is held on an intervento")]
    RoleWithoutIntervento,
}

impl From<PersonError> for ApiError {
    fn from(error: PersonError) -> Self {
        let field = match error {
            PersonError::Name => "name",
            PersonError::Email => "email",
            PersonError::RoleWithoutIntervento => "responsibilities[].intervento_id",
        };
        ApiError::field(field, error)
    }
}

/// A person has a name, an e-mail that looks like one, and every role but the soggetto
/// responsabile's held on an intervento.
fn check(person: &NewPerson) -> Result<(), PersonError> {
    if person.name.trim().is_empty() {
        return Err(PersonError::Name);
    }
    if person
        .email
        .as_deref()
        .is_some_and(|e| !e.contains('@') || e.contains(' '))
    {
        return Err(PersonError::Email);
    }
    if person.responsibilities.iter().any(|r| {
        r.role != ResponsibilityRole::SoggettoResponsabileAccordo && r.intervento_id.is_none()
    }) {
        return Err(PersonError::RoleWithoutIntervento);
    }
    Ok(())
}

/// Writes the person with their roles, and audits it.
fn add(conn: &mut PgConnection, actor: &str, body: &NewPerson) -> Result<Stored, ApiError> {
    let id = insert(conn, body, None)?;
    let person = load_all(conn, true)?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| ApiError::NotFound(format!("person {id}")))?;
    audit::record(
        conn,
        Change {
            actor,
            entity: "person",
            entity_id: id.to_string(),
            action: "create",
            reason: None,
            before: None,
            after: Some(apq_platform::versioned::view_of(&person)?),
        },
    )?;
    Stored::created(&person, format!("/v1/persons/{id}"), None)
}

/// Adds a responsible person with their roles.
#[utoipa::path(
    tag = "persons",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = NewPerson,
    responses((status = 201, description = "Created", body = Person, headers(("Location" = String, description = "The person"))))
)]
#[post("/persons")]
pub async fn create(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    body: Json<NewPerson>,
) -> Result<HttpResponse, ApiError> {
    require_editor(&caller)?;
    let body = body.into_inner();
    check(&body)?;
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&body);
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| add(conn, &actor, &body))
    })
    .await?;
    Ok(stored.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_is_named_reachable_and_placed() {
        let rup = |intervento_id| Responsibility {
            role: ResponsibilityRole::Rup,
            intervento_id,
            accordo_id: None,
        };
        let person = |name: &str, email: Option<&str>, responsibilities| NewPerson {
            name: name.to_owned(),
            organisation: None,
            email: email.map(str::to_owned),
            responsibilities,
        };
        let cases = [
            (
                person("Anna Rossi", Some("a@b.it"), vec![rup(Some(Uuid::nil()))]),
                Ok(()),
            ),
            (person(" ", None, vec![]), Err(PersonError::Name)),
            (
                person("Anna", Some("a.b.it"), vec![]),
                Err(PersonError::Email),
            ),
            (
                person("Anna", Some("a @b.it"), vec![]),
                Err(PersonError::Email),
            ),
            (
                person("Anna", None, vec![rup(None)]),
                Err(PersonError::RoleWithoutIntervento),
            ),
        ];
        for (new, expected) in cases {
            assert_eq!(check(&new), expected, "{}", new.name);
        }
    }
}
