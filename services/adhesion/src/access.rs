//! Who sees and changes which adhesions.
//!
//! - admin: every adhesion, read and write;
//! - auditor, responsabile_accordo, sync: read every adhesion;
//! - ente: its own body's adhesions; the operator of an aggregation also its members'
//!   adhesions made through the aggregation;
//! - anonymous: only the aggregate figures.

use apq_domain::Role;
use apq_platform::{ApiError, Caller};
use uuid::Uuid;

use crate::enti::EnteRow;

pub const READERS: &[Role] = &[
    Role::Admin,
    Role::Auditor,
    Role::ResponsabileAccordo,
    Role::Sync,
];

/// What a caller may see of the adhesions.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    Everything,
    /// The caller's own body, and the adhesions made through it if it is an aggregation.
    Body {
        id: Uuid,
    },
}

/// The caller's scope, resolving an `ente` token's body with `find`.
pub fn scope(
    caller: &Caller,
    find: impl FnOnce(&str) -> Result<EnteRow, ApiError>,
) -> Result<Scope, ApiError> {
    if caller.has_any(READERS) {
        return Ok(Scope::Everything);
    }
    if caller.has(Role::Ente) {
        let code = caller.ente().ok_or_else(|| {
            ApiError::Forbidden("an ente token must name its body in the `ente` claim".to_owned())
        })?;
        let body = find(code).map_err(|_| {
            ApiError::Forbidden(format!("the token's body {code} is not in the registry"))
        })?;
        return Ok(Scope::Body { id: body.id });
    }
    Err(ApiError::Forbidden("adhesions are visible to admin, auditor, responsabile_accordo, sync and the bodies themselves".to_owned()))
}

impl Scope {
    /// Whether an adhesion of `ente` (made through `via`) is visible.
    pub fn sees(&self, ente: Uuid, via: Option<Uuid>) -> bool {
        match self {
            Scope::Everything => true,
            Scope::Body { id } => *id == ente || via == Some(*id),
        }
    }
}

/// Only admin and the bodies themselves change adhesions.
pub fn may_write(caller: &Caller) -> Result<(), ApiError> {
    caller.require_any(&[Role::Admin, Role::Ente])
}
