//! Who may change what in the register.

use apq_domain::Role;
use apq_platform::{ApiError, Caller};

/// Only the region's administrators and the soggetto responsabile dell'Accordo change the register.
pub const EDITORS: &[Role] = &[Role::Admin, Role::ResponsabileAccordo];

pub fn require_editor(caller: &Caller) -> Result<(), ApiError> {
    caller.require_any(EDITORS)
}

/// Editors, or a responsabile di intervento whose token names this intervento (by code).
pub fn require_intervento_editor(caller: &Caller, intervento_code: &str) -> Result<(), ApiError> {
    if caller.has_any(EDITORS) {
        return Ok(());
    }
    if caller.answers_for(intervento_code) {
        return Ok(());
    }
    Err(ApiError::Forbidden(format!(
        "only admin, responsabile_accordo or the responsabile of {intervento_code} may change its activities"
    )))
}
