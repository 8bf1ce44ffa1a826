//! The adherents' queries (diesel, synchronous, `&mut PgConnection`), and the aggregate the
//! write path creates: one adherent.

use apq_platform::ApiError;
use apq_platform::versioned::{self, Versioned};
use chrono::NaiveDate;
use diesel::prelude::*;
use uuid::Uuid;

use super::json::{Adherent, Declared, NewAdherent};
use crate::schema::{adherents, adhesions, declared_adherents, enti};

/// The columns of an [`Adherent`], in its fields' order.
macro_rules! adherent_columns {
    () => {
        (
            adherents::id,
            adherents::intervento_code,
            enti::code,
            enti::name,
            adherents::adhered_on,
            adherents::act_ref,
            adherents::priority,
            adherents::version,
            adherents::created_at,
        )
    };
}

/// The columns of a [`Declared`], in its fields' order.
const DECLARED: (
    declared_adherents::intervento_code,
    declared_adherents::unit,
    declared_adherents::declared_count,
    declared_adherents::declared_priority,
    declared_adherents::source_ref,
) = (
    declared_adherents::intervento_code,
    declared_adherents::unit,
    declared_adherents::declared_count,
    declared_adherents::declared_priority,
    declared_adherents::source_ref,
);

pub fn declared(conn: &mut PgConnection, code: &str) -> Result<Declared, ApiError> {
    declared_adherents::table
        .find(code)
        .select(DECLARED)
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "intervento {code} has no declared adherents in the register"
            ))
        })
}

/// Every intervento's declared adherents with the count registered now.
pub fn registered_against_declared(
    conn: &mut PgConnection,
) -> Result<Vec<(Declared, i64)>, ApiError> {
    let declared: Vec<Declared> = declared_adherents::table
        .order(declared_adherents::intervento_code.asc())
        .select(DECLARED)
        .load(conn)?;
    declared
        .into_iter()
        .map(|d| {
            let registered: i64 = adherents::table
                .filter(adherents::intervento_code.eq(&d.intervento_code))
                .count()
                .get_result(conn)?;
            Ok((d, registered))
        })
        .collect()
}

/// The intervento's adherents, by date and body code.
pub fn of_intervento(conn: &mut PgConnection, code: &str) -> QueryResult<Vec<Adherent>> {
    adherents::table
        .inner_join(enti::table)
        .filter(adherents::intervento_code.eq(code))
        .order((adherents::adhered_on.asc(), enti::code.asc()))
        .select(adherent_columns!())
        .load(conn)
}

/// Whether the body already adheres to the intervento.
pub fn adheres(conn: &mut PgConnection, code: &str, ente: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        adherents::table
            .filter(adherents::intervento_code.eq(code))
            .filter(adherents::ente_id.eq(ente)),
    ))
    .get_result(conn)
}

/// Writes the adherent; says its id.
pub fn insert(
    conn: &mut PgConnection,
    code: &str,
    ente: Uuid,
    new: &NewAdherent,
) -> QueryResult<Uuid> {
    let id = Uuid::new_v4();
    diesel::insert_into(adherents::table)
        .values((
            adherents::id.eq(id),
            adherents::intervento_code.eq(code),
            adherents::ente_id.eq(ente),
            adherents::adhered_on.eq(new.adhered_on),
            adherents::act_ref.eq(&new.act_ref),
            adherents::priority.eq(new.priority),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The intervento's adherents by `as_of`, and those of them with a commitment to one of
/// `services` signed by then and not ceased.
pub fn registered_and_committed(
    conn: &mut PgConnection,
    code: &str,
    as_of: NaiveDate,
    services: &[i32],
) -> QueryResult<(i64, i64)> {
    let by_then = adherents::table
        .filter(adherents::intervento_code.eq(code))
        .filter(adherents::adhered_on.le(as_of));
    let registered: i64 = by_then.count().get_result(conn)?;
    let committed: i64 = by_then
        .filter(
            adherents::ente_id.eq_any(
                adhesions::table
                    .filter(adhesions::service_number.eq_any(services))
                    .filter(adhesions::commitment_signed_on.le(as_of))
                    .filter(
                        adhesions::ceased_on
                            .is_null()
                            .or(adhesions::ceased_on.gt(as_of)),
                    )
                    .select(adhesions::ente_id),
            ),
        )
        .count()
        .get_result(conn)?;
    Ok((registered, committed))
}

/// An adherent is its own small aggregate.
pub struct AdherentRecord(pub Adherent);

impl Versioned for AdherentRecord {
    const ENTITY: &'static str = "adherent";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        adherents::table
            .find(id)
            .select(adherents::id)
            .for_update()
            .first::<Uuid>(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("adherent {id}")))?;
        let adherent = adherents::table
            .inner_join(enti::table)
            .filter(adherents::id.eq(id))
            .select(adherent_columns!())
            .first(conn)?;
        Ok(Self(adherent))
    }

    fn version(&self) -> i64 {
        self.0.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(adherents, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(&self.0)
    }
}
