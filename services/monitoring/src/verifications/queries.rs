//! The verifications' write query (the reads are still in `verifications.rs`).

use diesel::prelude::*;
use uuid::Uuid;

use super::NewVerification;
use crate::schema::verifications;

/// Records a verification of the intervento `code`; its id.
pub fn insert(
    conn: &mut PgConnection,
    code: &str,
    body: &NewVerification,
    actor: &str,
) -> QueryResult<Uuid> {
    let id = Uuid::new_v4();
    diesel::insert_into(verifications::table)
        .values((
            verifications::id.eq(id),
            verifications::intervento_code.eq(code),
            verifications::kind.eq(body.kind.as_str()),
            verifications::verified_on.eq(body.verified_on),
            verifications::act_ref.eq(&body.act_ref),
            verifications::verified_by.eq(&body.verified_by),
            verifications::holds.eq(body.holds),
            verifications::note.eq(&body.note),
            verifications::recorded_by.eq(actor),
        ))
        .execute(conn)?;
    Ok(id)
}
