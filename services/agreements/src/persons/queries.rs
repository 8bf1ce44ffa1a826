//! The persons' rows and queries (diesel, synchronous, `&mut PgConnection`).

use apq_platform::ApiError;
use diesel::prelude::*;
use uuid::Uuid;

use super::json::{NewPerson, Person, Responsibility};
use crate::model::ResponsibilityRole;
use crate::schema::{persons, responsibilities};

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
