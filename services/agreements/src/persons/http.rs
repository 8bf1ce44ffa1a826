//! The persons' endpoints, who reads their e-mail addresses, and the one place a refusal of the
//! rules becomes a problem (`From<PersonError> for ApiError`).

use actix_web::{HttpResponse, get, post, web};
use apq_domain::Role;
use apq_platform::audit::{self, Change};
use apq_platform::auth::MaybeCaller;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::Json;
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::{ApiError, Caller};
use diesel::PgConnection;

use super::json::{NewPerson, Person, PersonList};
use super::queries::{insert, load_all};
use super::rules::{self, PersonError};
use crate::access::require_editor;

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

/// Writes the person with their roles, and audits it.
fn add(conn: &mut PgConnection, actor: &str, body: &NewPerson) -> Result<Stored, ApiError> {
    let id = insert(conn, body, None)?;
    let person: Person = load_all(conn, true)?
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
    rules::check(&body)?;
    idempotency::respond_once(&pool, caller.subject(), key, body, |conn, actor, body| {
        add(conn, actor, &body)
    })
    .await
}
