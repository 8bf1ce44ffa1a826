//! What monitoring's own records say of an intervento, read for the rules (diesel, synchronous).

use apq_domain::{Euro, Percent};
use apq_platform::text_column::{EuroColumn, PercentColumn};
use chrono::NaiveDate;
use diesel::prelude::*;

use super::rules::Local;
use crate::indicators::verified_months;
use crate::schede::SchedaState;
use crate::schema::schede;
use crate::verifications::{self, Verification, VerificationKind};

/// A validated scheda: its SAL and its payments.
#[derive(Debug, Clone, Copy, PartialEq, Queryable, Selectable)]
#[diesel(table_name = schede)]
pub struct Validated {
    #[diesel(deserialize_as = PercentColumn)]
    pub sal: Percent,
    #[diesel(deserialize_as = EuroColumn)]
    pub payments: Euro,
}

pub fn local(conn: &mut PgConnection, code: &str, as_of: NaiveDate) -> QueryResult<Local> {
    let last_holding = |v: Vec<Verification>| v.into_iter().rev().find(|v| v.holds);
    let plan_approved = last_holding(verifications::of(
        conn,
        code,
        Some(VerificationKind::PianoApproved),
        as_of,
    )?);
    // Admissibility "still holds": the latest verification says so.
    let admissibility =
        verifications::of(conn, code, Some(VerificationKind::Admissibility), as_of)?
            .into_iter()
            .last();
    let completion = last_holding(verifications::of(
        conn,
        code,
        Some(VerificationKind::Completion),
        as_of,
    )?);
    let validated = schede::table
        .filter(schede::intervento_code.eq(code))
        .filter(schede::state.eq(SchedaState::Validated.as_str()))
        .order(schede::semester.asc())
        .select(Validated::as_select())
        .load(conn)?;
    Ok(Local {
        plan_approved,
        admissibility,
        completion,
        validated,
        months: verified_months(conn, code)?,
    })
}
