//! Who records what of an intervento in monitoring's own records.

use apq_domain::Role;
use apq_platform::{ApiError, Caller};

/// An intervento's own records (its events, cost plan and economies, procedural iter) are kept
/// by its responsabile (named in the token) or admin; `keeps` says what, in the refusal
/// ("record its impegni and pagamenti").
pub fn require_recorder(caller: &Caller, code: &str, keeps: &str) -> Result<(), ApiError> {
    if caller.has_any(&[Role::Admin]) || caller.answers_for(code) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "only the responsabile of {code} or admin {keeps}"
        )))
    }
}
