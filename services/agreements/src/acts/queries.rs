//! The acts' writes onto the intervento (diesel, synchronous, `&mut PgConnection`), under its
//! lock.

use apq_platform::ApiError;
use apq_platform::versioned;
use chrono::NaiveDate;
use diesel::prelude::*;
use uuid::Uuid;

use crate::interventi::{NonActivation, ProgettoEsecutivoApproval};
use crate::model::InterventoState;
use crate::schema::interventi;

/// The intervento is not activated, by the act recorded.
pub fn record_non_activation(
    conn: &mut PgConnection,
    intervento: Uuid,
    recorded: &NonActivation,
) -> Result<(), ApiError> {
    diesel::update(interventi::table.find(intervento))
        .set((
            interventi::state.eq(InterventoState::NotActivated.as_str()),
            interventi::non_activation.eq(versioned::view_of(recorded)?),
        ))
        .execute(conn)?;
    Ok(())
}

/// The progetto esecutivo is validated on `approved_on`, by the approval recorded.
pub fn record_approval(
    conn: &mut PgConnection,
    intervento: Uuid,
    approved_on: NaiveDate,
    recorded: &ProgettoEsecutivoApproval,
) -> Result<(), ApiError> {
    diesel::update(interventi::table.find(intervento))
        .set((
            interventi::progetto_esecutivo_validated_on.eq(approved_on),
            interventi::progetto_esecutivo_approval.eq(versioned::view_of(recorded)?),
        ))
        .execute(conn)?;
    Ok(())
}
